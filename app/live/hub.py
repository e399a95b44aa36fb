"""Per-process fan-out: one hub per active session, one outbox per socket (outbox.py).

The hub consumes the bus in seq order and fills gaps from the event log, so sockets get
every event once and in order whatever the bus does. Events that arrive together are
filtered, encoded and framed once per role (frames.py) and offered to every socket: staff
at once, the audience in slices from a task of its own. A socket whose buffer is full is
closed (4408) and resyncs on reconnect. The hub never awaits a client.

Sockets opened with a role key are closed (4410) once that key is rotated away: at once
when `session.keys_rotated` arrives on the bus (a rotation through the API, on any
worker), and otherwise by a check of the session's current keys every KEY_CHECK_SECONDS
while the hub has such sockets. The check is what catches `floorbridge session
rotate-keys`: the CLI is another process and, with the in-process bus, cannot reach us;
one indexed query per session with privileged sockets, twice a second, costs nothing next
to what those sockets receive, and it needs no bus at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlmodel import Session, col, select

from app.core.domain import EventFilter
from app.db import CommittedEvent, Store
from app.live.bus import Bus
from app.live.frames import Outgoing, encode, outgoing
from app.live.outbox import Client, HubStats
from app.models import Event, LiveSession
from app.sessions.service import live_key_ids
from app.views import NONE

log = logging.getLogger(__name__)
CLOSE_TOO_SLOW = 4408
#: The socket's role key was rotated: the pages say "ask for the new link" and stop.
CLOSE_KEY_REPLACED = 4410
KEY_REPLACED_REASON = "this link was replaced; ask for the new one"
KEYS_ROTATED = "session.keys_rotated"
#: How often a hub with privileged sockets re-reads its session's current keys.
KEY_CHECK_SECONDS = 0.5
# A snapshot served to sockets that join while nothing new has happened is read once: in a
# connect storm, thousands of phones ask for the same one. Re-read at least this often.
SNAPSHOT_MAX_AGE = 2.0
# Sockets offered one event before the loop serves other work (a moderator's request, a
# webhook): with 10,000 sockets, one unbroken pass would hold everything else for seconds.
FANOUT_SLICE = 256
# Events fanned out together at most (one write per socket for all of them).
MAX_BATCH = 64
#: While the bus subscription is lost (Redis down), a hub reads the log this often: the
#: per-session seq makes each read exact (what follows the last delivered seq).
LOG_POLL_SECONDS = 0.25


def bus_live(bus: Bus) -> bool:
    """Whether the bus brings other workers' events now (the in-process bus always does)."""
    connected = getattr(bus, "connected", None)
    return connected is None or connected.is_set()


def events_between(db: Session, session_id: int, after: int, upto: int | None) -> list[Event]:
    stmt = select(Event).where(Event.session_id == session_id, Event.seq > after)
    if upto is not None:
        stmt = stmt.where(Event.seq <= upto)
    return list(db.exec(stmt.order_by(col(Event.seq))).all())


def head_of(db: Session, session_id: int) -> int:
    return db.exec(select(LiveSession.last_seq).where(LiveSession.id == session_id)).one()


def to_committed(e: Event) -> CommittedEvent:
    return CommittedEvent(session_id=e.session_id, seq=e.seq, type=e.type, data=e.data)


