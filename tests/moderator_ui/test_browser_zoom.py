"""The console's Zoom panel in Debian's Chromium, against a real server with Zoom enabled:
signed webhooks (the project's own signing code) mark the link live and count messages,
the Q&A report CSV upload and the import button answer in plain words, polling stops
while the page is hidden, and whatever the server sends is shown as text."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from app.channels import zoom as zoom_channel
from integrations.zoom_send import post_signed
from tests.servers import PAYLOADS, LiveServer

from .uikit import tab

pytestmark = pytest.mark.browser

SECRET = "ui-zoom-secret-token"
HOOK = "/integrations/zoom/webhook"
POLL_WAIT = 8_000  # ms: the panel polls every 4 s; a Zoom question also triggers a read
_zoom_ids = itertools.count(93_100_000_001)

# The CSV export of Zoom's web portal (Reports > Webinars > Q&A report). No sample of it is
# in tests/payloads, so this follows the layout docs/zoom.md describes: a preamble, then a
# `#,Question,Asker Name,Asker Email,Answer(s)` header and one row per question.
QA_CSV = (
    "\ufeffQuestion and Answer Report\r\n"
    'Report Generated:,"Nov 14, 2023 11:30 PM"\r\n'
    "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Question\r\n"
    '"Hybrid round table","931 0000 0001","Nov 14, 2023 10:00 PM",60,3\r\n'
    "\r\n"
    "Question Details\r\n"
    "#,Question,Asker Name,Asker Email,Answer(s)\r\n"
    "1,Is there a recording?,Bo,,\r\n"
    '2,"Can remote people vote too?",Ana P,ana@example.org,\r\n'
    '3,"Will the slides be shared?",Jill Chill,jchill@example.com,"Yes, by email."\r\n'
)


@pytest.fixture(scope="module")
def zoom_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The shared LiveServer with a Zoom secret; Zoom settings ignore the environment."""
    server = LiveServer(
        tmp_path_factory.mktemp("ui-zoom"), extra_env={"zoom_secret_token": SECRET}
    ).start()
    zoom_channel.configure(server.app.state.fb, zoom_channel.ZoomSettings(_env_file=None))
    try:
        yield server
    finally:
        server.stop()


def linked_session(server: LiveServer) -> dict[str, Any]:
    zoom_id = next(_zoom_ids)
    created = server.create_session(
        "Zoom panel", zoom_ids=[zoom_id], privacy={"author_display": "full"}
    )
    created["zoom_id"] = zoom_id
    return created


def deliver(server: LiveServer, payload: str, zoom_id: int, **changes: Any) -> None:
    """Post a shared Zoom payload, retargeted at `zoom_id`, signed as Zoom signs it."""
    body = json.loads((PAYLOADS / payload).read_text())
    body["payload"]["object"]["id"] = zoom_id
    chat = body["payload"]["object"].get("chat_message")
    if chat is not None:
        chat.update(changes)
    elif changes:
        body.update(changes)
    r = post_signed(f"{server.url}{HOOK}", SECRET, json.dumps(body).encode())
    assert r.status_code == 200, r.text


def zoom_link(page: Page, zoom_id: Any):
    return page.locator(f'#zoom-panel .zoom-link[data-zoom-id="{zoom_id}"]')


