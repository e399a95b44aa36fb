"""The multi-worker run: two server processes on PostgreSQL and Redis, clients spread over
both (no stickiness), pushes made on A, votes cast on both.

    python -m bench.cluster [--clients 2000] [--voters 400] [--quick]

Needs the machine's PostgreSQL (FLOORBRIDGE_BENCH_PG, default the `test` database on
127.0.0.1:5432; a fresh schema is made and dropped) and Redis (FLOORBRIDGE_BENCH_REDIS).
Reports delivery p50/p99 on sockets held by A (same process) and by B (through Redis),
and whether the poll votes cast on both processes add up exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time
from typing import Any

import httpx
import orjson

from bench.common import Server, audience_cookie, emit, percentiles, raise_fd_limit
from bench.crowd import Crowd

PG = os.environ.get("FLOORBRIDGE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("FLOORBRIDGE_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def schema() -> tuple[str, str]:
    import psycopg

    name = f"fb_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True, connect_timeout=3) as c:
        c.execute(f'CREATE SCHEMA "{name}"')
    sep = "&" if "?" in PG else "?"
    return name, f"{PG}{sep}options=-csearch_path%3D{name}"


def drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as c:
        c.execute(f'DROP SCHEMA "{name}" CASCADE')


async def vote(urls: list[str], base_path: str, voters: int) -> float:
    """Each phone gets its audience id on one worker and votes on the other (no cookie jar:
    a transport keeps none). Returns the seconds the ballots took."""
    sem = asyncio.Semaphore(32)
    transports = [httpx.AsyncHTTPTransport() for _ in urls]
    slug = base_path.split("/")[3]  # /api/sessions/{slug}/polls/{id}

    async def post(worker: int, cookie: str | None, choice: int) -> httpx.Response:
        headers = {"content-type": "application/json"} | ({"cookie": cookie} if cookie else {})
        req = httpx.Request("POST", f"{urls[worker]}{base_path}/votes", headers=headers,
                            content=orjson.dumps({"choices": [choice]}))
        r = await transports[worker].handle_async_request(req)
        await r.aread()
        return r

    async def one(i: int) -> None:
        async with sem:
            page = await transports[i % 2].handle_async_request(
                httpx.Request("GET", f"{urls[i % 2]}/s/{slug}")
            )
            await page.aread()
            cookie = page.headers["set-cookie"].split(";")[0]  # the audience page's id
            r = await post((i + 1) % 2, cookie, i % 3)
            assert r.status_code == 201, r.status_code

    started = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(voters)))
    for t in transports:
        await t.aclose()
    return time.monotonic() - started


def run(clients: int, procs: int, rounds: int, voters: int) -> dict[str, Any]:
    raise_fd_limit()
    name, url = schema()
    sep = "&" if "?" in REDIS else "?"
    env = {"FLOORBRIDGE_BUS_URL": f"{REDIS}{sep}prefix=fbbench{secrets.token_hex(4)}",
           "FLOORBRIDGE_ADMIN_TOKEN": secrets.token_urlsafe(16),
           "FLOORBRIDGE_SECRET_KEY": secrets.token_urlsafe(16)}
    a, b = Server(url, env), Server(url, env)
    a.admin_token = b.admin_token = env["FLOORBRIDGE_ADMIN_TOKEN"]
    a.start()  # migrates alone, first
    b.start()
    try:
        s = a.create_session("Cluster benchmark")
        mod = {"Authorization": f"Bearer {s['keys']['moderator']}"}
        base = f"{a.url}/api/sessions/{s['slug']}"
        qids = []
        for i in range(rounds):
            phone = {"cookie": audience_cookie(a.url, s["slug"])}
            r = httpx.post(f"{base}/questions", json={"text": f"Item {i}?"}, headers=phone)
            qid = r.json()["id"]
            httpx.post(f"{base}/questions/{qid}/actions/approve", headers=mod).raise_for_status()
            qids.append(qid)
        lives = [f"{srv.ws_url}/s/{s['slug']}/live" for srv in (a, b)]
        with Crowd(procs) as crowd:
            held = crowd.open(lives, clients)
            on: dict[str, list[float]] = {"a": [], "b": []}
            for qid in qids[:rounds]:
                t0 = time.time()
                httpx.post(f"{base}/questions/{qid}/actions/push", headers=mod,
                           timeout=30).raise_for_status()
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    got = {k: [t for part in crowd.call("watch_url", qid, "on_stage", live)
                               for t in part] for k, live in zip("ab", lives, strict=True)}
                    if sum(map(len, got.values())) >= held:
                        break
                    time.sleep(0.25)
                for k in "ab":
                    on[k] += [(t - t0) * 1000 for t in got[k]]
                httpx.post(f"{base}/questions/{qid}/actions/answer", headers=mod).raise_for_status()
                time.sleep(0.5)
        poll = httpx.post(f"{base}/polls", headers=mod, json={
            "question": "Who should fund it?", "kind": "single",
            "options": ["States", "Companies", "Foundations"]}).json()["id"]
        httpx.post(f"{base}/polls/{poll}/actions/open", headers=mod).raise_for_status()
        path = f"/api/sessions/{s['slug']}/polls/{poll}"
        seconds = asyncio.run(vote([a.url, b.url], path, voters))
        counted = {
            srv_name: httpx.get(f"{srv.url}{path}/results", headers=mod).json()["total"]
            for srv_name, srv in (("a", a), ("b", b))
        }
        return {
            "command": f"python -m bench.cluster --clients {clients} --voters {voters}",
            "workers": 2, "database": "postgresql", "bus": "redis",
            "connections_held": held, "pushes": rounds,
            "delivery_ms_sockets_on_a": percentiles(on["a"]),
            "delivery_ms_sockets_on_b_via_redis": percentiles(on["b"]),
            "votes": {"cast": voters, "counted_on_a": counted["a"], "counted_on_b": counted["b"],
                      "exact": counted["a"] == counted["b"] == voters,
                      "per_second": round(voters / seconds, 1),
                      "note": "poll ballots; each phone got its id on one worker, voted on the "
                              "other"},
            "server_rss_mb": {"a": round(a.rss_bytes() / 2**20, 1),
                              "b": round(b.rss_bytes() / 2**20, 1)},
        }
    finally:
        a.stop()
        b.stop()
        drop(name)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--clients", type=int, default=2000)
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--voters", type=int, default=400)
    p.add_argument("--quick", action="store_true", help="200 clients, 100 voters (CI)")
    args = p.parse_args(argv)
    if args.quick:
        args.clients, args.voters, args.rounds = 200, 100, 2
    if not 2 <= args.clients <= 10_000:
        p.error("--clients must be between 2 and 10,000")
    return emit("cluster", run(args.clients, max(1, args.procs), max(1, args.rounds),
                               args.voters))


if __name__ == "__main__":
    main()
