"""Fan-out: N audience sockets held; one item pushed; how fast does every phone see it?

    python -m bench.fanout [--clients 1000] [--procs 2]

Prints JSON: connections held, delivery latency p50/p99/max (ms, from the moderator's push
request to each socket's receipt, same machine clock), server RSS per connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import time
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench.common import emit, percentiles, raise_fd_limit, server

CONNECT_CONCURRENCY = 100
WAIT_FOR_PUSH = 60.0


async def _hold(url: str, count: int, ready: Any, go: Any, target: int) -> list[float]:
    """Open `count` sockets, report ready, then time the arrival of the pushed item."""
    raise_fd_limit()
    sem = asyncio.Semaphore(CONNECT_CONCURRENCY)
    sockets = []

    async def open_one() -> None:
        async with sem:
            for attempt in range(5):
                try:
                    ws = await connect(url, compression=None, open_timeout=30, ping_interval=None)
                    await ws.send(json.dumps({"type": "resume", "after": None}))
                    await ws.recv()  # the snapshot
                    sockets.append(ws)
                    return
                except (OSError, TimeoutError):
                    await asyncio.sleep(0.2 * (attempt + 1))

    await asyncio.gather(*(open_one() for _ in range(count)))
    ready.put(len(sockets))
    await asyncio.get_running_loop().run_in_executor(None, go.wait)

    async def wait_push(ws: Any) -> float | None:
        deadline = time.monotonic() + WAIT_FOR_PUSH
        while time.monotonic() < deadline:
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
            except (TimeoutError, Exception):
                return None
            q = frame.get("data", {}).get("question") or {}
            if q.get("id") == target and q.get("state") == "on_stage":
                return time.time()
        return None

    got = await asyncio.gather(*(wait_push(ws) for ws in sockets))
    for ws in sockets:
        ws.transport.abort()
    return [t for t in got if t is not None]


def _worker(url: str, count: int, ready: Any, go: Any, out: Any, target: int) -> None:
    out.put(asyncio.run(_hold(url, count, ready, go, target)))


def run(clients: int, procs: int) -> dict[str, Any]:
    raise_fd_limit()
    ctx = mp.get_context("spawn")
    with server() as srv:
        session = srv.create_session("Fan-out benchmark")
        mod = {"Authorization": f"Bearer {session['keys']['moderator']}"}
        base = f"{srv.url}/api/sessions/{session['slug']}"
        qid = httpx.post(f"{base}/questions", json={"text": "Benchmark question?"}).json()["id"]
        httpx.post(f"{base}/questions/{qid}/actions/approve", headers=mod).raise_for_status()
        rss_before = srv.rss_bytes()
        ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        share = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
        url = f"{srv.ws_url}/s/{session['slug']}/live"
        workers = [ctx.Process(target=_worker, args=(url, n, ready, go, out, qid)) for n in share]
        t_connect = time.monotonic()
        for w in workers:
            w.start()
        held = sum(ready.get(timeout=600) for _ in workers)
        connect_s = time.monotonic() - t_connect
        time.sleep(1.0)
        rss_after = srv.rss_bytes()
        go.set()
        time.sleep(0.5)  # let every worker start listening
        t0 = time.time()
        r = httpx.post(f"{base}/questions/{qid}/actions/push", headers=mod, timeout=30)
        ack_ms = (time.time() - t0) * 1000
        r.raise_for_status()
        arrivals = [t for _ in workers for t in out.get(timeout=WAIT_FOR_PUSH + 30)]
        for w in workers:
            w.join(30)
        latencies = [(t - t0) * 1000 for t in arrivals]
        return {
            "clients_requested": clients,
            "connections_held": held,
            "delivered": len(latencies),
            "connect_seconds": round(connect_s, 1),
            "push_ack_ms": round(ack_ms, 1),
            "delivery_ms": percentiles(latencies),
            "server_rss_mb": round(rss_after / 2**20, 1),
            "server_bytes_per_connection": int((rss_after - rss_before) / max(1, held)),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--procs", type=int, default=2)
    args = p.parse_args(argv)
    if not 1 <= args.clients <= 10_000:
        p.error("--clients must be between 1 and 10,000")
    return emit("fanout", run(args.clients, max(1, args.procs)))


if __name__ == "__main__":
    main()
