"""The rapporteur's page and the printable report, in Chromium.

- The HTML report renders offline: PNG and PDF saved to test-artifacts/, not one request
  leaves the file while it renders.
- Notes typed on the page survive a dropped socket and a server restart mid-typing.
- The join page states the privacy settings in plain words.
"""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.servers import audience_cookies

from .uikit import ARTIFACTS, SessionClient

pytestmark = pytest.mark.browser


def _api(server_url: str, slug: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{server_url}/api/sessions/{slug}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )


def _vote(base: str, poll_id: int, choice: int) -> None:
    """A new audience member (who opened the audience page, so holds an id) votes."""
    root, _, slug = base.partition("/api/sessions/")
    with httpx.Client(base_url=base, timeout=10, cookies=audience_cookies(root, slug)) as voter:
        r = voter.post(f"/polls/{poll_id}/votes", json={"choices": [choice]})
        assert r.status_code == 201, r.text


def test_html_report_prints_to_png_and_pdf_without_any_request(browser, live_server):
    created = live_server.create_session(
        title="Cities after cars: hybrid round table",
        privacy={"author_display": "full"},
        agenda=[
            {"title": "Opening", "minutes": 5, "kind": "opening"},
            {"title": "Lightning talks", "minutes": 20, "kind": "speaker", "speaker": "Ana Lima"},
            {"title": "Open debate", "minutes": 30, "kind": "debate"},
        ],
    )
    fb_session = SessionClient(live_server.url, created)
    mod = fb_session.moderator
    assert mod.post(f"{fb_session.prefix}/timer/start").status_code == 200
    ids = [
        fb_session.ask("How will remote hubs be funded?", name="Ana Lima"),
        fb_session.ask("Can the slides be shared?"),
        fb_session.ask("Buy cheap followers at spam@example.com"),
    ]
    for action in ("approve", "push", "answer"):
        fb_session.act(ids[0], action)
    fb_session.act(ids[1], "approve")
    fb_session.act(ids[2], "dismiss")
    poll = mod.post(
        f"{fb_session.prefix}/polls",
        json={
            "question": "Should cities ban cars?",
            "kind": "single",
            "options": ["Yes", "No", "Only downtown"],
        },
    ).json()["id"]
    assert mod.post(f"{fb_session.prefix}/polls/{poll}/actions/open").status_code == 200
    for choice in (0, 2, 2):
        _vote(f"{live_server.url}{fb_session.prefix}", poll, choice)
    assert mod.post(f"{fb_session.prefix}/timer/next").status_code == 200
    with _api(fb_session.base_url, fb_session.slug, fb_session.keys["rapporteur"]) as rap:
        rap.put("/report/notes/takeaways", json={"text": "Hubs need funding\nShare slides"})
        rap.put("/report/notes/segment:0", json={"text": "Chair framed the debate."})
        rap.put(f"/report/highlights/{ids[0]}", json={"highlighted": True})
        for _ in range(50):  # poll votes are tallied a moment after they are accepted
            html = rap.get("/report", params={"format": "html"}).text
            if "3 votes" in html:
                break
            time.sleep(0.1)
    fb_session.close()
    assert "spam@example.com" not in html
    assert "Should cities ban cars? (single choice, still open, 3 votes)" in html

    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "report.html"
    source.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(source.as_uri(), wait_until="networkidle")
        expect(page.locator("h1")).to_contain_text("Session report")
        expect(page.locator("svg").first).to_be_visible()
        expect(page.get_by_text("Hubs need funding").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4", print_background=True)
        assert requests == [source.as_uri()], f"the report fetched {requests[1:]}"
    finally:
        context.close()
    pdf = (ARTIFACTS / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_notes_survive_a_reconnect_and_a_restart_mid_typing(open_role, fresh_server):
    created = fresh_server.create_session(
        title="Notes under stress",
        agenda=[{"title": "Opening", "minutes": 5, "kind": "opening"}],
    )
    slug, keys = created["slug"], created["keys"]
    with httpx.Client(timeout=10, cookies=audience_cookies(fresh_server.url, slug)) as aud:
        qid = aud.post(
            f"{fresh_server.url}/api/sessions/{slug}/questions", json={"text": "Star me, please"}
        ).json()["id"]
    with _api(fresh_server.url, slug, keys["moderator"]) as mod:
        seg_id = mod.get("/timer").json()["agenda"][0]["id"]
    rapporteur = open_role("console", created["links"]["rapporteur"])
    rapporteur.wait_live()
    page = rapporteur.page
    box = page.locator("#note-takeaways")
    status = page.locator('[data-status-for="takeaways"]')
    segment = page.locator(f"#note-seg-{seg_id}")
    expect(segment).to_be_visible()

    box.click()
    box.press_sequentially("First takeaway\n", delay=15)
    expect(status).to_have_text("Saved")
    page.locator(f'button[data-star="{qid}"]').click()
    expect(page.locator(f'button[data-star="{qid}"]')).to_have_attribute("aria-pressed", "true")

    # The socket drops while the rapporteur is typing: nothing typed is lost or overwritten.
    box.press_sequentially("Second take", delay=15)
    page.evaluate("window.__fbLive.drop()")
    box.press_sequentially("away\n", delay=15)
    rapporteur.wait_live(timeout=12_000)
    expect(status).to_have_text("Saved")

    # The server goes down mid-sentence and comes back: the page retries until it is saved.
    box.press_sequentially("Third ", delay=15)
    fresh_server.stop()
    box.press_sequentially("point, typed while the server was down", delay=15)
    expect(status).to_contain_text("Not saved yet", timeout=8000)
    segment.click()
    segment.press_sequentially("Chair opened on time", delay=15)
    fresh_server.start()
    expect(status).to_have_text("Saved", timeout=15_000)
    expect(page.locator(f'[data-status-for="seg:{seg_id}"]')).to_have_text(
        "Saved", timeout=15_000
    )

    wanted = "First takeaway\nSecond takeaway\nThird point, typed while the server was down"
    assert box.input_value() == wanted
    with _api(fresh_server.url, slug, keys["rapporteur"]) as rap:
        held = rap.get("/report/notes").json()
        report = rap.get("/report").json()
    assert held["notes"]["takeaways"]["text"] == wanted
    assert held["notes"][f"seg:{seg_id}"]["text"] == "Chair opened on time"
    assert held["highlights"] == [qid]
    assert report["key_takeaways"] == wanted.split("\n")
    assert report["agenda"][0]["notes"] == "Chair opened on time"

    # A reload shows what the server holds, not an empty page.
    page.reload()
    rapporteur.wait_live()
    expect(box).to_have_value(wanted)
    expect(segment).to_have_value("Chair opened on time")
    expect(page.locator(f'button[data-star="{qid}"]')).to_have_attribute("aria-pressed", "true")
    rapporteur.screenshot("report-page.png")
    rapporteur.assert_clean()


def test_join_page_states_the_privacy_settings(open_role, live_server):
    created = live_server.create_session(
        title="Privacy on the join page", privacy={"author_display": "initials"}
    )
    audience = open_role("audience", created["links"]["audience"])
    statements = audience.page.locator("#privacy-statements li")
    expect(statements.first).to_have_text("Only the initials of your name are kept and shown.")
    expect(audience.page.locator("#privacy")).to_contain_text("E-mail addresses are never stored.")
    expect(audience.page.locator("#privacy")).to_contain_text("30 days after the session")
    audience.page.locator("#privacy").scroll_into_view_if_needed()
    audience.screenshot("audience-privacy.png")
    audience.assert_clean()
