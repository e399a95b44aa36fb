"""Running connectors inside the server: one `SessionConnectors` per configured channel,
started at start-up and whenever its settings change, stopped at shut-down.

Posts go through the core ingest path; cursors live in the database (`DbCursorStore`);
status changes are coalesced and written as `connector.status` events, so the console
hears them live and a snapshot (or a restart) shows the last one.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import utc_now
from app.connectors import service
from app.connectors.crypto import SettingsBox
from app.connectors.models import ConnectorConfig
from app.core.domain import NO_INGEST_HOOKS, IngestHooks
from app.db import Store
from app.ingest import ingest
from app.models import Message
from app.ownership import OWNERSHIP, Ownership
from integrations.supervisor import SessionConnectors, SupervisorSettings
from ports.messages import ConnectorStatus, IncomingMessage, IngestResult

log = logging.getLogger(__name__)
#: Counting updates (items today) reach the console at most this often; state changes
#: (connected, error, paused) go out at once.
STATUS_INTERVAL = 1.0


class DbCursorStore:
    """`CursorStore` on the `connector_cursor` table; the session key is the session id."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, session: str, key: str) -> str | None:
        return await self.store.read(lambda db: service.get_cursor(db, int(session), key))

    async def set(self, session: str, key: str, value: str) -> None:
        await self.store.write(lambda db: service.set_cursor(db, int(session), key, value))


class StatusPublisher:
    """Collects one session's status changes and writes them in small batches."""

    def __init__(self, store: Store, session_id: int) -> None:
        self.store = store
        self.session_id = session_id
        self.pending: dict[str, dict[str, Any]] = {}
        self.last: dict[str, tuple[Any, Any]] = {}
        self.urgent = False
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def __call__(self, status: ConnectorStatus) -> None:
        view = status.as_dict()
        self.pending[status.channel] = view
        key = (view["state"], view["reason"])
        if self.last.get(status.channel) != key:
            self.last[status.channel] = key
            self.urgent = True
        self.wake.set()
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            await asyncio.sleep(0.05 if self.urgent else STATUS_INTERVAL)
            await self.flush()

    async def flush(self) -> None:
        batch, self.pending, self.urgent = list(self.pending.values()), {}, False
        if not batch:
            return
        try:
            await self.store.write(lambda db: service.save_statuses(db, self.session_id, batch))
        except Exception:  # noqa: BLE001 - a status is not worth failing a connector for
            log.warning("connector status for session %s not saved", self.session_id, exc_info=True)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.flush()