class SessionHub:
    def __init__(
        self,
        session_id: int,
        store: Store,
        bus: Bus,
        stats: HubStats | None = None,
        filters: Mapping[str, EventFilter] = NONE,
    ) -> None:
        self.session_id = session_id
        self.filters = filters  # the domains' event filters (Registry.filters)
        self.store = store
        self.bus = bus
        self.stats = stats or HubStats()
        self.clients: set[Client] = set()
        # The same sockets split by audience or not, kept as they join and leave: the
        # fan-out reads them per event and must not sort 10,000 sockets each time.
        self._staff: set[Client] = set()
        self._audience: set[Client] = set()
        # Sockets opened with a role key -> that key's public id (revoked on rotation).
        self._keyed: dict[Client, str] = {}
        self._recheck = asyncio.Event()
        self._keys_task: asyncio.Task[None] | None = None
        self.delivered = 0
        self.dropped_slow = 0
        self._sub = bus.subscribe(session_id)
        self._polled = float("-inf")  # when the log was last read for want of the bus
        self._task: asyncio.Task[None] | None = None
        # The audience's share of each event, fanned out by its own task: the moderator's
        # console and the stage never wait behind 10,000 phones.
        self._crowd: asyncio.Queue[tuple[list[CommittedEvent], list[Client]]] = asyncio.Queue()
        self._crowd_task: asyncio.Task[None] | None = None
        # (role, base url) -> (seq, frame, read at); and the read in flight, shared.
        self._snapshots: dict[tuple[str, str], tuple[int, str, float]] = {}
        self._loading: dict[tuple[str, str], asyncio.Future[tuple[int, str]]] = {}

    async def start(self) -> None:
        # Subscribe first, then read the head: nothing committed after the read is missed.
        self.delivered = await self.store.read(lambda db: head_of(db, self.session_id))
        self._task = asyncio.create_task(self._run())
        self._crowd_task = asyncio.create_task(self._run_crowd())
        self._keys_task = asyncio.create_task(self._watch_keys())

    async def stop(self) -> None:
        self.bus.unsubscribe(self._sub)
        for task in (self._task, self._crowd_task, self._keys_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def add(self, client: Client, key_id: str | None = None) -> None:
        self.clients.add(client)
        (self._audience if client.role == "audience" else self._staff).add(client)
        if key_id is not None:
            self._keyed[client] = key_id

    def remove(self, client: Client) -> None:
        self.clients.discard(client)
        self._audience.discard(client)
        self._staff.discard(client)
        self._keyed.pop(client, None)

    async def _watch_keys(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._recheck.wait(), KEY_CHECK_SECONDS)
            self._recheck.clear()
            if not self._keyed:
                continue
            try:
                await self.revoke_stale_keys()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a database hiccup closes nobody; retry
                log.exception("hub %s could not check its sockets' keys", self.session_id)

    async def revoke_stale_keys(self) -> int:
        """Close the sockets whose role key no longer exists; how many were closed."""
        current = await self.store.read(lambda db: live_key_ids(db, self.session_id))
        stale = [c for c, key_id in self._keyed.items() if key_id not in current]
        for client in stale:
            self.remove(client)
            asyncio.create_task(client.shut(CLOSE_KEY_REPLACED, KEY_REPLACED_REASON))
        if stale:
            log.info("hub %s closed %d socket(s) of rotated keys", self.session_id, len(stale))
        return len(stale)

    async def snapshot(
        self, role: str, base: str, load: Callable[[], Awaitable[dict[str, Any]]]
    ) -> tuple[int, str]:
        """(seq, frame) of a snapshot for a socket that has already joined this hub.

        A snapshot at seq S is complete for such a socket when S >= `delivered`: whatever
        was delivered before it joined is in the snapshot, and whatever comes later reaches
        it through the hub (its pump skips seqs <= S). So sockets joining in a burst share
        one read, and one encoding, as long as that holds.
        """
        key = (role, base)
        for _ in range(3):
            hit = self._snapshots.get(key)
            if (
                hit is not None
                and hit[0] >= self.delivered
                and time.monotonic() - hit[2] < SNAPSHOT_MAX_AGE
            ):
                return hit[0], hit[1]
            pending = self._loading.get(key)
            if pending is None:
                pending = asyncio.ensure_future(self._load_snapshot(key, load))
                self._loading[key] = pending
            seq, frame = await asyncio.shield(pending)
            if seq >= self.delivered:
                return seq, frame
        snap = await load()  # the hub moved on three times in a row: read for this one alone
        return snap["seq"], encode(snap)

    async def _load_snapshot(
        self, key: tuple[str, str], load: Callable[[], Awaitable[dict[str, Any]]]
    ) -> tuple[int, str]:
        try:
            read_at = time.monotonic()
            snap = await load()
            seq, frame = snap["seq"], encode(snap)
            self._snapshots[key] = (seq, frame, read_at)
            return seq, frame
        finally:
            self._loading.pop(key, None)

    async def _next(self) -> CommittedEvent | None:
        """The next bus item; with the bus away, first whatever the log holds beyond what
        was delivered, then the bus queue (this worker's own events) for a short while."""
        sub = self._sub
        if bus_live(self.bus):
            return await sub.queue.get()
        if time.monotonic() - self._polled >= LOG_POLL_SECONDS:
            self._polled = time.monotonic()
            self.stats.log_polls += 1
            await self._catch_up(None)
        left = LOG_POLL_SECONDS - (time.monotonic() - self._polled)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.01, left)):
                return await sub.queue.get()
        return None

    async def _run(self) -> None:
        sub = self._sub
        while True:
            try:
                first = await self._next()
                if first is None:
                    continue
                events = [first]
                if sub.overflowed.is_set():
                    # The bus outran us: drop what is buffered and read the log instead.
                    sub.overflowed.clear()
                    while not sub.queue.empty():
                        sub.queue.get_nowait()
                    await self._catch_up(None)
                    continue
                # Whatever else has arrived goes out with it (one push commits two or three
                # events): one write per socket for all of them instead of one each.
                while len(events) < MAX_BATCH and not sub.queue.empty():
                    events.append(sub.queue.get_nowait())
                await self._deliver(events)
                # Let the sockets' pumps run between batches.
                await asyncio.sleep(0)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep fanning out; the log fills gaps later
                log.exception("hub %s failed to deliver", self.session_id)
                await asyncio.sleep(0.5)

    async def _deliver(self, events: list[CommittedEvent]) -> None:
        """Fan out the next events in seq order; doubles dropped, gaps read from the log."""
        batch: list[CommittedEvent] = []
        for event in events:
            last = batch[-1].seq if batch else self.delivered
            if event.seq <= last:
                continue
            if event.seq > last + 1:
                self._fanout(batch)
                batch = []
                await self._catch_up(event.seq)
                continue
            batch.append(event)
        self._fanout(batch)

    async def _catch_up(self, upto: int | None) -> None:
        """Read what the bus did not bring (a gap, an overflow) from the log."""
        after = self.delivered
        rows = await self.store.read(lambda db: events_between(db, self.session_id, after, upto))
        fresh = [to_committed(row) for row in rows if row.seq > self.delivered]
        for i in range(0, len(fresh), MAX_BATCH):
            self._fanout(fresh[i : i + MAX_BATCH])
            await asyncio.sleep(0)

    def _fanout(self, batch: list[CommittedEvent]) -> None:
        """Staff sockets at once; the audience's share queued for the crowd task, in order.

        Each socket is in one group only, so each still gets events in seq order. A socket
        that joins after this reads the events from the log (its pump drops doubles by seq).
        """
        if not batch:
            return
        self.delivered = batch[-1].seq
        if self._keyed and any(e.type == KEYS_ROTATED for e in batch):
            self._recheck.set()  # keys rotated on some worker: close the old ones now
        self._offer(batch, list(self._staff))
        if self._audience:
            self._crowd.put_nowait((batch, list(self._audience)))

    async def _run_crowd(self) -> None:
        while True:
            batch, crowd = await self._crowd.get()
            # Batches queued meanwhile go out together, to the latest set of sockets: one
            # that left needs nothing; one that joined since has the earlier ones already.
            while len(batch) < MAX_BATCH and not self._crowd.empty():
                more, crowd = self._crowd.get_nowait()
                batch = batch + more
            try:
                started = time.perf_counter()
                # In slices, so requests and webhooks are served between them.
                for i in range(0, len(crowd), FANOUT_SLICE):
                    self._offer(batch, crowd[i : i + FANOUT_SLICE])
                    await asyncio.sleep(0)
                self.stats.on_fanout(len(crowd), time.perf_counter() - started)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - one bad event must not stop the fan-out
                log.exception("hub %s failed to fan out to the audience", self.session_id)

    def _offer(self, batch: list[CommittedEvent], clients: list[Client]) -> None:
        # Filtered, encoded and framed once per role, however many sockets share it.
        frames: dict[str, Outgoing | None] = {}
        slow: list[Client] = []
        for client in clients:
            if client.closed:
                continue
            role = client.role
            if role not in frames:
                frames[role] = outgoing(role, batch, self.filters)
            out = frames[role]
            if out is not None and not client.offer_batch(out):
                slow.append(client)
        for client in slow:
            if client not in self.clients:
                continue
            self.dropped_slow += 1
            self.stats.dropped_slow += 1
            self.remove(client)
            asyncio.create_task(client.shut(CLOSE_TOO_SLOW, "too slow; reconnect to resync"))


