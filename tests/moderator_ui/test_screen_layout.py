"""The room screen and the OBS overlay at 720p, 1080p and 4K (issue 13): nothing overlaps,
the QR code is big when idle and stays (with the short URL and the session code) while a
poll is open, the word cloud is a cloud, and the overlay keeps to the lower third, with no
banner on air when the socket drops."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.servers import audience

from .layout import (
    SCREEN_SIZES,
    Moderator,
    box,
    boxes,
    inside,
    intersect,
    long_question,
    open_sized,
    overlaps,
    page_scroll,
    shoot,
    viewport_box,
)
from .uikit import SessionClient

pytestmark = pytest.mark.browser

AGENDA = [{"title": "Opening: why car-free streets", "minutes": 5, "kind": "opening"}]
OPTIONS = ["Schoolstraat", "Marktplein", "Stationslaan", "Havenkaai", "Kerkplein"]
# Word -> how many phones sent it: distinct counts, ties, and a tail of ones.
WORDS = {
    "trees": 7, "quiet": 5, "bikes": 4, "safe": 3, "children": 3, "shade": 2,
    "markets": 2, "air": 1, "benches": 1, "play": 1, "light": 1, "water": 1,
}
SIZE_IDS = [f"{w}x{h}" for w, h in SCREEN_SIZES]
QR_LOADED = "img => img.complete && img.naturalWidth > 0"
FIT_OK = "b => b.scrollHeight <= b.clientHeight + 1 && b.scrollWidth <= b.clientWidth + 1"

# Everything the overlay paints: images, boxes with a background, elements with own text.
PAINTED_JS = """
() => [...document.body.querySelectorAll("*")].filter((el) => {
  const r = el.getBoundingClientRect();
  const cs = getComputedStyle(el);
  if (!(r.width > 0 && r.height > 0) || cs.visibility === "hidden" || cs.opacity === "0") {
    return false;
  }
  const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  const bg = cs.backgroundColor !== "rgba(0, 0, 0, 0)";
  return text || bg || el.tagName === "IMG";
}).map((el) => {
  const r = el.getBoundingClientRect();
  return { id: el.id || el.className, x: r.left, y: r.top, w: r.width, h: r.height };
})
"""


def vote(base_url: str, slug: str, poll_id: int, body: dict) -> None:
    """One phone's vote: a phone that opened the audience page (which gave it its id)."""
    with audience(base_url, slug, timeout=5) as phone:
        response = phone.post(f"/api/sessions/{slug}/polls/{poll_id}/votes", json=body)
    assert response.status_code < 300, response.text


@pytest.fixture
def contexts():
    opened = []
    yield opened
    for context in opened:
        context.close()


@pytest.fixture
def room(live_server):
    created = live_server.create_session(
        title="Cities after cars: hybrid round table on mobility data",
        agenda=AGENDA,
        privacy={"author_display": "full"},
    )
    client = SessionClient(live_server.url, created)
    mod = Moderator(live_server.url, client.slug, client.keys["moderator"])
    mod.post("/timer/start")
    yield client, mod
    mod.close()
    client.close()


def push(client: SessionClient, text: str, name: str) -> int:
    qid = client.ask(text, name)
    client.act(qid, "approve")
    client.act(qid, "push")
    return qid


def assert_apart(page, selectors: dict[str, str]) -> dict[str, dict]:
    """All named elements rendered, inside the viewport, and no two intersecting."""
    view = viewport_box(page)
    named = {name: box(page, sel) for name, sel in selectors.items()}
    for name, b in named.items():
        assert inside(b, view), (name, b, view)
    assert overlaps(named) == [], named
    scroll = page_scroll(page)
    assert scroll["sh"] <= scroll["vh"] and scroll["sw"] <= scroll["vw"], scroll
    return named


def settle(page) -> None:
    page.wait_for_timeout(150)  # resize observers refit one frame later


