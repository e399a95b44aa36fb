"""Two real workers on PostgreSQL + Redis and one fake Mastodon: the session's connector is
read by one worker only (the fake counts the requests), a pause sent to the other worker
stops the reads, and when the owner is SIGKILLed the other takes over within 10 s and the
queue holds every post once."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.integrations.fake_mastodon import FakeMastodon
from tests.integrations.support import serve_http

from .conftest import REDIS_URL, Cluster, Proc, _redis_up

pytestmark = [pytest.mark.postgres]
POLL = 0.2  # the connector's poll interval: one worker reads 5 times a second


@pytest.fixture(scope="module")
def pair(pg_schema_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two named workers (the console shows the name of the one that owns the channels)."""
    _redis_up()
    data = tmp_path_factory.mktemp("owners")
    admin = secrets.token_urlsafe(16)
    sep = "&" if "?" in REDIS_URL else "?"
    env = {
        "FLOORBRIDGE_DATABASE_URL": pg_schema_url,
        "FLOORBRIDGE_BUS_URL": f"{REDIS_URL}{sep}prefix=fbown{secrets.token_hex(4)}",
        "FLOORBRIDGE_ADMIN_TOKEN": admin,
        "FLOORBRIDGE_SECRET_KEY": "owner-test-cookie-key",
    }
    a = Proc("a", data, {**env, "FLOORBRIDGE_WORKER_NAME": "worker-a"}).start()
    b = Proc("b", data, {**env, "FLOORBRIDGE_WORKER_NAME": "worker-b"})
    try:
        b.start()
        yield Cluster(a, b, admin)
    finally:
        a.stop()
        b.stop()


def mod(session: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['keys']['moderator']}"}


async def snapshot_connectors(http: httpx.AsyncClient, proc: Proc, session: dict) -> dict:
    r = await http.get(f"{proc.url}/api/sessions/{session['slug']}/snapshot", headers=mod(session))
    r.raise_for_status()
    return r.json()["data"]["connectors"]


async def reads_during(fake: FakeMastodon, seconds: float) -> int:
    before = len(fake.requests)
    await asyncio.sleep(seconds)
    return len(fake.requests) - before


async def test_one_owner_reads_a_pause_elsewhere_holds_and_a_killed_owner_is_replaced(pair):
    session = pair.create_session("One owner")
    fake = FakeMastodon()
    posted: list[dict] = []
    async with serve_http(fake.app()) as base, httpx.AsyncClient(timeout=10) as http:
        fake.base = base
        api_a = f"{pair.a.url}/api/sessions/{session['slug']}"
        api_b = f"{pair.b.url}/api/sessions/{session['slug']}"
        settings = {"instance": base, "hashtags": ["floorbridge"], "poll_interval": POLL}
        r = await http.put(f"{api_a}/connectors/mastodon", json={"settings": settings},
                           headers=mod(session))
        assert r.status_code == 200, r.text

        async def queue() -> list[dict]:
            r = await http.get(f"{api_b}/questions", headers=mod(session))
            r.raise_for_status()
            return r.json()

        async def has(n: int) -> None:
            for _ in range(200):
                if len(await queue()) >= n:
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"fewer than {n} questions after 10 s")

        posted += [fake.make(f"First question {n}?") for n in range(5)]
        await has(5)
        # Both workers are up and both know the connector: one of them reads.
        reads = await reads_during(fake, 3.0)
        one_worker = 3.0 / POLL
        assert 0.5 * one_worker <= reads <= 1.4 * one_worker, reads
        shown = await snapshot_connectors(http, pair.b, session)
        assert shown["owner"]["worker"] == "worker-a"  # the worker that set it up claimed it
        assert shown["owner"]["since"]

        # A pause sent to the worker that does not read stops the reads on the one that does.
        r = await http.post(f"{api_b}/connectors/mastodon/pause", headers=mod(session))
        assert r.status_code == 200, r.text
        await asyncio.sleep(1.0)
        assert await reads_during(fake, 1.5) == 0
        posted += [fake.make(f"Held while paused {n}?") for n in range(3)]
        r = await http.post(f"{api_b}/connectors/mastodon/resume", headers=mod(session))
        assert r.status_code == 200, r.text
        await has(8)

        # SIGKILL of the owner while posts keep coming: the other worker takes over.
        stop = asyncio.Event()

        async def keep_posting() -> None:
            n = 0
            while not stop.is_set():
                posted.append(fake.make(f"Streamed question {n}?"))
                n += 1
                await asyncio.sleep(0.1)

        writer = asyncio.create_task(keep_posting())
        try:
            await asyncio.sleep(1.0)
            killed = time.monotonic()
            pair.a.kill()
            for _ in range(200):
                shown = await snapshot_connectors(http, pair.b, session)
                if (shown["owner"] or {}).get("worker") == "worker-b":
                    break
                await asyncio.sleep(0.05)
            took = time.monotonic() - killed
            assert (shown["owner"] or {}).get("worker") == "worker-b", shown
            assert took < 10, took
            await asyncio.sleep(2.0)
        finally:
            stop.set()
            await writer
        try:
            await has(len(posted))
            urls = [q["url"] for q in await queue()]
            assert sorted(urls) == sorted(p["url"] for p in posted)  # every post, once
            assert len(set(urls)) == len(urls) == len(posted)
            # Still one worker's worth of reads, now from B.
            reads = await reads_during(fake, 2.0)
            assert reads <= 1.4 * 2.0 / POLL, reads
            metrics = (await http.get(f"{pair.b.url}/metrics")).text
            assert 'floorbridge_ownership_changes_total{change="acquired"} 1.0' in metrics
            assert "floorbridge_owned_sessions 1.0" in metrics
        finally:
            await http.delete(f"{api_b}/connectors/mastodon", headers=mod(session))
            pair.a.start()  # leave the pair as found
