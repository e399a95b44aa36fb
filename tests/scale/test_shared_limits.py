"""Rate limits shared by every worker through Redis (app/throttle.py): two workers must
not make a limit twice as loose; concurrent checks share one round trip; with Redis away
each worker still limits on its own."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.throttle import LocalBuckets, RedisBuckets, Rule, address_key

PER_ID = Rule("test-id", 60, 5)  # a token a second, bursts of 5
PER_NET = Rule("test-ip", 600, 8)


@pytest.fixture
async def two_workers(redis_url):
    """Two workers' buckets on one Redis prefix, as two processes would have."""
    a, b = RedisBuckets(redis_url), RedisBuckets(redis_url)
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


async def test_two_workers_share_one_bucket(two_workers):
    a, b = two_workers
    started = time.monotonic()
    waits = [await (a, b)[i % 2].take([(PER_ID, "phone-1")]) for i in range(20)]
    refill = (time.monotonic() - started) * PER_ID.rate
    taken = waits.count(0.0)
    assert 5 <= taken <= 5 + refill + 1  # not 10: one bucket, not one per worker
    assert all(0 < w <= 1.0 for w in waits if w)  # a token a second: wait at most 1 s
    other = await b.take([(PER_ID, "phone-2")])
    assert other == 0.0  # another id has its own bucket


async def test_a_check_takes_from_every_bucket_or_from_none(two_workers):
    a, b = two_workers
    for i in range(8):  # the address's burst, used by eight other phones
        assert await a.take([(PER_ID, f"p{i}"), (PER_NET, "10.1.1.1")]) == 0.0
    assert await b.take([(PER_ID, "late"), (PER_NET, "10.1.1.1")]) > 0
    # The refused check took nothing from "late"'s own bucket: it still has its burst.
    assert [await a.take([(PER_ID, "late")]) for _ in range(5)] == [0.0] * 5


async def test_concurrent_checks_go_in_few_round_trips(two_workers):
    a, _ = two_workers
    waits = await asyncio.gather(*(a.take([(PER_ID, f"crowd-{i}")]) for i in range(400)))
    assert waits == [0.0] * 400
    assert a.calls <= 20  # 400 checks, a handful of EVALSHA calls


async def test_without_redis_each_worker_limits_on_its_own():
    lost = RedisBuckets("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        waits = [await lost.take([(PER_ID, "phone")]) for _ in range(8)]
    finally:
        await lost.close()
    assert waits[:5] == [0.0] * 5 and all(w > 0 for w in waits[5:])


def test_local_buckets_refill_and_answer_the_wait():
    buckets = LocalBuckets()
    assert [buckets.take_now([(PER_ID, "x")], now=0.0) for _ in range(5)] == [0.0] * 5
    assert buckets.take_now([(PER_ID, "x")], now=0.0) == pytest.approx(1.0)
    assert buckets.take_now([(PER_ID, "x")], now=0.5) == pytest.approx(0.5)
    assert buckets.take_now([(PER_ID, "x")], now=1.0) == 0.0
    off = Rule("off", 0, 0)
    assert all(buckets.take_now([(off, "x")], now=0.0) == 0.0 for _ in range(100))


def test_an_ipv6_host_counts_as_its_64():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("192.0.2.7") == "192.0.2.7" and address_key(None) == "-"