@pytest.mark.parametrize("size", SCREEN_SIZES, ids=SIZE_IDS)
def test_screen_keeps_everything_apart(browser, contexts, live_server, room, size):
    client, mod = room
    width, height = size
    screen = open_sized(browser, contexts, "screen", client.links["screen"], size)
    screen.wait_live()
    page = screen.page

    # Idle: title, timer, and a QR code big enough to scan from the back of the room.
    expect(page.locator("#screen-join")).to_be_visible()
    expect(page.locator("#join-code")).to_have_text(client.slug)
    assert page.locator("#qr").evaluate(QR_LOADED)
    expect(page.locator(".tmr")).to_have_attribute("data-state", "running")
    settle(page)
    shoot(page, "screen-idle")
    named = assert_apart(page, {
        "title": "#session-title", "timer": ".tmr", "qr": "#qr",
        "url": "#join-url", "code": "#join-code",
    })
    assert named["qr"]["h"] >= 0.4 * height and named["qr"]["w"] >= 0.4 * height, named["qr"]

    # A 2,000-character question: fitted under the timer line, all of it on screen.
    push(client, long_question(), "Rosa Delgado-Martínez")
    expect(page.locator("#screen-text")).to_have_text(long_question())
    expect(page.locator("#screen-join")).to_be_hidden()
    settle(page)
    shoot(page, "screen-question")
    assert_apart(page, {"text": "#screen-text", "meta": "#screen-meta", "timer": ".tmr"})
    assert page.locator("#screen-question").evaluate(FIT_OK)
    font = page.locator("#screen-text").evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
    assert font >= 0.02 * height, font  # readable from the room at every resolution

    # A poll on the screen while voting is open: results beside the QR, URL and code.
    pid = mod.poll("Which street should go car-free first?", "single", OPTIONS,
                   "open", "show_screen")
    for choice in (0, 0, 1, 2, 0, 4):
        vote(live_server.url, client.slug, pid, {"choices": [choice]})
    results = page.locator("#screen-poll-results")
    expect(results.locator(".poll-turnout")).to_have_text("6 voters", timeout=4000)
    expect(page.locator("#screen-join")).to_be_visible()
    expect(page.locator("#join-call")).to_have_text("Vote on your phone")
    expect(page.locator("#join-url")).to_contain_text(f"/s/{client.slug}")
    expect(page.locator("#join-code")).to_have_text(client.slug)
    settle(page)
    shoot(page, "screen-poll")
    named = assert_apart(page, {
        "poll": "#screen-poll", "timer": ".tmr", "qr": "#qr",
        "url": "#join-url", "code": "#join-code",
    })
    assert named["qr"]["h"] >= 0.3 * height, named["qr"]
    assert page.locator("#screen-poll").evaluate(FIT_OK)
    for option in boxes(page, ["#screen-poll .poll-option"])["#screen-poll .poll-option"]:
        assert inside(option, named["poll"]), (option, named["poll"])

    # The moderator asks for a join code: the screen shows it, big, in place of the session's.
    expect(page.locator("#join-code-label")).to_have_text("Session code")
    mod.join_code("WS499")
    expect(page.locator("#join-code")).to_have_text("WS499")
    expect(page.locator("#join-code-label")).to_have_text("Join code")
    settle(page)
    shoot(page, "screen-poll-code")
    assert_apart(page, {
        "poll": "#screen-poll", "timer": ".tmr", "qr": "#qr",
        "url": "#join-url", "code": "#join-code",
    })
    mod.join_code(None)
    expect(page.locator("#join-code")).to_have_text(client.slug)

    # A word cloud: sized by count, no two words on top of each other, inside its box.
    mod.post(f"/polls/{pid}/actions/hide_screen")
    cid = mod.poll("One word for the street you want", "wordcloud", None, "open", "show_screen")
    for word, count in WORDS.items():
        for _ in range(count):
            vote(live_server.url, client.slug, cid, {"text": word})
    words = page.locator("#screen-cloud .screen-cloud-word")
    expect(words).to_have_count(len(WORDS), timeout=4000)
    expect(page.locator("#screen-poll-results .poll-turnout")).to_have_text(
        f"{sum(WORDS.values())} voters", timeout=4000
    )
    settle(page)
    shoot(page, "screen-cloud")
    named = assert_apart(page, {
        "poll": "#screen-poll", "timer": ".tmr", "qr": "#qr",
        "url": "#join-url", "code": "#join-code",
    })
    cloud_box = box(page, "#screen-cloud")
    placed = words.evaluate_all(
        "els => els.filter(e => !e.hidden).map(e => { const r = e.getBoundingClientRect();"
        " return {word: e.querySelector('.screen-cloud-text').textContent,"
        " count: Number(e.dataset.count), font: parseFloat(getComputedStyle(e).fontSize),"
        " x: r.left, y: r.top, w: r.width, h: r.height}; })"
    )
    assert {w["word"] for w in placed} == set(WORDS), placed  # all of them found room
    for w in placed:
        assert w["count"] == WORDS[w["word"]]
        assert inside(w, cloud_box), (w, cloud_box)
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            assert not intersect(a, b), (a, b)
            if a["count"] > b["count"]:
                assert a["font"] > b["font"], (a, b)
            elif a["count"] == b["count"]:
                assert abs(a["font"] - b["font"]) < 0.01, (a, b)
    biggest = max(placed, key=lambda w: w["font"])
    assert biggest["word"] == "trees" and biggest["font"] >= 2 * min(w["font"] for w in placed)
    screen.assert_clean()


