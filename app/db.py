"""Database access: one writer thread that group-commits, and a pool of readers.

Why a writer thread: every change must be durable before it is acknowledged, and one
commit per message cannot keep up with a burst of webhooks or votes. The writer takes
whatever changes are waiting (up to `MAX_BATCH`), runs each in its own SAVEPOINT (so one
failing change does not undo the others; its flush happens inside it, and a failed flush
is rolled back to it), commits once (if the commit itself fails, each change is retried
alone so each caller gets its own answer), then hands the batch's events to
the event loop in commit order and resolves each caller's future. Changes queued with the
same group key (`write_grouped`, e.g. chat messages for one session) run as one call that
does the work in bulk; if that call fails, each runs alone so one bad item cannot take
the others down. SQLite allows one
writer anyway; on PostgreSQL each process has its own writer and the per-session row
lock (see `events.lock_session`) orders them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import anyio
import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects.sqlite import base as sqlite_types
from sqlalchemy.exc import DataError, DBAPIError
from sqlmodel import Session

from app.errors import DomainError, Invalid

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
#: Runs a group's items together; returns one outcome per item (a value or an exception).
GroupFn = Callable[[Session, list[Any]], list[Any]]


#: A job's result: its value, or the exception its caller gets.
Outcome = tuple[Any, BaseException | None]
Settled = tuple[Any, Any, BaseException | None]


@dataclass(frozen=True, slots=True)
class Grouped:
    """A job that may share its run with jobs of the same key in one batch."""

    key: Hashable
    item: Any
    run: GroupFn


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


#: JSON columns (every event's data) through orjson: several times faster than `json`.
_JSON = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def make_engine(url: str, *, writer: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=1 if writer else 8,
            **_JSON,
        )
        _sqlite_pragmas(engine, begin="BEGIN IMMEDIATE" if writer else "BEGIN")
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=2 if writer else 10, max_overflow=10, **_JSON
    )


def _sqlite_pragmas(engine: Engine, begin: str) -> None:
    """WAL, real savepoints (pysqlite's own transaction handling breaks them), FKs on."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: each commit fsyncs the WAL, so an acknowledged write survives a power loss
        # or OS crash too. (NORMAL in WAL mode skips that fsync: still safe against a
        # process crash, kill -9, as the WAL is in the OS page cache, not a power loss.)
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


class BulkInsert:
    """Many rows in one INSERT statement, sent through the driver.

    Why: per row, SQLAlchemy's executemany builds and processes a parameter dict
    (`construct_params`, insertmanyvalues), which cost the writer more CPU than the
    database spends storing the row. Here a row costs only its values' conversions, done
    by the column types' own bind processors (the same as through SQLAlchemy). Every
    column but an autoincrementing id must be given; `conflict` adds ON CONFLICT (...) DO NOTHING.
    """

    #: Bound parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
    MAX_PARAMS = 30_000

    def __init__(
        self, table: Any, returning: tuple[str, ...] = (), conflict: tuple[str, ...] = ()
    ) -> None:
        self.table = table
        auto = table.autoincrement_column  # the id the database assigns, if any
        self.names = [c.name for c in table.columns if c is not auto]
        self.returning = returning
        self.conflict = conflict
        self._compiled: dict[str, tuple[str, str, str, list[Any]]] = {}

    def _for(self, dialect: Any) -> tuple[str, str, str, list[Any]]:
        """(head, one row's placeholders, tail, processors), once per dialect."""
        found = self._compiled.get(dialect.name)
        if found is None:
            quote = dialect.identifier_preparer.quote
            head = (
                f"INSERT INTO {dialect.identifier_preparer.format_table(self.table)} "
                f"({', '.join(quote(n) for n in self.names)}) VALUES "
            )
            mark = "?" if dialect.paramstyle == "qmark" else "%s"
            row = f"({', '.join([mark] * len(self.names))})"
            tail = ""
            if self.conflict:
                tail += f" ON CONFLICT ({', '.join(map(quote, self.conflict))}) DO NOTHING"
            if self.returning:
                tail += f" RETURNING {', '.join(map(quote, self.returning))}"
            procs = [_bind_processor(self.table.c[n].type, dialect) for n in self.names]
            found = self._compiled[dialect.name] = (head, row, tail, procs)
        return found

    def __call__(self, conn: Connection, rows: list[dict[str, Any]]) -> list[Any]:
        """Insert `rows`; the RETURNING rows (in no promised order)."""
        head, row, tail, procs = self._for(conn.dialect)
        pairs = list(zip(self.names, procs, strict=True))
        per = max(1, self.MAX_PARAMS // len(self.names))
        out: list[Any] = []
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            params = [
                proc(r[name]) if proc is not None else r[name]
                for r in chunk
                for name, proc in pairs
            ]
            sql = head + ", ".join([row] * len(chunk)) + tail
            result = conn.exec_driver_sql(sql, tuple(params))
            if self.returning:
                out.extend(result.all())
        return out


def _bind_processor(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The column type's bind processor; for SQLite's default DATETIME, an equal but faster one.

    Why: a stored message carries six datetimes over its four rows, and SQLAlchemy's
    processor (a dict and a `%` format per value) was the writer's largest Python cost per
    row after the driver call itself. `datetime.isoformat` (C) gives the same text
    ("YYYY-MM-DD HH:MM:SS.ffffff", the offset cut off as SQLAlchemy leaves it out).
    """
    proc = type_._cached_bind_processor(dialect)
    impl = type_.dialect_impl(dialect)
    if (
        proc is None
        or dialect.name != "sqlite"
        or type(impl) is not sqlite_types.DATETIME
        or impl._storage_format != sqlite_types.DATETIME._storage_format
    ):
        return proc

    def fast(value: Any) -> Any:
        if value.__class__ is datetime:
            return value.isoformat(" ", "microseconds")[:26]
        return proc(value)  # None, a date, a subclass: SQLAlchemy's own

    return fast


class Store:
    """Reads in a thread pool; writes through the group-commit writer thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.write_engine = make_engine(url, writer=True)
        #: The application this store belongs to (its `AppState`), put in every session's
        #: `info["app"]`: hooks that run inside a read or a write (on the writer thread,
        #: with only the session) reach their domain's runtime through it, not a global.
        self.app: Any = None
        self._stopped = False
        for engine in (self.engine, self.write_engine):
            event.listen(engine, "checkin", self._close_if_stopped)
        self.on_commit: OnCommit = lambda events: None
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> None:
        self._stopped = False
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fb-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=10)
            self._thread = None
        self._stopped = True
        self.engine.dispose()
        self.write_engine.dispose()

    def _close_if_stopped(self, _dbapi_conn: Any, record: Any) -> None:
        """A read still running when the store stopped hands its connection back to the
        pool `dispose()` already dropped, which would keep it open until the garbage
        collector (psycopg warns then, at some unrelated moment). Close it on the spot."""
        if self._stopped:
            record.invalidate()

    # -- API -------------------------------------------------------------------
    async def read(self, fn: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.read_sync, fn)

    def read_sync(self, fn: Callable[[Session], T]) -> T:
        with Session(self.engine, expire_on_commit=False, info={"app": self.app}) as db:
            return fn(db)

    async def write(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in the next batch; return once its changes are committed."""
        if self._thread is None:
            raise RuntimeError("store not started")
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, fut, loop))
        return await fut

    async def write_grouped(self, key: Hashable, item: Any, run: GroupFn) -> Any:
        """Like `write`, but items waiting with the same `key` go to one `run(db, items)`.

        `run` returns one outcome per item; an exception outcome is raised to its caller
        only. Every caller of a key must pass the same `run`.
        """
        return await self.write(Grouped(key, item, run))  # type: ignore[arg-type]

    def write_sync(self, fn: Callable[[Session], T]) -> T:
        """For the CLI and start-up: one change in its own transaction, published too."""
        with Session(self.write_engine, expire_on_commit=False, info={"app": self.app}) as db:
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
            self._commit_isolated(batch)
            if stop:
                return

    def _commit_isolated(self, batch: list[Any]) -> None:
        """Commit the batch; if it fails as a whole, each job alone, so each caller gets
        its own answer and one bad change (a deadlock, a lost connection, a commit the
        database refuses) cannot take the others down with it."""
        try:
            self._commit_batch(batch)
            return
        except Exception as exc:  # noqa: BLE001 - the writer must never die
            if len(batch) == 1:
                if not isinstance(exc, DomainError):
                    log.exception("writer change failed")
                _resolve(batch[0], exc=_refused(exc))
                return
            log.warning("batch of %d failed; retrying singly", len(batch), exc_info=True)
        for job in batch:
            try:
                self._commit_batch([job])
            except Exception as exc:  # noqa: BLE001 - reported to the caller
                log.exception("writer change failed")
                _resolve(job, exc=_refused(exc))

    def _commit_batch(self, batch: list[Any]) -> None:
        settled: list[Settled] = []
        with Session(self.write_engine, expire_on_commit=False, info={"app": self.app}) as db:
            outbox: list[Any] = []
            db.info["outbox"] = outbox
            units = _units(batch)
            # One unit alone needs no savepoint: if it fails, the transaction is rolled
            # back instead, and there is nothing else in it to keep. (A savepoint and its
            # release cost the writer more than a vote does.)
            alone = len(units) == 1
            for jobs in units:
                outcomes = self._run_unit(db, jobs, alone and len(jobs) == 1)
                if outcomes is None:  # a group failed as a whole: each item alone
                    outcomes = [
                        (self._run_unit(db, [job], False) or [(None, None)])[0] for job in jobs
                    ]
                settled += [
                    (job, value, exc) for job, (value, exc) in zip(jobs, outcomes, strict=True)
                ]
            _commit(db)
        # Publish before waking the callers, in commit order, on the callers' loop.
        loops = {job[2] for job in batch}
        for loop in loops:
            _call(loop, self.on_commit, list(outbox))
            _call(loop, _settle, [s for s in settled if s[0][2] is loop])

    def _run_unit(self, db: Session, jobs: list[Any], alone: bool) -> list[Outcome] | None:
        """Run one job, or one group of jobs, in a savepoint (or, `alone` in its batch, in
        the transaction itself): (value, exception) per job.

        None when a group of several failed as a whole (the caller retries each alone).
        """
        outbox: list[CommittedEvent] = db.info["outbox"]
        mark = len(outbox)
        savepoint = None if alone else db.begin_nested()
        try:
            head = jobs[0][0]
            if isinstance(head, Grouped):
                items = head.run(db, [job[0].item for job in jobs])
                if len(items) != len(jobs):
                    raise RuntimeError(f"{head.key!r}: {len(items)} outcomes for {len(jobs)}")
                outcomes: list[Outcome] = [
                    (None, o) if isinstance(o, BaseException) else (o, None) for o in items
                ]
            else:
                outcomes = [(head(db), None)]
            db.flush()
            if savepoint is not None:
                savepoint.commit()
            return outcomes
        except Exception as exc:  # noqa: BLE001 - reported to this change's caller
            # Not only when active: a failed flush (a value the database refuses, e.g. NUL
            # on PostgreSQL) leaves the savepoint *deactivated*, and unless it is rolled back
            # the whole session refuses every later unit (PendingRollbackError).
            (db if savepoint is None else savepoint).rollback()
            del outbox[mark:]
            if isinstance(exc, DBAPIError) and _connection_lost(exc):
                raise
            if not isinstance(exc, DomainError):
                log.exception("change failed")
            return None if len(jobs) > 1 else [(None, _refused(exc))]


def _commit(db: Session) -> None:
    """Commit; when the COMMIT itself fails, leave no transaction open on the connection.

    SQLite keeps the transaction open after a COMMIT refused by a deferred constraint, and
    SQLAlchemy hands the connection back to the pool as if it had ended: the next batch's
    BEGIN would fail ("cannot start a transaction within a transaction").
    """
    conn = db.connection()
    try:
        db.commit()
    except Exception:
        try:
            conn.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - a dead connection: drop it from the pool
            with contextlib.suppress(Exception):
                conn.invalidate()
        raise


def _refused(exc: BaseException) -> BaseException:
    """A value the database cannot store (out of range, NUL...) is the caller's 422."""
    if isinstance(exc, DataError):
        return Invalid("a value in this request cannot be stored (out of range or invalid)")
    return exc


def _units(batch: list[Any]) -> list[list[Any]]:
    """The batch in order, grouped jobs gathered under their key's first place."""
    units: list[list[Any]] = []
    groups: dict[Hashable, list[Any]] = {}
    for job in batch:
        fn = job[0]
        if isinstance(fn, Grouped):
            group = groups.get(fn.key)
            if group is None:
                group = groups[fn.key] = []
                units.append(group)
            group.append(job)
        else:
            units.append([job])
    return units


def _connection_lost(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or "deadlock" in str(exc).lower()


def _call(loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # loop closed (shutdown)
        loop.call_soon_threadsafe(fn, *args)


def _settle(settled: list[Settled]) -> None:
    """On the callers' loop: one wake-up per batch, not one per job."""
    for (_fn, fut, _loop), value, exc in settled:
        if fut.done():
            continue
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(value)


def _resolve(job: Any, value: Any = None, exc: BaseException | None = None) -> None:
    _call(job[2], _settle, [(job, value, exc)])
