"""Polls in the browser: a phone votes, the room screen's bar moves, the console closes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OPTIONS = ["Health", "Climate <b>action</b>", "Education"]


def test_phone_votes_and_the_screen_bar_updates(open_role, fb_session):
    created = fb_session.moderator.post(
        f"{fb_session.prefix}/polls",
        json={
            "question": "Which area could benefit most from data for good?",
            "kind": "single",
            "options": OPTIONS,
        },
    )
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    for action in ("open", "show_screen"):
        r = fb_session.moderator.post(f"{fb_session.prefix}/polls/{pid}/actions/{action}")
        assert r.status_code == 200, r.text

    screen = open_role("screen", fb_session.links["screen"])
    screen.wait_live()
    results = screen.page.locator("#screen-poll-results")
    expect(screen.page.locator("#screen-poll-question")).to_have_text(
        "Which area could benefit most from data for good?"
    )
    expect(screen.page.locator("#screen-question")).to_be_hidden()  # the poll takes its place
    expect(results.locator(".poll-turnout")).to_have_text("0 voters")

    console = open_role("console", fb_session.links["moderator"])
    console.wait_live()
    card = console.page.locator(f'#poll-list [data-poll-id="{pid}"]')
    expect(card).to_contain_text("voting")

    phone = open_role("audience", f"{fb_session.base_url}/s/{fb_session.slug}")
    phone.wait_live()
    poll = phone.page.locator(f'#aud-polls [data-poll-id="{pid}"]')
    # Untrusted labels are text, never markup.
    expect(poll.locator(".poll-choice").nth(1)).to_have_text("B. Climate <b>action</b>")
    poll.locator(".poll-choice").nth(1).tap()
    poll.locator(".poll-send").tap()
    expect(poll.locator(".poll-status")).to_have_text("Thank you, your vote is counted.")
    phone.screenshot("polls-audience-phone.png")

    climate = results.locator(".poll-option").nth(1)
    expect(climate.locator(".poll-option-count")).to_have_text("1 vote · 100%", timeout=3000)
    expect(results.locator(".poll-turnout")).to_have_text("1 voter")
    screen.screenshot("polls-screen-results.png")

    # Changing the vote on the phone moves the bar; still one voter.
    poll.locator(".poll-choice").nth(2).tap()
    poll.locator(".poll-send").tap()
    expect(results.locator(".poll-option").nth(2).locator(".poll-option-count")).to_have_text(
        "1 vote · 100%", timeout=3000
    )
    expect(results.locator(".poll-turnout")).to_have_text("1 voter")

    # The moderator closes it: the screen shows the final tally, the phone no longer votes.
    card.locator('button[data-poll-action="close"]').click()
    expect(results.locator(".poll-turnout")).to_have_text("1 voter · final")
    expect(poll.locator(".poll-send")).to_have_count(0)
    console.screenshot("polls-console.png")
    for role in (screen, console, phone):
        role.assert_clean()
