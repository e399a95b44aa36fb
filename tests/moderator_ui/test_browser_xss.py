"""Untrusted text stays text on every page, and every page ships a strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .uikit import csp_directives, tab

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>window.__pwned=1</script>",
    '<a href="javascript:alert(1)">x</a>',
]
NAME = "<b>bold</b>"
PUSHED = PAYLOADS[0]

# Anything the payloads could have turned into, had they been parsed as HTML. The QR code
# is the only image our pages make, and scripts only come from /ui/js/.
MARKUP_FROM_PAYLOADS = """() => ({
  images: [...document.images].filter((i) => !i.src.endsWith("/qr.svg")).length,
  foreignScripts: [...document.scripts]
    .filter((s) => !s.src || !new URL(s.src).pathname.startsWith("/ui/js/")).length,
  jsLinks: document.querySelectorAll('a[href^="javascript" i]').length,
  bold: document.querySelectorAll("b").length,
  pwned: typeof window.__pwned,
})"""
CLEAN = {"images": 0, "foreignScripts": 0, "jsLinks": 0, "bold": 0, "pwned": "undefined"}


def test_untrusted_text_is_shown_literally_everywhere(open_role, fb_session):
    audience = open_role("audience", fb_session.links["audience"])
    console = open_role("console", fb_session.links["moderator"])
    audience.wait_live()
    console.wait_live()

    # Asked through the real form, as an attacker in the audience would.
    audience.page.get_by_label("Your name (optional)").fill(NAME)
    for text in PAYLOADS:
        audience.page.get_by_label("Your question").fill(text)
        audience.page.get_by_role("button", name="Send").click()
        expect(audience.page.locator("#ask-status")).to_have_text(
            "Sent, a moderator will review it."
        )
        expect(audience.page.get_by_label("Your question")).to_have_value("")
    inbox = console.page.locator("#list .q")
    expect(inbox).to_have_count(len(PAYLOADS))

    # Approve all three with the keyboard (a), oldest first, then push one (2, select, p).
    for remaining in range(len(PAYLOADS) - 1, -1, -1):
        console.page.keyboard.press("a")
        expect(inbox).to_have_count(remaining)
    console.page.keyboard.press("2")
    expect(tab(console.page, "Queue")).to_have_attribute("aria-selected", "true")
    console.page.locator("#list .q", has_text=PUSHED).locator(".q-text").click()
    console.page.keyboard.press("p")
    expect(console.page.locator("#live-now-text")).to_have_text(PUSHED)

    stage = open_role("stage", fb_session.links["stage"])
    screen = open_role("screen", fb_session.links["screen"])
    stage.wait_live()
    screen.wait_live()

    # What each page should show: the screen only the pushed one; the audience no authors.
    expected = {
        console: [*PAYLOADS, NAME],  # live-now strip + the two still queued, with authors
        stage: [*PAYLOADS, NAME],  # on stage + up next
        screen: [PUSHED, NAME],
        audience: PAYLOADS,
    }
    expect(stage.page.locator("#stage-text")).to_have_text(PUSHED)
    expect(screen.page.locator("#screen-text")).to_have_text(PUSHED)
    expect(audience.page.locator("#aud-stage")).to_contain_text(PUSHED)
    expect(audience.page.locator("#aud-list .aq")).to_have_count(len(PAYLOADS) - 1)
    expect(stage.page.locator("#up-next li")).to_have_count(len(PAYLOADS) - 1)

    for role, texts in expected.items():
        shown = role.page.inner_text("body")
        for text in texts:
            assert text in shown, f"{role.name} does not show {text!r} literally"
        assert role.page.evaluate(MARKUP_FROM_PAYLOADS) == CLEAN, role.name
        role.assert_clean()  # no dialog, no script error, no CSP violation

        # The HTML itself came with a CSP that forbids inline script.
        csp = role.response.headers.get("content-security-policy")
        assert csp, f"{role.name}: no Content-Security-Policy header"
        directives = csp_directives(csp)
        script_src = directives.get("script-src", directives.get("default-src"))
        assert script_src, f"{role.name}: CSP without script-src: {csp}"
        assert "'unsafe-inline'" not in script_src, f"{role.name}: {csp}"
        assert "'unsafe-eval'" not in script_src, f"{role.name}: {csp}"
        assert directives.get("object-src") == "'none'", f"{role.name}: {csp}"
