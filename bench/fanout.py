"""Fan-out: N audience sockets held by one server process; an item pushed; how fast does
every phone see it? And the same push, in the same run, from a minimal raw `websockets`
broadcast server (no database, no roles): the baseline. Headline: ours/baseline p99.

    python -m bench.fanout [--clients 10000] [--procs 2] [--rounds 3]

Latency is from just before the moderator's push request (ours: HTTP POST, commit, event
log, hub; baseline: one WebSocket message) to each client's receipt, on the same machine
clock. Server RSS per connection is measured after the sockets are held.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from typing import Any

import httpx
import orjson

from bench.common import (
    audience_cookie,
    emit,
    free_port,
    percentiles,
    raise_fd_limit,
    rss_of,
    server,
)
from bench.crowd import Crowd

WAIT_FOR_PUSH = 60.0
TARGET_P99_MS = 500.0
TARGET_RATIO = 1.5

# The baseline: accept, answer the resume with a snapshot, then broadcast what the control
# socket asks for. It is what a hand-written push server does, and nothing more.
_BASELINE = r"""
import asyncio, resource, sys, orjson
from websockets.asyncio.server import broadcast, serve
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
clients = set()
async def handler(ws):
    first = orjson.loads(await ws.recv())
    if first.get("type") == "control":
        async for msg in ws:
            broadcast(clients, msg)
        return
    await ws.send('{"seq":1,"type":"snapshot","data":{"questions":[]}}')
    await ws.send('{"type":"synced","seq":1}')
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), compression=None,
                     ping_interval=20, ping_timeout=20, max_queue=None):
        print("ready", flush=True)
        await asyncio.Future()
