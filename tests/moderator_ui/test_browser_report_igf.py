"""The rapporteur fills the IGF form's fields on a laptop, reloads, and exports.

What they typed is there after the reload, the report marks those fields filled (and the
others missing), and the page's download links give the PDF and the form view, named
after the session, with the same words.
"""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pypdf
import pytest
from playwright.sync_api import expect

from tests.servers import audience

from .test_report_page import LAPTOP, laptop  # noqa: F401  (the fixture)
from .uikit import ARTIFACTS

pytestmark = pytest.mark.browser
TYPED = {
    "igf.organisers": "Data for Good Network\nCity of Lyon",
    "igf.chair": "Mia Chen, Data for Good Network",
    "igf.rapporteur": "Sam Ortiz, City of Lyon",
    "igf.key_issues": "Remote hubs lack funding.",
    "igf.participants_onsite": "40",
    "igf.participants_online": "25",
    "igf.speakers_women": "1",
}


def _box(page, section: str):
    return page.locator(f'[data-section="{section}"]')


def test_the_rapporteur_fills_the_igf_fields_reloads_and_exports(laptop, live_server):  # noqa: F811
    created = live_server.create_session(
        title="Hubs: an IGF workshop",
        agenda=[
            {"title": "Opening", "minutes": 5, "kind": "opening"},
            {"title": "Hubs", "minutes": 10, "kind": "speaker", "speaker": "Ana Lima"},
        ],
    )
    api = f"{live_server.url}/api/sessions/{created['slug']}"
    moderator = {"Authorization": f"Bearer {created['keys']['moderator']}"}
    ids = []
    with audience(live_server.url, created["slug"]) as phone:  # opened the audience page
        for text in ("Who funds the hubs?", "Any slides?"):
            r = phone.post(f"{api}/questions", json={"text": text})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    asked, quiet = ids
    for qid in (asked, quiet):
        r = httpx.post(f"{api}/questions/{qid}/actions/approve", headers=moderator, timeout=10)
        assert r.status_code == 200, r.text
    for _ in range(2):  # two people upvote it (each a fresh audience id from the page)
        with audience(live_server.url, created["slug"]) as voter:
            r = voter.post(f"{api}/questions/{asked}/upvote")
            assert r.status_code == 200, r.text
    role = laptop(created["links"]["rapporteur"])
    role.wait_live()
    page = role.page
    for section, text in TYPED.items():
        box = _box(page, section)
        box.scroll_into_view_if_needed()
        box.fill(text)
        box.blur()
        expect(page.locator(f'[data-status-for="{section}"]')).to_have_text("Saved")
        # The field is on the page and in reach: inside the laptop's width.
        rect = box.bounding_box()
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= LAPTOP["viewport"]["width"]
    tz = _box(page, "time_zone")
    tz.fill("Europe/Paris")
    tz.blur()
    expect(page.locator('[data-status-for="time_zone"]')).to_have_text("Saved")

    # The form's fields stack one under the other, none over another.
    boxes = [
        page.locator(f'[data-section="{k}"]').locator("xpath=..").bounding_box() for k in TYPED
    ]
    for upper, lower in zip(boxes, boxes[1:], strict=False):
        assert upper["y"] + upper["height"] <= lower["y"] + 0.5
    page.screenshot(path=str(ARTIFACTS / "report-igf-fields.png"), full_page=True)

    page.reload()
    role.wait_live()
    for section, text in TYPED.items():
        expect(_box(page, section)).to_have_value(text)
    expect(_box(page, "time_zone")).to_have_value("Europe/Paris")

    # Suggestions from the record: only the upvoted question; a pick is appended and saved.
    page.get_by_role("button", name="Suggest from the record").click()
    items = page.locator("#draft-issues-list li")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Who funds the hubs?")
    items.first.get_by_role("button", name="Use").click()
    issues = "Remote hubs lack funding.\nWho funds the hubs?"
    expect(_box(page, "igf.key_issues")).to_have_value(issues)
    expect(page.locator('[data-status-for="igf.key_issues"]')).to_have_text("Saved")
    role.assert_clean()

    # Export through the page's own links.
    slug = created["slug"]
    for link, name in (("#dl-pdf", f"{slug}-report.pdf"), ("#dl-form", f"{slug}-igf-form.txt")):
        with page.expect_download() as info:
            page.locator(link).click()
        assert info.value.suggested_filename == name
    with page.expect_download() as info:
        page.locator("#dl-form").click()
    form = Path(info.value.path()).read_text(encoding="utf-8")
    assert "Workshop organisers:\n  Data for Good Network\n  City of Lyon\n" in form
    assert "Participants onsite:\n  40\n" in form
    assert "Venue:\n  [missing]\n" in form
    assert "(Europe/Paris)" in form
    with page.expect_download() as info:
        page.locator("#dl-pdf").click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert "Mia Chen, Data for Good Network" in text and "Remote hubs lack funding." in text
    assert "Who funds the hubs?" in form and "Who funds the hubs?" in text

    # A time zone that does not exist is refused with a message, not saved.
    with httpx.Client(timeout=10) as client:
        r = client.put(
            f"{live_server.url}/api/sessions/{slug}/report/notes/time_zone",
            json={"text": "Mars/Olympus"},
            headers={"Authorization": f"Bearer {created['keys']['rapporteur']}"},
        )
    assert r.status_code == 422 and "time zone" in r.json()["detail"]
