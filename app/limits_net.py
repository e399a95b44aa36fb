"""The network edge: bodies capped while they stream, deadlines, connections per address.

Why: a `Content-Length` check alone lets a chunked body through, and FastAPI reads a
route's whole body before its dependencies refuse the caller; four 200 MB chunked posts
took the server to 2.3 GB. A body that stops after one byte held its connection for
minutes, and uvicorn has no deadline for request headers at all. What is here:

- `guard_body` wraps a chunked request's `receive` so the request fails with 413 the
  moment more than `MAX_BODY` bytes have arrived (nothing past that is buffered). It
  raises an `HTTPException` from `receive`: FastAPI lets those through its body parsing,
  so the app's handler answers them as JSON; a bare hot path lets it reach
  `SecurityHeaders`, which answers. The answer carries `connection: close`, so uvicorn
  stops reading instead of draining the rest of a 200 MB upload. A request with a
  `Content-Length` needs no wrapper: over the cap it is refused before its body, and
  httptools reads no more than the length said.
- `guard_body` also refuses, at the headers, a chunked body (411) or a declared length
  over `anonymous_max_body` (64 KiB, 413) on the routes anyone reaches without a role
  key or a webhook signature (`ANONYMOUS_WRITES`: questions, upvotes, votes, floor
  requests). A browser's `fetch` always sends a length and a question is 2,000
  characters at most, so no honest phone is refused; an upload costs a header parse
  instead of a 1 MiB read (twenty reconnecting 200 MB uploads made the server read
  ~100 MB/s). The answer comes before any body byte is asked for, with `connection:
  close`, so uvicorn reads no more of it. 411 for chunked: the precise answer ("send a
  length"), which is all a legitimate streaming client needs to change.
- `EdgeHttp`, uvicorn's httptools protocol with deadlines (request line and headers;
  a body that pauses longer than `body_timeout` or takes more than
  `BODY_TIMEOUT_FACTOR` times that), a size cap for headers and a cap on concurrent
  connections per peer address. Deadlines live here, not in ASGI, because the protocol
  sees every byte arrive for the cost of a float store; an ASGI `receive` under
  `asyncio.timeout` cost 9.5 us per request, 4% of a vote.
- `WsOpens`, a per-address token bucket for new WebSocket sockets (checked in ASGI,
  where the address behind a trusted proxy is known).

The limits sit far above what a venue reaches: a room of 2,000 phones behind one NAT
opens its sockets in one burst and loads pages with a few connections each.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.hot_paths import MAX_BODY

log = logging.getLogger("floorbridge.net")

#: Where `create_app`'s lifespan puts the `NetLimits` for the protocol (uvicorn's
#: lifespan state reaches each connection's protocol as `app_state`).
STATE_KEY = "floorbridge.net"
#: The whole body must arrive within this many times the pause allowed between pieces.
BODY_TIMEOUT_FACTOR = 3
#: Request line plus headers, in bytes (h11's own default is 16 KiB; browsers send ~2).
MAX_HEADER_BYTES = 64 * 1024
TOO_LARGE = f"request body too large ({MAX_BODY // (1024 * 1024)} MiB at most)"


class BodyRefused(HTTPException):
    """The request body broke a limit: answered with `detail` and the connection closed."""


def too_large() -> BodyRefused:
    return BodyRefused(413, TOO_LARGE)


#: Default of `FLOORBRIDGE_ANONYMOUS_MAX_BODY`: the largest body an anonymous write may
#: declare. A question (2,000 characters, 4-byte UTF-8 at worst, JSON-escaped) fits
#: with room to spare.
ANONYMOUS_MAX_BODY = 64 * 1024
#: The writes anyone may send without a role key or a webhook signature (the audience's):
#: ask, upvote, vote, raise a hand (`/floor`). Matched against the path only when a body
#: is chunked or declares more than the anonymous cap, so a vote never pays for it.
ANONYMOUS_WRITES = re.compile(
    r"/api/sessions/[^/]+/(?:questions(?:/[^/]+/upvote)?|polls/[^/]+/votes|floor(?:/[^/]+)?)/?\Z"
)
#: The same, for the raw request target the protocol sees (`EdgeHttp`), query included.
_ANONYMOUS_TARGET = re.compile(ANONYMOUS_WRITES.pattern.replace(r"/?\Z", r"/?(?:\?.*)?\Z").encode())
LENGTH_REQUIRED = BodyRefused(
    411, "send this request with a Content-Length (chunked bodies are not accepted here)"
)


def anonymous_too_large(cap: int) -> BodyRefused:
    return BodyRefused(413, f"request body too large ({cap // 1024} KiB at most here)")


class GuardedReceive:
    """`receive` for a chunked request: refuses the body once `MAX_BODY` bytes arrived.

    Only chunked bodies need counting (httptools reads exactly `Content-Length` bytes), so
    the hot paths, whose clients send a length, pass here without a wrapper. After a
    refusal it repeats the refusal.
    """

    __slots__ = ("receive", "left", "done", "refused")

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.left = MAX_BODY
        self.done = False
        self.refused: BodyRefused | None = None

    async def __call__(self) -> Message:
        if self.done:
            return await self.receive()
        if self.refused is not None:
            raise too_large()
        message = await self.receive()
        if message["type"] != "http.request":
            self.done = True
            return message
        self.left -= len(message.get("body", b""))
        if self.left < 0:
            self.refused = too_large()
            raise self.refused
        if not message.get("more_body", False):
            self.done = True
        return message


def refusal_at_the_headers(
    headers: list[tuple[bytes, bytes]], target: bytes, anonymous_cap: int
) -> BodyRefused | None:
    """The 411/413 that `guard_body` would answer on an anonymous write, decided by the
    protocol from the raw headers and request target, before an ASGI task exists (an
    upload then costs a header parse: no task, no middleware, no body byte read)."""
    length = -1
    for name, value in headers:
        if name == b"transfer-encoding":
            length = -2
            break
        if name == b"content-length":
            length = int(value) if value.isdigit() else 0  # odd ones: ASGI answers them
    if length == -2:
        refusal = LENGTH_REQUIRED
    elif length > anonymous_cap:
        refusal = anonymous_too_large(anonymous_cap)
    else:
        return None
    return refusal if _ANONYMOUS_TARGET.search(target) else None


class _Refused:
    """Stands in for the request cycle of a request refused at the headers: uvicorn's
    parser callbacks for the rest of the bytes already received see a finished response
    and drop them."""

    response_complete = True
    more_body = False
    disconnected = False
    response_started = True

    class message_event:  # noqa: N801 - the attribute uvicorn's connection_lost sets
        @staticmethod
        def set() -> None:
            return None


REFUSED = _Refused()


def guard_body(
    headers: list[tuple[bytes, bytes]],
    receive: Receive,
    path: str = "",
    anonymous_cap: int = ANONYMOUS_MAX_BODY,
) -> Any:
    """`receive` itself, a `GuardedReceive` for a chunked body, or the refusal (411/413)
    to answer at once, before any body byte is read: `Content-Length` over the cap or not a
    number; on an anonymous write (`ANONYMOUS_WRITES`) a chunked body, or a length over
    `anonymous_cap` (0: no separate anonymous cap)."""
    chunked = False
    length = 0
    for name, value in headers:
        if name == b"content-length":
            if not value.isdigit():
                return too_large()
            length = int(value)
            if length > MAX_BODY:
                return too_large()
        elif name == b"transfer-encoding":
            chunked = True  # wins over a Content-Length, as in every HTTP/1.1 parser
    if chunked:
        if anonymous_cap and ANONYMOUS_WRITES.search(path):
            return LENGTH_REQUIRED
        return GuardedReceive(receive)
    if length > anonymous_cap > 0 and ANONYMOUS_WRITES.search(path):
        return anonymous_too_large(anonymous_cap)
    return receive


# ---------------------------------------------------------------- per address


class WsOpens:
    """New WebSocket sockets per address: a bucket of `per_minute` refilled evenly.

    The whole bucket is available at once, so a room reconnecting after a Wi-Fi drop
    (every phone within seconds) gets in; a script opening sockets in a loop does not.
    """

    def __init__(self, per_minute: float, most_addresses: int = 100_000) -> None:
        self.capacity = per_minute
        self.rate = per_minute / 60.0
        self.most = most_addresses
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, address: str | None, now: float | None = None) -> bool:
        if self.capacity <= 0 or address is None:
            return True
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(address, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[address] = (tokens, now)
            return False
        if len(self._buckets) >= self.most and address not in self._buckets:
            self._buckets.clear()  # a flood of addresses: forgetting is the cheap safe side
        self._buckets[address] = (tokens - 1, now)
        return True


@dataclass
class NetLimits:
    """One server's (one process's) limits and its live per-address counts."""

    connections_per_ip: int = 4096
    #: The largest body an anonymous write may declare; chunked ones are refused (411).
    anonymous_max_body: int = ANONYMOUS_MAX_BODY
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    #: Seconds a refusal at the headers (411/413) waits before it is sent, the connection
    #: not read meanwhile: an uploader that reconnects at once then retries once a second.
    refusal_delay: float = 0.0
    ws_opens: WsOpens = field(default_factory=lambda: WsOpens(3000))
    #: Addresses never capped: reverse proxies that uvicorn trusts for X-Forwarded-For
    #: (their one address carries every client; loopback by default, so the benches'
    #: 10,000 sockets from one machine get in); filled from uvicorn's config.
    exempt: Any = None
    connections: dict[str, int] = field(default_factory=dict)
    refused_connections: int = 0
    #: Anonymous writes refused at the headers by the protocol (chunked, or too long).
    refused_bodies: int = 0

    def ws_open_allowed(self, address: str | None) -> bool:
        """A new WebSocket from `address` (the client behind a trusted proxy, if any).

        A trusted proxy's own address is exempt; with `FORWARDED_ALLOW_IPS=*` every peer
        is "trusted", so there only the forwarded client counts (always limited)."""
        exempt = self.exempt
        if exempt and not getattr(exempt, "always_trust", False) and address in exempt:
            return True
        return self.ws_opens.allow(address)

    @classmethod
    def from_settings(cls, settings: Any) -> NetLimits:
        return cls(
            connections_per_ip=settings.max_connections_per_ip,
            anonymous_max_body=settings.anonymous_max_body,
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            refusal_delay=settings.refusal_delay,
            ws_opens=WsOpens(settings.ws_connects_per_ip_minute),
        )


def _exempt(config: Any) -> Any:
    """The addresses uvicorn trusts for X-Forwarded-For (names, IPs, networks, `*`), with
    uvicorn's own matching; nothing when proxy headers are off."""
    if not config.proxy_headers:
        return frozenset()
    try:
        from uvicorn.middleware.proxy_headers import _TrustedHosts
    except ImportError:  # an older uvicorn: exact addresses only
        allowed = config.forwarded_allow_ips
        if isinstance(allowed, str):
            allowed = allowed.split(",")
        return frozenset(a.strip() for a in allowed or () if a.strip())
    return _TrustedHosts(config.forwarded_allow_ips)


