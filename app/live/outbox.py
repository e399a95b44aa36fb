"""One socket's outbox: frames leave in seq order, at once when the socket is idle.

The hub never awaits a client: it offers frames, and a socket whose buffer is full is
reported back (the hub closes it 4408; it resyncs on reconnect).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable

from app.live.direct_write import DirectWrite, text_frame
from app.live.frames import Outgoing, encode


class HubStats:
    """Process-wide fan-out numbers for /metrics (a hook keeps prometheus out of here)."""

    def __init__(self) -> None:
        self.dropped_slow = 0
        self.direct_frames = 0  # frames written pre-framed, below ASGI (direct_write.py)
        self.log_polls = 0  # reads of the log by hubs while the bus subscription was lost
        self.on_fanout: Callable[[int, float], None] = lambda clients, seconds: None


class Client:
    """One socket's outbox. `send` is the socket's send_text; `close` closes it with a code.

    `direct`, when the server offers it (app/live/direct_write.py), writes a pre-framed
    frame straight to the socket: used only while the pump is idle with nothing queued, so
    frames still leave in order; when it declines (the socket's buffer is full), the frame
    is queued and the pump sends it through ASGI, waiting for the socket to drain.
    """

    def __init__(
        self,
        role: str,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[int, str], Awaitable[None]],
        buffer: int,
        direct: DirectWrite | None = None,
        stats: HubStats | None = None,
    ) -> None:
        self.role = role
        self._stats = stats or HubStats()
        self._send = send
        self._close = close
        self._direct = direct
        # A deque and one wake-up future rather than an asyncio.Queue: `offer` runs once per
        # socket per event (10,000 times for one push), so it must cost next to nothing.
        self.queue: deque[tuple[int, str]] = deque()
        self._limit = buffer
        self._wake: asyncio.Future[None] | None = None
        self._idle = False  # the pump is caught up and waiting: `direct` may write
        self.last_sent = 0
        self.closed = False
        self._task: asyncio.Task[None] | None = None

    def offer(self, seq: int, frame: str, wire: bytes | None = None) -> bool:
        """Queue (or write) one frame; False when this socket's buffer is full."""
        if self.closed:
            return False
        if self._idle and self._direct is not None:
            if seq and seq <= self.last_sent:
                return True
            if self._direct(wire if wire is not None else text_frame(frame)):
                if seq:
                    self.last_sent = seq
                self._stats.direct_frames += 1
                return True
        if len(self.queue) >= self._limit:
            return False
        self._idle = False  # from here until the pump drains the queue, order goes through it
        self.queue.append((seq, frame))
        wake = self._wake
        if wake is not None:
            self._wake = None
            if not wake.done():
                wake.set_result(None)
        return True

    def offer_batch(self, out: Outgoing) -> bool:
        """Offer several events: one write when the socket is idle and has none of them."""
        items = out.items
        if (
            len(items) > 1
            and self._idle
            and self._direct is not None
            and not self.closed
            and items[0][0] > self.last_sent
            and self._direct(out.wire)
        ):
            self.last_sent = items[-1][0]
            self._stats.direct_frames += len(items)
            return True
        return all(self.offer(seq, text, wire) for seq, text, wire in items)

    async def _next(self) -> tuple[int, str]:
        while not self.queue:
            self._idle = True
            self._wake = asyncio.get_running_loop().create_future()
            try:
                await self._wake
            finally:
                self._idle = False
        return self.queue.popleft()

    def start(self, initial: list[tuple[int, str]], synced_to: int) -> None:
        self._task = asyncio.create_task(self._pump(initial, synced_to))

    async def _pump(self, initial: list[tuple[int, str]], synced_to: int) -> None:
        try:
            for _seq, frame in initial:
                await self._send(frame)
            # Tell the client it is caught up, even when there was nothing to replay.
            await self._send(encode({"type": "synced", "seq": synced_to}))
            self.last_sent = max(self.last_sent, synced_to)
            while True:
                seq, frame = self.queue.popleft() if self.queue else await self._next()
                if seq:
                    if seq <= self.last_sent:
                        continue  # already in the replay or snapshot
                    self.last_sent = seq
                await self._send(frame)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a dead socket ends its pump, nothing else
            self.closed = True

    async def shut(self, code: int, reason: str) -> None:
        self.closed = True
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(Exception):
            await self._close(code, reason)

    async def wait_closed(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
