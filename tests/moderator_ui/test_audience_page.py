"""The audience page on a phone (390x844), as a person in the room uses it.

- The live poll comes first and fits the first screen; the question form follows; closed
  polls and the privacy notice are folded to one line each until opened.
- A multiple-choice poll cannot take more ticks than it allows (and the server refuses
  them too).
- "Questions you asked" shows what became of each of this phone's questions, live, and
  nothing of anybody else's.
- The questions can be sorted by popularity or by time, and the choice is remembered.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.servers import audience

from .uikit import ARTIFACTS

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "screenshots"


def _poll(fb, question: str, kind: str, options: list[str], **extra) -> int:
    r = fb.moderator.post(
        f"{fb.prefix}/polls", json={"question": question, "kind": kind, "options": options, **extra}
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _poll_action(fb, pid: int, action: str) -> None:
    r = fb.moderator.post(f"{fb.prefix}/polls/{pid}/actions/{action}")
    assert r.status_code == 200, r.text


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    return box


def test_live_poll_first_form_next_the_rest_folded(open_role, fb_session):
    closed = _poll(fb_session, "Did you come by bike?", "single", ["Yes", "No"])
    for action in ("open", "close", "show_audience"):  # closed, its results shown
        _poll_action(fb_session, closed, action)
    live = _poll(
        fb_session,
        "Which two measures matter most?",
        "multiple",
        ["Bus lanes", "Bike paths", "Car-free Sundays", "Cheaper tickets"],
        max_choices=2,
    )
    _poll_action(fb_session, live, "open")

    phone = open_role("audience", fb_session.links["audience"])
    phone.wait_live()
    page = phone.page
    card = page.locator(f'#aud-polls [data-poll-id="{live}"]')
    expect(card).to_be_visible()
    form = page.locator("#ask-form")
    expect(page.locator("#privacy-statements li").first).to_be_attached()

    # Live poll above the form, whole inside the first screen (no scrolling needed).
    poll_box, form_box = _box(card), _box(form)
    assert poll_box["y"] + poll_box["height"] <= form_box["y"], (poll_box, form_box)
    assert poll_box["y"] >= 0 and poll_box["y"] + poll_box["height"] <= 844, poll_box
    send = card.locator(".poll-send")
    assert _box(send)["y"] + _box(send)["height"] <= 844

    # The closed poll is folded away under one line, below the form.
    folded = page.locator("#aud-polls-closed-box")
    expect(folded).to_be_visible()
    expect(folded).not_to_have_attribute("open", "")
    expect(page.locator("#aud-polls-closed-summary")).to_have_text("1 closed poll")
    closed_card = page.locator(f'#aud-polls-closed [data-poll-id="{closed}"]')
    expect(closed_card).to_be_hidden()
    assert _box(folded)["y"] > form_box["y"] and _box(folded)["height"] < 60

    # The privacy notice: one line until opened, then it says it all.
    privacy = page.locator("#privacy")
    expect(privacy).to_be_visible()
    assert _box(privacy)["height"] < 80, _box(privacy)
    summary = privacy.locator("summary")
    assert _box(summary)["height"] < 40  # one line of text, not two
    expect(page.locator("#privacy-statements")).to_be_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "audience-390x844.png"))
    summary.tap()
    expect(page.locator("#privacy-statements")).to_be_visible()
    assert _box(privacy)["height"] > 80

    # Max two ticks: the third and fourth boxes lock once two are ticked.
    boxes = card.locator("input[type=checkbox]")
    card.locator(".poll-choice").nth(0).tap()
    card.locator(".poll-choice").nth(2).tap()
    expect(boxes.nth(1)).to_be_disabled()
    expect(boxes.nth(3)).to_be_disabled()
    card.locator(".poll-choice").nth(3).tap(force=True)  # a tap on a locked one: nothing
    expect(boxes.nth(3)).not_to_be_checked()
    assert [boxes.nth(i).is_checked() for i in range(4)] == [True, False, True, False]
    card.locator(".poll-choice").nth(2).tap()  # untick one: the others unlock
    expect(boxes.nth(3)).to_be_enabled()
    card.locator(".poll-choice").nth(3).tap()
    send.tap()
    expect(card.locator(".poll-status")).to_have_text("Thank you, your vote is counted.")

    # The server refuses three choices whatever the page does (a phone that opened the page).
    with audience(fb_session.base_url, fb_session.slug) as voter:
        r = voter.post(f"{fb_session.prefix}/polls/{live}/votes", json={"choices": [0, 1, 2]})
    assert r.status_code == 422 and "at most 2" in r.json()["detail"], r.text

    # The moderator closes it and shows the results: it folds away with the other one.
    _poll_action(fb_session, live, "close")
    _poll_action(fb_session, live, "show_audience")
    expect(page.locator("#aud-polls-closed-summary")).to_have_text("2 closed polls")
    expect(page.locator("#aud-polls-section")).to_be_hidden()
    phone.assert_clean()


def test_my_questions_follow_the_moderation_live(open_role, fb_session):
    phone = open_role("audience", fb_session.links["audience"])
    phone.wait_live()
    page = phone.page
    mine = page.locator("#aud-mine-section")
    expect(mine).to_be_hidden()  # nothing asked yet

    texts = [
        "Will the bus lanes reach the suburbs?",
        "Could the bike paths be lit at night?",
        "Is there a budget for this?",
    ]
    for text in texts:
        page.locator("#ask-text").fill(text)
        page.locator("#ask-send").tap()
        expect(page.locator("#ask-status")).to_have_text("Sent, a moderator will review it.")
        expect(page.locator("#ask-text")).to_have_value("")
    # Someone else's pending question is never shown here, nor their name.
    other = fb_session.ask("Another person's question, still pending", name="Olga Other")
    main = fb_session.ask("When do the bus lanes open?", name="Mo Main")
    fb_session.act(main, "approve")

    expect(mine.locator(".mine")).to_have_count(3)

    def status(text: str):
        return mine.locator(".mine", has_text=text).locator(".mine-badge")

    for text in texts:
        expect(status(text)).to_have_text("Waiting for a moderator")
    ids = {
        q["text"]: q["id"] for q in fb_session.snapshot()["data"]["questions"] if q["text"] in texts
    }

    fb_session.act(ids[texts[0]], "approve")
    expect(status(texts[0])).to_have_text("Approved: in the queue")
    fb_session.act(ids[texts[0]], "push")
    expect(status(texts[0])).to_have_text("On stage now")
    fb_session.act(ids[texts[0]], "answer")
    expect(status(texts[0])).to_have_text("Answered")
    r = fb_session.moderator.post(
        f"{fb_session.prefix}/questions/{ids[texts[1]]}/merge", json={"into": main}
    )
    assert r.status_code == 200, r.text
    expect(status(texts[1])).to_have_text("Merged into")
    expect(mine.locator(".mine", has_text=texts[1])).to_contain_text("When do the bus lanes open?")
    # Dismissed from the inbox: the audience view never hears of it; the slow poll does.
    fb_session.act(ids[texts[2]], "dismiss")
    expect(status(texts[2])).to_have_text("Not selected", timeout=20_000)

    body = page.locator("body")
    expect(body).not_to_contain_text("Another person's question")
    expect(body).not_to_contain_text("Olga Other")
    expect(body).not_to_contain_text("Mo Main")
    expect(page.locator(f'[data-id="{other}"]')).to_have_count(0)
    expect(body).not_to_contain_text("dismissed")
    mine.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "audience-390x844-mine.png"))
    # After a reload the list comes back from the server, same states.
    page.reload()
    phone.wait_live()
    expect(status(texts[2])).to_have_text("Not selected")
    expect(status(texts[0])).to_have_text("Answered")
    phone.assert_clean()


def test_sort_by_popular_or_recent_is_remembered(open_role, fb_session):
    texts = ["Oldest, one vote", "Middle, three votes", "Newest, no votes"]
    ids = []
    for text in texts:
        qid = fb_session.ask(text)
        fb_session.act(qid, "approve")
        ids.append(qid)
    for qid, votes in zip(ids, (1, 3, 0), strict=True):
        for _ in range(votes):
            with audience(fb_session.base_url, fb_session.slug) as voter:  # a new phone
                r = voter.post(f"{fb_session.prefix}/questions/{qid}/upvote")
            assert r.status_code == 200, r.text

    phone = open_role("audience", fb_session.links["audience"])
    phone.wait_live()
    page = phone.page
    cards = page.locator("#aud-list .aq .aq-text")
    popular = page.get_by_role("button", name="Popular")
    recent = page.get_by_role("button", name="Recent")
    expect(popular).to_have_attribute("aria-pressed", "true")  # the default
    expect(cards).to_have_text([texts[1], texts[0], texts[2]])
    # The two buttons are thumb-sized and inside the screen's width.
    for button in (popular, recent):
        box = _box(button)
        assert box["height"] >= 40 and box["x"] + box["width"] <= 390

    recent.tap()
    expect(recent).to_have_attribute("aria-pressed", "true")
    expect(cards).to_have_text([texts[2], texts[1], texts[0]])

    # A vote changes the popular order, never the recent one.
    page.reload()
    phone.wait_live()
    expect(recent).to_have_attribute("aria-pressed", "true")  # remembered
    expect(cards).to_have_text([texts[2], texts[1], texts[0]])
    page.locator(f'.aq[data-id="{ids[2]}"] button.vote').tap()
    expect(page.locator(f'.aq[data-id="{ids[2]}"] .vote-count')).to_have_text("1")
    expect(cards).to_have_text([texts[2], texts[1], texts[0]])
    popular.tap()  # 3 votes, then the two with one vote each in the moderator's order
    expect(cards).to_have_text([texts[1], texts[0], texts[2]])
    phone.assert_clean()


def test_in_the_room_toggle_counts_the_question_onsite(open_role, fb_session):
    """The audience page is remote unless the person says so; ticked, the question is
    counted in the room in the report, and the choice is remembered on this phone."""
    phone = open_role("audience", fb_session.links["audience"])
    phone.wait_live()
    page = phone.page
    toggle = page.locator("#ask-in-room")
    label = page.locator(".ask-in-room")
    expect(label).to_have_text("I’m in the room")
    expect(toggle).not_to_be_checked()
    box, name, send = _box(label), _box(page.locator("#ask-name")), _box(page.locator("#ask-send"))
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    assert name["y"] + name["height"] <= box["y"] and box["y"] + box["height"] <= send["y"]

    page.locator("#ask-text").fill("Asked from my seat")
    label.tap()
    expect(toggle).to_be_checked()
    page.locator("#ask-send").tap()
    expect(page.locator("#ask-status")).to_have_text("Sent, a moderator will review it.")
    page.locator("#ask-text").fill("Asked again, still in the room")
    page.locator("#ask-send").tap()
    expect(page.locator("#ask-status")).to_have_text("Sent, a moderator will review it.")
    fb_session.ask("Asked from home")

    page.reload()
    phone.wait_live()
    expect(page.locator("#ask-in-room")).to_be_checked()  # remembered on this phone

    r = fb_session.moderator.get(f"{fb_session.prefix}/report")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["balance"]["onsite"]["received"] == 2
    assert report["balance"]["remote"]["received"] == 1
    rows = {
        row["label"]: (row["remote"], row["received"]) for row in report["questions"]["by_channel"]
    }
    assert rows == {"Audience page": (True, 1), "Audience page (in the room)": (False, 2)}
    phone.assert_clean()
