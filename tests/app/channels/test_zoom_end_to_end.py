"""End to end: Zoom → webhook → store → the moderator's socket; Q&A import and CSV upload."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from websockets.asyncio.client import connect

from integrations.zoom_send import apost_signed, post_signed
from tests.integrations.zoom_support import (
    ZOOM_SECRETS,
    FakeZoom,
    ZoomServer,
    payload_bytes,
    payload_json,
)

HOOK = "/integrations/zoom/webhook"
_numbers = itertools.count(92_000_000_001)
CONTROL_FRAMES = {"snapshot", "synced", "pong"}


def new_session(server: ZoomServer) -> dict[str, Any]:
    zid = next(_numbers)
    created = server.create_session("Zoom end to end", zoom_ids=[zid])
    created["zoom_id"] = zid
    return created


def moderator(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['keys']['moderator']}"}


def questions(server: ZoomServer, session: dict[str, Any]) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{server.url}/api/sessions/{session['slug']}/questions", headers=moderator(session)
    )
    r.raise_for_status()
    return r.json()


async def next_frame(ws: Any, wait: float = 10.0) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), wait))


async def next_event(ws: Any, wait: float = 10.0) -> dict[str, Any]:
    """The next event, skipping the resume handshake's frames (snapshot, synced, pong)."""
    async with asyncio.timeout(wait):
        while (frame := await next_frame(ws, wait))["type"] in CONTROL_FRAMES:
            pass
    return frame


async def test_a_signed_chat_message_reaches_the_moderators_socket(
    zoom_server: ZoomServer,
) -> None:
    session = new_session(zoom_server)
    ws_base = zoom_server.url.replace("http://", "ws://")
    url = f"{ws_base}/s/{session['slug']}/live"
    mod_ws = await connect(f"{url}?key={session['keys']['moderator']}", compression=None)
    aud_ws = await connect(url, compression=None)
    try:
        for ws in (mod_ws, aud_ws):
            await ws.send(json.dumps({"type": "resume", "after": None}))
            assert (await next_frame(ws))["type"] == "snapshot"

        body = payload_json("zoom-webinar-chat.json")
        body["payload"]["object"]["id"] = session["zoom_id"]
        raw = json.dumps(body).encode()
        async with httpx.AsyncClient() as client:
            r = await apost_signed(client, f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], raw)
        assert r.status_code == 200, r.text

        frame = await next_event(mod_ws)
        assert frame["type"] == "question.created"
        q = frame["data"]["question"]
        assert (q["channel"], q["text"], q["state"]) == (
            "zoom_chat",
            "What is the roadmap for Q3?",
            "inbox",
        )
        assert "jchill@example.com" not in json.dumps(frame)
        # The audience never sees the inbox.
        with pytest.raises(TimeoutError):
            await next_event(aud_ws, wait=0.3)
    finally:
        await mod_ws.close()
        await aud_ws.close()


# ---------------------------------------------------------------- Q&A


@pytest.fixture
def qa_api(zoom_server: ZoomServer, fake_zoom: FakeZoom) -> Iterator[FakeZoom]:
    """Point the server's Q&A client at the fake Zoom for one test."""
    settings = zoom_server.zoom.settings
    saved = settings.model_dump()
    settings.account_id = fake_zoom.account_id
    settings.client_id = fake_zoom.client_id
    settings.client_secret = SecretStr(fake_zoom.client_secret)
    settings.oauth_base = fake_zoom.base_url
    settings.api_base = f"{fake_zoom.base_url}/v2"
    try:
        yield fake_zoom
    finally:
        for key, value in saved.items():
            setattr(settings, key, value)


def test_import_button_brings_the_webinar_qa_once(
    zoom_server: ZoomServer, qa_api: FakeZoom
) -> None:
    session = new_session(zoom_server)
    qa_api.reports[f"/v2/report/webinars/{session['zoom_id']}/qa"] = [
        payload_json("zoom-webinar-qa-report.json")
    ]
    url = f"{zoom_server.url}/api/sessions/{session['slug']}/zoom/qa/import"
    first = httpx.post(url, headers=moderator(session))
    again = httpx.post(url, headers=moderator(session))
    assert first.status_code == 200, first.text
    assert {k: first.json()[k] for k in ("fetched", "stored", "duplicates", "answered")} == {
        "fetched": 1,
        "stored": 1,
        "duplicates": 0,
        "answered": 1,
    }
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 1)
    assert "until the webinar has ended" in first.json()["note"]
    (q,) = questions(zoom_server, session)
    assert (q["channel"], q["text"]) == ("zoom_qa", "Will the slides be shared after the session?")
    link = httpx.get(
        f"{zoom_server.url}/api/sessions/{session['slug']}/zoom", headers=moderator(session)
    ).json()["links"][0]
    assert link["qa_imported_at"] is not None and link["qa_error"] is None


def test_import_reports_zooms_error_instead_of_failing(
    zoom_server: ZoomServer, qa_api: FakeZoom
) -> None:
    session = new_session(zoom_server)  # no report for this webinar: Zoom answers 404
    r = httpx.post(
        f"{zoom_server.url}/api/sessions/{session['slug']}/zoom/qa/import",
        headers=moderator(session),
    )
    assert r.status_code == 200
    assert "Webinar does not exist." in r.json()["errors"][0]
    assert questions(zoom_server, session) == []


