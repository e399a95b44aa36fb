"""Fixtures for the social connector tests; helpers live in support.py (`fake_zoom` is in
tests/conftest.py: the Zoom webhook tests in tests/app/channels/ use it too)."""

from __future__ import annotations

import pytest

from integrations.base import MemoryCursorStore

from .support import RecordingSink


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def cursors() -> MemoryCursorStore:
    return MemoryCursorStore()
