"""Database access: one writer thread that group-commits, and a pool of readers.

Why a writer thread: every change must be durable before it is acknowledged, and one
commit per message cannot keep up with a burst of webhooks or votes. The writer takes
whatever changes are waiting (up to `MAX_BATCH`), runs each in its own SAVEPOINT (so one
failing change does not undo the others), commits once, then hands the batch's events to
the event loop in commit order and resolves each caller's future. SQLite allows one
writer anyway; on PostgreSQL each process has its own writer and the per-session row
lock (see `events.lock_session`) orders them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.errors import DomainError

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BATCH = 512


@dataclass(frozen=True, slots=True)
class CommittedEvent:
    """An event row as published after commit."""

    session_id: int
    seq: int
    type: str
    data: dict[str, Any]


OnCommit = Callable[[list[CommittedEvent]], None]


def make_engine(url: str, *, writer: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=1 if writer else 8,
        )
        _sqlite_pragmas(engine, begin="BEGIN IMMEDIATE" if writer else "BEGIN")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=2 if writer else 10, max_overflow=10)


def _sqlite_pragmas(engine: Engine, begin: str) -> None:
    """WAL, real savepoints (pysqlite's own transaction handling breaks them), FKs on."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


class Store:
    """Reads in a thread pool; writes through the group-commit writer thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.write_engine = make_engine(url, writer=True)
        self.on_commit: OnCommit = lambda events: None
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fb-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=10)
            self._thread = None
        self.engine.dispose()
        self.write_engine.dispose()

    # -- API -------------------------------------------------------------------
    async def read(self, fn: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.read_sync, fn)

    def read_sync(self, fn: Callable[[Session], T]) -> T:
        with Session(self.engine, expire_on_commit=False) as db:
            return fn(db)

    async def write(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in the next batch; return once its changes are committed."""
        if self._thread is None:
            raise RuntimeError("store not started")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, fut, loop))
        return await fut

    def write_sync(self, fn: Callable[[Session], T]) -> T:
        """For the CLI and start-up: one change in its own transaction, published too."""
        with Session(self.write_engine, expire_on_commit=False) as db:
            db.info["outbox"] = []
            result = fn(db)
            db.commit()
            self.on_commit(db.info["outbox"])
            return result

    # -- writer thread -----------------------------------------------------------
    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            try:
                self._commit_batch(batch)
            except DBAPIError:
                # A deadlock or a lost connection fails the whole batch: retry one by one so
                # one bad change cannot take others down with it.
                log.warning("batch of %d failed; retrying singly", len(batch), exc_info=True)
                for job in batch:
                    try:
                        self._commit_batch([job])
                    except Exception as exc:  # noqa: BLE001 - reported to the caller
                        _resolve(job, exc=exc)
            except Exception as exc:  # noqa: BLE001 - the writer must never die
                log.exception("writer batch failed")
                for job in batch:
                    _resolve(job, exc=exc)
            if stop:
                return

    def _commit_batch(self, batch: list[Any]) -> None:
        results: list[tuple[Any, Any, BaseException | None]] = []
        with Session(self.write_engine, expire_on_commit=False) as db:
            outbox: list[CommittedEvent] = []
            db.info["outbox"] = outbox
            for job in batch:
                fn = job[0]
                mark = len(outbox)
                savepoint = db.begin_nested()
                try:
                    value = fn(db)
                    db.flush()
                    savepoint.commit()
                    results.append((job, value, None))
                except Exception as exc:  # noqa: BLE001 - reported to this change's caller
                    if savepoint.is_active:
                        savepoint.rollback()
                    del outbox[mark:]
                    if isinstance(exc, DBAPIError) and _connection_lost(exc):
                        raise
                    if not isinstance(exc, DomainError):
                        log.exception("change failed")
                    results.append((job, None, exc))
            db.commit()
        # Publish before waking the callers, in commit order, on the callers' loop.
        loops = {job[2] for job in batch}
        for loop in loops:
            _call(loop, self.on_commit, list(outbox))
        for job, value, exc in results:
            _resolve(job, value=value, exc=exc)


def _connection_lost(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or "deadlock" in str(exc).lower()


def _call(loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # loop closed (shutdown)
        loop.call_soon_threadsafe(fn, *args)


def _resolve(job: Any, value: Any = None, exc: BaseException | None = None) -> None:
    _fn, fut, loop = job

    def settle() -> None:
        if fut.done():
            return
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(value)

    _call(loop, settle)