def test_import_without_api_credentials_says_so(zoom_server: ZoomServer) -> None:
    session = new_session(zoom_server)
    r = httpx.post(
        f"{zoom_server.url}/api/sessions/{session['slug']}/zoom/qa/import",
        headers=moderator(session),
    )
    assert r.status_code == 409
    assert "credentials" in r.json()["detail"]


def test_webinar_ended_starts_the_qa_import(zoom_server: ZoomServer, qa_api: FakeZoom) -> None:
    session = new_session(zoom_server)
    qa_api.reports[f"/v2/report/webinars/{session['zoom_id']}/qa"] = [
        payload_json("zoom-webinar-qa-report.json")
    ]
    body = payload_json("zoom-meeting-started.json")
    body["event"] = "webinar.ended"
    body["payload"]["object"]["id"] = session["zoom_id"]
    r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], json.dumps(body).encode())
    assert r.status_code == 200
    deadline = time.monotonic() + 10
    while not (found := questions(zoom_server, session)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [q["channel"] for q in found] == ["zoom_qa"]


CSV = (
    "Question and Answer Report\r\n"
    "#,Question,Asker Name,Asker Email,Answer(s)\r\n"
    '1,"Will the slides be shared after the session?",Jill Chill,jchill@example.com,'
    '"Yes, by email."\r\n'
    "2,Is there a recording?,Bo,,\r\n"
)


def test_csv_upload_as_a_form_after_an_api_import(
    zoom_server: ZoomServer, qa_api: FakeZoom
) -> None:
    session = new_session(zoom_server)
    qa_api.reports[f"/v2/report/webinars/{session['zoom_id']}/qa"] = [
        payload_json("zoom-webinar-qa-report.json")
    ]
    base = f"{zoom_server.url}/api/sessions/{session['slug']}/zoom/qa"
    httpx.post(f"{base}/import", headers=moderator(session)).raise_for_status()
    form = httpx.post(
        f"{base}/csv",
        files={"file": ("qa.csv", CSV.encode(), "text/csv")},
        headers=moderator(session),
    )
    assert form.status_code == 200, form.text
    # The question the API already brought is recognised; only the new one is stored.
    assert (form.json()["stored"], form.json()["duplicates"]) == (1, 1)
    again = httpx.post(
        f"{base}/csv",
        files={"file": ("qa.csv", CSV.encode(), "text/csv")},
        headers=moderator(session),
    )
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 2)
    assert sorted(q["text"] for q in questions(zoom_server, session)) == [
        "Is there a recording?",
        "Will the slides be shared after the session?",
    ]


def test_csv_upload_takes_only_its_form_encoding(zoom_server: ZoomServer) -> None:
    """A text/plain body is what any page's form may post without asking: 415, nothing
    stored, whatever the body holds."""
    session = new_session(zoom_server)
    url = f"{zoom_server.url}/api/sessions/{session['slug']}/zoom/qa/csv"
    for content_type in ("text/plain", "text/csv", "application/x-www-form-urlencoded"):
        r = httpx.post(
            url, content=CSV.encode(), headers={**moderator(session), "content-type": content_type}
        )
        assert r.status_code == 415, (content_type, r.text)
        assert "multipart/form-data" in r.json()["detail"]
    assert questions(zoom_server, session) == []


def test_csv_upload_refuses_other_files_and_other_roles(zoom_server: ZoomServer) -> None:
    session = new_session(zoom_server)
    url = f"{zoom_server.url}/api/sessions/{session['slug']}/zoom/qa/csv"

    def file(data: bytes) -> dict:
        return {"file": ("qa.csv", data, "text/csv")}

    wrong = httpx.post(
        url, files=file(payload_bytes("zoom-meeting-chat.json")), headers=moderator(session)
    )
    assert wrong.status_code == 422
    assert "not a Zoom Q&A report" in wrong.json()["detail"]
    stage = {"Authorization": f"Bearer {session['keys']['stage']}"}
    assert httpx.post(url, files=file(CSV.encode()), headers=stage).status_code == 403
    assert httpx.post(url, files=file(CSV.encode())).status_code == 401


def test_polling_during_the_webinar_stops_when_it_ends(
    zoom_server: ZoomServer, qa_api: FakeZoom
) -> None:
    zoom_server.zoom.settings.qa_poll_seconds = 0.1
    session = new_session(zoom_server)
    path = f"/v2/report/webinars/{session['zoom_id']}/qa"
    qa_api.reports[path] = [payload_json("zoom-webinar-qa-report.json")]
    body = payload_json("zoom-meeting-started.json")
    body["payload"]["object"]["id"] = session["zoom_id"]

    def lifecycle(event: str) -> None:
        body["event"] = event
        raw = json.dumps(body).encode()
        assert post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], raw).status_code == 200

    lifecycle("webinar.started")
    deadline = time.monotonic() + 10
    while len(qa_api.hits(path)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(qa_api.hits(path)) >= 3  # polled repeatedly while live
    assert [q["channel"] for q in questions(zoom_server, session)] == ["zoom_qa"]  # once

    lifecycle("webinar.ended")
    # Polling every 0.1 s would keep adding hits; after the end (and its final import)
    # the count must settle.
    settled, last, deadline = False, -1, time.monotonic() + 10
    while not settled and time.monotonic() < deadline:
        time.sleep(0.6)
        now = len(qa_api.hits(path))
        settled, last = now == last, now
    assert settled, "Q&A polling went on after webinar.ended"
    assert len(questions(zoom_server, session)) == 1
