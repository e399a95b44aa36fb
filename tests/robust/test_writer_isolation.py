"""One failing change never fails the other changes of its group commit (issue 12, item 5).

Real databases, real failures: a value the database refuses at flush (a foreign key, NUL on
PostgreSQL), and a deferred constraint that only the COMMIT itself checks.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.errors import Invalid
from app.models import Segment
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session

pytestmark = pytest.mark.timeout(120)


def _probe_tables(store: Any) -> None:
    """A parent and a child whose foreign key is checked only at COMMIT (both engines)."""
    with store.write_engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe_parent (id INTEGER PRIMARY KEY)"))
        conn.execute(
            text(
                "CREATE TABLE probe_child (parent INTEGER "
                "REFERENCES probe_parent (id) DEFERRABLE INITIALLY DEFERRED)"
            )
        )


async def _one_batch(store: Any, jobs: list[Any]) -> tuple[list[Any], set[int]]:
    """Run `jobs` in one writer batch: a gate job holds the writer while they queue up.

    Returns each job's result (or exception) and the sessions they first ran in (a job
    retried alone runs again later, in a session of its own).
    """
    gate = threading.Event()
    runs: list[Session] = []

    def hold(db: Session) -> None:
        gate.wait(10)

    def seen(fn: Any) -> Any:
        def run(db: Session) -> Any:
            runs.append(db)
            return fn(db)

        return run

    held = asyncio.ensure_future(store.write(hold))
    await asyncio.sleep(0.05)  # the writer has taken `hold` alone and waits in it
    futures = [asyncio.ensure_future(store.write(seen(job))) for job in jobs]
    await asyncio.sleep(0.05)  # every job is queued behind it
    gate.set()
    await held
    results = await asyncio.gather(*futures, return_exceptions=True)
    return list(results), {id(db) for db in runs[: len(jobs)]}


def _session(store: Any) -> int:
    return store.write_sync(lambda db: create_session(db, SessionCreate(title="Batch"))[0].id)


def _segment(session_id: int, title: str):
    def add(db: Session) -> int:
        seg = Segment(session_id=session_id, position=0, title=title, kind="speaker")
        db.add(seg)
        db.flush()
        return seg.id

    return add


def _titles(store: Any, session_id: int) -> list[str]:
    return store.read_sync(
        lambda db: sorted(db.exec(select(Segment.title).where(Segment.session_id == session_id)))
    )


async def test_a_unit_failing_at_flush_fails_only_itself(store: Any) -> None:
    sid = _session(store)
    jobs = [_segment(sid, f"ok {i}") for i in range(5)]
    jobs.insert(2, _segment(10**6, "no such session"))  # foreign key refused at flush
    results, sessions = await _one_batch(store, jobs)
    assert len(sessions) == 1, "the jobs did not share one batch"
    assert isinstance(results[2], Exception)
    good = [r for i, r in enumerate(results) if i != 2]
    assert all(isinstance(r, int) for r in good), good
    assert _titles(store, sid) == [f"ok {i}" for i in range(5)]


async def test_a_value_postgresql_cannot_store_is_a_422_for_its_caller_only(pg_url: str) -> None:
    from app.db import Store
    from app.migrate import upgrade

    upgrade(pg_url)
    store = Store(pg_url)
    store.start()
    try:
        sid = _session(store)
        jobs = [_segment(sid, f"ok {i}") for i in range(4)]
        jobs.insert(1, _segment(sid, "nul\x00byte"))  # PostgreSQL refuses NUL in text
        results, sessions = await _one_batch(store, jobs)
        assert len(sessions) == 1
        assert isinstance(results[1], Invalid)
        assert [isinstance(r, int) for r in results] == [True, False, True, True, True]
        assert _titles(store, sid) == [f"ok {i}" for i in range(4)]
    finally:
        store.stop()


async def test_a_commit_the_database_refuses_fails_only_the_unit_that_caused_it(
    store: Any,
) -> None:
    _probe_tables(store)
    sid = _session(store)

    def child(parent: int):
        def add(db: Session) -> int:
            db.execute(text("INSERT INTO probe_child (parent) VALUES (:p)"), {"p": parent})
            return parent

        return add

    def parent(db: Session) -> int:
        db.execute(text("INSERT INTO probe_parent (id) VALUES (1)"))
        return 1

    # The dangling child passes its savepoint; only COMMIT checks the deferred key.
    jobs = [parent, _segment(sid, "a"), child(999), _segment(sid, "b"), child(1)]
    results, sessions = await _one_batch(store, jobs)
    assert len(sessions) == 1
    assert results[0] == 1 and results[4] == 1
    assert isinstance(results[1], int) and isinstance(results[3], int)
    assert isinstance(results[2], Exception)
    assert _titles(store, sid) == ["a", "b"]
    rows = store.read_sync(lambda db: db.execute(text("SELECT parent FROM probe_child")).all())
    assert [r[0] for r in rows] == [1]
    # The writer goes on serving after all this.
    assert await store.write(_segment(sid, "c")) > 0
