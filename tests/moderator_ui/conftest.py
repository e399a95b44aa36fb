"""Browser tests: Debian's Chromium, driven by Playwright, against the real server.

`live_server` and `browser` come from tests/conftest.py (a uvicorn server on 127.0.0.1 with
a fresh database; Debian's /usr/bin/chromium). Each role gets its own browser context,
because each role link sets its own cookie; every page is watched for dialogs, script
errors and CSP violations.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from .uikit import DEVICES, RolePage, SessionClient, open_watched


@pytest.fixture
def open_role(browser: Browser):
    """open_role("console", url) -> RolePage, in a fresh context with that device."""
    contexts = []

    def _open(name: str, url: str) -> RolePage:
        return open_watched(browser, contexts, name, url, **DEVICES[name])

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def fb_session(live_server) -> Iterator[SessionClient]:
    created = live_server.create_session(
        title="Cities after cars: hybrid round table",
        privacy={"author_display": "full"},
    )
    client = SessionClient(live_server.url, created)
    yield client
    client.close()
