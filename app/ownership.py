"""One owner per session for background work that talks to the outside (connectors, Zoom
Q&A polling): a lease row per session in the database every worker already shares.

Why a lease row and not a PostgreSQL advisory lock: the same code and the same tests run
on SQLite and PostgreSQL, a lease survives a pooled connection being recycled, and the
row says who owns the session and since when (the console shows it).

Each worker ticks every `every` seconds, in one transaction through the writer: it renews
the leases it holds (`expires_at = now + ttl`), gives back those no longer wanted, and
claims wanted sessions whose lease is free or expired with a conditional UPDATE (two
workers racing for one row: the database lets one win). A worker that stops gives its
leases back and says so on the bus, so another claims them at once; one that dies
(SIGKILL) stops renewing and is replaced within `ttl + every` seconds. Listeners (the
connector runtime) are told the set of sessions held after every tick and start or stop
their work to match; a claim emits `connector.owner` in the same transaction.

Times are the workers' wall-clock Unix seconds (`epoch_seconds()`): hosts are assumed to
be kept within a fraction of `ttl` of each other (NTP).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, select

from app.clock import epoch_seconds, iso, utc_now
from app.core.domain import JobFn
from app.db import Store
from app.events import emit
from app.models import LiveSession

log = logging.getLogger(__name__)
#: Bus signal: a worker gave leases back, or a session's work changed: tick now.
OWNERSHIP = "ownership"
OWNER_EVENT = "connector.owner"  # what `tick` emits on a claim

#: Which sessions need an owner, read in the tick's transaction (registered by domains).
Wants = Callable[[Session], set[int]]
#: Told the sessions held after every tick (and before shutdown, with an empty set).
Listener = Callable[[set[int]], Awaitable[None]]
#: A periodic outside job of one session, run by its owner until cancelled:
#: `job(context, session_id, arg)`, where a `WorkJob` row named "kind:arg" asks for it.
#: The kinds are declared by the domains (`Domain.jobs`, `Registry.jobs`).
Job = JobFn


class WorkLease(SQLModel, table=True):
    """Who runs a session's background work; no foreign key: it outlives nothing."""

    __tablename__ = "work_lease"

    session_id: int = Field(primary_key=True)
    worker: str = Field(max_length=200)
    since: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    #: Wall-clock seconds; past it, any worker may take the session over.
    expires_at: float = Field(sa_type=Float)


class WorkJob(SQLModel, table=True):
    """A periodic job a session wants run by its owner (e.g. "zoom_qa:<webinar id>"):
    stored, so a new owner picks it up after a failover."""

    __tablename__ = "work_job"

    session_id: int = Field(primary_key=True)
    name: str = Field(max_length=100, primary_key=True)
    #: Wall-clock seconds; past it the job is no longer run (a bound, if nobody ends it).
    until: float = Field(sa_type=Float)


def want_job(db: Session, session_id: int, name: str, until: float) -> None:
    row = db.get(WorkJob, (session_id, name)) or WorkJob(
        session_id=session_id, name=name, until=until
    )
    row.until = until
    db.add(row)


def drop_job(db: Session, session_id: int, name: str) -> None:
    row = db.get(WorkJob, (session_id, name))
    if row is not None:
        db.delete(row)


def _sessions_with_jobs(db: Session) -> set[int]:
    now = epoch_seconds()
    return set(db.exec(select(WorkJob.session_id).where(col(WorkJob.until) > now)).all())


def _jobs_of(db: Session, held: set[int]) -> set[tuple[int, str]]:
    now = epoch_seconds()
    rows = db.exec(
        select(WorkJob.session_id, WorkJob.name).where(
            col(WorkJob.session_id).in_(held or {-1}), col(WorkJob.until) > now
        )
    ).all()
    return {(sid, name) for sid, name in rows}


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_of(db: Session, session_id: int, now: float | None = None) -> dict[str, Any] | None:
    """{"worker", "since"} of the session's live lease, or None (the console shows it)."""
    row = db.get(WorkLease, session_id)
    if row is None or row.expires_at < (epoch_seconds() if now is None else now):
        return None
    return {"worker": row.worker, "since": iso(row.since)}


def tick(
    db: Session, worker: str, wanted: set[int], now: float, ttl: float, *, steal: bool = False
) -> tuple[set[int], set[int]]:
    """Renew, give back, claim. Returns (held now, newly claimed). `steal` takes every
    wanted session whatever its lease says (one process on SQLite, at start)."""
    table = WorkLease.__table__  # type: ignore[attr-defined]
    expires = now + ttl
    db.exec(
        update(table)
        .where(table.c.worker == worker, table.c.session_id.in_(wanted or {-1}))
        .values(expires_at=expires)
    )
    db.exec(
        delete(table).where(table.c.worker == worker, table.c.session_id.not_in(wanted or {-1}))
    )
    held = set(
        db.exec(select(WorkLease.session_id).where(col(WorkLease.worker) == worker)).all()
    )
    claimed: set[int] = set()
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    for sid in sorted(wanted - held):
        since = utc_now()
        # RETURNING, not rowcount: psycopg reports -1 for these through SQLModel.
        done = db.exec(
            insert(table)
            .values(session_id=sid, worker=worker, since=since, expires_at=expires)
            .on_conflict_do_nothing(index_elements=["session_id"])
            .returning(table.c.session_id)
        ).first()
        if done is None:
            takeover = update(table).where(table.c.session_id == sid)
            if not steal:
                takeover = takeover.where(table.c.expires_at < now)
            done = db.exec(
                takeover.values(worker=worker, since=since, expires_at=expires).returning(
                    table.c.session_id
                )
            ).first()
        if done is not None and db.get(LiveSession, sid) is not None:
            claimed.add(sid)
            emit(db, sid, "connector.owner", {"owner": {"worker": worker, "since": iso(since)}})
    return held | claimed, claimed


