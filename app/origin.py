"""Refuse state-changing requests and live sockets that a browser says come from elsewhere.

Why: role cookies are SameSite=Lax, and "site" ignores the port, so a page on another port
of the same host (or another subdomain) rides along with the moderator's cookie: it could
open polls, push items, upload CSVs, and read the moderator's socket. A browser always
says where a request comes from (`Sec-Fetch-Site`, and `Origin` on every POST and every
WebSocket handshake); a request from a script says nothing and carries no ambient
credential, so it goes through.

The rule, for POST/PUT/PATCH/DELETE and every WebSocket handshake:
- `Sec-Fetch-Site: same-origin` or `none` passes, `same-site` or `cross-site` is refused
  (the browser's own verdict; it holds behind a proxy that rewrites Host);
- else an `Origin` must be this server's own: the request's scheme and Host, or the
  origin of FLOORBRIDGE_PUBLIC_URL when set (`null` is refused);
- neither header: passes (not a browser, or one too old to matter).
Requests that carry no cookie and prove themselves explicitly (an `Authorization` header;
the signed webhooks under /integrations/) are not ambient-credential calls and pass.

Pure ASGI, one pass over the headers: the vote path (thousands a second) goes through it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SITE_OK = frozenset({b"same-origin", b"none"})
SITE_REFUSED = frozenset({b"same-site", b"cross-site"})
SIGNED_PREFIX = "/integrations/"
DEFAULT_PORTS = {"http": "80", "https": "443"}
DETAIL = "cross-origin request refused: use the Floorbridge pages of this server"


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]`, lowercased, default port dropped; None if not an http URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    if port is not None and str(port) != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


class SameOrigin:
    """Middleware: the rule in the module docstring; 403 with a JSON detail otherwise."""

    def __init__(self, app: ASGIApp, public_url: str | None = None) -> None:
        self.app = app
        self.public = origin_of(public_url) if public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        checked = kind == "websocket" or (kind == "http" and scope["method"] in STATE_CHANGING)
        if checked and not self.allowed(scope):
            if kind == "websocket":
                await _refuse_socket(scope, receive, send)
            else:
                await _refuse_http(send)
            return
        await self.app(scope, receive, send)

    def allowed(self, scope: Scope) -> bool:
        origin = site = host = None
        cookie = explicit = False
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"sec-fetch-site":
                site = value
            elif name == b"cookie":
                cookie = True
            elif name == b"authorization":
                explicit = True
            elif name == b"host":
                host = value
        if origin is None and site is None:
            return True
        if not cookie and (explicit or scope["path"].startswith(SIGNED_PREFIX)):
            return True
        if site is not None:
            site = site.lower()
            if site in SITE_OK:
                return True
            if site in SITE_REFUSED:
                return False
        if origin is None:
            return True  # an unknown Sec-Fetch-Site value and no Origin: nothing to judge
        return self.own(scope, origin.decode("latin-1"), host)

    def own(self, scope: Scope, origin: str, host: bytes | None) -> bool:
        scheme = {"ws": "http", "wss": "https"}.get(scope["scheme"], scope["scheme"])
        if host is not None and origin == f"{scheme}://{host.decode('latin-1')}":
            return True  # the common case, no parsing
        given = origin_of(origin) if origin != "null" else None
        if given is None:
            return False
        if given == self.public:
            return True
        return host is not None and given == origin_of(f"{scheme}://{host.decode('latin-1')}")


BODY = orjson.dumps({"detail": DETAIL})
HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]


async def _refuse_http(send: Send) -> None:
    await send({"type": "http.response.start", "status": 403, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


async def _refuse_socket(scope: Scope, receive: Receive, send: Send) -> None:
    """Closed before the handshake: the server answers HTTP 403. (Not the denial-response
    extension: uvicorn's sans-I/O protocol logs an ERROR for each one, so a hostile page
    could fill the log.)"""
    await receive()  # websocket.connect
    await send({"type": "websocket.close", "code": 1008, "reason": DETAIL})
