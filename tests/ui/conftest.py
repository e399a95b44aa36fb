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
from uikit import DEVICES, WATCH_CSP, RolePage, SessionClient


@pytest.fixture
def open_role(browser: Browser):
    """open_role("console", url) -> RolePage, in a fresh context with that device."""
    contexts = []

    def _open(name: str, url: str) -> RolePage:
        context = browser.new_context(**DEVICES[name])
        context.add_init_script(WATCH_CSP)
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        role = RolePage(name, page, None)
        # A dialog would mean injected script ran; dismiss it so the page does not hang.
        page.on("dialog", lambda d: (role.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda exc: role.errors.append(str(exc)))
        role.response = page.goto(url)
        assert role.response is not None and role.response.ok, f"{name}: {url} failed"
        return role

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
