"""`/healthz` (the process answers), `/readyz` (database and bus reachable) and `/metrics`.

Why per-app registries: tests run several apps in one process, and a proxy or an
orchestrator asks each replica about itself. Prometheus text via `prometheus_client`.
The proxy in docker-compose keeps /metrics off the public side.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.deps import AppState, StateDep

router = APIRouter()
CHECK_TIMEOUT = 3.0
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# Requests whose latency we keep, by what they are: a question arriving, a moderator acting.
# One regex, one named group per kind: one match per POST, whatever the number of kinds.
_KINDS = re.compile(
    r"(?P<ingest_webhook>/integrations/)"
    r"|/api/sessions/[^/]+/(?:(?P<ingest_audience>questions$)"
    r"|(?P<moderator_action>questions/\d+/actions/|stage/next))"
)


class Metrics:
    def __init__(self, state: AppState) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events = Counter("floorbridge_events", "Events committed by this process", registry=r)
        self.requests = Histogram(
            "floorbridge_request_seconds",
            "Latency of ingest and moderator requests, until the change is committed",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.fanout = Histogram(
            "floorbridge_fanout_seconds",
            "Time to filter, encode and queue one event for a session's local sockets",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.bus_lag = Histogram(
            "floorbridge_bus_lag_seconds",
            "Publish-to-receipt delay of events from other processes (Redis bus)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        r.register(_Live(state))
        state.hubs.stats.on_fanout = lambda _clients, seconds: self.fanout.observe(seconds)
        stats = getattr(state.bus, "stats", None)
        if stats is not None:
            stats.on_lag = self.bus_lag.observe


class _Live:
    """Numbers read at scrape time: sockets per role, slow clients dropped, bus counters."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Any:
        sockets = GaugeMetricFamily(
            "floorbridge_sockets", "Live sockets held by this process", labels=["role"]
        )
        counts = self.state.hubs.counts()
        for role in ("moderator", "stage", "screen", "rapporteur", "audience"):
            sockets.add_metric([role], counts.get(role, 0))
        yield sockets
        yield CounterMetricFamily(
            "floorbridge_dropped_slow_clients",
            "Sockets closed because they did not read fast enough (they resync on reconnect)",
            value=self.state.hubs.stats.dropped_slow,
        )
        mode = self.state.hubs.mode()
        live = GaugeMetricFamily(
            "floorbridge_live_mode",
            "1 for how other workers' events reach this worker's sockets now: the bus, or "
            "the shared log (read by polling while the bus subscription is lost)",
            labels=["mode"],
        )
        for name in ("bus", "log"):
            live.add_metric([name], 1 if mode == name else 0)
        yield live
        yield CounterMetricFamily(
            "floorbridge_log_polls",
            "Reads of the event log by hubs while the bus subscription was lost",
            value=self.state.hubs.stats.log_polls,
        )
        ownership = self.state.ownership
        if ownership is not None:
            changes = CounterMetricFamily(
                "floorbridge_ownership_changes",
                "Sessions whose background work this worker took over (acquired), had taken "
                "from it (lost) or gave back at shut-down (released)",
                labels=["change"],
            )
            for change in ("acquired", "lost", "released"):
                changes.add_metric([change], getattr(ownership.stats, change))
            yield changes
            yield GaugeMetricFamily(
                "floorbridge_owned_sessions",
                "Sessions whose background work (connectors, Zoom Q&A polls) this worker runs",
                value=len(ownership.held),
            )
        yield CounterMetricFamily(
            "floorbridge_frames_direct",
            "Frames written pre-framed to idle sockets, below ASGI (app/live/direct_write.py)",
            value=self.state.hubs.stats.direct_frames,
        )
        stats = getattr(self.state.bus, "stats", None)
        if stats is not None:
            yield GaugeMetricFamily(
                "floorbridge_bus_last_lag_seconds",
                "Delay of the last event received from another process",
                value=stats.last_lag,
            )
            yield CounterMetricFamily(
                "floorbridge_bus_reconnects", "Times the bus lost Redis", value=stats.reconnects
            )
            yield CounterMetricFamily(
                "floorbridge_bus_unsent_dropped",
                "Events never sent to Redis (it was away too long; peers resync from the log)",
                value=stats.dropped_unsent,
            )


class Timing:
    """Times the requests listed in `_KINDS` (pure ASGI: it must not touch WebSockets)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (
            _KINDS.match(scope["path"])
            if scope["type"] == "http" and scope["method"] == "POST"
            else None
        )
        if match is None:
            await self.app(scope, receive, send)
            return
        kind = match.lastgroup
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.metrics.requests.labels(kind).observe(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, timed)


def instrument(app: FastAPI, state: AppState) -> None:
    """Called once by create_app (the routes come with the domains): registry and timer."""
    metrics = state.metrics = Metrics(state)
    app.add_middleware(Timing, metrics=metrics)


async def count_events(state: AppState) -> None:
    """Wrap the publish-after-commit hook (set just before start-up hooks run) to count."""
    metrics = state.metrics
    if metrics is None:
        return
    publish = state.store.on_commit

    def counted(events: list[Any]) -> None:
        metrics.events.inc(len(events))
        publish(events)

    state.store.on_commit = counted


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _database_ok(state: AppState) -> str:
    try:
        await asyncio.wait_for(
            state.store.read(lambda db: db.exec(text("SELECT 1")).one()), CHECK_TIMEOUT
        )
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said plainly
        return f"unreachable ({exc.__class__.__name__})"
    return "ok"


async def _bus_ok(state: AppState) -> str:
    ping = getattr(state.bus, "ping", None)
    if ping is None:
        return "ok"  # the in-process bus cannot be away
    try:
        ok = await asyncio.wait_for(ping(), CHECK_TIMEOUT)
    except Exception:  # noqa: BLE001
        ok = False
    return "ok" if ok else "unreachable"


@router.get("/readyz", include_in_schema=False)
async def readyz(state: StateDep) -> JSONResponse:
    database, bus = await asyncio.gather(_database_ok(state), _bus_ok(state))
    # "live": "bus", or "log" while the bus subscription is lost and the hubs read the log.
    body: dict[str, str] = {"database": database, "bus": bus, "live": state.hubs.mode()}
    if database == "ok" and bus == "ok":
        return JSONResponse({"status": "ready", **body})
    missing = " and ".join(n for n, v in (("database", database), ("bus", bus)) if v != "ok")
    detail = f"not ready: the {missing} cannot be reached"
    return JSONResponse({"detail": detail, **body}, status_code=503)


@router.get("/metrics", include_in_schema=False)
async def metrics(state: StateDep) -> Response:
    assert state.metrics is not None  # set by create_app (instrument)
    registry = state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
