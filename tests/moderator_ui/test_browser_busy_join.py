"""A phone that arrives while its address is past the id allowance (a script on the same
network, say) sees a readable "busy" page that reloads itself, then the audience page with
an id of its own, and can ask."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from .uikit import DEVICES, WATCH_CSP

pytestmark = pytest.mark.browser


def test_a_phone_past_the_id_allowance_waits_then_joins(browser, make_server):
    server = make_server(audience_ids_per_ip_minute=6)  # 1.5 at once, then one per 10 s
    session = server.create_session("Busy room")
    url = f"{server.url}/s/{session['slug']}"
    for _ in range(20):  # others on this address take every id there is (bounded)
        if httpx.get(url).status_code == 503:
            break
    context = browser.new_context(**DEVICES["audience"])
    context.add_init_script(WATCH_CSP)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        first = page.goto(url)
        assert first is not None and first.status == 503
        heading = page.locator("h1")
        expect(heading).to_contain_text("joining from your network")
        box = heading.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert not any(c["name"] == "fb_aud" for c in context.cookies())
        # It reloads by itself once an id is free (at most 10 s + a few of spread).
        expect(page.locator("#ask-form")).to_be_visible(timeout=25_000)
        assert any(c["name"] == "fb_aud" and c["httpOnly"] for c in context.cookies())
        expect(page.locator("html")).to_have_attribute("data-live", "live", timeout=5000)
        page.locator("#ask-text").fill("Will the slides be shared?")
        page.locator("#ask-send").tap()
        expect(page.locator("#ask-status")).to_have_text("Sent, a moderator will review it.")
        assert errors == [] and page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