def release(db: Session, worker: str) -> None:
    table = WorkLease.__table__  # type: ignore[attr-defined]
    db.exec(delete(table).where(table.c.worker == worker))


class OwnershipStats:
    """For /metrics: ownership changes seen by this worker."""

    def __init__(self) -> None:
        self.acquired = 0
        self.lost = 0
        self.released = 0


class Ownership:
    """This worker's side of the leases: the tick loop, `owns()`, listeners."""

    def __init__(
        self,
        store: Store,
        bus: Any,
        worker: str = "",
        *,
        ttl: float = 5.0,
        every: float | None = None,
        context: Any = None,
        jobs: Mapping[str, Job] | None = None,
    ) -> None:
        self.store = store
        self.context = context  # handed to each job (the app state)
        self.jobs: Mapping[str, Job] = jobs or {}  # by kind (`Registry.jobs`)
        self.bus = bus
        self.worker = worker or default_worker_name()
        self.ttl = ttl
        self.every = every if every is not None else max(0.2, ttl / 5)
        self.held: set[int] = set()
        self.wants: list[Wants] = [_sessions_with_jobs]
        self.listeners: list[Listener] = [self._sync_jobs]
        self._jobs: dict[tuple[int, str], asyncio.Task[None]] = {}
        self.stats = OwnershipStats()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._renewed = 0.0
        #: One process on SQLite owns everything at start (no one else can be serving it).
        self._steal = store.url.startswith("sqlite")
        bus.on_signal(OWNERSHIP, self.wake)

    def owns(self, session_id: int) -> bool:
        return session_id in self.held

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        await self.tick()
        self._steal = False
        self._task = asyncio.create_task(self._loop(), name="ownership")

    async def stop(self) -> None:
        """Stop the work, give the leases back, tell the others to claim them now."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        async with self._lock:
            await self._tell(set())
            if self.held:
                self.stats.released += len(self.held)
            self.held = set()
            try:
                await self.store.write(lambda db: release(db, self.worker))
            except Exception:  # noqa: BLE001 - the leases then expire on their own
                log.warning("ownership: leases not released", exc_info=True)
        self.bus.signal(OWNERSHIP)

    async def tick(self) -> set[int]:
        """One round now (also after a local change, so this worker starts at once)."""
        async with self._lock:
            now = epoch_seconds()
            steal = self._steal

            def run(db: Session) -> tuple[set[int], set[int], set[int]]:
                wanted: set[int] = set()
                for want in self.wants:
                    wanted |= want(db)
                return wanted, *tick(db, self.worker, wanted, now, self.ttl, steal=steal)

            wanted, held, claimed = await self.store.write(run)
            self._renewed = now
            lost = (self.held - held) & wanted  # taken over while we were away
            self.stats.acquired += len(claimed)
            self.stats.lost += len(lost)
            if claimed:
                log.info("ownership: %s took session(s) %s", self.worker, sorted(claimed))
            if lost:
                log.info("ownership: %s no longer owns %s", self.worker, sorted(lost))
            self.held = held
            await self._tell(held)
            return held

    async def _sync_jobs(self, held: set[int]) -> None:
        """Run exactly the stored jobs of the held sessions (a kind nobody registered is
        left alone: a worker of another version may know it)."""
        wanted = await self.store.read(lambda db: _jobs_of(db, held)) if held else set()
        for key in [k for k in self._jobs if k not in wanted or self._jobs[k].done()]:
            task = self._jobs.pop(key)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for sid, name in wanted - set(self._jobs):
            kind, _, arg = name.partition(":")
            job = self.jobs.get(kind)
            if job is not None:
                self._jobs[(sid, name)] = asyncio.create_task(
                    self._run_job(job, sid, arg), name=f"job:{sid}:{name}"
                )

    async def _run_job(self, job: Job, session_id: int, arg: str) -> None:
        try:
            await job(self.context, session_id, arg)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged; the next tick starts it again
            log.exception("job %s of session %s failed", arg, session_id)
            await asyncio.sleep(self.ttl)

    async def _tell(self, held: set[int]) -> None:
        for listener in self.listeners:
            try:
                await listener(set(held))
            except Exception:  # noqa: BLE001 - one domain's bug must not stop the others
                log.exception("ownership listener failed")

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.every):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a database hiccup: retry next round
                log.warning("ownership tick failed", exc_info=True)
                if self.held and epoch_seconds() - self._renewed > self.ttl:
                    # Our leases have expired: someone else may run the work by now.
                    async with self._lock:
                        self.stats.lost += len(self.held)
                        self.held = set()
                        await self._tell(set())