_TOO_MANY = b'{"detail":"too many connections from your address"}'
_HEADERS_SLOW = b'{"detail":"the request headers did not arrive in time"}'
_HEADERS_BIG = b'{"detail":"the request headers are too large"}'


def _raw_answer(status: bytes, body: bytes) -> bytes:
    return b"".join(
        (
            b"HTTP/1.1 ",
            status,
            b"\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ",
            b"%d" % len(body),
            b"\r\n\r\n",
            body,
        )
    )


class EdgeHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol plus per-address connection caps and header limits.

    uvicorn times out idle keep-alive connections only: a client that connects and sends
    nothing, or dribbles its headers a byte at a time, holds a connection (and a file
    descriptor) forever. Here the request line and headers must arrive within
    `header_timeout` of the connection opening (or of the first byte of a following
    request) and within `MAX_HEADER_BYTES`. The limits come from the app's lifespan state
    (`STATE_KEY`); without it (another app) this is plain uvicorn.
    """

    _net: NetLimits | None = None
    _address: str | None = None
    _header_timer: asyncio.TimerHandle | None = None
    _header_bytes = -1  # >= 0 while a request line and headers are being read

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        net = self.app_state.get(STATE_KEY)
        if not isinstance(net, NetLimits):
            return
        self._net = net
        if net.exempt is None:
            net.exempt = _exempt(self.config)
        address = self.client[0] if self.client else None
        if address is not None and net.connections_per_ip > 0 and address not in net.exempt:
            count = net.connections.get(address, 0)
            if count >= net.connections_per_ip:
                net.refused_connections += 1
                if net.refused_connections % 1000 == 1:
                    log.warning("refusing connections from %s: %d open", address, count)
                transport.write(_raw_answer(b"503 Service Unavailable", _TOO_MANY))
                transport.close()
                return
            net.connections[address] = count + 1
            self._address = address
        self._start_headers()

    def _release(self) -> None:
        for timer in (self._header_timer, self._body_timer, self._refusal_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = self._refusal_timer = None
        address, self._address = self._address, None
        if address is not None and self._net is not None:
            left = self._net.connections.get(address, 1) - 1
            if left > 0:
                self._net.connections[address] = left
            else:
                self._net.connections.pop(address, None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._release()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._release()  # the socket is the WebSocket protocol's now (rate-limited in ASGI)
        self._net = None
        super().handle_websocket_upgrade()

    def _start_headers(self) -> None:
        self._header_bytes = 0
        if self._header_timer is None and self._net is not None:
            self._header_timer = self.loop.call_later(
                self._net.header_timeout, self._headers_too_slow
            )

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._header_bytes >= 0 and not self.transport.is_closing():
            self.transport.write(_raw_answer(b"408 Request Timeout", _HEADERS_SLOW))
            self.transport.close()

    # Per request, nothing here arms a timer unless a read ends with the headers or the
    # body still incomplete: a request that comes in one piece (a vote) costs two
    # attribute checks, not a TimerHandle.

    def on_message_begin(self) -> None:
        if self._header_bytes < 0:
            self._header_bytes = 0  # the deadline is armed by data_received, if needed
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._header_bytes = -1
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        net = self._net
        if net is not None:
            if self.transport.is_closing() or self._refusal_timer is not None:
                # a request pipelined after a refused one
                self.cycle = REFUSED  # type: ignore[assignment]
                return
            if net.anonymous_max_body:
                refused = refusal_at_the_headers(self.headers, self.url, net.anonymous_max_body)
                if refused is not None:
                    self._refuse(refused)
                    return
        super().on_headers_complete()

    _refusal_timer: asyncio.TimerHandle | None = None

    def _refuse(self, refused: BodyRefused) -> None:
        """Answer `refused` and hang up: the body is never read (the kernel drops what the
        client still sends). The answer waits `refusal_delay`, reading paused: twenty
        uploaders reconnecting the moment they were answered cost 250 connections a second."""
        net = self._net
        assert net is not None
        net.refused_bodies += 1
        status = b"%d %s" % (
            refused.status_code,
            b"Length Required" if refused.status_code == 411 else b"Content Too Large",
        )
        answer = _raw_answer(status, orjson.dumps({"detail": refused.detail}))
        self.cycle = REFUSED  # type: ignore[assignment]
        if net.refusal_delay > 0:
            self.transport.pause_reading()
            self._refusal_timer = self.loop.call_later(net.refusal_delay, self._answer, answer)
        else:
            self._answer(answer)

    def _answer(self, answer: bytes) -> None:
        self._refusal_timer = None
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()

    _body_timer: asyncio.TimerHandle | None = None
    _body_cycle: Any = None  # the request whose body the timer watches
    _body_since = 0.0  # when its body started to be waited for
    _body_seen = 0.0  # when bytes last arrived

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        net = self._net
        if net is None:
            return
        if self._header_bytes >= 0:  # headers still incomplete: all of `data` was headers
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES and not self.transport.is_closing():
                self._header_bytes = -1
                self.transport.write(
                    _raw_answer(b"431 Request Header Fields Too Large", _HEADERS_BIG)
                )
                self.transport.close()
            elif self._header_timer is None:
                self._header_timer = self.loop.call_later(
                    net.header_timeout, self._headers_too_slow
                )
        elif self._body_timer is not None:
            self._body_seen = self.loop.time()
        elif self.cycle is not None and self.cycle.more_body:
            self._watch_body(self.loop.time())

    def _watch_body(self, now: float) -> None:
        assert self._net is not None
        self._body_cycle = self.cycle
        self._body_since = self._body_seen = now
        self._body_timer = self.loop.call_at(now + self._net.body_timeout, self._check_body)

    def _check_body(self) -> None:
        self._body_timer = None
        cycle = self.cycle
        if self._net is None or self.transport.is_closing() or cycle is None:
            return
        if not cycle.more_body:  # complete (this request's, or the next one is in)
            return
        now = self.loop.time()
        if cycle is not self._body_cycle:  # a later request's body: its own clock
            self._watch_body(now)
            return
        gap = self._net.body_timeout
        if self.flow.read_paused:  # the app has not read what came: not the client's fault
            self._body_since = self._body_seen = now
        elif now - self._body_seen >= gap or now - self._body_since >= gap * BODY_TIMEOUT_FACTOR:
            if not cycle.response_started:
                detail = f"the request body did not arrive in time ({gap:g} s)"
                self.transport.write(
                    _raw_answer(b"408 Request Timeout", orjson.dumps({"detail": detail}))
                )
            self.transport.close()
            return
        due = min(self._body_seen + gap, self._body_since + gap * BODY_TIMEOUT_FACTOR)
        self._body_timer = self.loop.call_at(max(due, now + 0.01), self._check_body)
