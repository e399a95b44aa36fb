"""Timer sync: do 100 screens on bad networks show the same remaining time?

    python -m bench.timer [--clients 100] [--max-delay 150] [--jitter 20] [--quick]

Each simulated client has a wall clock that is wrong by up to ±10 minutes, a one-way
network delay drawn once (0..max-delay ms, both directions) and per-message jitter
(±jitter ms, each direction): it sleeps before sending each ping and before processing
each pong. It runs the page's own offset algorithm (moderator_ui/static/js/clock.js and
the ping schedule of live.js, ported line for line below) against a real server over
loopback, then reads the remaining time of a running segment the way timer-core.js does.
Prints p50/p99/max of |displayed remaining - true remaining| in ms. Target: p99 <= 50 ms.

A delay that differs between the two directions *on average* cannot be seen by any
NTP-style method (the error is half the asymmetry); the jitter here is that asymmetry.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench.common import emit, percentiles, server

KEEP = 12  # clock.js
SYNC_SAMPLES = 5  # live.js: pings right after connecting...
SYNC_SPACING_MS = 200  # ...this far apart
SKEW_MS = 600_000
SETTLE_S = 2.0  # after the last sync ping, before reading the timer
DEADLINE_S = 30.0


class Clock:
    """clock.js: keep the last KEEP samples; the shortest round trip's offset wins."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (rtt, offset)
        self.offset = 0.0

    def add_sample(self, t: float, server: float, recv: float) -> None:
        rtt = recv - t
        if not rtt >= 0:
            return
        self.samples.append((rtt, server - (t + recv) / 2))
        if len(self.samples) > KEEP:
            self.samples.pop(0)
        self.offset = min(self.samples, key=lambda s: s[0])[1]


class SimClient:
    def __init__(self, rng: random.Random, max_delay: float, jitter: float) -> None:
        self.skew = rng.uniform(-SKEW_MS, SKEW_MS)
        self.base = rng.uniform(0, max_delay)
        self.jitter = jitter
        self.rng = rng
        self.clock = Clock()

    def local_ms(self) -> float:
        """This device's (wrong) wall clock: Date.now()."""
        return time.time() * 1000 + self.skew

    async def delay(self) -> None:
        one_way = self.base + self.rng.uniform(-self.jitter, self.jitter)
        await asyncio.sleep(max(0.0, one_way) / 1000)

    async def ping(self, ws: Any) -> None:
        t = self.local_ms()  # live.js: t = Date.now(), then the frame travels
        await self.delay()
        await ws.send(json.dumps({"type": "ping", "t": t}))

    async def run(self, url: str, timer: dict[str, Any]) -> float:
        async with connect(url, compression=None, ping_interval=None) as ws:
            await ws.send(json.dumps({"type": "resume", "after": None}))
            pings = [asyncio.create_task(self.ping(ws))]  # on open
            started = False
            want = SYNC_SAMPLES + 1
            deadline = time.monotonic() + DEADLINE_S
            while len(self.clock.samples) < want and time.monotonic() < deadline:
                frame = json.loads(await asyncio.wait_for(ws.recv(), DEADLINE_S))
                await self.delay()  # the frame is still on its way to us
                if frame.get("type") == "pong":
                    self.clock.add_sample(frame["t"], frame["server"], self.local_ms())
                if not started:  # live.js startPings(): after the first frame
                    started = True
                    pings += [asyncio.create_task(self._later(ws, i)) for i in range(SYNC_SAMPLES)]
            await asyncio.gather(*pings)
            await asyncio.sleep(SETTLE_S * self.rng.random())  # read at scattered moments
            return self.error_ms(timer)

    async def _later(self, ws: Any, i: int) -> None:
        await asyncio.sleep(i * SYNC_SPACING_MS / 1000)
        await self.ping(ws)

    def error_ms(self, t: dict[str, Any]) -> float:
        """timer-core.js timerNumbers() with serverNow(), against the true remaining time."""
        planned = (t["planned"] + t["adjust"]) * 1000
        shown = planned - (self.local_ms() + self.clock.offset - t["started_at"])
        true = planned - (time.time() * 1000 - t["started_at"])
        return abs(shown - true)


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    with server() as srv:
        session = srv.create_session("Timer bench", agenda=[{"title": "Talk", "minutes": 30}])
        base = f"{srv.url}/api/sessions/{session['slug']}"
        mod = {"Authorization": f"Bearer {session['keys']['moderator']}"}
        async with httpx.AsyncClient(timeout=10) as http:
            timer = (await http.post(f"{base}/timer/start", headers=mod)).json()
        url = f"{srv.ws_url}/s/{session['slug']}/live?key={session['keys']['screen']}"
        rng = random.Random(args.seed)
        clients = [SimClient(rng, args.max_delay, args.jitter) for _ in range(args.clients)]
        started = time.monotonic()
        errors = await asyncio.gather(*(c.run(url, timer) for c in clients))
        unsynced = [abs(c.skew) for c in clients]
        return {
            "clients": args.clients,
            "max_one_way_delay_ms": args.max_delay,
            "jitter_ms": args.jitter,
            "samples_per_client": SYNC_SAMPLES + 1,
            "displayed_error_ms": percentiles(errors),
            "without_sync_error_ms": percentiles(unsynced),
            "target_p99_ms": 50,
            "met": percentiles(errors)["p99"] <= 50,
            "seconds": round(time.monotonic() - started, 2),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--max-delay", type=float, default=150.0)
    parser.add_argument("--jitter", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="20 clients (CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients = min(args.clients, 20)
    return emit("timer", asyncio.run(measure(args)))


if __name__ == "__main__":
    sys.exit(0 if main()["met"] else 1)  # a missed target fails `python -m bench all`
