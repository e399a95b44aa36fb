"""The console's undo-able flows in Chromium at 1366x768: a merge chosen while messages
keep arriving, unmerge, a mis-tapped Answered undone, shortcuts after a note, push-swap,
dismiss with a reason (and what the report counts of it)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from app.questions.service import DECLINE_REASONS
from tests.servers import audience

from .console_kit import Trickle, feed, laptop, message, screenshot, zoom_server
from .layout import inside, intersect
from .uikit import tab

__all__ = ["laptop", "zoom_server"]  # fixtures
pytestmark = pytest.mark.browser


class Api:
    """The session as the test sees it: REST as moderator, votes as separate phones."""

    def __init__(self, server, created):
        self.server, self.created = server, created
        self.slug = created["slug"]
        self.base = f"{server.url}/api/sessions/{self.slug}"
        self.mod = {"Authorization": f"Bearer {created['keys']['moderator']}"}

    def add(self, *texts: str, author: str = "Ana Pereira") -> list[int]:
        return feed(self.server, self.slug, [message(n, t, author) for n, t in enumerate(texts)])

    def act(self, qid: int, action: str) -> None:
        r = httpx.post(f"{self.base}/questions/{qid}/actions/{action}", headers=self.mod)
        assert r.status_code == 200, r.text

    def vote(self, qid: int, voters: int) -> None:
        for _ in range(voters):
            with audience(self.server.url, self.slug) as phone:
                assert phone.post(f"{self.base}/questions/{qid}/upvote").status_code == 200

    def questions(self) -> dict[int, dict]:
        r = httpx.get(f"{self.base}/questions", headers=self.mod)
        assert r.status_code == 200, r.text
        return {q["id"]: q for q in r.json()}


@pytest.fixture
def session(zoom_server):
    created = zoom_server.create_session(
        "Data for Good: innovation towards positive social impact",
        privacy={"author_display": "full"},
    )
    return Api(zoom_server, created)


def test_merge_chosen_while_messages_arrive_lands_there_and_unmerges(laptop, session):
    schools, target, dup, other = session.add(
        "Consent forms in schools: who signs them?",
        "How is consent recorded for health data?",
        "Health data consent: who keeps the record of it?",
        "What does the data trust cost a small city?",
    )
    for qid in (schools, target, other, dup):
        session.act(qid, "approve")
    session.vote(target, 2)
    session.vote(dup, 3)
    before = session.questions()

    console = laptop(session.created["links"]["moderator"])
    console.wait_live()
    page = console.page
    tab(page, "Queue").click()
    items = page.locator("#list .q")
    expect(items).to_have_count(4)
    row = page.locator(f'#list .q[data-id="{dup}"]')
    row.locator(".q-text").click()
    page.keyboard.press("m")
    picker = row.get_by_label("Merge into")
    expect(picker).to_be_focused()

    # Twenty messages, each also a merge candidate: the picker's list grows as they come.
    arrivals = Trickle(
        session.server, session.slug, 20, every=0.25, text="Consent again? Arrival {n}"
    )
    arrivals.start()
    picker.press_sequentially("consent", delay=40)
    options = row.locator(".merge-option")
    # The first match is the schools question; the moderator moves down to the right one.
    expect(options.first).to_contain_text("Consent forms in schools")
    picker.press("ArrowDown")
    chosen = row.locator(".merge-chosen")
    expect(chosen).to_contain_text(f"Merging into #{target}")
    # Messages keep coming (most are still to arrive); the choice and the caret stay put.
    arrived = int(tab(page, "Inbox").locator(".count").inner_text())
    assert arrived < 15, f"{arrived} of 20 arrived before the choice: too late to tell"
    expect(tab(page, "Inbox").locator(".count")).to_have_text(re.compile(r"^1[5-9]|20$"))
    expect(chosen).to_contain_text(f"Merging into #{target}")
    expect(picker).to_be_focused()
    expect(picker).to_have_value("consent")
    expect(row.locator('.merge-option[aria-selected="true"]')).to_contain_text("recorded")
    arrivals.join_ok()
    expect(tab(page, "Inbox").locator(".count")).to_have_text("20")
    expect(options).to_have_count(2 + 20)
    expect(options.first).to_contain_text("Consent forms in schools")
    expect(chosen).to_contain_text(f"Merging into #{target}")
    expect(picker).to_be_focused()
    picker.press("Enter")

    expect(items).to_have_count(3)
    kept = page.locator(f'#list .q[data-id="{target}"]')
    expect(kept.locator(".q-sources")).to_have_text("merged 1")
    expect(kept.locator(".q-votes")).to_have_text("▲ 5")
    after = session.questions()
    assert after[dup]["state"] == "merged" and after[dup]["merged_into"] == target
    assert after[schools]["sources"] == [] and after[schools]["votes"] == 0

    # The Merged tab lists it; u unmerges: both back as they were, votes and place included.
    page.keyboard.press("6")
    expect(tab(page, "Merged")).to_have_attribute("aria-selected", "true")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(f"merged into #{target}")
    page.keyboard.press("u")
    expect(items).to_have_count(0)
    restored = session.questions()
    for qid in (target, dup, schools, other):
        for field in ("text", "votes", "state", "position", "merged_into", "sources"):
            assert restored[qid][field] == before[qid][field], (qid, field)
    page.keyboard.press("2")
    expect(page.locator(f'#list .q[data-id="{dup}"] .q-votes')).to_have_text("▲ 3")
    expect(page.locator(f'#list .q[data-id="{target}"] .q-votes')).to_have_text("▲ 2")
    console.assert_clean()


SENSOR = "Who owns the data a city sensor collects?"


def test_mis_tapped_answered_is_undone_from_the_console(laptop, open_role, session):
    (qid, nxt) = session.add(SENSOR, "And who may sell it?")
    session.act(qid, "approve")
    session.act(nxt, "approve")
    session.act(qid, "push")
    console = laptop(session.created["links"]["moderator"])
    stage = open_role("stage", session.created["links"]["stage"])
    console.wait_live()
    stage.wait_live()
    expect(stage.page.locator("#stage-text")).to_have_text(SENSOR)

    # A console open for a moment (what it replays on connecting is history, not undoable).
    console.page.wait_for_timeout(1000)
    stage.page.locator("#answered").tap()  # the mis-tap
    expect(stage.page.locator("#stage-text")).not_to_have_text(SENSOR)
    toast = console.page.locator("#toasts .toast--undo")
    expect(toast).to_contain_text("Answered on stage")
    console.page.keyboard.press("z")
    expect(stage.page.locator("#stage-text")).to_have_text(SENSOR)
    expect(console.page.locator("#live-now-text")).to_have_text(SENSOR)
    qs = session.questions()
    assert qs[qid]["state"] == "on_stage" and qs[nxt]["position"] == 1

    # From the console itself: x marks it answered, the toast's Undo puts it back.
    tab(console.page, "On stage").click()
    console.page.locator("#list .q .q-text").click()
    console.page.keyboard.press("x")
    expect(console.page.locator("#live-now-text")).to_have_text("Nothing on stage")
    console.page.locator("#toasts .toast--undo").get_by_role("button", name="Undo").click()
    expect(stage.page.locator("#stage-text")).to_have_text(SENSOR)
    expect(tab(console.page, "Answered").locator(".count")).to_have_text("0")
    console.assert_clean()
    stage.assert_clean()


def test_after_a_note_single_keys_work_again(laptop, session):
    first, second = session.add("Is anonymised data ever really anonymous?", "Who audits it?")
    console = laptop(session.created["links"]["moderator"])
    console.wait_live()
    page = console.page
    note = page.get_by_label("Note to the stage")
    note.fill("Ana's mic is off")
    note.press("Enter")
    expect(page.locator(".note-sent", has_text="Ana's mic is off")).to_be_visible()
    expect(note).not_to_be_focused()
    expect(note).to_have_value("")
    page.keyboard.press("a")  # approves the selected (first) question, types nothing
    expect(tab(page, "Queue").locator(".count")).to_have_text("1")
    assert session.questions()[first]["state"] == "queued"
    expect(note).to_have_value("")

    # Esc leaves any text field; the next key is a shortcut again.
    note.fill("half a thought")
    note.press("Escape")
    expect(note).not_to_be_focused()
    page.keyboard.press("a")
    expect(tab(page, "Queue").locator(".count")).to_have_text("2")
    expect(note).to_have_value("half a thought")
    assert session.questions()[second]["state"] == "queued"
    console.assert_clean()


def test_push_while_live_swaps_after_one_confirmation(laptop, open_role, session):
    live_q, next_q = session.add(
        "Live now: open data licences?", "Waiting: what about AI training?"
    )
    session.act(live_q, "approve")
    session.act(next_q, "approve")
    session.act(live_q, "push")
    console = laptop(session.created["links"]["moderator"])
    stage = open_role("stage", session.created["links"]["stage"])
    console.wait_live()
    stage.wait_live()
    page = console.page
    page.keyboard.press("2")
    expect(page.locator("#list .q")).to_have_count(1)
    page.keyboard.press("p")
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("is on stage now")
    expect(confirm.get_by_role("button", name="Swap")).to_be_focused()
    b = confirm.get_by_role("button", name="Swap").bounding_box()
    assert b and b["x"] >= 0 and b["x"] + b["width"] <= 1366 and b["y"] + b["height"] <= 768
    page.keyboard.press("Enter")
    expect(confirm).to_have_count(0)
    expect(stage.page.locator("#stage-text")).to_have_text("Waiting: what about AI training?")
    qs = session.questions()
    assert qs[next_q]["state"] == "on_stage"
    assert qs[live_q]["state"] == "queued" and qs[live_q]["position"] == 1
    # Undo the swap: the first one is live again, the other first in the queue.
    page.keyboard.press("z")
    expect(stage.page.locator("#stage-text")).to_have_text("Live now: open data licences?")
    qs = session.questions()
    assert qs[next_q]["state"] == "queued" and qs[next_q]["position"] == 1
    console.assert_clean()
    stage.assert_clean()


VIEWPORT = {"x": 0, "y": 0, "w": 1366, "h": 768}


def rect(locator) -> dict:
    """The locator's box as layout.py's helpers take it: {x, y, w, h}."""
    b = locator.bounding_box()
    assert b is not None, f"{locator} is not rendered"
    return {"x": b["x"], "y": b["y"], "w": b["width"], "h": b["height"]}


def report_row(session, channel: str = "zoom_chat") -> dict:
    """The report's per-channel row (JSON), as the rapporteur's download counts it."""
    r = httpx.get(f"{session.base}/report", headers=session.mod, timeout=15)
    assert r.status_code == 200, r.text
    rows = [row for row in r.json()["questions"]["by_channel"] if row["channel"] == channel]
    assert len(rows) == 1, rows
    return rows[0]


def test_dismiss_with_a_reason_from_the_menu_counts_in_the_report(laptop, session):
    """At a live event Dismiss stays one key; the reason is one more key or click, and it
    is what the report's "declined by reason" counts, per channel."""
    spam, repeat, hub_a, hub_b, later = session.add(
        "Buy followers now",
        "Is this the data session?",
        "Which hubs are online today?",
        "Which hubs joined this session?",
        "Will the slides be shared after the session?",
    )
    session.act(later, "approve")
    console = laptop(session.created["links"]["moderator"])
    console.wait_live()
    page = console.page
    menu = page.get_by_role("menu", name="Why dismiss?")
    items = menu.get_by_role("menuitem")
    listing = page.locator("#list")

    # The ▾ beside Dismiss: a menu of the server's reasons, by the card, in the viewport.
    row = page.locator(f'#list .q[data-id="{spam}"]')
    caret = row.get_by_role("button", name="Dismiss with a reason")
    expect(caret).to_have_attribute("aria-expanded", "false")
    caret.click()
    expect(menu).to_be_visible()
    expect(caret).to_have_attribute("aria-expanded", "true")
    reasons = [items.nth(i).get_attribute("data-reason") for i in range(items.count())]
    assert reasons == list(DECLINE_REASONS)
    expect(items).to_have_text(
        ["1Off-topic", "2Duplicate", "3Abusive", "4Answered elsewhere", "5Other reason"]
    )
    expect(items.first).to_be_focused()
    m, text = rect(menu), rect(row.locator(".q-text"))
    assert inside(m, VIEWPORT), m
    assert not intersect(m, text), (m, text)  # the question being judged stays readable
    assert not intersect(m, rect(row.locator(".q-meta"))), m
    for i in range(items.count()):
        assert inside(rect(items.nth(i)), m), i
    screenshot(console, "console-dismiss-reason-1366x768.png")
    items.nth(2).click()  # Abusive
    expect(menu).to_be_hidden()
    expect(row).to_have_count(0)
    expect(listing).to_be_focused()
    expect(page.locator("#toasts .toast--undo")).to_contain_text("Dismissed (Abusive)")

    # Keyboard: Shift+d opens it on the selected question, Esc closes it and changes nothing.
    page.locator(f'#list .q[data-id="{repeat}"] .q-text').click()
    page.keyboard.press("Shift+D")
    expect(menu).to_be_visible()
    expect(items.first).to_be_focused()
    page.keyboard.press("a")  # no shortcut acts on the list behind an open menu
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(listing).to_be_focused()
    assert session.questions()[repeat]["state"] == "inbox"
    page.keyboard.press("Shift+D")
    page.keyboard.press("ArrowDown")
    expect(items.nth(1)).to_be_focused()
    page.keyboard.press("Enter")  # Duplicate
    expect(page.locator(f'#list .q[data-id="{repeat}"]')).to_have_count(0)
    expect(listing).to_be_focused()
    assert session.questions()[repeat]["state"] == "dismissed"
    # Undo brings it back; a plain d then dismisses it with no reason, as before.
    page.keyboard.press("z")
    expect(page.locator(f'#list .q[data-id="{repeat}"]')).to_have_count(1)
    assert session.questions()[repeat]["state"] == "inbox"
    page.locator(f'#list .q[data-id="{repeat}"] .q-text').click()
    page.keyboard.press("d")
    expect(page.locator(f'#list .q[data-id="{repeat}"]')).to_have_count(0)

    # Bulk: both hub questions ticked, the ▾ beside "Dismiss selected", 4 picks the reason.
    for qid in (hub_a, hub_b):
        page.locator(f'#list .q[data-id="{qid}"] .q-check').click()
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.get_by_role("button", name="Dismiss the selected with a reason").click()
    expect(menu).to_be_visible()
    assert inside(rect(menu), VIEWPORT), rect(menu)
    page.keyboard.press("4")  # Answered elsewhere
    expect(tab(page, "Inbox").locator(".count")).to_have_text("0")
    expect(listing).to_be_focused()

    # From the queue too (it is dismissable there): Shift+d, 5.
    page.keyboard.press("2")
    expect(page.locator("#list .q")).to_have_count(1)
    page.locator(f'#list .q[data-id="{later}"] .q-text').click()
    page.keyboard.press("Shift+D")
    page.keyboard.press("5")  # Other reason
    expect(tab(page, "Queue").locator(".count")).to_have_text("0")

    qs = session.questions()
    assert all(qs[q]["state"] == "dismissed" for q in (spam, repeat, hub_a, hub_b, later))
    row_of = report_row(session)
    assert row_of["dismissed"] == 5
    # The undone Duplicate is not counted: its last dismissal gave no reason.
    assert row_of["declined_by_reason"] == {
        "abusive": 1,
        "answered_elsewhere": 2,
        "other": 1,
        "none": 1,
    }
    console.assert_clean()
