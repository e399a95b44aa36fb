"""What tests share beyond fixtures: the live server class, free ports, the payload folder.

A module of its own (not conftest.py) so a test in any folder can import it by one name:
inside a folder with its own conftest, `conftest` means that folder's.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.config import Settings

PG_BASE = os.environ.get("FLOORBRIDGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FLOORBRIDGE_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"
PAYLOADS = Path(__file__).resolve().parent / "payloads"


def missing(what: str, how: str) -> None:
    """Fail under CI, skip elsewhere: a missing service must never turn CI green."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI: {how}")
    pytest.skip(f"{what} not available: {how}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
            # The triage assistant adds moderator-only events (and a model process) that
            # tests counting events do not expect: its own tests turn it on.
            **{"triage": "off", **self.extra_env},  # type: ignore[arg-type]
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


# -- the audience ---------------------------------------------------------------------------


def audience_cookies(base_url: str, slug: str) -> dict[str, str]:
    """Open the audience page as a new phone: the signed id cookie it set (the API issues
    none), for a one-off `httpx.post(..., cookies=...)`."""
    r = httpx.get(f"{base_url}/s/{slug}", timeout=10)
    assert r.status_code == 200 and "fb_aud" in r.cookies, (r.status_code, r.text[:200])
    return {"fb_aud": r.cookies["fb_aud"]}


def audience(base_url: str, slug: str, **kw: Any) -> httpx.Client:
    """A phone that opened the audience page, holding its id (not yet opened: `with` works)."""
    cookies = audience_cookies(base_url, slug)
    return httpx.Client(base_url=base_url, timeout=kw.pop("timeout", 10), cookies=cookies, **kw)


async def audience_async(base_url: str, slug: str, **kw: Any) -> httpx.AsyncClient:
    async with httpx.AsyncClient(timeout=30) as c:
        r = await c.get(f"{base_url}/s/{slug}")
    assert r.status_code == 200 and "fb_aud" in r.cookies, (r.status_code, r.text[:200])
    cookies = {"fb_aud": r.cookies["fb_aud"]}
    return httpx.AsyncClient(
        base_url=base_url, timeout=kw.pop("timeout", 10), cookies=cookies, **kw
    )


def audience_header(base_url: str, slug: str) -> dict[str, str]:
    """The same as a `Cookie` header, for one request of a shared client."""
    return {"cookie": f"fb_aud={audience_cookies(base_url, slug)['fb_aud']}"}