@pytest.mark.parametrize("size", SCREEN_SIZES, ids=SIZE_IDS)
def test_overlay_is_a_lower_third_without_banners(browser, contexts, live_server, room, size):
    client, mod = room
    width, height = size
    third = height * 2 / 3
    overlay = open_sized(browser, contexts, "screen", client.links["screen"] + "&overlay=1", size)
    overlay.wait_live()
    page = overlay.page

    def painted_in_lower_third() -> list[dict]:
        shown = page.evaluate(PAINTED_JS)
        assert shown, "the overlay paints nothing"
        for b in shown:
            assert b["y"] >= third - 0.5, (b, third)
            assert inside(b, viewport_box(page)), b
        return shown

    background = page.evaluate(
        "[getComputedStyle(document.documentElement).backgroundColor,"
        " getComputedStyle(document.body).backgroundColor]"
    )
    assert background == ["rgba(0, 0, 0, 0)", "rgba(0, 0, 0, 0)"]

    push(client, long_question(), "Rosa Delgado-Martínez")
    expect(page.locator("#screen-text")).to_have_text(long_question())
    settle(page)
    shoot(page, "overlay-question")
    painted_in_lower_third()
    assert_apart(page, {"question": "#screen-question", "timer": ".tmr"})
    assert page.locator("#screen-question").evaluate(FIT_OK)

    # A poll, compact, with the way to vote for the people watching the stream.
    pid = mod.poll("Which street should go car-free first?", "single", OPTIONS,
                   "open", "show_screen")
    vote(live_server.url, client.slug, pid, {"choices": [1]})
    expect(page.locator("#screen-poll-results .poll-turnout")).to_have_text("1 voter",
                                                                            timeout=4000)
    expect(page.locator("#screen-join")).to_be_visible()
    settle(page)
    shoot(page, "overlay-poll")
    painted_in_lower_third()
    assert_apart(page, {"poll": "#screen-poll", "timer": ".tmr", "join": "#screen-join"})
    assert page.locator("#screen-poll").evaluate(FIT_OK)

    # A word cloud on the stream: a band in the lower third, words apart.
    mod.post(f"/polls/{pid}/actions/hide_screen")
    cid = mod.poll("One word for the street you want", "wordcloud", None, "open", "show_screen")
    for word, count in list(WORDS.items())[:6]:
        for _ in range(count):
            vote(live_server.url, client.slug, cid, {"text": word})
    words = page.locator("#screen-cloud .screen-cloud-word:visible")
    expect(words).to_have_count(6, timeout=4000)
    settle(page)
    shoot(page, "overlay-cloud")
    painted_in_lower_third()
    placed = words.evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.left, y: r.top, w: r.width, h: r.height}; })"
    )
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            assert not intersect(a, b), (a, b)

    # The socket drops and cannot come back: no banner on air, at most a small dot.
    page.route_web_socket(re.compile(r"/s/[^/]+/live(\?.*)?$"),
                          lambda ws: ws.close(code=1013, reason="try again later"))
    page.evaluate("window.__fbLive.socket.close()")
    expect(page.locator("html")).to_have_attribute("data-live", "reconnecting")
    expect(page.locator("#conn-banner")).to_have_text("reconnecting…")  # state is known...
    expect(page.locator("#conn-banner")).to_be_hidden()  # ...but not shown on air
    dot = box(page, "#conn-dot")
    assert dot["w"] <= 0.02 * height and dot["h"] <= 0.02 * height, dot
    settle(page)
    shoot(page, "overlay-reconnecting")
    painted_in_lower_third()
    opacity = page.evaluate("getComputedStyle(document.querySelector('main')).opacity")
    assert opacity == "1", opacity  # not dimmed on air either
    overlay.assert_clean()

