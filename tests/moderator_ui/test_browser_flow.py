"""End to end: a phone asks, the console triages, the stage and the room screen show it."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from playwright.sync_api import expect

from .uikit import REPO, tab

pytestmark = pytest.mark.browser

QUESTION = "Will the tram extension reach the northern districts before 2030?"
SEED = [
    ("What did Ghent learn from its circulation plan?", "Mara O."),
    ("Who pays for the new cycle lanes: the city or the region?", None),
    ("Can shop owners on the high street get a say in the parking changes?", "Lukas B."),
]


def test_question_travels_from_phone_to_stage_and_back(open_role, fb_session):
    # Some traffic already there, so the screenshots show a working session.
    first = fb_session.ask("How do we keep delivery vans out of school streets?", "Jonas K.")
    fb_session.act(first, "approve")
    for text, name in SEED:
        fb_session.ask(text, name)

    console = open_role("console", fb_session.links["moderator"])
    stage = open_role("stage", fb_session.links["stage"])
    screen = open_role("screen", fb_session.links["screen"])
    audience = open_role("audience", fb_session.links["audience"])
    for role in (console, stage, screen, audience):
        role.wait_live()
    # The role link's key is swapped for a cookie and dropped from the address bar.
    assert "key=" not in console.page.url and console.page.url.endswith("/console")

    # The phone asks; the console's inbox shows it within a second of Send.
    audience.page.get_by_label("Your question").fill(QUESTION)
    audience.page.get_by_label("Your name (optional)").fill("Ana Pereira")
    started = time.monotonic()
    audience.page.get_by_role("button", name="Send").click()
    item = console.page.locator("#list .q", has_text=QUESTION)
    expect(item).to_be_visible(timeout=1000)
    assert time.monotonic() - started < 1.0
    expect(item.locator(".q-author")).to_have_text("Ana Pereira")
    expect(item.locator(".q-channel")).to_have_text("Audience")
    expect(audience.page.locator("#ask-status")).to_have_text("Sent, a moderator will review it.")
    expect(audience.page.get_by_label("Your question")).to_have_value("")

    # Approve from the inbox, then push from the queue, with the buttons.
    item.get_by_role("button", name="Approve").click()
    expect(item).to_have_count(0)
    tab(console.page, "Queue").click()
    expect(tab(console.page, "Queue")).to_have_attribute("aria-selected", "true")
    queued = console.page.locator("#list .q", has_text=QUESTION)
    queued.get_by_role("button", name="Push").click()

    # Everyone sees it on stage.
    expect(stage.page.locator("#stage-text")).to_have_text(QUESTION)
    expect(stage.page.locator("#stage-meta")).to_contain_text("Ana Pereira")
    expect(screen.page.locator("#screen-text")).to_have_text(QUESTION)
    expect(screen.page.locator("#screen-join")).to_be_hidden()
    expect(audience.page.locator("#aud-stage")).to_contain_text(QUESTION)
    expect(console.page.locator("#live-now-text")).to_have_text(QUESTION)
    # The stage also lists what comes next: the question approved before the session opened.
    expect(stage.page.locator("#up-next")).to_contain_text("delivery vans")

    # Stage buttons are big enough to hit on a tablet at arm's length.
    for button in ("#answered", "#next"):
        box = stage.page.locator(button).bounding_box()
        assert box is not None and box["height"] >= 64 and box["width"] >= 64, (button, box)

    tab(console.page, "Inbox").click()  # the README shot: the triage view
    expect(console.page.locator("#list .q")).to_have_count(len(SEED))
    for role in (console, stage, screen, audience):
        role.screenshot(f"{role.name}.png")
    if os.environ.get("FLOORBRIDGE_UPDATE_README_SHOT"):  # refresh the README's picture
        shutil.copyfile(
            REPO / "test-artifacts" / "console.png", REPO / "docs" / "screenshot-console.png"
        )

    # The onsite moderator taps Answered; the console files it under Answered.
    stage.page.locator("#answered").tap()
    expect(stage.page.locator("#stage-question")).to_have_class(
        "stage-question stage-question--empty"
    )
    expect(screen.page.locator("#screen-question")).to_be_hidden()
    tab(console.page, "Answered").click()
    expect(console.page.locator("#list .q", has_text=QUESTION)).to_be_visible()
    expect(tab(console.page, "Answered").locator(".count")).to_have_text("1")
    expect(audience.page.locator("#aud-answered")).to_contain_text(QUESTION)

    # Portrait tablet: the same controls stay on screen and large.
    stage.page.set_viewport_size({"width": 820, "height": 1180})
    for button in ("#answered", "#next"):
        expect(stage.page.locator(button)).to_be_in_viewport()
        box = stage.page.locator(button).bounding_box()
        assert box is not None and box["height"] >= 64, (button, box)

    for role in (console, stage, screen, audience):
        role.assert_clean()
