"""Shared fixtures: real databases (SQLite file, the local PostgreSQL) and real servers.

Nothing here is mocked. PostgreSQL, Redis and Chromium are the machine's own; under CI
(`CI=true`) a missing one fails the run, elsewhere the test skips and says what to install.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.db import Store
from app.migrate import upgrade
from tests.integrations.zoom_support import FakeZoom, make_handler
from tests.servers import IN_CI, PAYLOADS, PG_BASE, REDIS_URL, LiveServer, free_port, missing

__all__ = ["IN_CI", "PAYLOADS", "PG_BASE", "REDIS_URL", "LiveServer", "free_port", "missing"]

# -- databases --------------------------------------------------------------------------


def _pg_schema_url() -> Iterator[str]:
    import psycopg

    schema = f"fb_test_{secrets.token_hex(4)}"
    dsn = PG_BASE.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        missing("PostgreSQL on 127.0.0.1:5432 (db test)", f"start it ({exc.__class__.__name__})")
    sep = "&" if "?" in PG_BASE else "?"
    try:
        yield f"{PG_BASE}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The domain suite runs on both engines."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fb.db'}"
    else:
        yield from _pg_schema_url()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _pg_schema_url()


@pytest.fixture(scope="module")
def pg_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema shared by a module's tests (several server processes)."""
    yield from _pg_schema_url()


@pytest.fixture
async def store(db_url: str) -> Any:
    upgrade(db_url)
    s = Store(db_url)
    published: list[Any] = []
    s.on_commit = published.extend
    s.published = published  # type: ignore[attr-defined]
    s.start()
    try:
        yield s
    finally:
        s.stop()


# -- servers ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the whole run (SQLite); tests isolate by creating their own session."""
    server = LiveServer(tmp_path_factory.mktemp("live")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own, for tests that stop and start it."""
    server = LiveServer(tmp_path / "data").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Any]:
    """Start servers with their own settings (`make_server(replay_max_events=20)`)."""
    servers: list[LiveServer] = []

    def start(**extra_env: Any) -> LiveServer:
        server = LiveServer(tmp_path / f"data{len(servers)}", extra_env=extra_env).start()
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


# -- browsers -----------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (which cannot download a browser here)."""
    if not CHROMIUM.exists():
        missing("Debian's chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def fake_zoom() -> Iterator[FakeZoom]:
    """A fake Zoom API on 127.0.0.1 (the Q&A client, `zoom send`, the webhook end to end)."""
    fake = FakeZoom()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
