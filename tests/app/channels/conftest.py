"""Fixtures for the Zoom webhook tests (helpers live in tests/integrations/zoom_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integrations.zoom_support import ZoomServer


@pytest.fixture(scope="module")
def zoom_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZoomServer]:
    """One server per test module; tests isolate by creating their own sessions."""
    server = ZoomServer(tmp_path_factory.mktemp("zoom")).start()
    try:
        yield server
    finally:
        server.stop()
