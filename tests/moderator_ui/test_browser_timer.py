"""The timer in the browser: pages whose clocks are wrong by seconds still agree on the
remaining time once synced, and a note goes from the console to the stage and back."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from .uikit import DEVICES, WATCH_CSP, RolePage

pytestmark = pytest.mark.browser

AGENDA = [
    {"title": "Opening", "minutes": 5, "kind": "opening"},
    {"title": "Ana on data", "minutes": 10, "kind": "speaker", "speaker": "Ana Pires"},
]
# Runs before the page's scripts: this page's Date is off by SKEW ms (performance.now and
# performance.timeOrigin are left alone, so the test can still read the true time).
SKEW_DATE = """
(() => {
  const skew = %d;
  const Real = Date;
  class Skewed extends Real {
    constructor(...args) { if (args.length === 0) super(Real.now() + skew); else super(...args); }
    static now() { return Real.now() + skew; }
  }
  window.Date = Skewed;
})();
"""


@pytest.fixture
def open_page(browser):
    contexts = []

    def _open(name: str, url: str, skew_ms: int = 0) -> RolePage:
        context = browser.new_context(**DEVICES[name])
        context.add_init_script(WATCH_CSP)
        context.add_init_script(SKEW_DATE % skew_ms)
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        role = RolePage(name, page, None)
        page.on("pageerror", lambda exc: role.errors.append(str(exc)))
        role.response = page.goto(url)
        assert role.response is not None and role.response.ok
        return role

    yield _open
    for context in contexts:
        context.close()


def remaining_at_true_time(role: RolePage) -> tuple[float, float]:
    """(remaining ms as the page computes it, the machine's true time in ms)."""
    got = role.page.evaluate(
        "() => [window.__fbTimer.numbers().remainingMs, performance.timeOrigin + performance.now()]"
    )
    return got[0], got[1]


def test_skewed_pages_agree_on_the_remaining_time(open_page, live_server):
    session = live_server.create_session("Skewed clocks", agenda=AGENDA)
    mod = {"Authorization": f"Bearer {session['keys']['moderator']}"}
    base = f"{live_server.url}/api/sessions/{session['slug']}"
    httpx.post(f"{base}/timer/start", headers=mod).raise_for_status()

    stage = open_page("stage", session["links"]["stage"], skew_ms=7000)
    screen = open_page("screen", session["links"]["screen"], skew_ms=-3000)
    for role, skew in ((stage, 7000), (screen, -3000)):
        role.wait_live()
        # The skew is real: this page's Date is off by seconds...
        off = role.page.evaluate("Date.now() - (performance.timeOrigin + performance.now())")
        assert abs(off - skew) < 50
        # ...until the pongs are in (5 samples at connect).
        role.page.wait_for_function("() => window.__fbLive.clock.samples.length >= 5")
        expect(role.page.locator(".tmr")).to_have_attribute("data-phase", "normal")
        expect(role.page.locator(".tmr-sync")).to_have_attribute("data-quality", "good")

    (r1, t1), (r2, t2) = remaining_at_true_time(stage), remaining_at_true_time(screen)
    # Bring both readings to the same true instant: the timer loses 1 ms per ms.
    assert abs((r1 - (t2 - t1)) - r2) < 100, (r1, t1, r2, t2)
    assert 5 * 60_000 - 10_000 < r2 < 5 * 60_000
    shown = [role.page.locator(".tmr-time").inner_text() for role in (stage, screen)]
    assert shown[0] in ("4:59", "4:58", "4:57", "4:56", "4:55"), shown
    expect(stage.page.locator(".tmr-segment")).to_have_text("Opening")
    expect(stage.page.locator(".tmr-next")).to_have_text("Next: Ana on data")

    # Pause: every page freezes on the same value, without any tick from the server.
    httpx.post(f"{base}/timer/pause", headers=mod).raise_for_status()
    for role in (stage, screen):
        expect(role.page.locator(".tmr")).to_have_attribute("data-state", "paused")
    frozen = {
        role.page.locator(".tmr").get_attribute("data-remaining-ms") for role in (stage, screen)
    }
    assert len(frozen) == 1
    # Before the start the pages count down to the scheduled start; overrun counts up.
    shapes = stage.page.evaluate(
        """async () => {
          const m = await import("/ui/js/timer-core.js");
          const idle = {state: "idle", started_at: null, paused_at: null, scheduled_start: 10000,
                        planned: 60, adjust: 0};
          return [m.timerNumbers(idle, 4000), m.formatClock(-12500), m.formatClock(59001)];
        }"""
    )
    assert shapes == [{"phase": "before", "remainingMs": 6000, "paused": False}, "+0:12", "1:00"]
    for role in (stage, screen):
        role.assert_clean()


def test_stage_acknowledges_a_note_and_the_console_sees_it(open_page, live_server):
    session = live_server.create_session("Notes", agenda=AGENDA)
    console = open_page("console", session["links"]["moderator"])
    stage = open_page("stage", session["links"]["stage"])
    screen = open_page("screen", session["links"]["screen"])
    for role in (console, stage, screen):
        role.wait_live()

    console.page.get_by_role("button", name="Start", exact=True).click()
    expect(stage.page.locator(".tmr")).to_have_attribute("data-state", "running")
    console.page.get_by_role("button", name="Wrap up").click()
    sent = console.page.locator(".note-sent", has_text="Please wrap up")
    expect(sent.locator(".note-sent-state")).to_contain_text("not seen yet")

    note = stage.page.locator(".note--open", has_text="Please wrap up")
    expect(note).to_be_visible()
    note.get_by_role("button", name="Got it").tap()
    expect(sent.locator(".note-sent-state")).to_contain_text("seen")
    expect(sent.locator(".note-sent-state")).not_to_contain_text("not seen")
    expect(stage.page.locator(".note--acked", has_text="Please wrap up")).to_be_visible()

    # The agenda is edited while the segment runs: a longer opening, one more segment.
    console.page.locator(".agenda-editor summary").click()
    console.page.get_by_label("Minutes for Opening").fill("7")
    console.page.get_by_label("Minutes for Opening").press("Tab")
    expect(stage.page.locator(".tmr-time")).to_have_text(re.compile(r"^6:5\d|7:00$"))
    console.page.get_by_label("New segment title").fill("Open debate")
    console.page.get_by_role("button", name="Add", exact=True).click()
    expect(console.page.locator(".agenda-row .agenda-title")).to_have_text(
        ["Opening", "Ana on data", "Open debate"]
    )
    console.page.get_by_role("button", name="Move Open debate up").click()
    expect(stage.page.locator(".tmr-next")).to_have_text("Next: Open debate")
    expect(console.page.locator(".agenda-row .agenda-title")).to_have_text(
        ["Opening", "Open debate", "Ana on data"]
    )

    # Free text, and the room screen never shows a note.
    console.page.get_by_label("Note to the stage").fill("Ana's mic is <b>off</b>")
    console.page.get_by_label("Note to the stage").press("Enter")
    expect(stage.page.locator(".note--open .note-text")).to_have_text("Ana's mic is <b>off</b>")
    assert screen.page.locator(".note, .notes-list").count() == 0
    expect(screen.page.locator(".tmr-segment")).to_have_text("Opening")
    # The room screen's timer can be switched off from the console.
    expect(screen.page.locator(".tmr")).to_be_visible()
    console.page.get_by_label("Show the timer on the room screen").uncheck()
    expect(screen.page.locator(".tmr")).to_be_hidden()
    expect(stage.page.locator(".tmr")).to_be_visible()
    for role in (console, stage, screen):
        role.assert_clean()
    stage.screenshot("stage-timer-notes.png")
    console.screenshot("console-timer.png")
