"""The app's own pure-ASGI middlewares, each on a tiny app: headers, body cap, timing."""

from __future__ import annotations

from typing import Any

import pytest

from app.health import _KINDS
from app.main import SecurityHeaders


def asgi_app(content_type: bytes):
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", content_type), (b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


async def call(app: Any, headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": headers}
    await app(scope, receive, send)
    return sent


async def test_html_gets_a_csp_everything_gets_nosniff_and_a_referrer_policy():
    html = dict(
        (await call(SecurityHeaders(asgi_app(b"text/html; charset=utf-8")), []))[0]["headers"]
    )
    assert b"script-src" in html[b"content-security-policy"]
    assert html[b"x-content-type-options"] == b"nosniff"
    assert html[b"referrer-policy"] == b"same-origin"
    data = dict((await call(SecurityHeaders(asgi_app(b"application/json")), []))[0]["headers"])
    assert b"content-security-policy" not in data
    assert data[b"x-content-type-options"] == b"nosniff"


@pytest.mark.parametrize("length", [b"1048577", b"12x", b"-1"])
async def test_a_body_over_one_mebibyte_or_an_odd_length_is_413(length):
    sent = await call(SecurityHeaders(asgi_app(b"text/plain")), [(b"content-length", length)])
    assert sent[0]["status"] == 413 and b"1 MiB" in sent[1]["body"]


async def test_a_body_of_one_mebibyte_passes():
    sent = await call(SecurityHeaders(asgi_app(b"text/plain")), [(b"content-length", b"1048576")])
    assert sent[0]["status"] == 200


async def call_at(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> list[dict]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("a body refused at the headers is never read")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "http", "method": "POST", "path": path, "headers": headers}, receive, send)
    return sent


ANONYMOUS = [
    "/api/sessions/ab12/questions",
    "/api/sessions/ab12/questions/7/upvote",
    "/api/sessions/ab12/polls/3/votes",
    "/api/sessions/ab12/floor",
    "/api/sessions/ab12/floor/9",
    "/root/api/sessions/ab12/questions/",  # under a root path, a trailing slash
]
AUTHENTICATED = [
    "/api/sessions",
    "/api/sessions/ab12/questions/7/merge",
    "/api/sessions/ab12/questions/7/actions/approve",
    "/api/sessions/ab12/notes",
    "/api/sessions/ab12/zoom/qa/import",
    "/integrations/zoom/webhook",
    "/integrations/webhook/slack",
]
CHUNKED = [(b"transfer-encoding", b"chunked")]


@pytest.mark.parametrize("path", ANONYMOUS)
async def test_anonymous_writes_refuse_chunked_and_big_bodies_before_reading(path):
    guard = SecurityHeaders(asgi_app(b"text/plain"))
    sent = await call_at(guard, path, CHUNKED)
    assert sent[0]["status"] == 411 and b"Content-Length" in sent[1]["body"]
    assert (b"connection", b"close") in sent[0]["headers"]
    sent = await call_at(guard, path, [(b"content-length", b"%d" % (64 * 1024 + 1))])
    assert sent[0]["status"] == 413 and b"64 KiB" in sent[1]["body"]
    assert (b"connection", b"close") in sent[0]["headers"]
    assert (await call_at(guard, path, [(b"content-length", b"65536")]))[0]["status"] == 200


@pytest.mark.parametrize("path", AUTHENTICATED)
async def test_other_routes_keep_the_streamed_one_mebibyte_cap(path):
    guard = SecurityHeaders(asgi_app(b"text/plain"))
    sent = await call_at(guard, path, [(b"content-length", b"1048576")])
    assert sent[0]["status"] == 200
    sent = await call_at(guard, path, CHUNKED)  # the app answers without reading: fine
    assert sent[0]["status"] == 200


async def test_the_anonymous_cap_is_a_setting_and_zero_leaves_only_the_mebibyte():
    from app.limits_net import NetLimits

    path = ANONYMOUS[0]
    small = SecurityHeaders(asgi_app(b"text/plain"), NetLimits(anonymous_max_body=1024))
    sent = await call_at(small, path, [(b"content-length", b"1025")])
    assert sent[0]["status"] == 413 and b"1 KiB" in sent[1]["body"]
    off = SecurityHeaders(asgi_app(b"text/plain"), NetLimits(anonymous_max_body=0))
    assert (await call_at(off, path, [(b"content-length", b"1048576")]))[0]["status"] == 200
    assert (await call_at(off, path, CHUNKED))[0]["status"] == 200


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/sessions/ab12/questions", "ingest_audience"),
        ("/api/sessions/ab12/questions/7/actions/approve", "moderator_action"),
        ("/api/sessions/ab12/stage/next", "moderator_action"),
        ("/integrations/zoom/webhook", "ingest_webhook"),
        ("/api/sessions/ab12/polls/3/votes", None),
        ("/api/sessions/ab12/questions/7/upvote", None),
    ],
)
def test_timed_requests_are_told_apart_by_one_pattern(path, kind):
    match = _KINDS.match(path)
    assert (match.lastgroup if match else None) == kind
