"""The Bus contract, on MemoryBus and RedisBus alike, and RedisBus's recovery from Redis loss."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis

from app.db import CommittedEvent
from app.ingest import ingest
from app.live.hub import Hubs
from app.live.outbox import Client
from app.live.redis_bus import RedisBus
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from integrations.base import IncomingMessage

from .conftest import REDIS_URL


def events(session_id: int, seqs: range) -> list[CommittedEvent]:
    return [CommittedEvent(session_id, s, "question.created", {"n": s}) for s in seqs]


async def drain(sub, count: int, timeout: float = 5.0) -> list[CommittedEvent]:
    got: list[CommittedEvent] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        try:
            got.append(await asyncio.wait_for(sub.queue.get(), deadline - time.monotonic()))
        except TimeoutError:
            break
    return got


async def test_events_reach_every_process_once_in_commit_order(make_bus):
    a, b = await make_bus(), await make_bus()
    on_b, on_a, elsewhere = b.subscribe(1), a.subscribe(1), b.subscribe(2)
    a.publish(events(1, range(1, 101)))
    a.publish(events(1, range(101, 201)))
    got_b = await drain(on_b, 200)
    assert [e.seq for e in got_b] == list(range(1, 201))
    assert got_b[5].data == {"n": 6} and got_b[5].type == "question.created"
    # The publishing process hears its own events once (locally), not twice via Redis.
    got_a = await drain(on_a, 201, timeout=0.5)
    assert [e.seq for e in got_a] == list(range(1, 201))
    assert await drain(elsewhere, 1, timeout=0.3) == []
    b.unsubscribe(on_b)
    a.publish(events(1, range(201, 202)))
    assert await drain(on_b, 1, timeout=0.3) == []


async def test_publish_does_not_wait_for_a_redis_that_is_down():
    bus = RedisBus("redis://127.0.0.1:9/0?prefix=nowhere")  # discard port: refused
    started = time.monotonic()
    await bus.connect()
    try:
        assert time.monotonic() - started < 5  # the server starts anyway
        sub = bus.subscribe(7)
        started = time.monotonic()
        bus.publish(events(7, range(1, 5001)))
        assert time.monotonic() - started < 0.5
        assert len(await drain(sub, 5000, timeout=1)) == 5000  # local sockets still served
        assert not await bus.ping()
    finally:
        await bus.disconnect()


def kill_listener(bus: RedisBus) -> None:
    """Cut this bus's subscriber connection only (others may be using the same Redis)."""
    r = redis.Redis.from_url(REDIS_URL)
    for client in r.client_list():
        if client.get("name") == f"fb-bus-{bus.origin}":
            r.client_kill_filter(_id=client["id"])


async def test_after_losing_redis_a_hub_resyncs_from_the_log(store, redis_url):
    """Process A writes while process B's Redis subscription is cut: B's sockets still get
    every event exactly once and in order, from the log, once B is subscribed again."""
    a, b = RedisBus(redis_url), RedisBus(redis_url)
    await a.connect()
    await b.connect()
    store.on_commit = a.publish
    try:
        session, _ = await store.write(
            lambda db: create_session(db, SessionCreate(title="Redis loss"))
        )
        sent: list[str] = []

        async def send(frame: str) -> None:
            sent.append(frame)

        async def close(code: int, reason: str) -> None:
            return None

        hubs = Hubs(store, b)
        client = Client("moderator", send, close, 1024)
        hub = await hubs.join(session.id, client)
        client.start([], hub.delivered)
        start = hub.delivered

        async def write(n: int) -> None:
            msg = IncomingMessage(channel="audience", external_id=f"x{n}", text=f"Question {n}?")
            await ingest(store, session.id, [msg])

        for n in range(5):
            await write(n)
        kill_listener(b)
        for n in range(5, 25):
            await write(n)
        deadline = time.monotonic() + 10
        seqs: list[int] = []
        while time.monotonic() < deadline:
            import orjson

            seqs = [orjson.loads(f).get("seq") for f in sent if '"synced"' not in f]
            if len(seqs) >= 25 and b.connected.is_set():
                break
            await asyncio.sleep(0.05)
        assert seqs == list(range(start + 1, start + 26))
        assert b.stats.reconnects >= 1
        await hubs.close_all()
    finally:
        await a.disconnect()
        await b.disconnect()


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/3?prefix=x&health_check_interval=5"])
def test_the_prefix_is_ours_and_other_options_go_to_redis(url):
    bus = RedisBus(url)
    assert bus.prefix == "x"
    assert bus.url == "redis://127.0.0.1:6379/3?health_check_interval=5"
    assert bus.channel(12) == "x:s:12"
