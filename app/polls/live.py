"""The polls' background work in this process: coalesced results and auto-close.

Coalescing: a vote emits nothing. It calls `touch(poll)`; the first touch schedules one
flush, later touches before it runs do nothing. The flush writes one `poll.results` with
the tally as committed at that moment. Flushes of a poll are at least `interval` apart,
so a burst of ten thousand votes costs the sockets a handful of frames, and every vote is
in some flush: a vote committed after a flush read the tally touches again afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.clock import utc_now
from app.errors import DomainError
from app.polls import service, zoom

if TYPE_CHECKING:
    from app.deps import AppState

log = logging.getLogger(__name__)
MIN_DELAY = 0.05  # let the first votes of a burst land in the same flush
MAX_VOTES_PER_WRITE = 1000


class VoteBatcher:
    """Votes that arrive while writes are in flight go together in the next one.

    Group commit on top of the writer's: one `store.write` (one transaction, one savepoint)
    per batch instead of per vote. Two batches may be in flight, so the writer thread finds
    the next one waiting when it finishes a commit, however busy the event loop is.
    Each `submit` returns only after the commit that holds its vote.
    """

    def __init__(self, store: Any, in_flight: int = 2) -> None:
        self.store = store
        self.in_flight = in_flight
        self._waiting: list[tuple[service.Vote, asyncio.Future[Any]]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.writes = 0

    async def submit(self, vote: service.Vote) -> dict[str, Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((vote, fut))
        if len(self._tasks) < self.in_flight:
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await fut

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[:MAX_VOTES_PER_WRITE]
            del self._waiting[:MAX_VOTES_PER_WRITE]
            votes = [v for v, _ in batch]
            self.writes += 1
            try:
                results = await self.store.write(lambda db, v=votes: service.vote_many(db, v))
            except Exception as exc:  # noqa: BLE001 - every caller of the batch hears it
                results = [exc] * len(batch)
            for (_, fut), result in zip(batch, results, strict=True):
                if fut.done():
                    continue  # the caller went away; its ballot is stored all the same
                if isinstance(result, BaseException):
                    fut.set_exception(result)
                else:
                    fut.set_result(result)


class PollRuntime:
    def __init__(self, store: Any, settings: Any) -> None:
        self.store = store
        self.interval = float(settings.poll_results_interval)
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._last: dict[int, float] = {}
        self._closers: dict[int, asyncio.Task[None]] = {}
        self.votes = VoteBatcher(store)
        self._zoom: asyncio.Task[None] | None = None
        self.flushes = 0

    # -------------------------------------------------------------- coalescing
    def touch(self, session_id: int, poll_id: int) -> None:
        if poll_id in self._pending:
            return
        wait = max(MIN_DELAY, self._last.get(poll_id, 0.0) + self.interval - time.monotonic())
        self._pending[poll_id] = asyncio.create_task(self._flush(session_id, poll_id, wait))

    async def _flush(self, session_id: int, poll_id: int, wait: float) -> None:
        try:
            await asyncio.sleep(wait)
        finally:
            # Before the write: a vote committed after this flush's read schedules another.
            self._pending.pop(poll_id, None)
        self._last[poll_id] = time.monotonic()
        self.flushes += 1
        try:
            await self.store.write(lambda db: service.emit_results(db, session_id, poll_id))
        except Exception:  # noqa: BLE001 - the next vote or the close brings the tally
            log.exception("poll %s: results flush failed", poll_id)

    # -------------------------------------------------------------- auto-close
    def schedule_close(
        self, session_id: int, poll_id: int, opened_at: datetime | None, seconds: int | None
    ) -> None:
        if not seconds or opened_at is None:
            return
        if opened_at.tzinfo is None:
            opened_at = opened_at.replace(tzinfo=UTC)
        delay = max(0.0, (opened_at - utc_now()).total_seconds() + seconds)
        old = self._closers.pop(poll_id, None)
        if old is not None:
            old.cancel()
        self._closers[poll_id] = asyncio.create_task(self._close_later(session_id, poll_id, delay))

    async def _close_later(self, session_id: int, poll_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        self._closers.pop(poll_id, None)
        try:
            await self.store.write(
                lambda db: service.apply_action(db, session_id, poll_id, "close", "auto")
            )
        except DomainError:
            pass  # closed by hand meanwhile
        except Exception:  # noqa: BLE001 - logged; the moderator can still close it
            log.exception("poll %s: auto-close failed", poll_id)

    async def watch_zoom(self) -> None:
        """Zoom votes arrive through ingest (writer thread): flush their polls too."""
        while True:
            await asyncio.sleep(self.interval)
            for session_id, poll_id in zoom.touched():
                self.touch(session_id, poll_id)

    async def stop(self) -> None:
        if self._zoom is not None:
            self._zoom.cancel()
        tasks = [*self._pending.values(), *self._closers.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def runtime(state: AppState) -> PollRuntime:
    rt = state.polls
    if rt is None:
        rt = state.polls = PollRuntime(state.store, state.settings)
    return rt


async def start(state: AppState) -> None:
    """After a restart, open polls with an auto-close get their timer back."""
    rt = runtime(state)
    rt._zoom = asyncio.create_task(rt.watch_zoom())
    for session_id, poll_id, opened_at, seconds in await state.store.read(service.poll_ids_open):
        rt.schedule_close(session_id, poll_id, opened_at, seconds)


async def stop(state: AppState) -> None:
    rt, state.polls = state.polls, None
    if rt is not None:
        await rt.stop()
