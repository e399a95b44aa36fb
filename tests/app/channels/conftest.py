"""Fixtures for the Zoom tests (helpers live in zoom_support.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from .zoom_support import FakeZoom, ZoomServer, make_handler


@pytest.fixture
def fake_zoom() -> Iterator[FakeZoom]:
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


@pytest.fixture(scope="module")
def zoom_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZoomServer]:
    """One server per test module; tests isolate by creating their own sessions."""
    server = ZoomServer(tmp_path_factory.mktemp("zoom")).start()
    try:
        yield server
    finally:
        server.stop()
