"""After the organiser rotates the keys, an open console says its link was replaced, in a
banner the moderator can see, and stops trying to reconnect."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_console_says_its_link_was_replaced_and_stops_reconnecting(
    open_role, fb_session, live_server
):
    console = open_role("console", fb_session.links["moderator"])
    console.wait_live()
    page = console.page
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    banner = page.locator("#conn-banner")
    expect(banner).to_be_hidden()

    r = httpx.post(
        f"{live_server.url}/api/sessions/{fb_session.slug}/keys/rotate",
        headers={"Authorization": f"Bearer {live_server.admin_token}"},
    )
    assert r.status_code == 200, r.text

    expect(banner).to_have_text("This link was replaced; ask for the new one.", timeout=2000)
    expect(page.locator("html")).to_have_attribute("data-live", "closed")
    box = banner.bounding_box()
    assert box is not None and box["height"] > 0
    viewport = page.viewport_size
    assert viewport is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    time.sleep(1.5)  # a reconnecting page would have tried again by now (backoff 0.5 s)
    assert sockets == []
    expect(banner).to_have_text("This link was replaced; ask for the new one.")
    console.screenshot("console-link-replaced.png")

    # The same browser, reloaded, is no moderator any more: the page asks for the link.
    reloaded = page.reload()
    assert reloaded is not None and reloaded.status == 401
    console.assert_clean()
