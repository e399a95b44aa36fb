"""The report and privacy API over HTTP, against the real server: roles, formats, errors."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from app.auth import AUDIENCE_COOKIE, Signer
from app.domains import default_registry
from tests.servers import audience_cookies

#: The app's domains: their event filters and snapshot parts, as the server uses them.
REGISTRY = default_registry()


@pytest.fixture
def sess(live_server):
    created = live_server.create_session(
        title="Report API test", privacy={"author_display": "full"}
    )
    slug = created["slug"]
    keys = created["keys"]

    def client(role: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {keys[role]}"} if role else {}
        # No role: a phone that opened the audience page (it holds the id cookie it set).
        cookies = audience_cookies(live_server.url, slug) if role is None else None
        return httpx.Client(
            base_url=f"{live_server.url}/api/sessions/{slug}",
            headers=headers,
            cookies=cookies,
            timeout=10,
        )

    return slug, client


def test_report_formats_and_who_may_read_them(live_server, sess):
    slug, client = sess
    with client() as aud:
        ids = [
            aud.post("/questions", json={"text": t, "name": "Ana Pérez"}).json()["id"]
            for t in ("First question?", "=cmd|' /C calc'!A0")
        ]
    with client("moderator") as mod:
        for action in ("approve", "push", "answer"):
            assert mod.post(f"/questions/{ids[0]}/actions/{action}").status_code == 200
        assert mod.post(f"/questions/{ids[1]}/actions/dismiss").status_code == 200
    with client("rapporteur") as rap:
        r = rap.get("/report")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        report = r.json()
        assert report["questions"]["total"] == 2
        assert report["questions"]["by_state"]["answered"] == 1
        assert report["all_questions"][0]["author"] == "Ana Pérez"  # policy: full
        md = rap.get("/report", params={"format": "md"})
        assert md.headers["content-type"].startswith("text/markdown")
        assert f'filename="{slug}-report.md"' in md.headers["content-disposition"]
        assert "| Audience page | yes | 2 | 1 | 1 | 1 | 0 | 0 | 100.0% | 100.0% |" in md.text
        html = rap.get("/report", params={"format": "html"})
        assert html.headers["content-type"].startswith("text/html")
        assert html.headers["content-disposition"].startswith("attachment")
        assert "<svg" in html.text and "http://" not in html.text.replace(
            "http://www.w3.org/2000/svg", ""
        )
        rows = list(csv.reader(io.StringIO(rap.get("/report", params={"format": "csv"}).text)))
        assert len(rows) == 3 and rows[2][-1].startswith("'=")  # no formula in a spreadsheet
        pdf = rap.get("/report", params={"format": "pdf"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert f'filename="{slug}-report.pdf"' in pdf.headers["content-disposition"]
        form = rap.get("/report", params={"format": "form"})
        assert f'filename="{slug}-igf-form.txt"' in form.headers["content-disposition"]
        assert "Session title:\n  Report API test\n" in form.text
        bad = rap.get("/report", params={"format": "docx"})
        assert bad.status_code == 422 and "md, html, json, csv, pdf, form" in bad.json()["detail"]
    with client() as aud:
        assert aud.get("/report").status_code == 401
    with client("stage") as stage:
        r = stage.get("/report")
        assert r.status_code == 403 and "stage" in r.json()["detail"]


def test_notes_and_highlights(live_server, sess):
    _slug, client = sess
    with client() as aud:
        qid = aud.post("/questions", json={"text": "Star me"}).json()["id"]
    with client("rapporteur") as rap:
        r = rap.put("/report/notes/takeaways", json={"text": "- One\n- Two"})
        assert r.status_code == 200 and r.json()["rev"] == 1
        assert (
            rap.put("/report/notes/takeaways", json={"text": "- One\n- Two\n- Three"}).json()["rev"]
            == 2
        )
        # This session has no agenda: there is no segment to file a note under.
        r = rap.put("/report/notes/segment:0", json={"text": "Opening went well"})
        assert r.status_code == 404 and "no segment at position 0" in r.json()["detail"]
        r = rap.put("/report/notes/seg:999999", json={"text": "Opening went well"})
        assert r.status_code == 404 and "no segment 999999" in r.json()["detail"]
        assert rap.put(f"/report/highlights/{qid}", json={"highlighted": True}).status_code == 200
        notes = rap.get("/report/notes").json()
        assert notes["notes"]["takeaways"]["text"] == "- One\n- Two\n- Three"
        assert notes["highlights"] == [qid]
        assert rap.get("/report").json()["key_takeaways"] == ["One", "Two", "Three"]
        snap = rap.get("/snapshot").json()
        assert snap["data"]["report"]["notes"]["takeaways"]["text"] == "- One\n- Two\n- Three"
        r = rap.put("/report/notes/secret", json={"text": "x"})
        assert r.status_code == 422 and "section" in r.json()["detail"]
        assert rap.put("/report/notes/general", json={"text": "x" * 20_001}).status_code == 422
        r = rap.put("/report/highlights/999999", json={"highlighted": True})
        assert r.status_code == 404 and "no question" in r.json()["detail"]
    with client() as aud:
        assert aud.put("/report/notes/general", json={"text": "hi"}).status_code == 401
        assert aud.get("/snapshot").json()["data"].get("report") is None


def test_report_events_reach_only_moderator_and_rapporteur():
    data = {"note": {"section": "general", "text": "private draft", "rev": 1}}
    assert REGISTRY.event_for("rapporteur", "report.note", data) == ("report.note", data)
    assert REGISTRY.event_for("moderator", "report.note", data) == ("report.note", data)
    for role in ("audience", "stage", "screen"):
        assert REGISTRY.event_for(role, "report.note", data) is None


def test_privacy_statement_retention_and_subject_access(live_server, sess):
    slug, client = sess
    with client() as aud:
        r = aud.get("/privacy")
        assert r.status_code == 200
        privacy = r.json()
        assert privacy["email_stored"] is False and privacy["retention_days"] == 30
        assert "E-mail addresses are never stored." in privacy["statements"]
        assert aud.put("/privacy", json={"retention_days": 7}).status_code == 401
        qid = aud.post("/questions", json={"text": "Delete me later", "name": "Rui Sol"}).json()[
            "id"
        ]
        me = Signer("test-secret-key-for-cookies").read_audience(aud.cookies[AUDIENCE_COOKIE])
    with client("moderator") as mod:
        r = mod.put("/privacy", json={"retention_days": 14})
        assert r.status_code == 200 and "14 days" in " ".join(r.json()["statements"])
        assert mod.put("/privacy", json={"retention_days": 0}).status_code == 422
        # Subject access is the organiser's (admin token), not the moderator's.
        r = mod.post("/privacy/export", json={"channel": "audience", "handle": me})
        assert r.status_code == 401
    admin = {"Authorization": f"Bearer {live_server.admin_token}"}
    with httpx.Client(base_url=f"{live_server.url}/api/sessions/{slug}", headers=admin) as org:
        held = org.post("/privacy/export", json={"channel": "audience", "handle": me}).json()
        assert [q["id"] for q in held["questions"]] == [qid]
        assert held["questions"][0]["name"] == "Rui Sol"
        gone = org.post("/privacy/erase", json={"channel": "audience", "handle": me}).json()
        assert gone["questions"] == 1
        held = org.post("/privacy/export", json={"channel": "audience", "handle": me}).json()
        assert held["questions"] == [] and held["messages"] == []
        r = org.post("/privacy/erase", json={"channel": "", "handle": me})
        assert r.status_code == 422
    with client("moderator") as mod:
        listed = mod.get("/questions").json()
        assert "Rui Sol" not in json.dumps(listed) and "Delete me later" not in json.dumps(listed)


def test_declined_by_reason_through_the_api(live_server, sess):
    """A dismissal may say why; the report counts the declined by reason (the last reason
    given), and a reason that is not on the list, or on another action, is a clear 422."""
    _, client = sess
    ids = []
    for text in ("Buy followers", "Same as the last one", "Is it lunch yet?", "Why?"):
        with client() as aud:  # one phone each: the per-person question limit stays out
            r = aud.post("/questions", json={"text": text})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    with client("moderator") as mod:
        bad = mod.post(f"/questions/{ids[0]}/actions/dismiss", json={"reason": "boring"})
        assert bad.status_code == 422 and "off_topic" in bad.text
        wrong = mod.post(f"/questions/{ids[0]}/actions/approve", json={"reason": "duplicate"})
        assert wrong.status_code == 422 and "only for dismiss" in wrong.text
        for qid, reason in zip(ids, ("abusive", "duplicate", "off_topic"), strict=False):
            r = mod.post(f"/questions/{qid}/actions/dismiss", json={"reason": reason})
            assert r.status_code == 200, r.text
        # Restored and declined again: the last reason is the one counted.
        assert mod.post(f"/questions/{ids[2]}/actions/restore").status_code == 200
        r = mod.post(f"/questions/{ids[2]}/actions/dismiss", json={"reason": "answered_elsewhere"})
        assert r.status_code == 200, r.text
        assert mod.post(f"/questions/{ids[3]}/actions/dismiss").status_code == 200  # no reason
    with client("rapporteur") as rap:
        report = rap.get("/report").json()
        md = rap.get("/report", params={"format": "md"}).text
    (row,) = report["questions"]["by_channel"]
    assert row["dismissed"] == 4
    assert row["declined_by_reason"] == {
        "duplicate": 1,
        "abusive": 1,
        "answered_elsewhere": 1,
        "none": 1,
    }
    assert "4 declined (duplicate: 1, abusive: 1, answered elsewhere: 1, no reason given: 1)" in md
    trail = [t["text"] for t in report["moderation"]["trail"]]
    assert f"Declined #{ids[0]} (abusive)" in trail and f"Declined #{ids[3]}" in trail
