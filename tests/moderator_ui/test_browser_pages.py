"""Audience voting and the room screen's idle and overlay modes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_audience_upvotes_once_and_remembers_it(open_role, fb_session):
    favourite = fb_session.ask("Can we have a car-free Sunday each month?", "Secret Name")
    fb_session.act(favourite, "approve")
    other = fb_session.ask("How are the bus drivers consulted?")
    fb_session.act(other, "approve")
    hidden = fb_session.ask("Still in the inbox, the audience must not see this")

    audience = open_role("audience", fb_session.links["audience"])
    audience.wait_live()
    page = audience.page
    card = page.locator(f'#aud-list .aq[data-id="{favourite}"]')
    vote = card.get_by_role("button", name=re.compile("^Upvote"))
    expect(page.locator("#aud-list .aq")).to_have_count(2)
    expect(page.locator(f'.aq[data-id="{hidden}"]')).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Secret Name")  # no authors here

    vote.tap()
    expect(card.locator(".vote-count")).to_have_text("1")
    done = card.locator("button.vote")
    expect(done).to_be_disabled()
    expect(done).to_have_attribute("aria-pressed", "true")
    # The moderator sees the same count.
    counts = {q["id"]: q["votes"] for q in fb_session.snapshot()["data"]["questions"]}
    assert counts[favourite] == 1

    # After a reload the vote is remembered: still disabled, the other still open.
    page.reload()
    audience.wait_live()
    expect(card.locator("button.vote")).to_be_disabled()
    expect(card.locator(".vote-count")).to_have_text("1")
    expect(page.locator(f'.aq[data-id="{other}"] button.vote')).to_be_enabled()

    # The counter follows the text; the field caps at 2000 characters.
    box = page.get_by_label("Your question")
    expect(box).to_have_attribute("maxlength", "2000")
    box.fill("x" * 1950)
    expect(page.locator("#ask-count")).to_have_text("1,950 of 2,000 characters")
    expect(page.locator("#ask-count")).to_have_class(re.compile(r"\bcounter--near\b"))
    audience.assert_clean()


def test_screen_idle_shows_join_qr_and_overlay_is_transparent(open_role, fb_session):
    screen = open_role("screen", fb_session.links["screen"])
    screen.wait_live()
    page = screen.page
    expect(page.locator("#screen-question")).to_be_hidden()
    expect(page.locator("#session-title")).to_have_text("Cities after cars: hybrid round table")
    expect(page.locator("#screen-join")).to_be_visible()
    expect(page.locator("#join-url")).to_contain_text(f"/s/{fb_session.slug}")
    # The QR code is a real, decodable image, not a broken-image box.
    qr = page.locator("#qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "QR code did not render"

    overlay = open_role("screen", fb_session.links["screen"] + "&overlay=1")
    overlay.wait_live()
    assert overlay.page.url.endswith("/screen?overlay=1")  # key gone, overlay kept
    expect(overlay.page.locator("#screen-join")).to_be_hidden()
    background = overlay.page.evaluate(
        "[getComputedStyle(document.documentElement).backgroundColor,"
        " getComputedStyle(document.body).backgroundColor]"
    )
    assert background == ["rgba(0, 0, 0, 0)", "rgba(0, 0, 0, 0)"]

    # Something goes live: both show it, and the idle QR goes away.
    question = fb_session.ask("Is the overlay readable on camera?")
    fb_session.act(question, "approve")
    fb_session.act(question, "push")
    for page_ in (page, overlay.page):
        expect(page_.locator("#screen-text")).to_have_text("Is the overlay readable on camera?")
    expect(page.locator("#screen-join")).to_be_hidden()
    screen.assert_clean()
    overlay.assert_clean()
