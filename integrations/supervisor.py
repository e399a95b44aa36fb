"""Keep one connector running: restart it with backoff, wait out rate limits, pause on demand.

Backoff is exponential with full jitter (sleep a random time in [0, min(max, base*2^n)])
so many sessions reconnecting after an outage do not hammer a platform in step. A run
that lasted `healthy_after` seconds or brought items resets the backoff. A rate limit
waits exactly as long as the platform asked (capped). Every change lands in `status`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from integrations.base import (
    Connector,
    ConnectorError,
    ConnectorState,
    ConnectorStatus,
    Cursor,
    CursorStore,
    FatalConnectorError,
    IncomingMessage,
    IngestResult,
    RateLimited,
    Sink,
)
from integrations.registry import create
from ports.clock import utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SupervisorSettings:
    """Timings; tests pass tiny values."""

    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    healthy_after: float = 30.0
    max_rate_limit_wait: float = 900.0


def describe(error: BaseException) -> str:
    """A reason a moderator can read: our own messages as they are, others with their type."""
    if isinstance(error, ConnectorError):
        return str(error) or type(error).__name__
    detail = str(error)
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


class Supervisor:
    """Runs one connector for one session until `stop()`."""

    def __init__(
        self,
        connector: Connector,
        sink: Sink,
        cursor: Cursor,
        *,
        settings: SupervisorSettings | None = None,
        status: ConnectorStatus | None = None,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.connector = connector
        self.sink = sink
        self.cursor = cursor
        self.settings = settings or SupervisorSettings()
        self.status = status or ConnectorStatus(channel=connector.channel)
        self.rand = rand
        self.clock = clock
        self.restarts = 0
        self._paused = False
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._run: asyncio.Task[None] | None = None
        self._items_in_run = 0

    # -- control -----------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._main(), name=f"connector:{self.connector.key}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.status.set(ConnectorState.STOPPED)

    def pause(self) -> None:
        """Stop reading now; the cursor keeps the place, so resume misses nothing."""
        self._paused = True
        self.status.set(ConnectorState.PAUSED, "paused by the moderator")
        if self._run is not None:
            self._run.cancel()
        self._changed.set()

    def resume(self) -> None:
        self._paused = False
        self._changed.set()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    # -- loop --------------------------------------------------------------------------

    async def _count(self, batch: Sequence[IncomingMessage]) -> Sequence[IngestResult]:
        results = await self.sink(batch)
        # Only new questions count: not duplicates, nor reposts/invalid ones the core refused.
        new = sum(1 for r in results if r.question_id is not None)
        self._items_in_run += new
        self.status.count_items(new, self.clock())
        return results

    async def _wait(self, seconds: float) -> None:
        """Sleep, but wake early when paused/resumed."""
        self._changed.clear()
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that lands
        # as the event fires, and stop() would then wait forever.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, seconds)):
                await self._changed.wait()

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            if self._paused:
                self.status.set(ConnectorState.PAUSED, "paused by the moderator")
                await self._wait(3600)
                continue
            if self.status.state is not ConnectorState.CONNECTED:
                self.status.set(ConnectorState.RECONNECTING, self.status.reason)
            self._items_in_run = 0
            started = loop.time()
            run = self.connector.run(self._count, self.cursor, self.status)
            self._run = asyncio.create_task(run)
            try:
                await self._run
                error: Exception = ConnectorError("the server closed the connection")
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    self._run.cancel()
                    raise
                continue  # paused: the run was cancelled, not us
            except FatalConnectorError as exc:
                log.warning("%s stopped: %s", self.connector.key, exc)
                self.status.failed(str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - any failure is retried
                error = exc
            finally:
                self._run = None
            if self._paused:
                continue
            healthy = loop.time() - started >= self.settings.healthy_after or self._items_in_run
            attempt = 0 if healthy else attempt
            if isinstance(error, RateLimited):
                delay = min(error.delay, self.settings.max_rate_limit_wait)
            else:
                ceiling = min(self.settings.backoff_max, self.settings.backoff_initial * 2**attempt)
                delay = self.rand() * ceiling
                attempt += 1
            reason = describe(error)
            log.info("%s failed (%s), retry in %.2f s", self.connector.key, reason, delay)
            self.status.failed(reason, retry_at=self.clock() + timedelta(seconds=delay))
            self.restarts += 1
            await self._wait(delay)


class SessionConnectors:
    """All connectors of one session: started and stopped with it, paused per channel.

    `configs` is `{channel: settings}` (see `integrations.registry`); `listener` is called
    on every status change, e.g. to publish it to the console.
    """

    def __init__(
        self,
        session: str,
        configs: Mapping[str, Mapping[str, Any]],
        sink: Sink,
        store: CursorStore,
        *,
        settings: SupervisorSettings | None = None,
        listener: Callable[[ConnectorStatus], None] | None = None,
    ) -> None:
        self.supervisors: dict[str, Supervisor] = {}
        for channel, config in configs.items():
            connector = create(channel, config)
            status = ConnectorStatus(channel=channel, listener=listener)
            self.supervisors[channel] = Supervisor(
                connector, sink, Cursor(store, session, connector.key),
                settings=settings, status=status,
            )

    def start(self) -> None:
        for supervisor in self.supervisors.values():
            supervisor.start()

    async def stop(self) -> None:
        await asyncio.gather(*(s.stop() for s in self.supervisors.values()))

    def pause(self, channel: str) -> None:
        self.supervisors[channel].pause()

    def resume(self, channel: str) -> None:
        self.supervisors[channel].resume()

    def statuses(self) -> list[dict[str, object]]:
        return [s.status.as_dict() for s in self.supervisors.values()]
