"""The lease behind "one owner per session" on SQLite and PostgreSQL: one worker holds a
session, the other stands by; a lease that is not renewed is taken over; a worker that
stops gives its sessions back at once; a claim says who owns the session, and since when."""

from __future__ import annotations

import asyncio
import time

from app.live.bus import MemoryBus
from app.ownership import OWNER_EVENT, Ownership, drop_job, owner_of, want_job
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session


async def _session(store) -> int:
    session, _ = await store.write(lambda db: create_session(db, SessionCreate(title="Owned")))
    return session.id


def _pair(store, sid: int, ttl: float = 1.0) -> tuple[Ownership, Ownership]:
    a = Ownership(store, MemoryBus(), "worker-a", ttl=ttl)
    b = Ownership(store, MemoryBus(), "worker-b", ttl=ttl)
    for o in (a, b):
        o._steal = False  # two workers: nobody takes what the other holds
        o.wants.append(lambda db: {sid})
    return a, b


async def test_one_holds_the_other_stands_by_then_takes_over_an_expired_lease(store):
    sid = await _session(store)
    a, b = _pair(store, sid)
    assert await a.tick() == {sid}
    assert await b.tick() == set()
    assert await a.tick() == {sid}  # renewed
    assert await b.tick() == set()
    shown = await store.read(lambda db: owner_of(db, sid))
    assert shown["worker"] == "worker-a" and shown["since"]
    claims = [e for e in store.published if e.type == OWNER_EVENT]
    assert [e.data["owner"]["worker"] for e in claims] == ["worker-a"]

    await asyncio.sleep(1.2)  # A stops renewing (as if killed)
    assert await b.tick() == {sid}
    assert await a.tick() == set()  # A, back from a stall, finds it has lost the session
    assert a.stats.lost == 1 and b.stats.acquired == 1
    assert (await store.read(lambda db: owner_of(db, sid)))["worker"] == "worker-b"


async def test_a_stopping_owner_gives_back_at_once_and_listeners_follow(store):
    sid = await _session(store)
    a, b = _pair(store, sid, ttl=30.0)  # nothing expires during the test
    seen: list[set[int]] = []

    async def listener(held: set[int]) -> None:
        seen.append(held)

    a.listeners.append(listener)
    await a.start()
    assert await b.tick() == set()
    await a.stop()
    assert seen[0] == {sid} and seen[-1] == set()
    assert await store.read(lambda db: owner_of(db, sid)) is None
    assert await b.tick() == {sid}  # no need to wait 30 s
    assert a.stats.released == 1


async def test_a_session_without_work_is_given_back(store):
    sid = await _session(store)
    wanted = {sid}
    a = Ownership(store, MemoryBus(), "worker-a", ttl=30.0)
    a.wants.append(lambda db: set(wanted))
    assert await a.tick() == {sid}
    wanted.clear()
    assert await a.tick() == set()
    assert await store.read(lambda db: owner_of(db, sid)) is None


async def test_a_stored_job_runs_on_the_owner_only_and_moves_with_the_session(store):
    """How the Zoom Q&A poller runs: a job row asks for it, the owner runs it, and after a
    failover the new owner does (the old one no longer)."""
    sid = await _session(store)
    runs: list[tuple[str, int, str]] = []

    async def job(context: str, session_id: int, arg: str) -> None:
        while True:
            runs.append((context, session_id, arg))
            await asyncio.sleep(0.05)

    jobs = {"test_job": job}
    a = Ownership(store, MemoryBus(), "worker-a", ttl=30.0, context="a", jobs=jobs)
    b = Ownership(store, MemoryBus(), "worker-b", ttl=30.0, context="b", jobs=jobs)
    b._steal = False
    await store.write(lambda db: want_job(db, sid, "test_job:42", time.time() + 60))
    await a.start()
    await b.start()
    await asyncio.sleep(0.3)
    assert {r[0] for r in runs} == {"a"} and runs[0][1:] == (sid, "42")
    await a.stop()  # gives the session back, cancels its job
    runs.clear()
    await b.tick()
    await asyncio.sleep(0.3)
    assert {r[0] for r in runs} == {"b"}
    await store.write(lambda db: drop_job(db, sid, "test_job:42"))
    await b.tick()  # nothing left to run: the session is given back, the job stops
    runs.clear()
    await asyncio.sleep(0.2)
    assert runs == [] and b.held == set()
    await b.stop()

