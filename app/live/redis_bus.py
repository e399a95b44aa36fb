"""Redis pub/sub between processes: "event N of session S", in commit order per process.

Why this shape: Redis pub/sub is at-most-once, so it is only a fast path. The event log in
the database stays the truth; the hub fills gaps from it and drops duplicates by seq.

- `publish` never blocks: events go to local subscribers at once (no round trip) and onto
  a bounded queue that one publisher task sends with a pipeline, in order, retrying while
  Redis is away. A process ignores its own messages when they come back.
- One listener connection per process (PSUBSCRIBE on the prefix) fans out to the local
  subscriptions, and runs signal callbacks (`prefix:c:<topic>`, see `Bus.signal`).
  When it loses Redis it reconnects with back-off and then tells every
  local subscription to resync from the log (its `overflowed` flag plus a wake-up marker).

`redis://host:port/db?prefix=name` keeps several deployments (or test runs) apart:
channels are not scoped by the database number in Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.clock import epoch_seconds
from app.db import CommittedEvent
from app.live.bus import LocalSubscriptions

log = logging.getLogger(__name__)
PUBLISH_BUFFER = 100_000  # events waiting for Redis before the oldest are dropped
BACKOFF_MAX = 2.0
CONNECT_WAIT = 3.0  # start-up waits this long for Redis, then serves and catches up later
RESYNC = "bus.resync"  # seq 0 marker: the hub sees `overflowed` and reads the log
LOST = "bus.lost"  # seq 0 marker: wakes the hubs, which read the log until the bus is back
SIGNAL = "bus.signal"  # an outbox entry that is a signal (`Bus.signal`), not an event


def split_url(url: str) -> tuple[str, str]:
    """The Redis URL without our `prefix` parameter, and the prefix (default floorbridge)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((v for k, v in query if k == "prefix"), "") or "floorbridge"
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class BusStats:
    """What /metrics reports about the bus; plain numbers, read at scrape time."""

    def __init__(self) -> None:
        self.published = 0
        self.received = 0
        self.dropped_unsent = 0
        self.reconnects = 0
        self.last_lag = 0.0
        self.on_lag: Callable[[float], None] = lambda seconds: None


