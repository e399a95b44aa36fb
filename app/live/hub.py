"""Per-process fan-out: one hub per active session, one bounded buffer per socket.

The hub consumes the bus in seq order and fills gaps from the event log, so sockets get
every event once and in order whatever the bus does. Each event is filtered and encoded
once per role, then offered to every socket's buffer; a socket whose buffer is full is
closed (4408) and resyncs on reconnect. The hub never awaits a client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from sqlmodel import Session, col, select

from app.db import CommittedEvent, Store
from app.live.bus import Bus
from app.models import Event, LiveSession
from app.views import event_for

log = logging.getLogger(__name__)
CLOSE_TOO_SLOW = 4408


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def frame_for(role: str, event: CommittedEvent) -> str | None:
    shaped = event_for(role, event.type, event.data)
    if shaped is None:
        return None
    return encode({"seq": event.seq, "type": shaped[0], "data": shaped[1]})


def events_between(db: Session, session_id: int, after: int, upto: int | None) -> list[Event]:
    stmt = select(Event).where(Event.session_id == session_id, Event.seq > after)
    if upto is not None:
        stmt = stmt.where(Event.seq <= upto)
    return list(db.exec(stmt.order_by(col(Event.seq))).all())


def head_of(db: Session, session_id: int) -> int:
    return db.exec(select(LiveSession.last_seq).where(LiveSession.id == session_id)).one()


def to_committed(e: Event) -> CommittedEvent:
    return CommittedEvent(session_id=e.session_id, seq=e.seq, type=e.type, data=e.data)


class Client:
    """One socket's outbox. `send` is the socket's send_text; `close` closes it with a code."""

    def __init__(
        self,
        role: str,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[int, str], Awaitable[None]],
        buffer: int,
    ) -> None:
        self.role = role
        self._send = send
        self._close = close
        self.queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue(buffer)
        self.last_sent = 0
        self.closed = False
        self._task: asyncio.Task[None] | None = None

    def offer(self, seq: int, frame: str) -> bool:
        if self.closed:
            return False
        try:
            self.queue.put_nowait((seq, frame))
            return True
        except asyncio.QueueFull:
            return False

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
                seq, frame = await self.queue.get()
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


class SessionHub:
    def __init__(self, session_id: int, store: Store, bus: Bus) -> None:
        self.session_id = session_id
        self.store = store
        self.bus = bus
        self.clients: set[Client] = set()
        self.delivered = 0
        self.dropped_slow = 0
        self._sub = bus.subscribe(session_id)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Subscribe first, then read the head: nothing committed after the read is missed.
        self.delivered = await self.store.read(lambda db: head_of(db, self.session_id))
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self.bus.unsubscribe(self._sub)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        sub = self._sub
        while True:
            try:
                event = await sub.queue.get()
                if sub.overflowed.is_set():
                    # The bus outran us: drop what is buffered and read the log instead.
                    sub.overflowed.clear()
                    while not sub.queue.empty():
                        sub.queue.get_nowait()
                    await self._catch_up(None)
                    continue
                await self._deliver(event)
                # Let the sockets' pumps run between events: a burst (one committed batch can
                # hold hundreds) must not fill a healthy client's buffer before it can send.
                await asyncio.sleep(0)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep fanning out; the log fills gaps later
                log.exception("hub %s failed to deliver", self.session_id)
                await asyncio.sleep(0.5)

    async def _deliver(self, event: CommittedEvent) -> None:
        if event.seq <= self.delivered:
            return
        if event.seq > self.delivered + 1:
            await self._catch_up(event.seq)
            return
        self._fanout(event)

    async def _catch_up(self, upto: int | None) -> None:
        """Read what the bus did not bring (a gap, an overflow) from the log."""
        after = self.delivered
        rows = await self.store.read(lambda db: events_between(db, self.session_id, after, upto))
        for row in rows:
            if row.seq > self.delivered:
                self._fanout(to_committed(row))
                await asyncio.sleep(0)

    def _fanout(self, event: CommittedEvent) -> None:
        self.delivered = event.seq
        frames: dict[str, str | None] = {}
        slow: list[Client] = []
        for client in self.clients:
            role = client.role
            if role not in frames:
                frames[role] = frame_for(role, event)
            frame = frames[role]
            if frame is not None and not client.offer(event.seq, frame):
                slow.append(client)
        for client in slow:
            self.dropped_slow += 1
            self.clients.discard(client)
            asyncio.create_task(client.shut(CLOSE_TOO_SLOW, "too slow; reconnect to resync"))


class Hubs:
    """The process's hubs, created with the first socket of a session, dropped with the last."""

    def __init__(self, store: Store, bus: Bus) -> None:
        self.store = store
        self.bus = bus
        self._hubs: dict[int, SessionHub] = {}
        self._lock = asyncio.Lock()

    async def join(self, session_id: int, client: Client) -> SessionHub:
        async with self._lock:
            hub = self._hubs.get(session_id)
            if hub is None:
                hub = SessionHub(session_id, self.store, self.bus)
                await hub.start()
                self._hubs[session_id] = hub
            hub.clients.add(client)
            return hub

    async def leave(self, session_id: int, client: Client) -> None:
        async with self._lock:
            hub = self._hubs.get(session_id)
            if hub is None:
                return
            hub.clients.discard(client)
            if not hub.clients:
                del self._hubs[session_id]
                await hub.stop()

    async def close_all(self) -> None:
        async with self._lock:
            for hub in list(self._hubs.values()):
                for client in list(hub.clients):
                    await client.shut(1012, "server restarting")
                await hub.stop()
            self._hubs.clear()

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for hub in self._hubs.values():
            for client in hub.clients:
                out[client.role] = out.get(client.role, 0) + 1
        return out
