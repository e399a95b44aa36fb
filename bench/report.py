"""Report and erasure cost for a big session.

    python -m bench.report [--questions 5000] [--samples 10] [--quick]

A real server (SQLite) gets N questions through the audience API (several authors, a
tenth dismissed, a tenth answered, notes and highlights), then the benchmark times each
report format over HTTP (p50/p99/max ms and size) and one subject erasure, which rewrites
every logged copy of that person's questions. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

import httpx

from app.auth import Signer
from bench.common import audience_cookie, emit, percentiles, server

CONCURRENCY = 16
MEMBERS = 50
RETRIES = 3


async def _fill(url: str, slug: str, mod_key: str, n: int) -> list[str]:
    """N questions from 50 audience members; returns one member's audience cookie."""
    base = f"{url}/api/sessions/{slug}"
    members = [
        httpx.AsyncClient(
            base_url=base, timeout=30, headers={"cookie": audience_cookie(url, slug)}
        )
        for _ in range(MEMBERS)
    ]
    sem = asyncio.Semaphore(CONCURRENCY)
    ids: list[int] = []

    async def ask(i: int) -> None:
        body = {"text": f"Question {i}: how does this scale?", "name": f"P {i}"}
        async with sem:
            for attempt in range(RETRIES):  # a loaded machine may drop a connection
                try:
                    r = await members[i % len(members)].post("/questions", json=body)
                    break
                except httpx.TransportError:
                    if attempt == RETRIES - 1:
                        raise
            r.raise_for_status()
            ids.append(r.json()["id"])

    await asyncio.gather(*(ask(i) for i in range(n)))
    headers = {"Authorization": f"Bearer {mod_key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as mod:
        ordered = sorted(ids)

        async def act(qid: int, *actions: str) -> None:
            async with sem:
                for action in actions:
                    (await mod.post(f"/questions/{qid}/actions/{action}")).raise_for_status()

        await asyncio.gather(*(act(q, "dismiss") for q in ordered[::10]))
        for q in ordered[1::10][:200]:  # one on stage at a time: sequential
            await act(q, "approve", "push", "answer")
    cookie = members[0].headers["cookie"].removeprefix("fb_aud=")
    for m in members:
        await m.aclose()
    return [cookie]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--questions", type=int, default=5000)
    p.add_argument("--samples", type=int, default=10)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    if args.quick:
        args.questions, args.samples = 1000, 5
    # A hundred questions a member in seconds: the per-id question limit is not measured here.
    off = {
        "FLOORBRIDGE_QUESTIONS_PER_AUDIENCE_MINUTE": "0",
        "FLOORBRIDGE_QUESTIONS_PER_IP_MINUTE": "0",
    }
    with server(env=off) as srv:
        created = srv.create_session(
            title="Report benchmark",
            agenda=[{"title": f"Segment {i}", "minutes": 10} for i in range(6)],
        )
        slug, keys = created["slug"], created["keys"]
        t0 = time.perf_counter()
        (cookie,) = asyncio.run(_fill(srv.url, slug, keys["moderator"], args.questions))
        fill_s = time.perf_counter() - t0
        rap = httpx.Client(
            base_url=f"{srv.url}/api/sessions/{slug}",
            headers={"Authorization": f"Bearer {keys['rapporteur']}"},
            timeout=60,
        )
        rap.put("/report/notes/takeaways", json={"text": "One\nTwo\nThree"}).raise_for_status()
        formats = {}
        for fmt in ("json", "md", "html", "csv"):
            times, size = [], 0
            for _ in range(args.samples):
                t = time.perf_counter()
                r = rap.get("/report", params={"format": fmt})
                times.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
                size = len(r.content)
            formats[fmt] = {**percentiles(times), "bytes": size}
        secret = (Path(srv.tmp.name) / "secret_key").read_text().strip()
        handle = Signer(secret).read_audience(cookie)  # the member's audience id
        admin = {"Authorization": f"Bearer {srv.admin_token}"}
        t = time.perf_counter()
        r = httpx.post(
            f"{srv.url}/api/sessions/{slug}/privacy/erase",
            headers=admin,
            json={"channel": "audience", "handle": handle},
            timeout=120,
        )
        erase_ms = (time.perf_counter() - t) * 1000
        r.raise_for_status()
        rap.close()
    emit(
        "report",
        {
            "questions": args.questions,
            "fill_seconds": round(fill_s, 1),
            "report_ms": formats,
            "erase": {"ms": round(erase_ms, 1), **r.json()},
            "command": "python -m bench.report"
            + (
                " --quick"
                if args.quick
                else f" --questions {args.questions} --samples {args.samples}"
            ),
        },
    )


if __name__ == "__main__":
    main()