class RedisBus(LocalSubscriptions):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.prefix = split_url(url)
        self._signal_head = f"{self.prefix}:c:".encode()
        self.origin = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.stats = BusStats()
        self.connected = asyncio.Event()  # the listener holds a live subscription
        self._outbox: asyncio.Queue[CommittedEvent] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._client: aioredis.Redis | None = None

    def channel(self, session_id: int) -> str:
        return f"{self.prefix}:s:{session_id}"

    def signal_channel(self, topic: str) -> str:
        return f"{self.prefix}:c:{topic}"

    # -- lifecycle ---------------------------------------------------------------
    async def connect(self) -> None:
        self._client = aioredis.from_url(self.url, socket_timeout=5, socket_connect_timeout=3)
        self._outbox = asyncio.Queue(PUBLISH_BUFFER)
        self._tasks = [
            asyncio.create_task(self._publisher(), name="redis-bus-publisher"),
            asyncio.create_task(self._listener(), name="redis-bus-listener"),
        ]
        # Start-up waits briefly for Redis, but a Redis that is down must not stop the
        # server: sockets resync from the log once it is back.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), CONNECT_WAIT)

    async def disconnect(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
        self._subs.clear()

    async def ping(self) -> bool:
        """For /readyz: Redis answers and our subscription is live."""
        if self._client is None:
            return False
        try:
            await asyncio.wait_for(self._client.ping(), 2)
        except (RedisError, OSError, TimeoutError):
            return False
        return self.connected.is_set()

    # -- Bus protocol --------------------------------------------------------------
    def signal(self, topic: str) -> None:
        self._fire(topic)
        if self._outbox is not None:
            try:
                self._outbox.put_nowait(CommittedEvent(0, 0, SIGNAL, {"topic": topic}))
            except asyncio.QueueFull:
                self.stats.dropped_unsent += 1  # the others resync (and re-fire) on return

    def publish(self, events: list[CommittedEvent]) -> None:
        self._offer_local(events)
        if self._outbox is None:
            return
        for event in events:
            try:
                self._outbox.put_nowait(event)
            except asyncio.QueueFull:
                # Redis has been away for long: others resync from the log when it returns.
                self.stats.dropped_unsent += 1

    # -- internals -------------------------------------------------------------------
    def _offer_local(self, events: list[CommittedEvent]) -> None:
        for event in events:
            for sub in self._subs.get(event.session_id, ()):
                sub.offer(event)

    def _wake_all(self) -> None:
        """The subscription is lost: wake every hub so it starts reading the log now."""
        for session_id, subs in self._subs.items():
            for sub in subs:
                sub.offer(CommittedEvent(session_id, 0, LOST, {}))

    def _resync_all(self) -> None:
        self._fire_all()  # signals sent while we were away are lost: assume each one came
        for session_id, subs in self._subs.items():
            for sub in subs:
                sub.overflowed.set()
                sub.offer(CommittedEvent(session_id, 0, RESYNC, {}))

    async def _publisher(self) -> None:
        assert self._outbox is not None and self._client is not None
        backoff = 0.05
        batch: list[CommittedEvent] = []
        while True:
            if not batch:
                batch.append(await self._outbox.get())
                while len(batch) < 512 and not self._outbox.empty():
                    batch.append(self._outbox.get_nowait())
            try:
                now = epoch_seconds()
                async with self._client.pipeline(transaction=False) as pipe:
                    for e in batch:
                        if e.type == SIGNAL:
                            pipe.publish(self.signal_channel(e.data["topic"]), self.origin)
                            continue
                        pipe.publish(self.channel(e.session_id), self._encode(e, now))
                    await pipe.execute()
                self.stats.published += len(batch)
                batch = []
                backoff = 0.05
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("redis publish failed (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(backoff)
                backoff = min(BACKOFF_MAX, backoff * 2)

    def _encode(self, e: CommittedEvent, now: float) -> bytes:
        return encode_event(self.origin, e, now)

    async def _listener(self) -> None:
        backoff = 0.05
        # No retries inside redis-py: a lost subscription must be known at once (the hubs
        # then read the log); this loop reconnects with its own back-off.
        client = aioredis.from_url(
            self.url,
            socket_connect_timeout=3,
            client_name=f"fb-bus-{self.origin}",
            retry=Retry(NoBackoff(), 0),
        )
        while True:
            pubsub = client.pubsub()
            try:
                await pubsub.psubscribe(f"{self.prefix}:s:*", f"{self.prefix}:c:*")
                # The subscriptions are confirmed before we read the log: nothing is missed.
                await pubsub.get_message(timeout=5)
                await pubsub.get_message(timeout=5)
                self.connected.set()
                # Whatever was published while we were away is in the log, not here.
                self._resync_all()
                backoff = 0.05
                while True:
                    msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
                    if msg is not None and msg.get("type") == "pmessage":
                        self._on_message(msg["channel"], msg["data"])
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                if self.connected.is_set():
                    self.stats.reconnects += 1
                    log.warning("lost Redis (%s); reconnecting", exc.__class__.__name__)
                    self.connected.clear()
                    self._wake_all()
                self.connected.clear()
                await asyncio.sleep(backoff)
                backoff = min(BACKOFF_MAX, backoff * 2)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _on_message(self, channel: bytes, data: bytes) -> None:
        if channel.startswith(self._signal_head):
            if data != self.origin.encode():  # ours ran at `signal` time
                self._fire(channel[len(self._signal_head) :].decode("utf-8", "replace"))
            return
        try:
            session_id = int(channel.rsplit(b":", 1)[1])
        except (IndexError, ValueError):
            return
        subs = self._subs.get(session_id)
        if not subs:
            return
        try:
            m = orjson.loads(data)
        except orjson.JSONDecodeError:
            return
        if m.get("o") == self.origin:
            return  # delivered locally at publish time
        self.stats.received += 1
        lag = max(0.0, epoch_seconds() - float(m.get("t", 0)))
        self.stats.last_lag = lag
        self.stats.on_lag(lag)
        event = CommittedEvent(session_id, int(m["q"]), str(m["y"]), m["d"])
        for sub in subs:
            sub.offer(event)


def encode_event(origin: str, e: CommittedEvent, now: float) -> bytes:
    """One event as it travels on a session's channel (`_on_message` reads it)."""
    return orjson.dumps({"o": origin, "t": now, "q": e.seq, "y": e.type, "d": e.data})


def publish_now(url: str, events: list[CommittedEvent]) -> None:
    """`Bus.publish` from a process without a running bus (the CLI): one pipeline, in
    commit order, on the channels the servers listen to. The origin is this process's own,
    so every server treats the events as another worker's."""
    import redis

    base, prefix = split_url(url)
    origin = f"cli-{os.getpid()}-{secrets.token_hex(4)}"
    client = redis.Redis.from_url(base, socket_connect_timeout=2, socket_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        now = epoch_seconds()
        for e in events:
            pipe.publish(f"{prefix}:s:{e.session_id}", encode_event(origin, e, now))
        pipe.execute()
    finally:
        client.close()


def signal_now(url: str, topic: str) -> None:
    """`Bus.signal` from a process without a running bus (the CLI): one PUBLISH."""
    import redis

    base, prefix = split_url(url)
    client = redis.Redis.from_url(base, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.publish(f"{prefix}:c:{topic}", "cli")
    finally:
        client.close()
