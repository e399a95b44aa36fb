"""Hot POST endpoints past FastAPI's routing: one middleware and the table it reads.

Why: at thousands of requests a second (poll votes, Zoom chat webhooks), FastAPI's
routing, exception and request layers cost more CPU than the work itself. A hot endpoint
is a bare ASGI app a domain declares with its path (`Domain.hot_routes`); `HotPaths`, built
by create_app from the registry, hands a matching POST straight to it, with `path_params`
converted as Starlette's router would. Each is also an ordinary route, so other methods
still get the router's 405 and an app without the middleware still works.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from re import Pattern
from typing import Any

from starlette.requests import ClientDisconnect, cookie_parser
from starlette.responses import JSONResponse
from starlette.routing import Route, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.domain import HotRoute
from app.errors import DomainError

#: The largest request body any endpoint reads (app.limits_net refuses larger as it streams).
MAX_BODY = 1024 * 1024
Handler = Callable[[Scope, Receive, Send], Awaitable[None]]


class _Bare:
    """A handler as an ASGI app (a class, so Starlette's `Route` calls it as one)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.handler(scope, receive, send)


def hot_route(route: HotRoute) -> Route:
    """The ordinary Starlette route of a declared `HotRoute`, to mount too."""
    return Route(
        route.path, _Bare(route.handler), methods=["POST"], name=route.name, include_in_schema=False
    )


class HotPaths:
    """Middleware: registered POSTs go to their handler; everything else passes on."""

    def __init__(self, app: ASGIApp, routes: Sequence[HotRoute] = ()) -> None:
        self.app = app
        self.hot: list[tuple[Pattern[str], dict[str, Any], Handler]] = []
        for route in routes:
            regex, _format, convertors = compile_path(route.path)
            self.hot.append((regex, convertors, route.handler))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path: str = scope["path"]
            root = scope.get("root_path")
            if root and path.startswith(root):
                path = path[len(root) :]
            for regex, convertors, handler in self.hot:
                match = regex.match(path)
                if match:
                    scope["path_params"] = {
                        k: convertors[k].convert(v) for k, v in match.groupdict().items()
                    }
                    await handler(scope, receive, send)
                    return
        await self.app(scope, receive, send)


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None past `limit` bytes (chunked bodies carry no Content-Length).

    Raises `ClientDisconnect` when the client hangs up first: there is nobody to answer.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def cookie_of(scope: Scope, name: str) -> str | None:
    """One cookie of the request, read from the raw headers (no `Request` built)."""
    for key, value in scope["headers"]:
        if key == b"cookie":
            return cookie_parser(value.decode("latin-1")).get(name)
    return None


async def answer_error(exc: DomainError, scope: Scope, receive: Receive, send: Send) -> None:
    """A refused hot request, answered as the app's error handler answers any other."""
    headers = getattr(exc, "headers", None)  # Retry-After on a 429
    response = JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)
    await response(scope, receive, send)


async def answer_json(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})
