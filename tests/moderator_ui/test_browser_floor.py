"""The floor in the browser at real sizes (issue 15): a phone asks for the floor and sees
its place fall as others are called; the stage shows the speaker, how they join and the
intervention timer inside the tablet viewport and adds someone from the room; the console
calls, skips and reorders by keyboard and says who must be unmuted in Zoom."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.servers import audience

from .layout import box, inside, open_sized, overlaps, page_scroll, shoot, viewport_box

pytestmark = pytest.mark.browser


@pytest.fixture
def contexts():
    opened = []
    yield opened
    for context in opened:
        context.close()


def _floor(server, created):
    base = f"{server.url}/api/sessions/{created['slug']}/floor"
    key = created["keys"]["moderator"]
    mod = httpx.Client(timeout=5, headers={"Authorization": f"Bearer {key}"})
    return base, mod


def _ask(server, created, name, **body):
    base = f"{server.url}/api/sessions/{created['slug']}/floor"
    with audience(server.url, created["slug"]) as phone:
        r = phone.post(base, json={"name": name, **body})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_phone_asks_for_the_floor_and_sees_its_place_fall(browser, contexts, live_server):
    created = live_server.create_session("Floor from a phone")
    base, mod = _floor(live_server, created)
    _ask(live_server, created, "Ana", where="room")
    _ask(live_server, created, "Ben")
    phone = open_sized(browser, contexts, "audience", created["links"]["audience"], (390, 844))
    phone.wait_live()
    page = phone.page
    page.locator("#floor-name").fill("Chen Wei")
    page.locator("#floor-group").select_option("academia")
    page.locator("#floor-where").select_option("hub")
    page.locator("#floor-hub").fill("Dhaka remote hub")
    page.locator("#floor-send").scroll_into_view_if_needed()
    send = box(page, "#floor-send")
    assert send["x"] >= 0 and send["x"] + send["w"] <= 390 and send["h"] >= 40, send
    page.locator("#floor-send").click()
    place = page.locator("#floor-place")
    expect(place).to_have_text("You are number 3 in the queue")
    mod.post(f"{base}/next").raise_for_status()
    expect(place).to_have_text("You are number 2 in the queue")
    mod.post(f"{base}/next").raise_for_status()
    expect(place).to_have_text("You are number 1 in the queue")
    # A reload finds the same request (the audience cookie says whose it is).
    page.reload()
    phone.wait_live()
    expect(place).to_have_text("You are number 1 in the queue")
    withdraw = box(page, "#floor-withdraw")
    assert withdraw["x"] >= 0 and withdraw["x"] + withdraw["w"] <= 390, withdraw
    mod.post(f"{base}/next").raise_for_status()
    expect(place).to_have_text("You have the floor now")
    expect(page.locator("#floor-withdraw")).to_be_hidden()
    assert page_scroll(page)["sw"] <= 390
    speaking = mod.get(base).json()["speaking"]
    assert (speaking["name"], speaking["hub"]) == ("Chen Wei", "Dhaka remote hub")
    phone.assert_clean()
    mod.close()


def test_a_phone_can_withdraw_and_ask_again_at_the_end(browser, contexts, live_server):
    created = live_server.create_session("Floor withdraw")
    phone = open_sized(browser, contexts, "audience", created["links"]["audience"], (390, 844))
    phone.wait_live()
    page = phone.page
    page.locator("#floor-name").fill("Dana")
    page.locator("#floor-send").click()
    expect(page.locator("#floor-place")).to_have_text("You are number 1 in the queue")
    _ask(live_server, created, "Eli")
    page.locator("#floor-withdraw").click()
    expect(page.locator("#floor-send")).to_be_visible()
    expect(page.locator("#floor-name")).to_have_value("Dana")  # remembered on this phone
    page.locator("#floor-send").click()
    expect(page.locator("#floor-place")).to_have_text("You are number 2 in the queue")
    phone.assert_clean()


@pytest.mark.parametrize("size", [(1024, 768), (820, 1180)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_stage_shows_the_speaker_and_the_timer_inside_the_tablet(
    browser, contexts, live_server, size
):
    created = live_server.create_session(
        "Floor on the stage", agenda=[{"title": "Open debate", "minutes": 30, "kind": "debate"}]
    )
    base, mod = _floor(live_server, created)
    mod.patch(f"{base}/settings", json={"intervention_seconds": 60, "warning_seconds": 59})
    _ask(live_server, created, "Amina Diallo", group="civil_society", where="remote")
    _ask(live_server, created, "Bruno Costa", group="government", where="room")
    mod.post(f"{base}/next").raise_for_status()
    stage = open_sized(browser, contexts, "stage", created["links"]["stage"], size)
    stage.wait_live()
    page = stage.page
    expect(page.locator("#floor-speaker")).to_have_text("Amina Diallo")
    expect(page.locator("#floor-speaker-how")).to_have_text("civil society, remote")
    expect(page.locator("#floor-next")).to_have_text("Next: Bruno Costa (government, in the room)")
    timer = page.locator("#floor-timer")
    expect(timer).to_have_text(re.compile(r"^0:\d\d$"))
    expect(timer).to_have_attribute("data-phase", "warning")  # 60 s turn, warning at 59 s
    shoot(page, "stage-floor")
    view = viewport_box(page)
    scroll = page_scroll(page)
    assert scroll["sh"] <= scroll["vh"] and scroll["sw"] <= scroll["vw"], scroll
    for sel in ("#stage-floor", "#floor-timer", "#floor-done", "#floor-call-next", "#floor-add",
                "#answered", "#next", ".stage-now"):
        assert inside(box(page, sel), view), (sel, box(page, sel), view)
    for sel in ("#floor-done", "#floor-call-next"):
        assert box(page, sel)["h"] >= 48, (sel, box(page, sel))
    assert box(page, "#floor-add")["h"] >= 44  # in the header, like the language menu
    regions = {n: box(page, s) for n, s in {
        "floor": "#stage-floor", "timer": "#stage-timer", "now": ".stage-now",
        "next": ".stage-upnext", "controls": ".stage-controls"}.items()}
    assert overlaps(regions) == [], regions
    assert inside(box(page, "#floor-speaker"), regions["floor"])

    # Add a raised hand in the room by name, then Done and Next from the tablet.
    page.locator("#floor-add").click()
    page.locator("#floor-add-name").fill("Carla from the room")
    dialog = box(page, "#floor-add-dialog")
    assert inside(dialog, view), (dialog, view)
    page.locator("#floor-add-ok").click()
    expect(page.locator("#floor-add-dialog")).to_be_hidden()
    expect(page.locator("#floor-waiting")).to_have_text("Waiting: 2")
    page.locator("#floor-call-next").click()
    expect(page.locator("#floor-speaker")).to_have_text("Bruno Costa")
    page.locator("#floor-done").click()
    expect(page.locator("#floor-speaker")).to_have_text("Nobody has the floor")
    assert mod.get(base).json()["queue"][0]["name"] == "Carla from the room"
    stage.assert_clean()
    mod.close()


def test_the_console_calls_skips_and_reorders_by_keyboard(browser, contexts, live_server):
    created = live_server.create_session("Floor on the console")
    base, mod = _floor(live_server, created)
    for name, where in (("Ana", "room"), ("Ben", "remote"), ("Chen", "room"), ("Dev", "room")):
        _ask(live_server, created, name, where=where, affiliation=f"{name} Org")
    console = open_sized(browser, contexts, "console", created["links"]["moderator"], (1366, 768))
    console.wait_live()
    page = console.page
    rows = page.locator("#floor-list li")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Ana Org")  # the moderator sees affiliations
    page.locator("#floor-panel").scroll_into_view_if_needed()
    view = viewport_box(page)
    row_boxes = [box(page, f"#floor-list li:nth-child({i})") for i in range(1, 5)]
    for b in row_boxes:
        assert b["x"] >= 0 and b["x"] + b["w"] <= view["w"] + 0.5, b
    assert overlaps({str(i): b for i, b in enumerate(row_boxes)}) == []
    call_button = box(page, "#floor-list li:nth-child(1) .floor-call")
    assert call_button["x"] + call_button["w"] <= view["w"], call_button

    rows.nth(0).focus()
    page.keyboard.press("Alt+ArrowDown")  # Ana below Ben
    expect(rows.nth(0)).to_contain_text("Ben")
    expect(rows.nth(1)).to_contain_text("Ana")
    expect(rows.nth(1)).to_be_focused()  # the row keeps the focus across the update
    page.keyboard.press("ArrowDown")  # to Chen
    page.keyboard.press("s")  # skip Chen
    expect(rows).to_have_count(3)
    assert [i["name"] for i in mod.get(base).json()["queue"]] == ["Ben", "Ana", "Dev"]
    rows.nth(0).focus()
    page.keyboard.press("Enter")  # call Ben, who is remote
    expect(page.locator("#floor-speaking")).to_contain_text("Ben")
    expect(page.locator("#floor-unmute")).to_have_text("Unmute in Zoom: Ben (remote)")
    expect(rows).to_have_count(2)
    page.locator("#floor-console-next").click()  # Ben done, Ana (in the room) speaks
    expect(page.locator("#floor-speaking")).to_contain_text("Ana")
    expect(page.locator("#floor-unmute")).to_be_hidden()
    console.assert_clean()
    mod.close()


def test_the_room_screen_shows_the_speaker_and_the_list_with_names_only_by_consent(
    browser, contexts, live_server
):
    created = live_server.create_session(
        "Floor on the screen",
        privacy={"author_display": "full"},
        agenda=[{"title": "Open debate", "minutes": 30, "kind": "debate"}],
    )
    base, mod = _floor(live_server, created)
    _ask(live_server, created, "Amina Diallo", group="civil_society", public=True)
    _ask(live_server, created, "Bruno Costa", group="government", where="room", affiliation="X")
    _ask(live_server, created, "Chen Wei", where="hub", hub="Dhaka hub", public=True)
    mod.post(f"{base}/next").raise_for_status()
    screen = open_sized(browser, contexts, "screen", created["links"]["screen"], (1920, 1080))
    screen.wait_live()
    page = screen.page
    expect(page.locator("#screen-floor-now")).to_have_text("Amina Diallo · civil society, remote")
    items = page.locator("#screen-floor-list li")
    expect(items).to_have_text(["Speaker 1 · government, in the room",
                                "Chen Wei · remote hub: Dhaka hub"])
    shoot(page, "screen-floor")
    view = viewport_box(page)
    floor_box, timer_box = box(page, "#screen-floor"), box(page, "#screen-timer")
    assert inside(floor_box, view) and overlaps({"floor": floor_box, "timer": timer_box}) == []
    # The moderator hides the list: the room sees only who speaks.
    mod.patch(f"{base}/settings", json={"screen_list": False}).raise_for_status()
    expect(items).to_have_count(0)
    expect(page.locator("#screen-floor-now")).to_contain_text("Amina Diallo")
    mod.post(f"{base}/next").raise_for_status()  # Bruno did not agree: no name on the screen
    expect(page.locator("#screen-floor-now")).to_have_text("Speaker · government, in the room")
    screen.assert_clean()
    mod.close()


@pytest.mark.parametrize("size", [(1024, 768), (1180, 820), (820, 1180)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_full_stage_with_the_floor_in_use_still_fits(browser, contexts, live_server, size):
    """A 2,000-character question live, four queued, a note, an open poll and the floor in
    use: no page scroll, every region on screen, none over another. In landscape the question
    still fits its card whole (asserted); in portrait the floor's row can cost a small
    tablet's card its last lines, which then scroll inside the card, never the page."""
    from .layout import Moderator, long_question
    from .uikit import SessionClient

    created = live_server.create_session(
        "Full stage with the floor",
        agenda=[{"title": "Open debate", "minutes": 30, "kind": "debate"}],
        privacy={"author_display": "full"},
    )
    client = SessionClient(live_server.url, created)
    mod = Moderator(live_server.url, client.slug, client.keys["moderator"])
    base, floor_mod = _floor(live_server, created)
    try:
        mod.post("/timer/start")
        live = client.ask(long_question(), "Rosa")
        client.act(live, "approve")
        client.act(live, "push")
        for i in range(4):
            client.act(client.ask(f"Queued question number {i + 1} about bus lanes?", "Mia"),
                       "approve")
        mod.post("/notes", {"kind": "text", "text": "Please repeat the question"}, status=201)
        mod.poll("Which street first?", "single", ["Schoolstraat", "Marktplein"], "open")
        _ask(live_server, created, "Amina Diallo-Traoré", group="civil_society")
        _ask(live_server, created, "Bruno Costa", where="room")
        floor_mod.post(f"{base}/next").raise_for_status()
        stage = open_sized(browser, contexts, "stage", created["links"]["stage"], size)
        stage.wait_live()
        page = stage.page
        expect(page.locator("#floor-speaker")).to_have_text("Amina Diallo-Traoré")
        expect(page.locator("#up-next li")).to_have_count(4)
        page.wait_for_function("document.querySelector('#stage-question').dataset.fitSize")
        page.wait_for_timeout(150)
        shoot(page, "stage-floor-full")
        scroll = page_scroll(page)
        assert scroll["sh"] <= scroll["vh"] and scroll["sw"] <= scroll["vw"], scroll
        view = viewport_box(page)
        regions = {n: box(page, s) for n, s in {
            "header": ".stage-header", "timer": "#stage-timer", "floor": "#stage-floor",
            "notes": "#stage-notes", "now": ".stage-now", "next": ".stage-upnext",
            "polls": "#stage-polls", "controls": ".stage-controls"}.items()}
        for name, b in regions.items():
            assert inside(b, view), (name, b, view)
        assert overlaps(regions) == [], regions
        for sel in ("#floor-timer", "#floor-done", "#floor-call-next", "#answered", "#next"):
            assert inside(box(page, sel), regions["floor"] if sel.startswith("#floor")
                          else view), sel
        if size[0] > size[1]:
            card = page.locator("#stage-question")
            sh, ch = card.evaluate("c => [c.scrollHeight, c.clientHeight]")
            assert sh <= ch + 1, (sh, ch)
        stage.assert_clean()
    finally:
        mod.close()
        client.close()
        floor_mod.close()
