"""The stage tablet is one screen (issue 13): with a 2,000-character question live, four
queued, a note and an open poll, the timer, the question, the buttons and every region fit
the viewport without page scroll, in both orientations, and nothing overlaps."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .layout import (
    STAGE_SIZES,
    Moderator,
    box,
    boxes,
    inside,
    long_question,
    open_sized,
    overlaps,
    page_scroll,
    shoot,
    viewport_box,
)
from .uikit import SessionClient

pytestmark = pytest.mark.browser

AGENDA = [
    {"title": "Opening: why car-free streets", "minutes": 5, "kind": "opening"},
    {"title": "Ana on mobility data", "minutes": 10, "kind": "speaker", "speaker": "Ana Pires"},
]
QUEUED = [
    ("Who pays for the new bus lanes when the parking income disappears?", "Jonas K."),
    ("Can small shops still get their deliveries before nine?", "Mia"),
    ("What did Ghent learn in its first year, and what would it do differently now?", None),
    ("Is there any evidence that school streets reduce asthma in children?", "Dr. Lee"),
]
NOTE = "Ana's microphone is off: please repeat the question for the remote audience"
REGIONS = {
    "header": ".stage-header",
    "timer": "#stage-timer",
    "notes": "#stage-notes",
    "now": ".stage-now",
    "next": ".stage-upnext",
    "polls": "#stage-polls",
    "controls": ".stage-controls",
}
MIN_READABLE_PX = 14


@pytest.fixture(scope="module")
def busy_stage(live_server):
    """A session in full swing, shared by the sizes (the tests only look)."""
    created = live_server.create_session(
        title="Cities after cars: hybrid round table on mobility data",
        agenda=AGENDA,
        privacy={"author_display": "full"},
    )
    client = SessionClient(live_server.url, created)
    mod = Moderator(live_server.url, client.slug, client.keys["moderator"])
    mod.post("/timer/start")
    live = client.ask(long_question(), "Rosa Delgado-Martínez")
    client.act(live, "approve")
    client.act(live, "push")
    for text, name in QUEUED:
        client.act(client.ask(text, name), "approve")
    mod.post("/notes", {"kind": "text", "text": NOTE}, status=201)
    mod.poll("Which street should go car-free first?", "single",
             ["Schoolstraat", "Marktplein", "Stationslaan"], "open")
    mod.join_code("WS499")
    yield client
    mod.close()
    client.close()


@pytest.fixture
def contexts():
    opened = []
    yield opened
    for context in opened:
        context.close()


@pytest.mark.parametrize("size", STAGE_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stage_is_one_screen_with_a_long_question(browser, contexts, busy_stage, size):
    stage = open_sized(browser, contexts, "stage", busy_stage.links["stage"], size)
    stage.wait_live()
    page = stage.page
    expect(page.locator("#stage-text")).to_have_text(long_question())
    expect(page.locator("#up-next li")).to_have_count(4)
    expect(page.locator(".note--open .note-text")).to_have_text(NOTE)
    expect(page.locator("#stage-polls .poll-card")).to_have_count(1)
    expect(page.locator("#stage-polls-label")).to_have_text("Poll · join code WS499")
    expect(page.locator(".tmr")).to_have_attribute("data-state", "running")
    page.wait_for_function("document.querySelector('#stage-question').dataset.fitSize")
    page.wait_for_timeout(100)  # the resize observer's refit, one frame later
    shoot(page, "stage")

    # No page scroll, either way.
    scroll = page_scroll(page)
    assert scroll["sh"] <= scroll["vh"] and scroll["bh"] <= scroll["vh"], scroll
    assert scroll["sw"] <= scroll["vw"], scroll

    # Timer and both buttons entirely on screen; the buttons are big touch targets.
    view = viewport_box(page)
    for selector in (".tmr", "#answered", "#next"):
        assert inside(box(page, selector), view), (selector, box(page, selector), view)
    for selector in ("#answered", "#next"):
        b = box(page, selector)
        assert b["h"] >= 64 and b["w"] >= 120, (selector, b)

    # The whole question fits its card at a readable size: no overflow, no card scroll.
    card = page.locator("#stage-question")
    fit = card.evaluate(
        "c => ({sh: c.scrollHeight, ch: c.clientHeight, sw: c.scrollWidth, cw: c.clientWidth,"
        " scroll: c.classList.contains('fit--scroll'),"
        " font: parseFloat(getComputedStyle(c.querySelector('#stage-text')).fontSize)})"
    )
    assert fit["sh"] <= fit["ch"] + 1 and fit["sw"] <= fit["cw"] + 1, fit
    assert not fit["scroll"], fit
    assert fit["font"] >= MIN_READABLE_PX, fit
    card_box = box(page, "#stage-question")
    for part in ("#stage-text", "#stage-meta"):
        assert inside(box(page, part), card_box), (part, box(page, part), card_box)

    # Every region on screen, none on top of another.
    regions = {name: box(page, sel) for name, sel in REGIONS.items()}
    for name, b in regions.items():
        assert inside(b, view), (name, b, view)
    assert overlaps(regions) == [], regions

    # What the regions hold is visible inside them, not clipped away.
    items = boxes(page, ["#up-next li"])["#up-next li"]
    assert len(items) == 4
    for item in items:
        assert inside(item, regions["next"]), (item, regions["next"])
    note = box(page, ".note--open")
    assert inside(note, regions["notes"]), (note, regions["notes"])
    got_it = box(page, ".note--open .note-ack")
    assert got_it["h"] >= 48 and got_it["w"] >= 48, got_it
    # Readable notes: a line holds several words, not one (the portrait bug).
    text = box(page, ".note--open .note-text")
    assert text["w"] >= 0.45 * regions["notes"]["w"], (text, regions["notes"])
    assert inside(box(page, "#stage-polls .poll-question"), regions["polls"])
    stage.assert_clean()


def test_a_short_question_is_big_and_the_fit_follows_rotation(browser, contexts, live_server):
    created = live_server.create_session(title="Short", privacy={"author_display": "full"})
    client = SessionClient(live_server.url, created)
    try:
        stage = open_sized(browser, contexts, "stage", client.links["stage"], STAGE_SIZES[0])
        stage.wait_live()
        page = stage.page
        q = client.ask("Why not start tomorrow?", "Sam")
        client.act(q, "approve")
        client.act(q, "push")
        expect(page.locator("#stage-text")).to_have_text("Why not start tomorrow?")
        font = "parseFloat(getComputedStyle(document.querySelector('#stage-text')).fontSize)"
        short = page.evaluate(font)
        assert short >= 48, short  # a one-liner fills the card, readable across the room

        # A long one replaces it: smaller, and still inside the card after a rotation.
        long_id = client.ask(long_question(1200), "Sam")
        client.act(long_id, "approve")
        client.act(q, "answer")
        client.act(long_id, "push")
        expect(page.locator("#stage-text")).to_have_text(long_question(1200))
        page.wait_for_function(f"{font} < {short}")
        page.set_viewport_size({"width": 768, "height": 1024})
        page.wait_for_timeout(200)
        card = page.locator("#stage-question")
        sh, ch = card.evaluate("c => [c.scrollHeight, c.clientHeight]")
        assert sh <= ch + 1, (sh, ch)
        assert inside(box(page, "#stage-text"), box(page, "#stage-question"))
        stage.assert_clean()
    finally:
        client.close()


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["landscape", "portrait"])
def test_a_crowded_stage_still_has_no_page_scroll(browser, contexts, live_server, size):
    """Five unread notes and three open polls: the regions scroll inside, the page does not."""
    created = live_server.create_session(title="Crowded", agenda=AGENDA)
    client = SessionClient(live_server.url, created)
    mod = Moderator(live_server.url, client.slug, client.keys["moderator"])
    try:
        live = client.ask(long_question(), "Rosa")
        client.act(live, "approve")
        client.act(live, "push")
        for text, name in QUEUED:
            client.act(client.ask(text, name), "approve")
        for i in range(5):
            mod.post("/notes", {"kind": "text", "text": f"{NOTE} ({i + 1})"}, status=201)
        for i in range(3):
            mod.poll(f"Poll {i + 1}: which street first?", "single",
                     ["Schoolstraat", "Marktplein", "Stationslaan", "Havenkaai"], "open")
        stage = open_sized(browser, contexts, "stage", client.links["stage"], size)
        stage.wait_live()
        page = stage.page
        expect(page.locator(".note--open")).to_have_count(5)
        expect(page.locator("#stage-polls .poll-card")).to_have_count(3)
        page.wait_for_timeout(150)
        shoot(page, "stage-crowded")
        scroll = page_scroll(page)
        assert scroll["sh"] <= scroll["vh"] and scroll["sw"] <= scroll["vw"], scroll
        view = viewport_box(page)
        regions = {name: box(page, sel) for name, sel in REGIONS.items()}
        for name, b in regions.items():
            assert inside(b, view), (name, b, view)
        assert overlaps(regions) == [], regions
        for selector in (".tmr", "#answered", "#next"):
            assert inside(box(page, selector), view), selector
        # The crowded regions scroll inside themselves, and the newest note is on top.
        for selector in ("#stage-notes", "#stage-polls"):
            sh, ch = page.locator(selector).evaluate("e => [e.scrollHeight, e.clientHeight]")
            assert sh > ch, (selector, sh, ch)
        assert inside(boxes(page, [".note--open"])[".note--open"][0], regions["notes"])
        expect(page.locator(".note--open .note-text").first).to_have_text(f"{NOTE} (5)")
        # The question fits, or (last resort) sits at the smallest readable size in a card
        # that scrolls by itself.
        card = page.locator("#stage-question").evaluate(
            "c => ({fits: c.scrollHeight <= c.clientHeight + 1,"
            " overflow: getComputedStyle(c).overflowY,"
            " font: parseFloat(getComputedStyle(c.querySelector('#stage-text')).fontSize)})"
        )
        last_resort = card["overflow"] == "auto" and card["font"] == MIN_READABLE_PX
        assert card["fits"] or last_resort, card
        stage.assert_clean()
    finally:
        mod.close()
        client.close()
