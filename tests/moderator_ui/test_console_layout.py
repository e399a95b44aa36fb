"""The console on a laptop (Chromium at 1366x768), twenty minutes into a busy session:
the inbox is the first thing one sees, the other panels sit beside it, never below it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .console_kit import box, feed, laptop, message, screenshot, zoom_server

__all__ = ["laptop", "zoom_server"]  # fixtures
pytestmark = pytest.mark.browser

INBOX = 150
TITLE = (
    "Data for Good: innovation towards positive social impact, a hybrid round table of the "
    "Internet Governance Forum with remote speakers from four continents"
)


def inside(b: dict, width: int = 1366, height: int = 768) -> bool:
    right, bottom = b["x"] + b["width"], b["y"] + b["height"]
    return b["x"] >= 0 and b["y"] >= 0 and right <= width and bottom <= height


def overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.fixture
def busy(zoom_server):
    created = zoom_server.create_session(
        TITLE, zoom_ids=[93_200_000_001], privacy={"author_display": "full"}
    )
    authors = ["Ana Pereira", "Kwame Mensah", "Li Wei", "Sofía Ruiz", "Jonas K."]
    texts = [
        f"Question {n + 1}: how would a data trust in district {n % 12} handle consent and "
        f"withdrawal for health records shared by clinics?"
        for n in range(INBOX)
    ]
    texts[77] = "Who audits the algorithm that ranks the clinics?"
    messages = [message(n, t, authors[n % 5]) for n, t in enumerate(texts)]
    ids = feed(zoom_server, created["slug"], messages)
    return created, ids, texts


def settled_y(console, selector: str) -> float:
    """The element's top once two reads 300 ms apart agree (bounded: 5 s)."""
    last = box(console, selector)["y"]
    for _ in range(16):
        console.page.wait_for_timeout(300)
        now = box(console, selector)["y"]
        if now == last:
            return now
        last = now
    raise AssertionError(f"{selector} kept moving: the side column never settled")


def test_first_inbox_item_is_on_screen_with_panels_beside(laptop, busy):
    created, ids, texts = busy
    console = laptop(created["links"]["moderator"])
    console.wait_live()
    page = console.page
    items = page.locator("#list .q")
    expect(items).to_have_count(INBOX)
    expect(page.locator("#polls-panel")).to_be_visible()
    expect(page.locator("#zoom-panel")).to_be_visible()

    # One compact header line; the long title is cut with an ellipsis, not wrapped.
    header = box(console, ".console-header")
    assert header["height"] <= 60, header
    title = page.locator("#session-title")
    assert title.evaluate("e => e.scrollWidth > e.clientWidth")  # cut, and says so with …
    assert title.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
    assert box(console, "#session-title")["height"] <= 30

    # The first inbox item and its buttons are whole inside the viewport, below the header.
    first = box(console, "#list .q")
    assert inside(first) and first["y"] >= header["y"] + header["height"], first
    assert first["y"] < 300, first  # the queue comes first, not after the panels
    expect(items.first).to_contain_text(texts[0])
    for button in items.first.locator(".q-actions button").all():
        b = button.bounding_box()
        assert b is not None and inside(b), (button.inner_text(), b)

    # Polls, Zoom and the timer dock in the side column, beside the list, not on it.
    main = box(console, ".console-main")
    side = box(console, ".console-side")
    assert not overlap(main, side) and side["x"] >= main["x"] + main["width"] - 1
    assert inside(side), side
    for panel in ("#zoom-panel", "#polls-panel", "#timer-panel"):
        b = box(console, panel)
        assert b["x"] >= side["x"] and b["x"] + b["width"] <= side["x"] + side["width"] + 1, panel
        assert not overlap(b, first), panel
    expect(page.locator("#zoom-panel")).to_be_in_viewport()
    screenshot(console, "console-1366x768.png")

    # Scrolling 150 items moves the list only: the polls panel stays where it was. (Measured
    # once the side column has settled: the floor and channel panels above it fill in late.)
    polls_top = settled_y(console, "#polls-panel")
    items.last.scroll_into_view_if_needed()
    expect(items.last).to_be_in_viewport()
    assert box(console, "#polls-panel")["y"] == polls_top
    assert box(console, ".console-header")["y"] == header["y"]

    # Every panel is reachable by scrolling the side column alone: the poll form opens there
    # while the end of the list stays on screen.
    page.locator("#polls-panel").get_by_text("Prepare a poll").click()
    page.locator("#poll-create").scroll_into_view_if_needed()
    expect(page.locator("#poll-create")).to_be_in_viewport()
    assert inside(box(console, "#poll-create"))
    expect(items.last).to_be_in_viewport()
    console.assert_clean()


def test_order_search_and_bulk_at_laptop_size(laptop, busy):
    created, ids, texts = busy
    console = laptop(created["links"]["moderator"])
    console.wait_live()
    page = console.page
    items = page.locator("#list .q")
    expect(items).to_have_count(INBOX)

    # Newest first, remembered on this laptop.
    page.get_by_label("Order").select_option("newest")
    expect(items.first).to_contain_text(texts[-1])
    page.reload()
    console.wait_live()
    expect(page.get_by_label("Order")).to_have_value("newest")
    expect(items.first).to_contain_text(texts[-1])
    page.get_by_label("Order").select_option("oldest")
    expect(items.first).to_contain_text(texts[0])

    # Search across text and author; "/" gets there from the keyboard, Esc leaves it.
    page.keyboard.press("/")
    search = page.get_by_label("Search questions by text or author")
    expect(search).to_be_focused()
    page.keyboard.type("ALGORITHM audits")  # words in any order, any case
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(texts[77])
    search.fill("sofia")  # the author, without her accent
    expect(items).to_have_count(INBOX // 5)
    expect(items.locator(".q-author")).to_have_text(["Sofía Ruiz"] * (INBOX // 5))
    page.keyboard.press("Escape")
    expect(search).not_to_be_focused()
    expect(search).to_have_value("sofia")
    search.fill("")
    expect(items).to_have_count(INBOX)

    # Tick one, Shift+click a fifth: five ticked; approve them all at once.
    items.nth(0).locator(".q-check").click()
    items.nth(4).locator(".q-check").click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_have_text("5 selected")
    bulk = box(console, "#bulk")
    assert inside(bulk)
    page.get_by_role("button", name="Approve selected").click()
    expect(items).to_have_count(INBOX - 5)
    expect(page.locator('[data-count="queued"]')).to_have_text("5")
    expect(items.first).to_contain_text(texts[5])
    # One undo takes the five back to the inbox.
    page.keyboard.press("z")
    expect(items).to_have_count(INBOX)
    expect(page.locator('[data-count="queued"]')).to_have_text("0")

    # Space ticks the selected item; bulk dismiss.
    page.keyboard.press("j")
    page.keyboard.press(" ")
    page.keyboard.press("j")
    page.keyboard.press(" ")
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.get_by_role("button", name="Dismiss selected").click()
    expect(page.locator('[data-count="dismissed"]')).to_have_text("2")
    expect(page.locator("#bulk")).to_be_hidden()
    console.assert_clean()
