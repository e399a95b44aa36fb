"""The console's keyboard-first triage: shortcuts, edit, merge, dismiss/restore, reorder."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .uikit import tab

pytestmark = pytest.mark.browser


def test_console_triage_with_keyboard_and_drag(open_role, fb_session):
    texts = {
        "bus": "Bus lanes on the ring road?",
        "parking": "What happens to residents' parking?",
        "parking2": "Parking again: where do residents go?",
        "noise": "Night-time noise from delivery hubs?",
    }
    ids = {key: fb_session.ask(text, key.title()) for key, text in texts.items()}
    console = open_role("console", fb_session.links["moderator"])
    console.wait_live()
    page = console.page
    items = page.locator("#list .q")
    selected = page.locator("#list .q--selected")
    expect(items).to_have_count(4)

    # "?" lists the shortcuts; Esc closes the overlay.
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    expect(page.locator("#help")).to_contain_text("stage next")
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    # j/k move the selection (inbox is oldest first).
    expect(selected.locator(".q-text")).to_have_text(texts["bus"])
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(selected.locator(".q-text")).to_have_text(texts["parking"])

    # e edits inline: Esc cancels, Enter saves; the original stays one click away.
    page.keyboard.press("e")
    editor = page.get_by_label("Edit question text")
    expect(editor).to_be_focused()
    editor.fill("something else entirely")
    editor.press("Escape")
    expect(editor).to_have_count(0)
    expect(selected.locator(".q-text")).to_have_text(texts["parking"])
    page.keyboard.press("e")
    editor.fill("What happens to residents' parking permits?")
    editor.press("Enter")
    parking = page.locator(f'#list .q[data-id="{ids["parking"]}"]')
    expect(parking.locator(".q-text")).to_have_text("What happens to residents' parking permits?")
    parking.get_by_role("button", name="show original").click()
    expect(parking.locator(".q-original")).to_have_text(texts["parking"])

    # m merges the duplicate into the first parking question.
    page.keyboard.press("j")
    expect(selected.locator(".q-text")).to_have_text(texts["parking2"])
    page.keyboard.press("m")
    picker = selected.get_by_label("Merge into")
    expect(picker).to_be_focused()
    picker.fill("permits")  # type-ahead: the picker lists the matches, the first is chosen
    expect(selected.locator(".merge-chosen")).to_contain_text(f"#{ids['parking']}")
    selected.get_by_role("button", name="Confirm merge").click()
    expect(items).to_have_count(3)
    expect(parking.locator(".q-sources")).to_have_text("merged 1")

    # d dismisses, 5 shows Dismissed, r restores.
    noise = page.locator("#list .q", has_text=texts["noise"])
    noise.locator(".q-text").click()
    page.keyboard.press("d")
    expect(noise).to_have_count(0)
    page.keyboard.press("5")
    expect(tab(page, "Dismissed")).to_have_attribute("aria-selected", "true")
    expect(selected.locator(".q-text")).to_have_text(texts["noise"])
    page.keyboard.press("r")
    expect(items).to_have_count(0)
    expect(page.locator("#empty")).to_be_visible()

    # While the moderator looks at another tab, new arrivals show as "N new" on Inbox.
    fb_session.ask("Will there be more benches?")
    expect(page.locator("#new-badge")).to_have_text("1 new")
    page.keyboard.press("1")
    expect(page.locator("#new-badge")).to_be_hidden()

    # a approves everything in the inbox, in order.
    expect(items).to_have_count(4)
    for remaining in (3, 2, 1, 0):
        page.keyboard.press("a")
        expect(items).to_have_count(remaining)
    page.keyboard.press("2")
    order = ["Bus lanes", "parking permits", "Night-time", "benches"]
    for i, fragment in enumerate(order):
        expect(items.nth(i)).to_contain_text(fragment)

    # Alt+Down moves the selected item one place down (PATCH position) ...
    expect(selected).to_contain_text("Bus lanes")
    page.keyboard.press("Alt+ArrowDown")
    order[0], order[1] = order[1], order[0]
    for i, fragment in enumerate(order):
        expect(items.nth(i)).to_contain_text(fragment)
    expect(items.nth(1).locator(".q-pos")).to_have_text("2")

    # ... and dragging the last item onto the top half of the first puts it first.
    items.nth(3).drag_to(items.nth(0), target_position={"x": 40, "y": 5})
    order.insert(0, order.pop())
    for i, fragment in enumerate(order):
        expect(items.nth(i)).to_contain_text(fragment)

    # p pushes the selected one; a second push asks to swap, says why; Esc keeps the live one.
    items.nth(0).locator(".q-text").click()
    page.keyboard.press("p")
    expect(page.locator("#live-now-text")).to_contain_text("benches")
    page.keyboard.press("p")
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("on stage")
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(page.locator("#live-now-text")).to_contain_text("benches")

    # n: the live one is answered and the first queued one goes live.
    page.keyboard.press("n")
    expect(page.locator("#live-now-text")).to_contain_text(order[1])
    expect(tab(page, "Answered").locator(".count")).to_have_text("1")
    console.assert_clean()
