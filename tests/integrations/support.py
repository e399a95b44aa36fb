"""Shared pieces for the social connector tests: payload files, a core-like sink,
local servers on 127.0.0.1 (uvicorn for HTTP/SSE, websockets for WebSocket), a supervisor
runner with short backoffs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn

from integrations.base import (
    Connector,
    ConnectorState,
    ConnectorStatus,
    Cursor,
    IncomingMessage,
    IngestResult,
    MemoryCursorStore,
)
from integrations.supervisor import Supervisor, SupervisorSettings

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"

FAST = SupervisorSettings(
    backoff_initial=0.02, backoff_max=0.1, healthy_after=10.0, max_rate_limit_wait=3.0
)


def payload_text(name: str) -> str:
    return (PAYLOADS / name).read_text(encoding="utf-8")


def payload(name: str) -> Any:
    return json.loads(payload_text(name))


class RecordingSink:
    """Stands in for the core's ingest: dedupes by (channel, external_id) like the core,
    and records every delivery so tests can count repeats the dedupe would hide."""

    def __init__(self) -> None:
        self.deliveries: list[IncomingMessage] = []
        self.stored: dict[tuple[str, str], IncomingMessage] = {}

    async def __call__(self, batch: Sequence[IncomingMessage]) -> Sequence[IngestResult]:
        results = []
        for message in batch:
            self.deliveries.append(message)
            key = (message.channel, message.external_id)
            duplicate = key in self.stored
            if not duplicate:
                self.stored[key] = message
            results.append(IngestResult(message.external_id, None if duplicate else 1, duplicate))
        return results

    @property
    def ids(self) -> list[str]:
        return [m.external_id for m in self.stored.values()]

    @property
    def delivered_ids(self) -> list[str]:
        return [m.external_id for m in self.deliveries]


class StatusLog:
    """Every status change, for asserting what the console would have shown."""

    def __init__(self) -> None:
        self.entries: list[tuple[ConnectorState, str | None]] = []

    def __call__(self, status: ConnectorStatus) -> None:
        self.entries.append((status.state, status.reason))

    def reasons(self) -> list[str]:
        return [r for s, r in self.entries if s is ConnectorState.ERROR and r]


async def wait_until(predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Poll `predicate` until true; fail the test with a clear message on timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def serve_http(app: Any) -> AsyncIterator[str]:
    """Run an ASGI app with uvicorn on 127.0.0.1, a free port; yield its base URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="critical",
        lifespan="off",
        ws="none",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started or task.done(), within=5)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        await task


@asynccontextmanager
async def supervise(
    connector: Connector,
    sink: RecordingSink,
    store: MemoryCursorStore,
    session: str = "s1",
    settings: SupervisorSettings = FAST,
) -> AsyncIterator[tuple[Supervisor, StatusLog]]:
    """Start a supervisor for `connector`; stop it on exit."""
    log = StatusLog()
    status = ConnectorStatus(channel=connector.channel, listener=log)
    supervisor = Supervisor(
        connector, sink, Cursor(store, session, connector.key), settings=settings, status=status
    )
    supervisor.start()
    try:
        yield supervisor, log
    finally:
        await supervisor.stop()

