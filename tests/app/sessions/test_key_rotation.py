"""Rotating keys revokes: old sockets close (4410) within a second, old cookies get 401,
whether the rotation came through the admin API or the CLI in another process; the
audience is not disconnected; keys never reach the server's log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.rotation_kit import (
    REPLACED,
    cli_rotate,
    closed_within,
    open_live,
    role_cookie,
    still_open,
)
from tests.servers import LiveServer


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own: on SQLite a fresh database reissues row ids 1-4 after a
    rotation, which is exactly how old cookies used to keep working."""
    live = LiveServer(tmp_path / "data", database_url=db_url).start()
    try:
        yield live
    finally:
        live.stop()


def admin(server: LiveServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.admin_token}"}


def questions(server: LiveServer, slug: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/sessions/{slug}/questions", headers=headers)


async def test_api_rotation_closes_old_sockets_and_refuses_old_cookies(
    server: LiveServer,
) -> None:
    session = server.create_session("Rotate via API")
    slug = session["slug"]
    cookie = role_cookie(server.url, session)
    stage_cookie = role_cookie(server.url, session, "stage")
    assert questions(server, slug, Cookie=cookie).status_code == 200
    by_cookie = await open_live(server.ws_url, slug, cookie=cookie, as_="moderator")
    by_stage_cookie = await open_live(server.ws_url, slug, cookie=stage_cookie, as_="stage")
    by_key = await open_live(server.ws_url, slug, key=session["keys"]["screen"])
    phone = await open_live(server.ws_url, slug)

    r = httpx.post(f"{server.url}/api/sessions/{slug}/keys/rotate", headers=admin(server))
    assert r.status_code == 200, r.text
    new = r.json()
    for ws in (by_cookie, by_stage_cookie, by_key):
        code, reason, _ = await closed_within(ws, 1.0)
        assert (code, reason) == (REPLACED, "this link was replaced; ask for the new one")
    assert await still_open(phone)  # the audience holds no key: nothing to revoke
    await phone.close()

    # The old cookie and the old key are refused, with words a person can act on.
    old = questions(server, slug, Cookie=cookie)
    assert old.status_code == 401 and "replaced" in old.json()["detail"]
    page = httpx.get(f"{server.url}/s/{slug}/console", headers={"Cookie": cookie})
    assert page.status_code == 401
    bearer = {"Authorization": f"Bearer {session['keys']['moderator']}"}
    assert questions(server, slug, **bearer).status_code == 401
    # A page reconnecting with the old cookie hears "replaced", not a silent audience view.
    again = await open_live(server.ws_url, slug, cookie=cookie, as_="moderator", wait_synced=False)
    assert (await closed_within(again, 1.0))[0] == REPLACED

    # The new links work, and look like `session links` prints them.
    assert new["slug"] == slug and set(new["keys"]) == set(session["keys"])
    assert all(new["keys"][r] != session["keys"][r] for r in new["keys"])
    link = f"{server.url}/s/{slug}/console?key={new['keys']['moderator']}"
    assert new["links"]["moderator"] == link
    fresh = role_cookie(server.url, {"slug": slug, "keys": new["keys"]})
    assert questions(server, slug, Cookie=fresh).status_code == 200
    ws = await open_live(server.ws_url, slug, cookie=fresh, as_="moderator")
    assert await still_open(ws)
    await ws.close()


async def test_rotation_needs_the_admin_token(server: LiveServer) -> None:
    session = server.create_session("Not yours")
    url = f"{server.url}/api/sessions/{session['slug']}/keys/rotate"
    moderator = {"Authorization": f"Bearer {session['keys']['moderator']}"}
    for headers in ({}, moderator):
        r = httpx.post(url, headers=headers)
        assert r.status_code == 401 and "admin token" in r.json()["detail"]
    assert questions(server, session["slug"], **moderator).status_code == 200  # unchanged
    missing = httpx.post(f"{server.url}/api/sessions/no-such/keys/rotate", headers=admin(server))
    assert missing.status_code == 404 and "no-such" in missing.json()["detail"]


async def test_cli_rotation_in_another_process_closes_sockets_of_the_running_server(
    server: LiveServer, db_url: str
) -> None:
    session = server.create_session("Rotate via CLI")
    slug = session["slug"]
    cookie = role_cookie(server.url, session)
    by_cookie = await open_live(server.ws_url, slug, cookie=cookie, as_="moderator")
    by_key = await open_live(server.ws_url, slug, key=session["keys"]["moderator"])

    out = cli_rotate(slug, db_url, server.data_dir)
    for ws in (by_cookie, by_key):
        assert (await closed_within(ws, 1.0))[0] == REPLACED
    assert questions(server, slug, Cookie=cookie).status_code == 401
    fresh = role_cookie(server.url, {"slug": slug, "keys": out["keys"]})
    assert questions(server, slug, Cookie=fresh).status_code == 200


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def server_log() -> Iterator[Captured]:
    """What uvicorn's error and access loggers print, at INFO as `floorbridge serve` runs."""
    handler = Captured()
    loggers = [logging.getLogger(n) for n in ("uvicorn.error", "uvicorn.access")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.INFO)
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


async def test_keys_never_reach_the_log(live_server: LiveServer, server_log: Captured) -> None:
    session = live_server.create_session("Quiet logs")
    slug, key = session["slug"], session["keys"]["moderator"]
    role_cookie(live_server.url, session)  # GET /s/{slug}/console?key=K (access log)
    ws = await open_live(live_server.ws_url, slug, key=key)  # "WebSocket ...?key=K" [accepted]
    await ws.close()
    bad = await open_live(live_server.ws_url, slug, key="not-a-key", wait_synced=False)
    await closed_within(bad, 5)
    text = "\n".join(server_log.lines)
    assert f"/s/{slug}/live?key=REDACTED" in text  # the lines are there...
    assert f"/s/{slug}/console?key=REDACTED" in text
    assert key not in text and "not-a-key" not in text  # ...without the keys


def test_cookie_of_the_old_format_is_refused(live_server: LiveServer) -> None:
    """Cookies issued before public ids named a row id: they could name a reissued row."""
    from itsdangerous import URLSafeSerializer

    from app.auth import role_cookie_name

    session = live_server.create_session("Old cookies")
    signer = URLSafeSerializer("test-secret-key-for-cookies", salt="fb-role")
    forged = signer.dumps([session["slug"], "moderator", 1])
    name = role_cookie_name(session["slug"], "moderator")
    r = questions(live_server, session["slug"], Cookie=f"{name}={forged}")
    assert r.status_code == 401
