"""The triage assistant's filters and groups in the console (Chromium, 1366x768), on a
session seeded in six languages: language, questions only and flagged each show exactly
the cards they should, stay remembered across a reload, are reachable by Tab and Space,
and sit in the toolbar inside the viewport, above the list; a French twin is grouped,
indented, right under its English first question, and one key still merges it."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import httpx
import pytest
from playwright.sync_api import expect

from app.ingest import ingest
from app.triage import load_embedder
from integrations.base import IncomingMessage
from tests.servers import LiveServer

from .console_kit import box, feed, laptop, session_id

__all__ = ["laptop"]  # fixtures
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(load_embedder().embedder is None,
                       reason="the triage model is an install of the test extra"),
]

W, H = 1366, 768
#: (key, channel, text, lang, kind, flagged), in arrival order.
SEED = [
    ("en", "mastodon",
     "How will the data collected by these platforms be protected from governments?",
     "en", "question", False),
    ("fr", "zoom_chat",
     "Comment les données collectées par ces plateformes seront-elles protégées "
     "des gouvernements ?", "fr", "question", False),
    ("thanks", "youtube", "Great panel, thank you all for the wonderful insights!",
     "en", "comment", False),
    ("es", "zoom_qa", "¿Cuántas personas siguen la sesión desde los centros remotos?",
     "es", "question", False),
    ("mail", "zoom_chat",
     "Could you send me the slides? Mail me at jane.doe@example.org or call "
     "+33 6 12 34 56 78", "en", "question", True),
    ("ar", "audience", "ما هي خطة تمويل المراكز عن بعد في أفريقيا؟", "ar", "question", False),
    ("gracias", "youtube", "Muchas gracias a todos por la presentación de hoy.",
     "es", "comment", False),
    ("ru", "mastodon", "Когда будет опубликован итоговый отчёт этой сессии?",
     "ru", "question", False),
    ("zh", "bluesky", "会议的录像什么时候会在网上发布？", "zh", "question", False),
    ("rude", "youtube", "This panel is useless and you are all idiots.", "en", "comment",
     True),
]


@pytest.fixture(scope="module")
def triage_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("console-triage-filters"),
                        extra_env={"triage": "on"}).start()
    try:
        yield server
    finally:
        server.stop()


def _seed(server: LiveServer) -> tuple[dict, dict[str, int], dict]:
    """A session with SEED in its inbox, every message analysed (the server's results are
    checked against SEED's labels, so a wrong label fails here, not as a missing card)."""
    created = server.create_session("Filters in six languages")
    slug = created["slug"]
    ids: dict[str, int] = {}
    for n, (key, channel, text, *_labels) in enumerate(SEED):
        msg = IncomingMessage(channel=channel, external_id=f"{key}-{n}-{time.monotonic_ns()}",
                              text=text, author_name=f"Person {n}", author_id=f"p{n}")
        (ids[key],) = feed(server, slug, [msg])
    mod = {"Authorization": f"Bearer {created['keys']['moderator']}"}
    snapshot = f"{server.url}/api/sessions/{slug}/snapshot"
    deadline = time.monotonic() + 90  # the model may still be loading on a busy machine
    while True:
        part = httpx.get(snapshot, headers=mod).json()["data"]["triage"]["questions"]
        if len(part) == len(SEED) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    results = {key: part.get(str(ids[key])) for key in ids}
    assert all(results.values()), f"not all analysed: {results}"
    for key, _channel, _text, lang, kind, flagged in SEED:
        r = results[key]
        assert (r["lang"], r["kind"], bool(r["flags"])) == (lang, kind, flagged), (key, r)
    assert [s["id"] for s in results["fr"]["similar"]][:1] == [ids["en"]]
    return created, ids, results


def _unanalysed(server: LiveServer, slug: str, text: str) -> int:
    """A question stored without the domains' ingest hooks: the assistant never hears of it."""
    state = server.app.state.fb
    msg = IncomingMessage(channel="zoom_chat", external_id=f"unseen-{time.monotonic_ns()}",
                          text=text, author_name="Unseen")
    out: list = []
    worker = threading.Thread(target=lambda: out.append(
        asyncio.run(ingest(state.store, session_id(server, slug), [msg]))))
    worker.start()
    worker.join(timeout=30)
    return out[0][0].question_id


def _shown(page) -> list[int]:
    return [int(x) for x in page.locator("#list .q").evaluate_all(
        "els => els.map(e => e.dataset.id)")]


def _expect_cards(page, ids: dict[str, int], keys: set[str]) -> None:
    want = sorted(ids[k] for k in keys)
    expect(page.locator("#list .q")).to_have_count(len(want))
    assert sorted(_shown(page)) == want


def test_filters_show_exactly_their_cards_are_remembered_and_keyboard_reachable(
    laptop, triage_server
):
    created, ids, _results = _seed(triage_server)
    # One the assistant never saw (as when a burst sheds it): no language, no flag, and
    # maybe a question, so "Questions only" keeps it.
    ids["unseen"] = _unanalysed(triage_server, created["slug"], "Is the recording online?")
    console = laptop(created["links"]["moderator"])
    console.wait_live()
    page = console.page
    everyone = {k for k, *_ in SEED} | {"unseen"}
    _expect_cards(page, ids, everyone)
    console.screenshot("console-triage-filters.png")

    # Where the controls are: in the toolbar, inside the viewport, above the list, beside
    # the side column, and not on top of each other.
    panel = box(console, "#list-panel")
    side = box(console, ".console-side")
    boxes = {sel: box(console, sel) for sel in
             ("#lang-filter", "#kind-filter", "#flag-filter", "label:has(#kind-filter)",
              "label:has(#flag-filter)", "#search", "#channel-filter")}
    for sel, b in boxes.items():
        assert b["x"] >= 0 and b["x"] + b["width"] <= W and b["y"] >= 0, sel
        assert b["y"] + b["height"] <= min(H, panel["y"]), f"{sel} overlaps the list"
        assert b["x"] + b["width"] <= side["x"], f"{sel} runs into the side column"
    labels = [boxes[s] for s in ("#lang-filter", "label:has(#kind-filter)",
                                 "label:has(#flag-filter)")]
    for a, b in zip(labels, labels[1:], strict=False):
        assert a["x"] + a["width"] <= b["x"] or a["y"] + a["height"] <= b["y"]

    # The personal-data flag is on the card; the moderator keeps the number as typed.
    mail = page.locator(f'#list .q[data-id="{ids["mail"]}"]')
    expect(mail.locator(".q-flag--personal")).to_be_visible()
    expect(mail.locator(".q-text")).to_contain_text("+33 6 12 34 56 78")
    expect(page.locator(f'#list .q[data-id="{ids["rude"]}"] .q-flag--abuse')).to_be_visible()
    expect(page.locator(f'#list .q[data-id="{ids["thanks"]}"] .q-kind')).to_have_text("comment")

    # By keyboard: / to the search, then Tab along the toolbar to the filters.
    page.locator("#list").focus()
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.press("Tab")  # order
    page.keyboard.press("Tab")  # channel
    page.keyboard.press("Tab")
    expect(page.locator("#lang-filter")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#kind-filter")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#kind-filter")).to_be_checked()
    questions = {k for k, _c, _t, _l, kind, _f in SEED if kind == "question"} | {"unseen"}
    _expect_cards(page, ids, questions)
    page.keyboard.press("Tab")
    expect(page.locator("#flag-filter")).to_be_focused()
    page.keyboard.press("Space")
    _expect_cards(page, ids, {"mail"})  # flagged and a question (the unseen one has no flag)
    page.keyboard.press("Space")
    _expect_cards(page, ids, questions)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # questions only off again
    _expect_cards(page, ids, everyone)
    page.keyboard.press("Escape")  # back to the list: j walks the cards shown
    expect(page.locator("#list")).to_be_focused()

    page.locator("#flag-filter").check()
    _expect_cards(page, ids, {"mail", "rude"})
    page.locator("#flag-filter").uncheck()
    for lang in ("en", "fr", "es", "ar", "ru", "zh"):
        page.locator("#lang-filter").select_option(lang)
        _expect_cards(page, ids, {k for k, _c, _t, lg, _k, _f in SEED if lg == lang})
    expect(page.locator("#tab-inbox .count")).to_have_text("1")  # zh: the count follows

    # Spanish questions only; a reload keeps both choices.
    page.locator("#lang-filter").select_option("es")
    page.locator("#kind-filter").check()
    _expect_cards(page, ids, {"es"})
    page.reload()
    console.wait_live()
    expect(page.locator("#lang-filter")).to_have_value("es")
    expect(page.locator("#kind-filter")).to_be_checked()
    _expect_cards(page, ids, {"es"})
    page.locator("#lang-filter").select_option("")
    page.locator("#kind-filter").uncheck()
    _expect_cards(page, ids, everyone)
    console.assert_clean()


def test_a_suggested_duplicate_is_grouped_under_its_first_question(laptop, triage_server):
    created, ids, _results = _seed(triage_server)
    console = laptop(created["links"]["moderator"])
    console.wait_live()
    page = console.page
    expect(page.locator("#list .q")).to_have_count(len(SEED))
    for order in ("newest", "oldest"):
        page.locator("#order").select_option(order)
        expect(page.locator(f'#list .q[data-id="{ids["fr"]}"]')).to_have_class(
            re.compile(r"\bq--dup\b"))
        shown = _shown(page)
        # Directly after its first question, whichever way the inbox is sorted.
        assert shown.index(ids["fr"]) == shown.index(ids["en"]) + 1, (order, shown)
        lead = box(console, f'#list .q[data-id="{ids["en"]}"]')
        dup = box(console, f'#list .q[data-id="{ids["fr"]}"]')
        column = box(console, "#list-panel")
        assert dup["y"] >= lead["y"] + lead["height"]  # below it, not over it
        assert dup["y"] - (lead["y"] + lead["height"]) < 16  # and right below
        assert dup["x"] >= lead["x"] + 16  # indented under it
        assert dup["x"] + dup["width"] <= column["x"] + column["width"] + 0.5
        assert dup["x"] + dup["width"] <= W
        # No other card is grouped: the rest keep the inbox's order.
        assert page.locator("#list .q--dup").count() == 1
    console.screenshot("console-triage-group.png")
    expect(page.locator(f'#list .q[data-id="{ids["fr"]}"] .q-triage-text')).to_have_text(
        f"same as #{ids['en']} (Mastodon, EN)")

    # j from the first question lands on its twin; s merges it, and the group is gone.
    page.locator(f'#list .q[data-id="{ids["en"]}"] .q-text').click()
    page.keyboard.press("j")
    expect(page.locator(f'#list .q[data-id="{ids["fr"]}"]')).to_have_attribute(
        "aria-current", "true")
    page.keyboard.press("s")
    expect(page.locator("#list .q")).to_have_count(len(SEED) - 1)
    expect(page.locator(f'#list .q[data-id="{ids["en"]}"] .q-sources')).to_have_text("merged 1")
    expect(page.locator("#list .q--dup")).to_have_count(0)
    console.assert_clean()


def test_with_the_assistant_off_the_filters_are_disabled_and_hide_nothing(laptop, live_server):
    """A filter remembered from another session must not empty a console whose assistant
    is off (no results will ever come): the controls are disabled and say why."""
    created = live_server.create_session("No assistant")
    slug = created["slug"]
    for n, (key, channel, text, *_labels) in enumerate(SEED[:3]):
        feed(live_server, slug, [IncomingMessage(
            channel=channel, external_id=f"off-{key}-{n}", text=text, author_name="P")])
    console = laptop(created["links"]["moderator"])
    page = console.page
    page.evaluate("""() => localStorage.setItem(
        'floorbridge.console.triageFilters', JSON.stringify({questions: true, flagged: true}))""")
    page.reload()
    console.wait_live()
    expect(page.locator("#list .q")).to_have_count(3)
    for sel in ("#lang-filter", "#kind-filter", "#flag-filter"):
        expect(page.locator(sel)).to_be_disabled()
    expect(page.locator("label:has(#kind-filter)")).to_have_attribute(
        "title", re.compile(r"^The triage assistant is off: .+"))
    console.assert_clean()
