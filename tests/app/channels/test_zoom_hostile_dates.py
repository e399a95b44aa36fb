"""Dates Python reads but cannot turn into UTC (`9999-12-31T23:59:59-14:00`) are no date:
the signed chat event and the Q&A CSV row still land, with the time they arrived; never
a 500 (issue 12). One ISO reader does this for every channel: app.clock.parse_iso."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from app.clock import parse_iso
from integrations.zoom_send import post_signed
from tests.integrations.zoom_support import ZOOM_SECRETS, ZoomServer, payload_json

HOOK = "/integrations/zoom/webhook"
OVERFLOW = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]


def test_the_one_iso_reader_refuses_what_overflows_in_utc() -> None:
    assert parse_iso("2023-11-14T22:13:20Z") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert parse_iso("2023-11-14T23:13:20+01:00") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert parse_iso("2023-11-14T22:13:20") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    for bad in [*OVERFLOW, "", "tomorrow", "2023-13-01", None, 1700000000]:
        assert parse_iso(bad) is None, bad


def _session(server: ZoomServer, zoom_id: int) -> dict[str, Any]:
    return server.create_session("Hostile dates", zoom_ids=[zoom_id])


def _texts(server: ZoomServer, session: dict[str, Any]) -> list[str]:
    r = httpx.get(
        f"{server.url}/api/sessions/{session['slug']}/questions",
        headers={"Authorization": f"Bearer {session['keys']['moderator']}"},
    )
    return sorted(q["text"] for q in r.json())


def test_a_signed_chat_event_with_an_overflowing_date_still_lands(
    zoom_server: ZoomServer,
) -> None:
    session = _session(zoom_server, 91_000_000_001)
    for i, when in enumerate(OVERFLOW):
        body = payload_json("zoom-meeting-chat.json")
        body["event_ts"] = 10**30  # and a timestamp no clock reaches
        chat = body["payload"]["object"]["chat_message"]
        body["payload"]["object"]["id"] = 91_000_000_001
        chat.update(message_id=f"overflow-{i}", date_time=when, message_content=f"Q {i}?")
        r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], json.dumps(body).encode())
        assert r.status_code == 200, r.text
        assert r.json().get("stored") == 1
    assert _texts(zoom_server, session) == ["Q 0?", "Q 1?"]


def test_a_qa_csv_row_with_an_overflowing_time_still_lands(zoom_server: ZoomServer) -> None:
    session = _session(zoom_server, 91_000_000_002)
    csv = "#,Question,Asker Name,Asker Email,Answer(s),Question Time\r\n" + "".join(
        f"{i},Question {i}?,Bo,,,{when}\r\n" for i, when in enumerate(OVERFLOW)
    )
    r = httpx.post(
        f"{zoom_server.url}/api/sessions/{session['slug']}/zoom/qa/csv",
        files={"file": ("qa.csv", csv.encode(), "text/csv")},  # the upload form's field
        headers={"Authorization": f"Bearer {session['keys']['moderator']}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 2
    assert _texts(zoom_server, session) == ["Question 0?", "Question 1?"]
