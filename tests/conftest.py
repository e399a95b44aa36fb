"""Shared fixtures: real databases (SQLite file, the local PostgreSQL) and real servers.

Nothing here is mocked. PostgreSQL, Redis and Chromium are the machine's own; under CI
(`CI=true`) a missing one fails the run, elsewhere the test skips and says what to install.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.config import Settings
from app.db import Store
from app.migrate import upgrade

PG_BASE = os.environ.get("FLOORBRIDGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FLOORBRIDGE_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"
PAYLOADS = Path(__file__).resolve().parents[1].parent / "shared" / "payloads"
# Helpers in a folder with a conftest of its own cannot `from conftest import LiveServer`
# (there the name is that folder's conftest): they import this module as `root_conftest`.
sys.modules.setdefault("root_conftest", sys.modules[__name__])


def missing(what: str, how: str) -> None:
    """Fail under CI, skip elsewhere: a missing service must never turn CI green."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI: {how}")
    pytest.skip(f"{what} not available: {how}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@dataclass
class LiveServer:
    """A real uvicorn server in a thread, on loopback, with its own data directory."""

    data_dir: Path
    database_url: str = ""
    bus_url: str = "memory://"
    port: int = field(default_factory=free_port)
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    extra_env: dict[str, str] = field(default_factory=dict)
    #: The running app (set by `start`), for tests that reach its state in this process.
    app: Any = None
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def settings(self) -> Settings:
        return Settings(
            data_dir=self.data_dir,
            database_url=self.database_url,
            bus_url=self.bus_url,
            admin_token=self.admin_token,
            secret_key="test-secret-key-for-cookies",
            **self.extra_env,  # type: ignore[arg-type]
        )

    def make_app(self) -> Any:
        """The app to serve; subclasses override this, not `start`, to add to it."""
        from app.main import create_app

        return create_app(self.settings())

    def start(self) -> LiveServer:
        from app.serving import uvicorn_options

        self.app = self.make_app()
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            **uvicorn_options(),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(timeout=15)
            self._server = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_session(self, title: str = "Test session", **body: Any) -> dict[str, Any]:
        r = httpx.post(
            f"{self.url}/api/sessions",
            json={"title": title, **body},
            headers={"Authorization": f"Bearer {self.admin_token}"},
        )
        r.raise_for_status()
        return r.json()


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
