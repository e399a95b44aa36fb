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
from sqlmodel import Session, select

from app.clock import utc_now
from app.connectors import service
from app.connectors.crypto import SettingsBox
from app.connectors.models import ConnectorConfig
from app.core.domain import NO_INGEST_HOOKS, IngestHooks
from app.db import Store
from app.ingest import ingest
from app.models import Message
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
    """Every running connector of this server process."""

    def __init__(
        self,
        store: Store,
        box: SettingsBox,
        settings: SupervisorSettings | None = None,
        hooks: IngestHooks = NO_INGEST_HOOKS,
    ) -> None:
        self.store = store
        self.hooks = hooks  # the domains' ingest hooks (cross-post flags, ...)
        self.box = box
        self.settings = settings
        self.cursors = DbCursorStore(store)
        self.running: dict[tuple[int, str], SessionConnectors] = {}
        self.publishers: dict[int, StatusPublisher] = {}
        self._lock = asyncio.Lock()
        #: Awaited at shut-down after the connectors stopped (e.g. the demo's fake platforms).
        self.closers: list[Callable[[], Awaitable[None]]] = []

    async def start_all(self) -> None:
        rows = await self.store.read(_all_connector_rows)
        for row in rows:
            await self.apply(row.session_id, row.channel)

    async def stop_all(self) -> None:
        async with self._lock:
            running, self.running = self.running, {}
            await asyncio.gather(*(c.stop() for c in running.values()))
            for publisher in self.publishers.values():
                await publisher.close()
            self.publishers = {}
            closers, self.closers = self.closers, []
            for close in closers:
                await close()

    async def apply(self, session_id: int, channel: str) -> None:
        """(Re)start one channel from its stored settings; stop it when they are gone."""
        async with self._lock:
            old = self.running.pop((session_id, channel), None)
            if old is not None:
                await old.stop()
            row = await self.store.read(lambda db: db.get(ConnectorConfig, (session_id, channel)))
            if row is None or row.kind != service.CONNECTOR:
                return
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


def _all_connector_rows(db: Session) -> list[ConnectorConfig]:
    return list(
        db.exec(select(ConnectorConfig).where(ConnectorConfig.kind == service.CONNECTOR)).all()
    )


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
