"""The console's channels strip in Debian's Chromium: a failing connector shows its reason,
the pause switch works, a webhook channel is listed, a cross-post is marked.

`browser` (Debian's Chromium) and `live_server` come from tests/conftest.py."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from integrations.webhook_generic import SIGNATURE_HEADER, sign
from tests.servers import free_port

pytestmark = pytest.mark.browser
SECRET = "bridge-secret-0123456789"


def hook(server, channel: str, body: dict) -> None:
    raw = json.dumps(body).encode()
    r = httpx.post(
        f"{server.url}/integrations/webhook/{channel}",
        content=raw,
        headers={SIGNATURE_HEADER: sign(SECRET, raw)},
    )
    assert r.status_code == 201, r.text


def test_channels_strip_status_pause_and_crosspost(browser, live_server):
    session = live_server.create_session("Panel", privacy={"author_display": "full"})
    mod = httpx.Client(
        base_url=f"{live_server.url}/api/sessions/{session['slug']}",
        headers={"Authorization": f"Bearer {session['keys']['moderator']}"},
    )
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: the connector fails
    for channel, settings in (
        ("mastodon", {"instance": nowhere, "hashtags": ["igf"], "poll_interval": 0.2}),
        ("slackbridge", {"secret": SECRET}),
        ("formbridge", {"secret": SECRET}),
    ):
        assert mod.put(f"/connectors/{channel}", json={"settings": settings}).status_code == 200

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(session["links"]["moderator"])
        card = page.locator('#connectors .conn[data-channel="mastodon"]')
        expect(card).to_have_attribute("data-state", "error", timeout=10_000)
        expect(card.locator(".conn-reason")).not_to_be_empty()
        expect(page.locator('#connectors .conn[data-channel="slackbridge"]')).to_contain_text(
            "signed webhook"
        )
        # Which worker reads the platforms for this session (one owner per session).
        owner = mod.get("/snapshot").json()["data"]["connectors"]["owner"]
        line = page.locator("#connectors .conn-owner")
        expect(line).to_have_attribute("data-worker", owner["worker"])
        expect(line).to_contain_text(f"run by {owner['worker']} since ")

        card.get_by_role("button", name="Pause").click()
        expect(card).to_have_attribute("data-state", "paused")
        listed = {c["channel"]: c for c in mod.get("/connectors").json()}
        assert listed["mastodon"]["paused"] is True
        card.get_by_role("button", name="Resume").click()
        expect(card.get_by_role("button", name="Pause")).to_be_visible()

        text = "Who audits the good in data for good?"
        hook(live_server, "slackbridge", {"id": "1", "text": text, "author": "Léa Dubois"})
        hook(live_server, "formbridge", {"id": "1", "text": text + " #igf", "author": "Léa Dubois"})
        marks = page.locator("#list .q-crosspost")
        expect(marks).to_have_count(1)
        expect(marks).to_contain_text("cross-post of #")
        page.reload()  # from the snapshot, too
        expect(page.locator("#list .q-crosspost")).to_have_count(1)
        assert errors == []
    finally:
        context.close()
        mod.delete("/connectors/mastodon")
        mod.close()
