"""Accessibility of the console, stage, screen and landing pages, in English and Arabic.

axe-core (bundled by axe-playwright-python) runs in Chromium on each page in the states
that matter: empty, busy (a queue, a question on stage, a note, an open poll), and
reconnecting. No violation of impact serious or critical may remain. Then the core flows
are done with the keyboard alone: the console approves, pushes, opens a poll and sends a
note; the stage acknowledges the note and marks the question answered.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .i18n_kit import busy_session, open_in, wait_ready

pytestmark = pytest.mark.browser

LINK = {"console": "moderator", "stage": "stage", "screen": "screen"}
LOCALE = {"en": "en-US", "ar": "ar-EG"}
AXE = Axe()


@pytest.fixture
def contexts():
    opened: list = []
    yield opened
    for context in opened:
        context.close()


@pytest.fixture(scope="module")
def sessions(live_server):
    empty = live_server.create_session("Empty room")
    return {"empty": empty["links"], "busy": busy_session(live_server).client.links}


def detail(node: dict) -> str:
    """For a contrast failure: the colours and ratio axe measured."""
    for check in node.get("any", []):
        data = check.get("data") or {}
        if isinstance(data, dict) and "contrastRatio" in data:
            return f"{data.get('fgColor')} on {data.get('bgColor')}: {data['contrastRatio']}"
    return ""


def serious(page) -> list[str]:
    results = AXE.run(page)
    found = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            targets = [(n["target"], detail(n)) for n in v["nodes"]][:4]
            found.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return found


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("state", ["empty", "busy", "reconnecting"])
@pytest.mark.parametrize("page", ["console", "stage", "screen"])
def test_no_serious_axe_violations(browser, contexts, sessions, page, state, lang):
    links = sessions["busy" if state == "reconnecting" else state]
    role = open_in(browser, contexts, page, links[LINK[page]], LOCALE[lang])
    wait_ready(role, lang)
    if state == "busy" and page == "stage":
        expect(role.page.locator(".note--open").first).to_be_visible()
    if state == "reconnecting":  # the server unreachable: every new socket is refused
        role.page.route_web_socket(re.compile(r"/s/[^/]+/live(\?.*)?$"),
                                   lambda ws: ws.close(code=1013, reason="try again later"))
        role.page.evaluate("window.__fbLive.socket.close()")
        expect(role.page.locator("html")).to_have_attribute("data-live", "reconnecting")
        expect(role.page.locator("#conn-banner")).to_be_visible()
    found = serious(role.page)
    assert found == [], f"{page} {state} {lang}:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_landing_has_no_serious_axe_violations(browser, contexts, live_server, lang):
    role = open_in(browser, contexts, "console", f"{live_server.url}/", LOCALE[lang])
    expect(role.page.locator("html")).to_have_attribute("lang", lang)
    found = serious(role.page)
    assert found == [], "\n".join(found)


def test_console_help_overlay_has_no_serious_axe_violations(browser, contexts, sessions):
    role = open_in(browser, contexts, "console", sessions["busy"]["moderator"], "ar-EG")
    wait_ready(role, "ar")
    role.page.keyboard.press("?")
    expect(role.page.locator("#help")).to_be_visible()
    assert serious(role.page) == []


FOCUS_JS = """
(selector) => {
  const el = document.activeElement;
  if (!el || !el.matches(selector)) return null;
  const cs = getComputedStyle(el);
  return { outline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2,
           shadow: cs.boxShadow !== "none" };
}
"""


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until `selector` has the focus, which must then be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS, selector)
        if focus is not None:
            assert focus["outline"] or focus["shadow"], f"{selector}: focus not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_keyboard_only_console_and_stage(browser, contexts, live_server, lang):
    created = live_server.create_session("Keyboard only")
    from .uikit import SessionClient

    client = SessionClient(live_server.url, created)
    asked = client.ask("How do remote speakers ask for the floor?", "Ana Pereira")
    console = open_in(browser, contexts, "console", client.links["moderator"], LOCALE[lang])
    stage = open_in(browser, contexts, "stage", client.links["stage"], LOCALE[lang])
    wait_ready(console, lang)
    wait_ready(stage, lang)
    keys = console.page.keyboard
    item = console.page.locator(f'#list li[data-id="{asked}"]')
    expect(item).to_be_visible()

    # Approve and push with the shortcuts, from the list (Tab reaches it).
    tab_to(console.page, "#list")
    keys.press("j")
    keys.press("a")
    expect(console.page.locator('[data-count="queued"]')).to_have_text("1")
    keys.press("2")
    keys.press("j")
    keys.press("p")
    expect(stage.page.locator("#stage-text")).to_have_text(
        "How do remote speakers ask for the floor?")

    # Prepare a poll and open it, Tab and Enter only.
    tab_to(console.page, ".poll-new summary")
    keys.press("Enter")
    tab_to(console.page, "#poll-question")
    keys.type("Which hub first?")
    tab_to(console.page, "#poll-options")
    keys.type("Nairobi")
    keys.press("Enter")
    keys.type("Dakar")
    tab_to(console.page, "#poll-create")
    keys.press("Enter")
    card = console.page.locator("#poll-list .poll-card")
    expect(card).to_have_count(1)
    tab_to(console.page, '#poll-list [data-poll-action="open"]')
    keys.press("Enter")
    expect(card).to_have_class("poll-card poll-card--open")
    expect(stage.page.locator("#stage-polls .poll-card--open")).to_have_count(1)

    # A note to the stage, typed.
    tab_to(console.page, ".notes-input")
    keys.type("Mic 2 is live")
    keys.press("Enter")
    note = stage.page.locator(".note--open", has_text="Mic 2 is live")
    expect(note).to_be_visible()

    # The stage: acknowledge the note, mark the question answered; keyboard only.
    tab_to(stage.page, ".note--open .note-ack")
    stage.page.keyboard.press("Enter")
    expect(stage.page.locator(".note--acked", has_text="Mic 2 is live")).to_be_visible()
    expect(console.page.locator(".note-sent--acked")).to_have_count(1)
    tab_to(stage.page, "#answered")
    stage.page.keyboard.press("Space")
    expect(console.page.locator('[data-count="answered"]')).to_have_text("1")
    console.assert_clean()
    stage.assert_clean()


def test_stage_announces_what_changes_and_not_the_clock(browser, contexts, live_server):
    from .i18n_kit import AGENDA
    from .uikit import SessionClient

    created = live_server.create_session("Announcements", agenda=AGENDA)
    client = SessionClient(live_server.url, created)
    mod, prefix = client.moderator, client.prefix
    stage = open_in(browser, contexts, "stage", client.links["stage"], "en-US")
    wait_ready(stage, "en")
    page = stage.page
    said = page.locator("#announce")
    timer_said = page.locator("#timer-announce")

    qid = client.ask("Who funds the community networks?")
    client.act(qid, "approve")
    client.act(qid, "push")
    expect(said).to_have_text("On stage: Who funds the community networks?")
    expect(said).to_have_attribute("aria-live", "polite")

    mod.post(f"{prefix}/notes", json={"kind": "wrap_up"}).raise_for_status()
    expect(said).to_have_text("Note from the moderator: Please wrap up")

    poll = mod.post(f"{prefix}/polls", json={"question": "Next hub?", "kind": "single",
                                              "options": ["Accra", "Lima"]}).json()
    mod.post(f"{prefix}/polls/{poll['id']}/actions/open").raise_for_status()
    expect(said).to_have_text("Poll open: Next hub?")
    mod.post(f"{prefix}/polls/{poll['id']}/actions/close").raise_for_status()
    expect(said).to_have_text("Poll closed: Next hub?")

    mod.post(f"{prefix}/timer/start").raise_for_status()
    # Start is news; the seconds that follow are not.
    expect(timer_said).to_have_attribute("aria-live", "polite")
    expect(timer_said).to_contain_text("Now:")
    expect(timer_said).to_contain_text(AGENDA[0]["title"])
    first = timer_said.text_content()
    page.wait_for_timeout(1500)
    assert timer_said.text_content() == first
    mod.patch(f"{prefix}/timer", json={"warning_seconds": 3600}).raise_for_status()
    expect(timer_said).to_contain_text("nearly over")
    expect(page.locator(".tmr-label")).to_have_text("Nearly over")  # in words, not colour
    stage.assert_clean()
