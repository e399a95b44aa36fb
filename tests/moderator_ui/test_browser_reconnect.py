"""The console survives a dropped socket: it says so, and it misses nothing."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import WebSocketRoute, expect

from .uikit import tab

pytestmark = pytest.mark.browser

MISSED = [
    "Asked while the console was offline, number one",
    "Asked while the console was offline, number two",
    "Asked while the console was offline, number three",
]


def test_console_resumes_after_a_drop_without_losing_or_repeating(open_role, fb_session):
    before = fb_session.ask("Asked before the drop")
    console = open_role("console", fb_session.links["moderator"])
    console.wait_live()
    page = console.page
    banner = page.locator("#conn-banner")
    expect(banner).to_be_hidden()
    expect(page.locator("#list .q", has_text="Asked before the drop")).to_be_visible()

    # From now on the server is unreachable: every new socket is refused at once, so the
    # client keeps retrying with backoff until we let it through to the real server.
    blocked = True

    def gatekeeper(ws: WebSocketRoute) -> None:
        if blocked:
            ws.close(code=1013, reason="try again later")
        else:
            ws.connect_to_server()

    page.route_web_socket(re.compile(r"/s/[^/]+/live(\?.*)?$"), gatekeeper)
    page.evaluate("window.__fbLive.socket.close()")
    expect(banner).to_be_visible()
    expect(banner).to_have_text("reconnecting…")

    # Meanwhile the session moves on: three new questions and one approval.
    missed_ids = [fb_session.ask(text) for text in MISSED]
    fb_session.act(before, "approve")
    time.sleep(1.0)  # long enough for a live page to have shown them
    for text in MISSED:
        expect(page.locator("#list .q", has_text=text)).to_have_count(0)
    expect(banner).to_have_text("reconnecting…")

    blocked = False
    # Backoff after ~1 s of refusals is at most a few seconds.
    expect(banner).to_be_hidden(timeout=12_000)
    for text in MISSED:
        expect(page.locator("#list .q", has_text=text)).to_have_count(1)
    expect(page.locator("#list .q")).to_have_count(len(MISSED))
    expect(tab(page, "Inbox").locator(".count")).to_have_text(str(len(MISSED)))
    expect(tab(page, "Queue").locator(".count")).to_have_text("1")

    # It caught up to the head of the session's event log, not just to "something".
    head = fb_session.snapshot()["seq"]
    assert page.evaluate("window.__fbLive.lastSeq") == head
    shown_ids = page.eval_on_selector_all(
        "#list .q", "items => items.map(li => Number(li.dataset.id))"
    )
    assert sorted(shown_ids) == sorted(missed_ids)

    # Still live afterwards: a new question arrives through the resumed socket.
    fb_session.ask("Asked after the reconnect")
    expect(page.locator("#list .q", has_text="Asked after the reconnect")).to_be_visible(
        timeout=2000
    )
    console.assert_clean()


def test_a_quiet_reconnect_goes_live_at_once(open_role, fb_session):
    # Nothing happens while the socket is down, so the server's answer to "resume" is an
    # empty replay: the page must still leave "reconnecting…" promptly, for every role.
    fb_session.ask("A question so the log is not empty")
    pages = [
        open_role("console", fb_session.links["moderator"]),
        open_role("audience", fb_session.links["audience"]),
    ]
    for role in pages:
        role.wait_live()
        seq = role.page.evaluate("window.__fbLive.lastSeq")
        # Record status changes: the reconnect can be quicker than any polling.
        role.page.evaluate(
            """() => {
              const live = window.__fbLive, show = live.onStatus;
              window.__statuses = [];
              live.onStatus = (status, detail) => {
                window.__statuses.push(status);
                show(status, detail);
              };
              live.socket.close();
            }"""
        )
        role.page.wait_for_function("() => window.__statuses.at(-1) === 'live'", timeout=3000)
        statuses = role.page.evaluate("window.__statuses")
        assert statuses[0] == "reconnecting" and statuses[-1] == "live", statuses
        expect(role.page.locator("#conn-banner")).to_be_hidden()
        assert role.page.evaluate("window.__fbLive.lastSeq") == seq
        role.assert_clean()
