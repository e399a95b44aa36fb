"""Thousands of live-socket clients in worker processes, driven by a benchmark.

Why processes: one Python process cannot read 10,000 sockets fast enough to measure a
server; the load is split over `procs` workers (on the same machine: said in the results).
Each client resumes like the real page (`{"type": "resume", "after": seq}`), keeps its last
seq, notes when a watched question reaches a state, and can reconnect and resume, or stall
(stop reading at the TCP level, pings included) to play a phone in a lift.

Why a protocol per client on websockets' sans-I/O core and uvloop, rather than the asyncio
client with a reading task per socket: the load generator shares the machine's two cores
with the server it measures. Every microsecond it spends per frame is taken from the server
(and, for the last socket read, added to the measured latency). Frames are parsed in
`data_received`, with no task switch per frame.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import random
import time
from typing import Any

import orjson
import uvloop
from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

from bench.common import raise_fd_limit

CONNECT_CONCURRENCY = 100
CONNECT_TIMEOUT = 60.0
RECONNECT_MAX_DELAY = 2.0


class Member:
    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: _Socket | None = None
        self.last_seq: int | None = None
        self.synced_at: float | None = None
        self.closed_at: float | None = None
        self.stalled = False
        self.dups = 0


class _Socket(asyncio.Protocol):
    """One client connection: handshake, resume, then frames straight to the flock."""

    def __init__(self, flock: Flock, m: Member) -> None:
        self.flock = flock
        self.m = m
        self.conn = ClientProtocol(parse_uri(m.url), max_size=None)
        self.transport: asyncio.Transport | None = None
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.conn.send_request(self.conn.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.conn.receive_data(data)
        for event in self.conn.events_received():
            if isinstance(event, Response):
                if self.conn.state is State.OPEN:
                    resume = {"type": "resume", "after": self.m.last_seq}
                    self.conn.send_text(orjson.dumps(resume))
                    _done(self.opened)
            elif event.opcode is Opcode.TEXT:
                self.flock.on_frame(self.m, event.data)
        self._flush()  # the resume, pongs, a close reply
        if self.conn.state is State.CLOSED and self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        _done(self.opened, ConnectionError("closed before the handshake"))
        _done(self.closed)

    def _flush(self) -> None:
        out = self.conn.data_to_send()
        if out and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(out))


def _done(fut: asyncio.Future[None], exc: Exception | None = None) -> None:
    if not fut.done():
        if exc is None:
            fut.set_result(None)
        else:
            fut.set_exception(exc)


class Flock:
    """One worker's clients and what they saw."""

    def __init__(self) -> None:
        self.members: list[Member] = []
        self.arrivals: dict[tuple[int, str], list[float]] = {}
        self.by_url: dict[tuple[int, str, str], list[float]] = {}
        self.reconnect = False
        self.urls: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.sem = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open(self, urls: list[str], count: int, wait: float = 300) -> int:
        self.urls = urls
        start = len(self.members)
        for i in range(count):
            m = Member(urls[i % len(urls)])
            self.members.append(m)
            self.tasks.append(asyncio.create_task(self._life(m)))
        deadline = time.monotonic() + wait
        fresh = self.members[start:]
        while time.monotonic() < deadline and any(m.synced_at is None for m in fresh):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        return sum(m.synced_at is not None for m in fresh)

    async def _connect(self, m: Member) -> _Socket:
        async with self.sem:
            wsuri = parse_uri(m.url)
            loop = asyncio.get_running_loop()
            _, sock = await asyncio.wait_for(
                loop.create_connection(lambda: _Socket(self, m), wsuri.host, wsuri.port),
                CONNECT_TIMEOUT,
            )
            m.ws = sock
            await asyncio.wait_for(sock.opened, CONNECT_TIMEOUT)
            return sock

    async def _life(self, m: Member) -> None:
        attempt = 0
        while True:
            try:
                sock = await self._connect(m)
                attempt = 0
                await sock.closed
            except (OSError, TimeoutError, ConnectionError):
                pass
            m.closed_at = m.closed_at or time.time()
            if not self.reconnect or m.stalled:
                return
            attempt += 1
            # Jittered back-off, as the real page does, so a restart is not a thundering herd.
            await asyncio.sleep(random.uniform(0, min(RECONNECT_MAX_DELAY, 0.25 * 2**attempt)))
            if self.urls and m.url not in self.urls:
                m.url = random.choice(self.urls)

    def on_frame(self, m: Member, raw: bytes) -> None:
        frame = orjson.loads(raw)
        seq = frame.get("seq")
        kind = frame.get("type")
        if kind == "synced":
            m.synced_at = time.time()
            m.closed_at = None
            m.last_seq = seq
            return
        if kind == "snapshot":
            m.last_seq = seq
            return
        if seq is not None and m.last_seq is not None:
            # (A jump is no gap here: the audience view skips events it may not see.)
            if seq <= m.last_seq:
                m.dups += 1
            m.last_seq = max(m.last_seq, seq)
        q = (frame.get("data") or {}).get("question")
        if q:
            now = time.time()
            self.arrivals.setdefault((q.get("id"), q.get("state")), []).append(now)
            self.by_url.setdefault((q.get("id"), q.get("state"), m.url), []).append(now)

    # -- commands -----------------------------------------------------------------
    async def watch(self, qid: int, state: str) -> list[float]:
        return self.arrivals.get((qid, state), [])

    async def watch_url(self, qid: int, state: str, url: str) -> list[float]:
        return self.by_url.get((qid, state, url), [])

    async def set_reconnect(self, on: bool, urls: list[str] | None = None) -> None:
        self.reconnect = on
        if urls:
            self.urls = urls

    async def stall(self, every: int) -> int:
        """Stop reading on one client in `every`: no frames, no pongs."""
        n = 0
        for i, m in enumerate(self.members):
            if i % every == 0 and m.ws is not None:
                m.stalled = True
                m.ws.transport.pause_reading()
                n += 1
        return n

    async def forget_sync(self) -> None:
        for m in self.members:
            m.synced_at = None

    async def status(self) -> dict[str, Any]:
        live = [m for m in self.members if not m.stalled]
        return {
            "members": len(self.members),
            "synced_at": [m.synced_at for m in live],
            "open": sum(m.closed_at is None for m in live),
            "dups": sum(m.dups for m in self.members),
            "last_seqs": [m.last_seq for m in live],
        }

    async def shutdown(self) -> None:
        for task in self.tasks:
            task.cancel()
        for m in self.members:
            if m.ws is not None:
                m.ws.transport.abort()


