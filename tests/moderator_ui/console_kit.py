"""What the console's laptop tests share: a 1366x768 page, and messages fed into a session
through the same ingest path the real channels use (no per-IP limit on the ask endpoint
gets in the way of 150 messages)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from sqlmodel import select

from app.channels import zoom as zoom_channel
from app.ingest import ingest
from app.models import LiveSession
from integrations.base import IncomingMessage
from tests.servers import LiveServer

from .uikit import ARTIFACTS, RolePage, open_watched

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
ZOOM_SECRET = "console-kit-zoom-secret"
SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="module")
def zoom_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with the Zoom webhook on, so the console shows its Zoom panel."""
    server = LiveServer(
        tmp_path_factory.mktemp("console-laptop"), extra_env={"zoom_secret_token": ZOOM_SECRET}
    ).start()
    zoom_channel.configure(server.app.state.fb, zoom_channel.ZoomSettings(_env_file=None))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def laptop(browser: Browser):
    """laptop(url) -> RolePage at 1366x768, watched like open_role's pages."""
    contexts = []

    def _open(url: str) -> RolePage:
        return open_watched(browser, contexts, "console", url, **LAPTOP)

    yield _open
    for context in contexts:
        context.close()


def session_id(server: LiveServer, slug: str) -> int:
    store = server.app.state.fb.store
    return store.read_sync(
        lambda db: db.exec(select(LiveSession.id).where(LiveSession.slug == slug)).one()
    )


def message(n: int, text: str, author: str = "Remote participant") -> IncomingMessage:
    return IncomingMessage(
        channel="zoom_chat",
        external_id=f"kit-{n}-{time.monotonic_ns()}",
        text=text,
        author_name=author,
        author_id=f"{author}-{n}@example.org",
    )


def feed(server: LiveServer, slug: str, messages: list[IncomingMessage]) -> list[int]:
    """Store messages now (one writer unit); returns the question ids, in order."""
    state = server.app.state.fb
    store, hooks = state.store, state.registry.ingest  # the domains' hooks, as in the app
    sid = session_id(server, slug)
    out: list[Any] = []
    # Its own thread and event loop: Playwright's sync API owns this thread's loop.
    worker = threading.Thread(
        target=lambda: out.append(asyncio.run(ingest(store, sid, messages, hooks)))
    )
    worker.start()
    worker.join(timeout=30)
    assert out, "ingest did not finish"
    return [r.question_id for r in out[0]]


class Trickle(threading.Thread):
    """Messages arriving one by one, `every` seconds apart, while the test drives the page."""

    def __init__(
        self,
        server: LiveServer,
        slug: str,
        count: int,
        every: float = 0.1,
        text: str = "Arriving meanwhile, number {n}",
    ):
        super().__init__(daemon=True)
        self.server, self.slug, self.count, self.every = server, slug, count, every
        self.text = text
        self.ids: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for n in range(self.count):
                text = self.text.format(n=n + 1)
                self.ids += feed(self.server, self.slug, [message(n, text)])
                time.sleep(self.every)
        except BaseException as exc:  # reported by join_ok, not lost in the thread
            self.error = exc

    def join_ok(self) -> None:
        self.join(timeout=30)
        assert not self.is_alive(), "the messages did not all arrive"
        if self.error:
            raise self.error
        assert len(self.ids) == self.count


def screenshot(role: RolePage, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    role.page.screenshot(path=str(path))
    return path


def box(role: RolePage, selector: str) -> dict[str, Any]:
    found = role.page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not rendered"
    return found