class Hubs:
    """The process's hubs, created with the first socket of a session, dropped with the last."""

    def __init__(
        self, store: Store, bus: Bus, filters: Mapping[str, EventFilter] = NONE
    ) -> None:
        self.store = store
        self.bus = bus
        self.filters = filters
        self._hubs: dict[int, SessionHub] = {}
        self._lock = asyncio.Lock()
        self.stats = HubStats()

    async def join(
        self, session_id: int, client: Client, key_id: str | None = None
    ) -> SessionHub:
        async with self._lock:
            hub = self._hubs.get(session_id)
            if hub is None:
                hub = SessionHub(session_id, self.store, self.bus, self.stats, self.filters)
                await hub.start()
                self._hubs[session_id] = hub
            hub.add(client, key_id)
            return hub

    async def leave(self, session_id: int, client: Client) -> None:
        async with self._lock:
            hub = self._hubs.get(session_id)
            if hub is None:
                return
            hub.remove(client)
            if not hub.clients:
                del self._hubs[session_id]
                await hub.stop()

    async def close_all(self) -> None:
        async with self._lock:
            for hub in list(self._hubs.values()):
                # All at once: one by one, 10,000 sockets take tens of seconds to say goodbye.
                await asyncio.gather(
                    *(c.shut(1012, "server restarting") for c in list(hub.clients)),
                    return_exceptions=True,
                )
                await hub.stop()
            self._hubs.clear()

    def mode(self) -> str:
        """"bus" (events from other workers come through the bus) or "log" (the bus
        subscription is lost: the hubs read the shared log until it is back)."""
        return "bus" if bus_live(self.bus) else "log"

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for hub in self._hubs.values():
            for client in hub.clients:
                out[client.role] = out.get(client.role, 0) + 1
        return out
