"""The FastAPI application: wiring only (state, routers, error shapes, security headers)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import health, openapi, pages, redact
from app.auth import Signer
from app.busy import BusyWhileAnswering
from app.config import Settings, get_settings
from app.core.domain import Domain, Registry
from app.db import Store
from app.deps import AppState
from app.domains import DOMAINS
from app.errors import DomainError
from app.hot_paths import HotPaths, hot_route
from app.limits_net import STATE_KEY, BodyRefused, GuardedReceive, NetLimits, guard_body
from app.live.bus import make_bus
from app.live.hub import Hubs
from app.migrate import upgrade
from app.origin import SameOrigin
from app.sessions.service import SlugCache

if TYPE_CHECKING:
    from fastapi.telemetry import TelemetryConfig

log = logging.getLogger("floorbridge")
ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))
CLOSE = (b"connection", b"close")


class SecurityHeaders:
    """CSP on every HTML page; request bodies capped as they stream; new WebSockets per
    address rate-limited (app.limits_net says why; its EdgeHttp times bodies out).

    Pure ASGI and cheap per request (no dicts of headers): every request passes here.
    """

    def __init__(self, app: ASGIApp, net: NetLimits | None = None) -> None:
        self.app = app
        self.net = net or NetLimits()
        self.anonymous_cap = self.net.anonymous_max_body
        self.html_headers = [(b"content-security-policy", pages.CSP.encode()), *ALWAYS]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                client = scope.get("client")
                if not self.net.ws_open_allowed(client[0] if client else None):
                    await _ws_refuse(scope, send)
                    return
            await self.app(scope, receive, send)
            return
        guarded = guard_body(scope["headers"], receive, scope["path"], self.anonymous_cap)
        if guarded.__class__ is BodyRefused:
            await _json(send, guarded.status_code, guarded.detail)
            return
        html_headers = self.html_headers
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = message.get("headers") or []
                extra: Sequence[tuple[bytes, bytes]] = ALWAYS
                for name, value in headers:
                    if name == b"content-type":
                        if value.startswith(b"text/html"):
                            extra = html_headers
                        break
                if guarded.__class__ is GuardedReceive and not guarded.done:
                    # Refused, or answered before a chunked body ended: uvicorn would
                    # otherwise read (and drop) the rest of it, however long it is.
                    extra = (*extra, CLOSE)
                message["headers"] = [*headers, *extra]
            await send(message)

        try:
            await self.app(scope, guarded, send_with_headers)
        except BodyRefused as exc:  # from a bare hot path's read of the body
            if started:
                raise
            await _json(send, exc.status_code, exc.detail)


async def _ws_refuse(scope: Scope, send: Send) -> None:
    """429 before the handshake completes (uvicorn's HTTP-response extension), else a close."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1013})
        return
    import orjson

    body = orjson.dumps({"detail": "too many new live connections from your address"})
    await send(
        {
            "type": "websocket.http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
                (b"retry-after", b"5"),
            ],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})


async def _json(send: Send, status: int, detail: str) -> None:
    import orjson

    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
                CLOSE,
                *ALWAYS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _validation_detail(exc: RequestValidationError) -> tuple[int, str]:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return 400, "the body is not valid JSON"
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return 422, "; ".join(parts) or "invalid request"


def build_state(settings: Settings, registry: Registry) -> AppState:
    store = Store(settings.resolved_database_url())
    bus = make_bus(settings.bus_url)
    admin, admin_new = settings.persistent_secret("admin_token", settings.admin_token)
    secret, _ = settings.persistent_secret("secret_key", settings.secret_key)
    if admin_new:
        print(f"Admin token (generated, kept in {settings.data_dir}/admin_token): {admin}")
    state = AppState(
        settings=settings,
        store=store,
        bus=bus,
        hubs=Hubs(store, bus, registry.filters),
        sessions=SlugCache(store),
        signer=Signer(secret),
        admin_token=admin,
        registry=registry,
    )
    store.app = state  # what the hooks inside a transaction find as `db.info["app"]`
    return state


def create_app(
    settings: Settings | None = None,
    *,
    domains: Sequence[Domain] = DOMAINS,
    on_start: Any = None,
) -> FastAPI:
    settings = settings or get_settings()
    redact.install()  # role keys in socket URLs never reach a log line
    registry = Registry(tuple(domains))  # refuses clashing domains, before anything starts
    state = build_state(settings, registry)
    net = state.net = NetLimits.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        upgrade(state.store.url)
        await state.bus.connect()
        state.store.on_commit = state.bus.publish
        state.store.start()
        for hook in registry.startup:
            await hook(state)
        if on_start is not None:
            await on_start(state)
        try:
            yield {STATE_KEY: net}  # uvicorn hands this to each connection (limits_net.EdgeHttp)
        finally:
            for hook in registry.shutdown:
                await hook(state)
            await state.tasks.cancel_all(wait=5)  # a read in a thread ends first
            await state.hubs.close_all()
            await state.bus.disconnect()
            state.store.stop()

    # Metrics are Prometheus (app.health); FastAPI's OpenTelemetry hooks asked the global
    # providers on every request (about 2% of a vote's CPU) for nothing.
    off: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
    app = FastAPI(title="Floorbridge", version="1", lifespan=lifespan, telemetry=off)
    app.state.fb = state

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        headers = getattr(exc, "headers", None)  # e.g. Retry-After on a 429
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail = _validation_detail(exc)
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such page or API call"
        return JSONResponse({"detail": detail}, status_code=exc.status_code)

    # Votes and webhooks skip routing (app.hot_paths); timed.
    app.add_middleware(HotPaths, routes=registry.hot_routes)
    health.instrument(app, state)
    for route in registry.hot_routes:  # the ordinary route too (other methods get a 405)
        app.router.routes.append(hot_route(route))
    for router in registry.routers:
        app.include_router(router)
    app.mount("/ui", StaticFiles(directory=pages.STATIC, check_dir=False), name="ui")
    openapi.install(app)
    app.add_middleware(SameOrigin, public_url=settings.public_url)  # app/origin.py
    app.add_middleware(SecurityHeaders, net=net)
    app.add_middleware(BusyWhileAnswering, busy=state.busy)  # outermost: app/busy.py
    return app