def test_zoom_panel_live_status_chat_and_csv_import(open_role, zoom_server, tmp_path):
    session = linked_session(zoom_server)
    zid = session["zoom_id"]
    console = open_role("console", session["links"]["moderator"])
    console.wait_live()
    page = console.page
    panel = page.locator("#zoom-panel")
    link = zoom_link(page, zid)

    expect(panel).to_be_visible()
    expect(link).to_have_attribute("data-state", "unknown")
    expect(link).to_contain_text("no start or end event yet")
    expect(link.locator(".zoom-messages")).to_have_text("Messages received: 0")
    expect(panel.locator(".zoom-server")).to_contain_text("Signature failures (all sessions): 0")
    expect(panel.locator(".zoom-note")).to_have_text(
        "Zoom may return no Q&A until the webinar has ended."
    )

    deliver(zoom_server, "zoom-meeting-started.json", zid)
    deliver(zoom_server, "zoom-meeting-chat.json", zid, message_id=f"ui-{zid}")
    # Said in words, not only by colour.
    expect(link).to_have_attribute("data-state", "live", timeout=POLL_WAIT)
    expect(link.locator(".zoom-state")).to_have_text("live")
    expect(link.locator(".zoom-id")).to_have_text(f"Meeting {zid}")
    expect(link.locator(".zoom-messages")).to_have_text("Messages received: 1", timeout=POLL_WAIT)
    expect(link.locator(".zoom-last")).not_to_contain_text("none yet")
    inbox = page.locator("#list .q")
    expect(inbox.filter(has_text="What is the roadmap for Q3?")).to_have_count(1)

    # Accounts without API access upload the report CSV.
    report = tmp_path / "qa-report.csv"
    report.write_bytes(QA_CSV.encode("utf-8"))
    page.locator("#zoom-panel .zoom-csv-input").set_input_files(report)
    result = panel.locator(".zoom-result")
    expect(result).to_have_text("Imported 3 new questions of 3 from the file.")
    expect(result).to_have_attribute("data-kind", "ok")
    expect(inbox.filter(has_text="Is there a recording?")).to_have_count(1)
    expect(inbox.filter(has_text="Can remote people vote too?")).to_have_count(1)
    tab(page, "Answered").click()  # answered in Zoom: arrives answered, with its answer
    expect(page.locator("#list .q", has_text="Will the slides be shared?")).to_have_count(1)

    # The same file again adds nothing, and says so.
    page.locator("#zoom-panel .zoom-csv-input").set_input_files(report)
    expect(result).to_have_text("Imported 0 new questions of 3 from the file (3 already here).")

    # Not a Q&A report: a plain error, nothing stored.
    wrong = tmp_path / "chat.csv"
    wrong.write_text("name,message\nBo,hello\n")
    page.locator("#zoom-panel .zoom-csv-input").set_input_files(wrong)
    expect(result).to_have_attribute("data-kind", "error")
    expect(result).to_have_text(
        "The file was not imported: not a Zoom Q&A report: "
        "no header row with 'Question' and 'Asker Name' columns"
    )

    # A report with no questions in it: said so, not an error.
    empty = tmp_path / "empty.csv"
    empty.write_text("#,Question,Asker Name,Asker Email,Answer(s)\r\n")
    page.locator("#zoom-panel .zoom-csv-input").set_input_files(empty)
    expect(result).to_have_text("No questions came from the file.")

    # No API credentials on this server: the button says so in words.
    panel.get_by_role("button", name="Import Zoom Q&A").click()
    expect(result).to_have_text(
        "Import failed: Zoom API credentials are not configured on this server"
    )
    expect(result).to_have_attribute("data-kind", "error")
    tab(page, "Inbox").click()
    expect(inbox).to_have_count(3)  # the chat message and two open questions
    console.screenshot("console-zoom-panel.png")
    console.assert_clean()


def test_a_bad_signature_is_counted_in_the_panel(open_role, zoom_server):
    session = linked_session(zoom_server)
    console = open_role("console", session["links"]["moderator"])
    before = zoom_server.app.state.fb.zoom.signature_failures
    raw = (PAYLOADS / "zoom-meeting-chat.json").read_bytes()
    assert post_signed(f"{zoom_server.url}{HOOK}", "not-the-secret", raw).status_code == 401
    expect(console.page.locator("#zoom-panel .zoom-server")).to_contain_text(
        f"Signature failures (all sessions): {before + 1} (last: signature does not match",
        timeout=POLL_WAIT,
    )
    console.assert_clean()


def test_polling_stops_while_the_page_is_hidden(open_role, zoom_server):
    session = linked_session(zoom_server)
    console = open_role("console", session["links"]["moderator"])
    page = console.page
    expect(zoom_link(page, session["zoom_id"])).to_be_visible()
    reads: list[str] = []
    page.on("request", lambda r: reads.append(r.url) if r.url.endswith("/zoom") else None)

    page.evaluate(SET_VISIBILITY, "hidden")
    page.wait_for_timeout(100)
    reads.clear()
    page.wait_for_timeout(5_000)  # longer than the 4 s poll
    assert reads == []

    with page.expect_request(lambda r: r.url.endswith("/zoom"), timeout=2_000):
        page.evaluate(SET_VISIBILITY, "visible")  # back: read at once, then poll again
    console.assert_clean()


