"""Accessibility of every page (console, stage, screen, audience, rapporteur, the report
document, landing), in English and Arabic.

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

LINK = {"console": "moderator", "stage": "stage", "screen": "screen", "audience": "audience",
        "report": "rapporteur"}
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
    busy = busy_session(live_server)
    return {"empty": empty["links"], "busy": busy.client.links, "client": busy.client}


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
@pytest.mark.parametrize("page", ["console", "stage", "screen", "audience", "report"])
def test_no_serious_axe_violations(browser, contexts, sessions, page, state, lang):
    links = sessions["busy" if state == "reconnecting" else state]
    role = open_in(browser, contexts, page, links[LINK[page]], LOCALE[lang])
    wait_ready(role, lang)
    if state == "busy" and page == "stage":
        expect(role.page.locator(".note--open").first).to_be_visible()
    if state == "busy" and page == "audience":  # the poll open, the privacy notice unfolded
        expect(role.page.locator("#aud-polls .poll-card--open")).to_have_count(1)
        role.page.locator(".privacy-summary").click()
    if state == "busy" and page == "report":
        expect(role.page.locator("#rep-list .rq").first).to_be_visible()
    if state == "reconnecting":  # the server unreachable: every new socket is refused
        role.page.route_web_socket(re.compile(r"/s/[^/]+/live(\?.*)?$"),
                                   lambda ws: ws.close(code=1013, reason="try again later"))
        role.page.evaluate("window.__fbLive.socket.close()")
        expect(role.page.locator("html")).to_have_attribute("data-live", "reconnecting")
        expect(role.page.locator("#conn-banner")).to_be_visible()
    found = serious(role.page)
    assert found == [], f"{page} {state} {lang}:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_report_document_has_no_serious_axe_violations(browser, contexts, sessions, lang):
    """The downloadable HTML report (the PDF is drawn from it), in the chosen language."""
    client = sessions["client"]
    html = client.moderator.get(f"{client.prefix}/report",
                                params={"format": "html", "lang": lang}, timeout=15)
    assert html.status_code == 200, html.text
    # A blank page, as a downloaded file opens: no app CSP, so its own <style> applies.
    context = browser.new_context(locale=LOCALE[lang], viewport={"width": 1366, "height": 768})
    contexts.append(context)
    page = context.new_page()
    page.set_content(html.text)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    border = page.eval_on_selector("th", "el => getComputedStyle(el).borderTopStyle")
    assert border == "solid"  # the report's own styles are in force
    found = serious(page)
    assert found == [], f"report document {lang}:\n" + "\n".join(found)


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


def test_console_reason_menu_has_no_serious_axe_violations(browser, contexts, sessions):
    """The dismiss-reason menu (Shift+d), open over the list, in Arabic."""
    role = open_in(browser, contexts, "console", sessions["busy"]["moderator"], "ar-EG")
    wait_ready(role, "ar")
    expect(role.page.locator("#list .q").first).to_be_visible()
    role.page.keyboard.press("Shift+D")
    expect(role.page.get_by_role("menu")).to_be_visible()
    expect(role.page.get_by_role("menuitem").first).to_be_focused()
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


HC_JS = """
() => {
  const px = (sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize);
  return { bg: getComputedStyle(document.body).backgroundColor, label: px(".tmr-label"),
           caption: px(".screen-join-caption"), scroll: document.documentElement.scrollWidth };
}
"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_high_contrast_screen_with_captions_link(browser, contexts, live_server, lang):
    """?contrast=high: black and white, larger fixed texts, axe-clean; the session's
    captions link shows on the screen and on the phone once the organiser sets it."""
    created = live_server.create_session("Captions and contrast")
    from .uikit import SessionClient

    client = SessionClient(live_server.url, created)
    url = "https://captions.example/igf/ws-42"
    put = client.moderator.put(f"{client.prefix}/settings", json={"captions_url": url})
    assert put.status_code == 200, put.text
    client.moderator.post(f"{client.prefix}/timer/start")
    size = (1920, 1080)
    plain = open_in(browser, contexts, "screen", client.links["screen"], LOCALE[lang], size)
    wait_ready(plain, lang)
    high = open_in(browser, contexts, "screen", client.links["screen"] + "&contrast=high",
                   LOCALE[lang], size)
    wait_ready(high, lang)
    for role in (plain, high):
        expect(role.page.locator("#join-captions")).to_be_visible()
        expect(role.page.locator("#captions-url")).to_have_text("captions.example/igf/ws-42")
    a, b = plain.page.evaluate(HC_JS), high.page.evaluate(HC_JS)
    assert b["bg"] == "rgb(0, 0, 0)"
    assert b["label"] >= 1.4 * a["label"] and b["caption"] >= 1.2 * a["caption"]
    assert b["scroll"] <= size[0]
    assert serious(high.page) == []
    phone = open_in(browser, contexts, "audience", client.links["audience"], LOCALE[lang])
    wait_ready(phone, lang)
    link = phone.page.locator("#captions-link")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", url)
    assert link.bounding_box()["height"] >= 44
    for role in (plain, high, phone):
        role.assert_clean()