def _worker(conn: Any) -> None:
    uvloop.run(_serve(conn))


async def _serve(conn: Any) -> None:
    raise_fd_limit()
    flock = Flock()
    loop = asyncio.get_running_loop()
    while True:
        cmd, args = await loop.run_in_executor(None, conn.recv)
        if cmd == "stop":
            await flock.shutdown()
            conn.send(None)
            return
        conn.send(await getattr(flock, cmd)(*args))


class Crowd:
    """`Crowd(procs)`; `crowd.call("open", urls, n)` runs a command on every worker."""

    def __init__(self, procs: int) -> None:
        ctx = mp.get_context("spawn")
        self.pipes = []
        self.procs = []
        for _ in range(procs):
            mine, theirs = ctx.Pipe()
            p = ctx.Process(target=_worker, args=(theirs,), daemon=True)
            p.start()
            self.pipes.append(mine)
            self.procs.append(p)

    def call(self, cmd: str, *args: Any, each: list[tuple[Any, ...]] | None = None) -> list[Any]:
        for i, pipe in enumerate(self.pipes):
            pipe.send((cmd, each[i] if each else args))
        return [pipe.recv() for pipe in self.pipes]

    def open(self, urls: list[str], clients: int) -> int:
        n = len(self.pipes)
        share = [clients // n + (1 if i < clients % n else 0) for i in range(n)]
        return sum(self.call("open", each=[(urls, k) for k in share]))

    def arrivals(self, qid: int, state: str) -> list[float]:
        return [t for part in self.call("watch", qid, state) for t in part]

    def close(self) -> None:
        try:
            self.call("stop")
        finally:
            for p in self.procs:
                p.join(10)
                if p.is_alive():
                    p.kill()

    def __enter__(self) -> Crowd:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