SET_VISIBILITY = """(state) => {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  Object.defineProperty(document, "hidden", { value: state === "hidden", configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""

XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__pwned=1</script>"
BOLD = "<b>bold</b>"


def hostile_status(zoom_id: int) -> dict[str, Any]:
    """Every string the panel shows, as markup (what a broken proxy or a bug could send)."""
    return {
        "enabled": True,
        "public_only": False,
        "qa_api": True,
        "qa_poll_seconds": 0,
        "qa_note": f"Note {BOLD}",
        "links": [
            {
                "zoom_id": XSS,
                "kind": BOLD,
                "live": True,
                "changed_at": None,
                "last_event_at": SCRIPT,
                "messages_received": BOLD,
                "duplicates": 0,
                "filtered_private": 0,
                "qa_imported_at": None,
                "qa_error": SCRIPT,
            },
            {**_plain_link(zoom_id)},
        ],
        "signature_failures": 2,
        "last_signature_failure_at": None,
        "last_signature_failure": XSS,
    }


def _plain_link(zoom_id: int) -> dict[str, Any]:
    return {
        "zoom_id": zoom_id,
        "kind": None,
        "live": None,
        "changed_at": None,
        "last_event_at": None,
        "messages_received": 0,
        "duplicates": 0,
        "filtered_private": 0,
        "qa_imported_at": None,
        "qa_error": None,
    }


MARKUP_IN_PANEL = """() => {
  const panel = document.getElementById("zoom-panel");
  return {
    elements: panel.querySelectorAll("img, script, b").length,
    pwned: typeof window.__pwned,
  };
}"""


def test_zoom_text_in_the_panel_is_literal(open_role, zoom_server):
    session = linked_session(zoom_server)
    zid = session["zoom_id"]
    # A real Zoom chat whose sender and text are markup: literal in the inbox.
    console = open_role("console", session["links"]["moderator"])
    page = console.page
    deliver(
        zoom_server,
        "zoom-meeting-chat.json",
        zid,
        message_id=f"xss-{zid}",
        sender_name=XSS,
        message_content=f"{BOLD} {SCRIPT}",
    )
    item = page.locator("#list .q", has_text=SCRIPT)
    expect(item).to_contain_text(BOLD)
    expect(item).to_contain_text(XSS)

    # Zoom ids are numbers server-side; the panel must not trust that, nor any other field.
    status = hostile_status(zid)
    page.route(
        "**/zoom",
        lambda route: (
            route.fulfill(json=copy.deepcopy(status))
            if route.request.method == "GET"
            else route.continue_()
        ),
    )
    page.route(
        "**/zoom/qa/import",
        lambda route: route.fulfill(
            json={
                "fetched": 1,
                "stored": 0,
                "duplicates": 0,
                "answered": 0,
                "errors": [XSS],
                "note": "",
            }
        ),
    )
    page.route("**/zoom/qa/csv", lambda route: route.fulfill(status=422, json={"detail": SCRIPT}))
    page.reload()
    console.wait_live()
    link = zoom_link(page, XSS)
    expect(link.locator(".zoom-id")).to_have_text(f"Zoom {XSS}")
    expect(link).to_contain_text(f"Messages received: {BOLD}")
    expect(link).to_contain_text(f"Q&A import failed: {SCRIPT}")
    expect(link).to_contain_text(f"Last event: {SCRIPT}")
    panel = page.locator("#zoom-panel")
    expect(panel.locator(".zoom-server")).to_contain_text(f"(last: {XSS})")
    expect(panel.locator(".zoom-note")).to_have_text(f"Note {BOLD}")

    panel.get_by_role("button", name="Import Zoom Q&A").click()
    result = panel.locator(".zoom-result")
    expect(result).to_have_text(f"Imported 0 new questions of 1 from Zoom. Not imported: {XSS}")
    page.locator("#zoom-panel .zoom-csv-input").set_input_files(
        {"name": f"{XSS}.csv", "mimeType": "text/csv", "buffer": QA_CSV.encode()}
    )
    expect(result).to_have_text(f"The file was not imported: {SCRIPT}")

    assert page.evaluate(MARKUP_IN_PANEL) == {"elements": 0, "pwned": "undefined"}
    console.assert_clean()


def test_panel_stays_hidden_without_zoom(open_role, fb_session):
    """The shared live_server has no Zoom secret and the session links no number."""
    console = open_role("console", fb_session.links["moderator"])
    console.wait_live()
    page = console.page
    read = "() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/zoom'))"
    page.wait_for_function(read)  # the panel asked, and was told there is nothing to show
    page.wait_for_timeout(300)
    expect(page.locator("#zoom-panel")).to_be_hidden()
    console.assert_clean()
