"""The bus carries committed events between processes. Small on purpose (cf. broadcaster).

A subscription is a bounded queue. When it overflows the subscriber is told (`overflowed`)
and resyncs from the event log: the log is the truth, the bus only says "something new".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from app.db import CommittedEvent

SUBSCRIPTION_BUFFER = 10_000
log = logging.getLogger(__name__)


class Subscription:
    def __init__(self, session_id: int, buffer: int = SUBSCRIPTION_BUFFER) -> None:
        self.session_id = session_id
        self.queue: asyncio.Queue[CommittedEvent] = asyncio.Queue(buffer)
        self.overflowed = asyncio.Event()  # set when full; the reader resyncs from the log

    def offer(self, event: CommittedEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed.set()

    async def __aiter__(self) -> AsyncIterator[CommittedEvent]:
        while True:
            yield await self.queue.get()


class Bus(Protocol):
    async def connect(self) -> None: ...
    async def disconnect(self) -> None: ...
    def publish(self, events: list[CommittedEvent]) -> None:
        """Called on the event loop right after commit, in commit order; must not block."""

    def subscribe(self, session_id: int) -> Subscription: ...
    def unsubscribe(self, sub: Subscription) -> None: ...
    def signal(self, topic: str) -> None:
        """Tell every process (this one at once) that what `topic` names changed; must not
        block. For caches of rows no session event covers (e.g. Zoom id -> sessions)."""

    def on_signal(self, topic: str, callback: Callable[[], None]) -> None: ...


class Signals:
    """Callbacks by topic; a bus also calls them all after it may have missed signals."""

    def __init__(self) -> None:
        self._signals: dict[str, list[Callable[[], None]]] = {}

    def on_signal(self, topic: str, callback: Callable[[], None]) -> None:
        self._signals.setdefault(topic, []).append(callback)

    def _fire(self, topic: str) -> None:
        for callback in self._signals.get(topic, ()):
            try:
                callback()
            except Exception:  # noqa: BLE001 - one cache's bug must not stop the others
                log.exception("signal %s: callback failed", topic)

    def _fire_all(self) -> None:
        for topic in list(self._signals):
            self._fire(topic)


class LocalSubscriptions(Signals):
    """This process's subscriptions by session: what every bus fans events out to."""

    def __init__(self) -> None:
        super().__init__()
        self._subs: dict[int, set[Subscription]] = {}

    def subscribe(self, session_id: int) -> Subscription:
        sub = Subscription(session_id)
        self._subs.setdefault(session_id, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.session_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.session_id]


class MemoryBus(LocalSubscriptions):
    """One process: publish hands events straight to the subscribers' queues."""

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._subs.clear()

    def publish(self, events: list[CommittedEvent]) -> None:
        for event in events:
            for sub in self._subs.get(event.session_id, ()):
                sub.offer(event)

    def signal(self, topic: str) -> None:
        self._fire(topic)


def make_bus(url: str) -> Bus:
    if url.startswith("memory://"):
        return MemoryBus()
    if url.startswith(("redis://", "rediss://")):
        from app.live.redis_bus import RedisBus

        return RedisBus(url)
    raise ValueError(f"FLOORBRIDGE_BUS_URL must be memory:// or redis://..., not {url!r}")
