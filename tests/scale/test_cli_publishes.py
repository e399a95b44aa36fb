"""The CLI publishes what it commits (issue 16, step 10): with `FLOORBRIDGE_BUS_URL` naming
Redis, `floorbridge session rotate-keys` and `floorbridge privacy erase`, run in a process
of their own, reach the open pages of a running server at once, as a change made through
the API does; before, a page saw them only on its next gap or reconnect (or, for a
rotation, the hub's key check).

A real server process (`floorbridge serve` on PostgreSQL + Redis) and the real CLI."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from app.db import Store
from app.ingest import ingest_batch
from app.sessions.service import get_by_slug
from integrations.base import IncomingMessage
from tests.rotation_kit import REPLACED, ROOT, closed_within, open_live

from .conftest import REDIS_URL, Cluster, Proc, _redis_up

pytestmark = [pytest.mark.postgres]
ADMIN = secrets.token_urlsafe(16)


@pytest.fixture(scope="module")
def redis_server(
    pg_schema_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Proc, dict[str, str]]]:
    """One `floorbridge serve` on Redis; the environment a CLI next to it runs with."""
    _redis_up()
    sep = "&" if "?" in REDIS_URL else "?"
    env = {
        "FLOORBRIDGE_DATABASE_URL": pg_schema_url,
        "FLOORBRIDGE_BUS_URL": f"{REDIS_URL}{sep}prefix=fbcli{secrets.token_hex(4)}",
        "FLOORBRIDGE_ADMIN_TOKEN": ADMIN,
        "FLOORBRIDGE_SECRET_KEY": "cli-publish-cookie-key",
    }
    server = Proc("server", tmp_path_factory.mktemp("cli-publish"), env).start()
    try:
        yield server, env
    finally:
        server.stop()


def cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    r = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "could not tell running servers" not in r.stderr
    return json.loads(r.stdout)


async def frame_of_type(ws: ClientConnection, type_: str, seconds: float) -> dict[str, Any]:
    """The first frame of that type within `seconds` (others are read and dropped)."""
    deadline = time.monotonic() + seconds
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if frame.get("type") == type_:
            return frame


def create_session(server: Proc, title: str) -> dict[str, Any]:
    return Cluster(server, server, ADMIN).create_session(title)  # one worker is enough here


async def test_a_cli_rotation_reaches_open_pages_at_once(redis_server) -> None:
    """The phone is not closed by a rotation, and no key check tells it anything: it hears
    `session.keys_rotated` only if the CLI published it. The moderator's page closes 4410."""
    server, env = redis_server
    session = create_session(server, "Rotate from the CLI")
    slug = session["slug"]
    moderator = await open_live(server.ws_url, slug, key=session["keys"]["moderator"])
    phone = await open_live(server.ws_url, slug)

    out = cli(env, "session", "rotate-keys", slug)
    heard = await frame_of_type(phone, "session.keys_rotated", 1.0)
    assert heard["seq"] > 0
    code, _, _ = await closed_within(moderator, 1.0)
    assert code == REPLACED
    fresh = await open_live(server.ws_url, slug, key=out["keys"]["moderator"])
    await fresh.close()
    await phone.close()


async def test_a_cli_erasure_reaches_the_moderators_page_at_once(
    redis_server, pg_schema_url: str
) -> None:
    """The emptied question is on the open console within a second of the CLI's commit,
    with no reconnect and nothing else happening in the session."""
    server, env = redis_server
    session = create_session(server, "Erase from the CLI")
    slug = session["slug"]
    store = Store(pg_schema_url)  # another writer, as a connector's process would be
    try:
        msg = IncomingMessage(
            channel="mastodon", external_id="e1", text="Please forget me?",
            author_name="Mia Wong", author_id="@mia@example.social",
        )  # fmt: skip
        store.write_sync(lambda db: ingest_batch(db, get_by_slug(db, slug).id, [msg]))
    finally:
        store.stop()
    moderator = await open_live(server.ws_url, slug, key=session["keys"]["moderator"])

    done = cli(
        env, "privacy", "erase", "--session", slug,
        "--channel", "mastodon", "--handle", "@mia@example.social",
    )  # fmt: skip
    assert done["questions"] == 1
    frame = await frame_of_type(moderator, "question.updated", 1.0)
    assert frame["data"]["action"] == "erase"
    assert "Mia" not in json.dumps(frame)
    await moderator.close()