asyncio.run(main())
"""


def question_frame(seq: int, qid: int) -> str:
    """A frame shaped and sized like ours for an audience phone."""
    q = {
        "id": qid, "text": "How will the data commons be funded after the pilot ends?",
        "state": "on_stage", "channel": "zoom_chat", "votes": 12, "position": None,
        "created_at": "2026-11-23T17:00:00.000000Z", "simulated": False,
    }
    return orjson.dumps({"seq": seq, "type": "question.updated", "data": {"question": q}}).decode()


class Session:
    """A session on our server with `rounds` approved questions ready to push."""

    def __init__(self, srv: Any, rounds: int) -> None:
        s = srv.create_session("Fan-out benchmark")
        self.slug = s["slug"]
        self.keys = s["keys"]
        self.mod = {"Authorization": f"Bearer {s['keys']['moderator']}"}
        self.base = f"{srv.url}/api/sessions/{self.slug}"
        self.live = f"{srv.ws_url}/s/{self.slug}/live"
        # One keep-alive client, as the console has: `httpx.post` would build a client (and
        # its TLS context) per call, ~20 ms of load-generator time counted as latency.
        self.http = httpx.Client(timeout=30)
        self.qids = []
        for i in range(rounds):
            phone = {"cookie": audience_cookie(srv.url, self.slug)}
            qid = httpx.post(
                f"{self.base}/questions", json={"text": f"Question {i}?"}, headers=phone
            ).json()["id"]
            httpx.post(f"{self.base}/questions/{qid}/actions/approve", headers=self.mod)
            self.qids.append(qid)

    def act(self, qid: int, action: str) -> float:
        url = f"{self.base}/questions/{qid}/actions/{action}"
        t0 = time.time()
        r = self.http.post(url, headers=self.mod)
        r.raise_for_status()
        return t0


def collect(
    crowd: Crowd, qid: int, expected: int, t0: float, state: str = "on_stage"
) -> list[float]:
    deadline = time.monotonic() + WAIT_FOR_PUSH
    got: list[float] = []
    while time.monotonic() < deadline:
        got = crowd.arrivals(qid, state)
        if len(got) >= expected:
            break
        time.sleep(0.25)
    return [(t - t0) * 1000 for t in got]


def ours(crowd: Crowd, clients: int, rounds: int) -> dict[str, Any]:
    with server() as srv:
        session = Session(srv, rounds)
        rss_before = srv.rss_bytes()
        started = time.monotonic()
        held = crowd.open([session.live], clients)
        connect_s = time.monotonic() - started
        time.sleep(2.0)
        rss_after = srv.rss_bytes()
        latencies: list[float] = []
        acks = []
        for qid in session.qids:
            t0 = session.act(qid, "push")
            acks.append((time.time() - t0) * 1000)
            latencies += collect(crowd, qid, held, t0)
            # Let the "answered" fan-out finish too: the next push must not queue behind it.
            collect(crowd, qid, held, session.act(qid, "answer"), "answered")
            time.sleep(1.0)
        crowd.call("shutdown")
        return {
            "connections_held": held,
            "connect_seconds": round(connect_s, 1),
            "pushes": rounds,
            "delivered": len(latencies),
            "push_ack_ms": percentiles(acks),
            "delivery_ms": percentiles(latencies),
            "server_rss_mb": round(rss_after / 2**20, 1),
            "server_bytes_per_connection": int((rss_after - rss_before) / max(1, held)),
        }


def baseline(crowd: Crowd, clients: int, rounds: int) -> dict[str, Any]:
    import asyncio

    from websockets.asyncio.client import connect

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", _BASELINE, str(port)], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        rss_before = rss_of(proc.pid)
        held = crowd.open([f"ws://127.0.0.1:{port}/"], clients)
        time.sleep(2.0)
        rss_after = rss_of(proc.pid)
        latencies: list[float] = []

        async def push(qid: int) -> float:
            async with connect(f"ws://127.0.0.1:{port}/", compression=None) as ctl:
                await ctl.send('{"type":"control"}')
                t0 = time.time()
                await ctl.send(question_frame(100 + qid, qid))
                await asyncio.sleep(0.05)
                return t0

        for qid in range(1, rounds + 1):
            t0 = asyncio.run(push(qid))
            latencies += collect(crowd, qid, held, t0)
            time.sleep(1.0)
        crowd.call("shutdown")
        return {
            "connections_held": held,
            "delivered": len(latencies),
            "delivery_ms": percentiles(latencies),
            "server_rss_mb": round(rss_after / 2**20, 1),
            "server_bytes_per_connection": int((rss_after - rss_before) / max(1, held)),
        }
    finally:
        proc.terminate()
        proc.wait(10)


def run(clients: int, procs: int, rounds: int) -> dict[str, Any]:
    raise_fd_limit()
    with Crowd(procs) as crowd:
        ours_ = ours(crowd, clients, rounds)
    with Crowd(procs) as crowd:
        base = baseline(crowd, clients, rounds)
    p99, base_p99 = ours_["delivery_ms"]["p99"], base["delivery_ms"]["p99"]
    ratio = round(p99 / base_p99, 2) if p99 and base_p99 else None
    return {
        "command": f"python -m bench.fanout --clients {clients} --procs {procs} --rounds {rounds}",
        "clients": clients,
        "client_processes": procs,
        "p99_ratio_ours_to_baseline": ratio,
        "targets": {
            "p99_ratio_max": TARGET_RATIO,
            "p99_ms_max": TARGET_P99_MS,
            "server_rss_mb_max": 1024,
            "met": bool(
                ratio is not None
                and ratio <= TARGET_RATIO
                and p99 <= TARGET_P99_MS
                and ours_["server_rss_mb"] < 1024
                and ours_["connections_held"] == clients
            ),
        },
        "ours": ours_,
        "baseline_raw_websockets": base,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--clients", type=int, default=10_000)
    p.add_argument("--procs", type=int, default=2, help="client worker processes")
    p.add_argument("--rounds", type=int, default=3, help="pushes measured")
    p.add_argument("--quick", action="store_true", help="500 clients, 2 pushes (CI)")
    args = p.parse_args(argv)
    if args.quick:
        args.clients, args.rounds = 500, 2
    if not 1 <= args.clients <= 10_000:
        p.error("--clients must be between 1 and 10,000")
    return emit("fanout", run(args.clients, max(1, args.procs), max(1, args.rounds)))


if __name__ == "__main__":
    main()
