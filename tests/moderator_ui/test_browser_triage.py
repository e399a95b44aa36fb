"""The triage assistant in the console (Chromium, 1366x768): a French question from Zoom
while its English twin from Mastodon is in the inbox shows "same as #N (Mastodon, EN)";
one key accepts it (the ordinary merge), unmerge splits it back, rejecting is audited."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from app.channels import zoom as zoom_channel
from app.triage import load_embedder
from integrations.base import IncomingMessage
from tests.servers import LiveServer

from .console_kit import ZOOM_SECRET, box, feed, laptop
from .uikit import tab

__all__ = ["laptop"]  # fixtures
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(load_embedder().embedder is None,
                       reason="the triage model is an install of the test extra"),
]

EN = "How will the data collected by these platforms be protected from governments?"
FR = ("Comment les données collectées par ces plateformes seront-elles protégées "
      "des gouvernements ?")
OTHER = "What time does the lunch break start today?"


@pytest.fixture(scope="module")
def zoom_server(tmp_path_factory):
    """console_kit's Zoom-enabled server, with the assistant on."""
    server = LiveServer(tmp_path_factory.mktemp("console-triage"),
                        extra_env={"zoom_secret_token": ZOOM_SECRET, "triage": "on"}).start()
    zoom_channel.configure(server.app.state.fb, zoom_channel.ZoomSettings(_env_file=None))
    try:
        yield server
    finally:
        server.stop()


def _msg(channel: str, text: str, author: str) -> IncomingMessage:
    return IncomingMessage(channel=channel, external_id=f"{channel}-{time.monotonic_ns()}",
                           text=text, author_name=author, author_id=f"{author}@example.org")


def test_a_french_twin_from_zoom_shows_the_suggestion_accept_merges_unmerge_splits(
    laptop, zoom_server
):
    created = zoom_server.create_session("Triage in the console")
    slug = created["slug"]
    mod = {"Authorization": f"Bearer {created['keys']['moderator']}"}
    api = f"{zoom_server.url}/api/sessions/{slug}"
    (english,) = feed(zoom_server, slug, [_msg("mastodon", EN, "Ana Pereira")])
    (unrelated,) = feed(zoom_server, slug, [_msg("mastodon", OTHER, "Li Wei")])

    console = laptop(created["links"]["moderator"])
    console.wait_live()
    page = console.page
    items = page.locator("#list .q")
    expect(items).to_have_count(2)

    # It arrives while the console is open: the suggestion comes by the live event.
    (french,) = feed(zoom_server, slug, [_msg("zoom_chat", FR, "Marie Dubois")])
    card = page.locator(f'#list .q[data-id="{french}"]')
    mark = card.locator(".q-triage-text")
    # The first test of a run also waits for the model to load (6 s on a busy machine).
    expect(mark).to_have_text(f"same as #{english} (Mastodon, EN)", timeout=60_000)
    expect(page.locator(f'#list .q[data-id="{unrelated}"] .q-triage')).to_have_count(0)
    expect(page.locator(f'#list .q[data-id="{english}"] .q-triage')).to_have_count(0)
    # Inside the card and the viewport, not over the buttons.
    accept = card.locator(".btn-triage-accept")
    b = box(console, f'#list .q[data-id="{french}"] .btn-triage-accept')
    assert b["x"] >= 0 and b["x"] + b["width"] <= 1366 and b["y"] + b["height"] <= 768
    actions = box(console, f'#list .q[data-id="{french}"] .q-actions')
    assert b["x"] + b["width"] <= actions["x"] or b["y"] >= actions["y"] + actions["height"] \
        or b["y"] + b["height"] <= actions["y"]
    expect(accept).to_be_visible()

    # One key on the selected card accepts: the ordinary merge, every source kept.
    card.locator(".q-text").click()
    page.keyboard.press("s")
    expect(items).to_have_count(2)
    kept = page.locator(f'#list .q[data-id="{english}"]')
    expect(kept.locator(".q-sources")).to_have_text("merged 1")
    q = {x["id"]: x for x in httpx.get(f"{api}/questions", headers=mod).json()}
    assert q[french]["state"] == "merged" and q[french]["merged_into"] == english
    assert q[french]["channel"] == "zoom_chat" and q[english]["sources"] == [french]

    # Unmerge (Merged tab, u) splits it back; the suggestion is offered again.
    page.keyboard.press("6")
    expect(tab(page, "Merged")).to_have_attribute("aria-selected", "true")
    expect(items).to_have_count(1)
    page.keyboard.press("u")
    expect(items).to_have_count(0)
    page.keyboard.press("1")
    expect(items).to_have_count(3)
    expect(mark).to_be_visible()

    # Not the same: the mark goes, and the audit trail says who said so.
    card.locator(".btn-triage-reject").click()
    expect(card.locator(".q-triage")).to_have_count(0)
    trail = [a["action"] for a in httpx.get(f"{api}/audit", headers=mod).json()]
    assert "triage.accepted" in trail and "unmerge" in trail and "triage.rejected" in trail
    console.assert_clean()
