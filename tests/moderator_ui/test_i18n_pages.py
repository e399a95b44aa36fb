"""Every page (console, stage, screen, audience, rapporteur, landing) in Arabic and Chinese:
right to left where it should be, mirrored, nothing left in English, plurals by the
language's rules, the choice of language kept per role. Screenshots at the room-ready
sizes for review."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.app.i18n.test_i18n_catalogues import ARABIC, RUSSIAN

from .i18n_kit import busy_session, english_left, open_in, wait_ready
from .layout import SCREENSHOTS, intersect

pytestmark = pytest.mark.browser

LINK = {"console": "moderator", "stage": "stage", "screen": "screen", "audience": "audience",
        "report": "rapporteur"}
MY_QUESTION = {"ar": "سؤالي عن الشبكات المجتمعية", "zh": "我关于社区网络的问题"}
SIZES = {
    "console": [(1366, 768), (1440, 900)],
    "stage": [(1180, 820), (820, 1180)],
    "screen": [(1280, 720), (1920, 1080)],
    "landing": [(390, 844), (1366, 768)],
    "audience": [(390, 844)],
    "report": [(1366, 768)],
}
LOCALE = {"ar": "ar-EG", "zh": "zh-CN"}


@pytest.fixture
def contexts():
    opened: list = []
    yield opened
    for context in opened:
        context.close()


@pytest.fixture(scope="module")
def busy(live_server):
    return busy_session(live_server)


def url_of(live_server, busy, page: str) -> str:
    return f"{live_server.url}/" if page == "landing" else busy.client.links[LINK[page]]


def rect(role, selector: str) -> dict:
    r = role.page.locator(selector).first.bounding_box()
    assert r is not None, selector
    return {"x": r["x"], "y": r["y"], "w": r["width"], "h": r["height"]}


@pytest.mark.parametrize("lang", ["ar", "zh"])
@pytest.mark.parametrize("page", ["console", "stage", "screen", "landing", "audience", "report"])
def test_page_is_translated_and_shot(browser, contexts, live_server, busy, page, lang):
    role = open_in(browser, contexts, page, url_of(live_server, busy, page), LOCALE[lang]) \
        if page != "landing" else open_landing(browser, contexts, live_server, LOCALE[lang])
    wait_ready(role, lang)
    html = role.page.locator("html")
    expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    if page == "stage":
        expect(role.page.locator(".note--open").first).to_be_visible()
        expect(role.page.locator(".poll-card")).to_have_count(1)
    if page == "screen":
        expect(role.page.locator("#screen-poll")).to_be_visible()
    if page == "console":  # the folded forms too: the agenda editor, a new poll
        role.page.locator(".agenda-editor summary").click()
        role.page.locator(".poll-new summary").click()
        expect(role.page.locator("#poll-question")).to_be_visible()
    untrusted = list(busy.untrusted)
    if page == "audience":  # the open poll, the privacy notice unfolded, my own question
        expect(role.page.locator("#aud-polls .poll-card--open")).to_have_count(1)
        role.page.locator(".privacy-summary").click()
        expect(role.page.locator("#privacy-statements li")).to_have_count(5)
        role.page.locator("#ask-text").fill(MY_QUESTION[lang])
        role.page.locator("#ask-send").click()
        expect(role.page.locator("#aud-mine .mine")).to_have_count(1)
        expect(role.page.locator("#ask-status")).not_to_be_empty()
        untrusted.append(MY_QUESTION[lang])
    if page == "report":  # a note saved, the suggestions opened
        role.page.locator("#note-general").fill("ملاحظة" if lang == "ar" else "笔记")
        expect(role.page.locator('[data-status-for="general"]')).to_have_attribute(
            "data-state", "saved", timeout=8000)
        role.page.locator("#draft-issues").click()
        expect(role.page.locator("#draft-issues-list")).to_be_visible()
        untrusted += role.page.eval_on_selector_all(
            ".draft-text", "els => els.map((e) => e.textContent)")
    left = english_left(role, untrusted)
    assert left == [], f"{page} in {lang} still shows English: {left}"
    if page == "console":
        role.page.locator(".agenda-editor summary").click()
        role.page.locator(".poll-new summary").click()
    for width, height in SIZES[page]:
        role.page.set_viewport_size({"width": width, "height": height})
        role.page.wait_for_timeout(150)  # the fitted text settles
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        role.page.screenshot(path=str(SCREENSHOTS / f"{page}-{lang}-{width}x{height}.png"))
        scroll_w = role.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_w <= width, f"{page} {lang} {width}x{height}: page wider than the screen"
    role.assert_clean()


def open_landing(browser, contexts, live_server, locale):
    role = open_in(browser, contexts, "console", f"{live_server.url}/", locale)
    role.name = "landing"
    return role


def test_arabic_layouts_mirror(browser, contexts, live_server, busy):
    """In Arabic the queue is on the right of the side column and the big buttons swap."""
    seen = {}
    for lang, locale in (("en", "en-US"), ("ar", "ar-EG")):
        console = open_in(browser, contexts, "console", busy.client.links["moderator"], locale)
        stage = open_in(browser, contexts, "stage", busy.client.links["stage"], locale)
        wait_ready(console, lang)
        wait_ready(stage, lang)
        if lang == "en":  # the check the translated pages pass does see English
            assert len(english_left(console, busy.untrusted)) > 20
            assert len(english_left(stage, busy.untrusted)) > 5
        main, side = rect(console, ".console-main"), rect(console, ".console-side")
        answered, nxt = rect(stage, "#answered"), rect(stage, "#next")
        view = stage.page.viewport_size
        for button in (answered, nxt):
            assert button["h"] >= 44 and button["w"] >= 44
            assert button["x"] >= 0 and button["x"] + button["w"] <= view["width"]
        assert not intersect(answered, nxt)
        # The question text follows its own direction (dir=auto), whatever the page's.
        seen[lang] = {
            "main_first": main["x"] < side["x"],
            "answered_first": answered["x"] < nxt["x"],
            "text_dir": stage.page.eval_on_selector(
                "#stage-text", "el => getComputedStyle(el).direction"),
        }
    assert seen["en"]["main_first"] and not seen["ar"]["main_first"]
    assert seen["en"]["answered_first"] and not seen["ar"]["answered_first"]
    assert seen["en"]["text_dir"] == seen["ar"]["text_dir"] == "rtl"  # an Arabic question


PLURALS_JS = """
async ([ns, key]) => {
  const m = await import("/ui/js/i18n.js");
  const digits = new Intl.NumberFormat(m.lang);
  return ns.map((n) => [m.tn(key, n), digits.format(n)]);
}
"""


@pytest.mark.parametrize(("lang", "expected"), [("ar", ARABIC), ("ru", RUSSIAN)])
def test_plurals_in_the_browser(browser, contexts, busy, lang, expected):
    role = open_in(browser, contexts, "stage", busy.client.links["stage"] + f"&lang={lang}",
                   "en-US")
    wait_ready(role, lang)
    ns = list(expected)
    got = role.page.evaluate(PLURALS_JS, [ns, "poll.votes"])
    for n, (text, digits) in zip(ns, got, strict=True):
        assert text == expected[n].replace(str(n), digits), (lang, n, text)


def test_language_is_chosen_per_role_and_remembered(browser, contexts, busy):
    links = busy.client.links
    stage = open_in(browser, contexts, "stage", links["stage"], "en-US")
    wait_ready(stage, "en")
    expect(stage.page.locator("#next")).to_have_text("Next")
    menu = stage.page.get_by_label("Language")
    menu.focus()
    menu.select_option("fr")
    wait_ready(stage, "fr")
    expect(stage.page.locator("#next")).to_have_text("Suivant")
    expect(stage.page.get_by_label("Langue")).to_have_value("fr")

    # Same browser, another role: the console keeps the browser's language.
    console = stage.page.context.new_page()
    console.goto(links["moderator"])
    expect(console.locator("html")).to_have_attribute("lang", "en")
    expect(console.locator("#stage-next")).to_contain_text("Stage next")

    # The stage opens in French again, even though the browser asks for English.
    stage.page.reload()
    wait_ready(stage, "fr")
    expect(stage.page.locator("#answered")).to_have_text("Répondu")

    # A link with ?lang= (an organiser's French link) is taken and remembered too.
    screen = stage.page.context.new_page()
    screen.goto(links["screen"] + "&lang=ru")
    expect(screen.locator("html")).to_have_attribute("lang", "ru")
    screen.goto(links["screen"].split("?")[0])
    expect(screen.locator("html")).to_have_attribute("lang", "ru")
    expect(screen.locator(".poll-turnout")).to_have_text("0 участников")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    from .test_browser_landing import DemoServer

    server = DemoServer(tmp_path_factory.mktemp("landing-i18n")).start()
    yield server
    server.stop()


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_demo_landing_is_translated(browser, contexts, demo_server, lang):
    role = open_in(browser, contexts, "console", f"{demo_server.url}/", LOCALE[lang])
    role.name = "landing"
    wait_ready(role, lang)
    expect(role.page.locator(".role-link")).to_have_count(5)
    title = role.page.locator(".demo-title").inner_text()
    hrefs = role.page.eval_on_selector_all(".role-link", "els => els.map((a) => a.href)")
    left = english_left(role, [title, *hrefs])
    assert left == [], f"demo landing in {lang} still shows English: {left}"
    role.page.screenshot(path=str(SCREENSHOTS / f"landing-demo-{lang}-1366x768.png"))
    role.assert_clean()


UNTRUSTED_JS = """
() => [...document.querySelectorAll(
  ".q-text, .q-author, .session-title, .live-now-text, .agenda-title, .tmr-segment,"
  + " .tmr-speaker, .poll-question, .poll-option-label, .note-sent-text, .conn-reason,"
  + " .q-original, .join-url")].map((el) => el.textContent.trim()).filter(Boolean)
"""


def test_demo_console_with_its_channels_is_translated(browser, contexts, demo_server):
    """The demo's console: its agenda and its English questions (untrusted, left as they are)."""
    landing = open_in(browser, contexts, "console", f"{demo_server.url}/", "en-US")
    console_link = landing.page.locator(".role-link").first.get_attribute("href")
    console = open_in(browser, contexts, "console", console_link, "ar-EG")
    wait_ready(console, "ar")
    untrusted = console.page.evaluate(UNTRUSTED_JS)
    left = english_left(console, untrusted)
    assert left == [], f"demo console in Arabic still shows English: {left}"
    console.assert_clean()