class ConnectorRuntime:
    """The connectors this worker runs: those of the sessions it owns (app/ownership.py).

    `sync(held)` makes the running set match the stored settings of the held sessions:
    it starts, restarts (settings changed), pauses, resumes and stops. It runs after every
    ownership tick, so a change made on another worker reaches the owner within a tick
    even without the bus; `apply` (after a change here) ticks at once and signals the
    others, so the owner, wherever it is, applies the change without waiting.
    Without an `ownership` (tests of one process) every stored connector runs here.
    """

    def __init__(
        self,
        store: Store,
        box: SettingsBox,
        settings: SupervisorSettings | None = None,
        ownership: Ownership | None = None,
        hooks: IngestHooks = NO_INGEST_HOOKS,
    ) -> None:
        self.store = store
        self.hooks = hooks  # the domains' ingest hooks (cross-post flags, ...)
        self.box = box
        self.settings = settings
        self.ownership = ownership
        self.cursors = DbCursorStore(store)
        self.running: dict[tuple[int, str], SessionConnectors] = {}
        #: (session, channel) -> the sealed settings and simulated flag it was started with
        #: (or refused for): a restart only when they change.
        self.applied: dict[tuple[int, str], tuple[str, bool]] = {}
        self.publishers: dict[int, StatusPublisher] = {}
        self._lock = asyncio.Lock()
        #: Awaited at shut-down after the connectors stopped (e.g. the demo's fake platforms).
        self.closers: list[Callable[[], Awaitable[None]]] = []
        if ownership is not None:
            ownership.wants.append(_sessions_with_connectors)
            ownership.listeners.append(self.sync)

    async def start_all(self) -> None:
        if self.ownership is not None:
            await self.ownership.start()  # its first tick calls sync
        else:
            await self.sync(None)

    async def stop_all(self) -> None:
        if self.ownership is not None:
            await self.ownership.stop()  # sync(set()) first, then the leases go back
        async with self._lock:
            running, self.running = self.running, {}
            self.applied = {}
            await asyncio.gather(*(c.stop() for c in running.values()))
            for publisher in self.publishers.values():
                await publisher.close()
            self.publishers = {}
            closers, self.closers = self.closers, []
            for close in closers:
                await close()

    async def apply(self, session_id: int, channel: str) -> None:
        """A channel's stored settings (or pause switch) changed: start, restart, pause or
        stop it on whichever worker owns the session."""
        if self.ownership is None:
            await self.sync(None)
            return
        await self.ownership.tick()  # claims the session if nobody owns it; syncs
        if not self.ownership.owns(session_id):
            self.ownership.bus.signal(OWNERSHIP)  # the owner ticks (and syncs) now

    async def sync(self, held: set[int] | None) -> None:
        """Run exactly the stored connectors of `held` sessions (None: every session)."""
        async with self._lock:
            rows = await self.store.read(lambda db: _all_connector_rows(db, held))
            wanted = {(row.session_id, row.channel): row for row in rows}
            for key in list(self.running):
                row = wanted.get(key)
                if row is None or self.applied.get(key) != (row.settings, row.simulated):
                    await self.running.pop(key).stop()
                    self.applied.pop(key, None)
            for key in list(self.applied):
                if key not in wanted:
                    del self.applied[key]  # a refused one removed: forget it
            for key, row in wanted.items():
                group = self.running.get(key)
                if group is None:
                    if self.applied.get(key) != (row.settings, row.simulated):
                        await self._start(row)
                    continue
                supervisor = group.supervisors[row.channel]
                if row.paused and not supervisor.paused:
                    supervisor.pause()
                elif not row.paused and supervisor.paused:
                    supervisor.resume()
            sessions = {sid for sid, _ in self.running}
            for sid in list(self.publishers):
                if sid not in sessions:
                    await self.publishers.pop(sid).close()

    async def _start(self, row: ConnectorConfig) -> None:
        session_id, channel = row.session_id, row.channel
        self.applied[(session_id, channel)] = (row.settings, row.simulated)
        counts = await self.store.read(lambda db: _today(db, session_id, channel))
        publisher = self.publishers.get(session_id)
        if publisher is None:
            publisher = self.publishers[session_id] = StatusPublisher(self.store, session_id)
        try:
            group = SessionConnectors(
                str(session_id),
                {channel: self.box.open(row.settings)},
                sink=self._sink(session_id, row.simulated),
                store=self.cursors,
                settings=self.settings,
                listener=publisher,
            )
        except Exception as exc:  # noqa: BLE001 - bad stored settings: show why, go on
            log.warning("connector %s of session %s not started: %s", channel, session_id, exc)
            return
        supervisor = group.supervisors[channel]
        status = supervisor.status
        status._day, status.items_today, status.last_item_at = counts  # noqa: SLF001
        if row.paused:
            supervisor.pause()
        group.start()
        self.running[(session_id, channel)] = group

    def pause(self, session_id: int, channel: str, paused: bool) -> None:
        group = self.running.get((session_id, channel))
        if group is None:
            return
        if paused:
            group.pause(channel)
        else:
            group.resume(channel)

    def statuses(self, session_id: int) -> list[dict[str, object]]:
        return [
            status
            for (sid, _), group in self.running.items()
            if sid == session_id
            for status in group.statuses()
        ]

    def _sink(self, session_id: int, simulated: bool) -> Any:
        async def sink(batch: Sequence[IncomingMessage]) -> Sequence[IngestResult]:
            if simulated:
                batch = [dataclasses.replace(m, simulated=True) for m in batch]
            return await ingest(self.store, session_id, batch, self.hooks)

        return sink


def _sessions_with_connectors(db: Session) -> set[int]:
    """What the ownership tick asks: sessions with at least one connector to run."""
    return set(
        db.exec(
            select(ConnectorConfig.session_id).where(ConnectorConfig.kind == service.CONNECTOR)
        ).all()
    )


def _all_connector_rows(db: Session, held: set[int] | None) -> list[ConnectorConfig]:
    stmt = select(ConnectorConfig).where(ConnectorConfig.kind == service.CONNECTOR)
    if held is not None:
        stmt = stmt.where(col(ConnectorConfig.session_id).in_(held or {-1}))
    return list(db.exec(stmt).all())


def _today(db: Session, session_id: int, channel: str) -> tuple[Any, int, datetime | None]:
    """Items today and the last item's time, so a restart does not reset the counters."""
    now = utc_now()
    midnight = datetime.combine(now.date(), time(0), tzinfo=UTC)
    count, last = db.exec(
        select(func.count(), func.max(Message.received_at)).where(
            Message.session_id == session_id,
            Message.channel == channel,
            Message.received_at >= midnight,
        )
    ).one()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return now.date(), int(count or 0), last
