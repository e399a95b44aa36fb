"""`POST /integrations/zoom/webhook` on a real server: verified, idempotent, never a 500."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import time
from typing import Any

import httpx
import pytest

from integrations.zoom import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from integrations.zoom_send import apost_signed, post_signed, signed_headers
from tests.integrations.zoom_support import (
    ZOOM_ID,
    ZOOM_SECRETS,
    ZoomServer,
    payload_bytes,
    payload_json,
)

HOOK = "/integrations/zoom/webhook"


def chat_body(
    message_id: str, text: str = "What is the roadmap for Q3?", zoom_id: int = ZOOM_ID
) -> bytes:
    body = payload_json("zoom-meeting-chat.json")
    body["payload"]["object"]["id"] = zoom_id
    body["payload"]["object"]["chat_message"]["message_id"] = message_id
    body["payload"]["object"]["chat_message"]["message_content"] = text
    return json.dumps(body).encode()


def questions(server: ZoomServer, session: dict[str, Any]) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{server.url}/api/sessions/{session['slug']}/questions",
        headers={"Authorization": f"Bearer {session['keys']['moderator']}"},
    )
    r.raise_for_status()
    return r.json()


def status(server: ZoomServer, session: dict[str, Any]) -> dict[str, Any]:
    r = httpx.get(
        f"{server.url}/api/sessions/{session['slug']}/zoom",
        headers={"Authorization": f"Bearer {session['keys']['moderator']}"},
    )
    r.raise_for_status()
    return r.json()


_zoom_numbers = itertools.count(90_000_000_001)


@pytest.fixture
def session(zoom_server: ZoomServer) -> dict[str, Any]:
    """A session linking a Zoom number of its own, so counters do not leak between tests."""
    zid = next(_zoom_numbers)
    created = zoom_server.create_session("Zoom webhook test", zoom_ids=[zid])
    created["zoom_id"] = zid
    return created


def test_the_shared_chat_payload_lands_in_the_inbox(zoom_server: ZoomServer) -> None:
    s = zoom_server.create_session("Shared payload", zoom_ids=[ZOOM_ID])
    r = post_signed(
        f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], payload_bytes("zoom-meeting-chat.json")
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "stored"
    (q,) = questions(zoom_server, s)
    assert (q["channel"], q["text"], q["state"]) == (
        "zoom_chat",
        "What is the roadmap for Q3?",
        "inbox",
    )
    assert q["author"] == "J. C."  # the session's default privacy: initials


def test_the_same_delivery_three_times_is_stored_once(
    zoom_server: ZoomServer, session: dict[str, Any]
) -> None:
    raw = chat_body("retry-1", zoom_id=session["zoom_id"])
    answers = [post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[1], raw) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json().get("stored") for a in answers] == [1, 0, 0]
    assert len(questions(zoom_server, session)) == 1
    link = status(zoom_server, session)["links"][0]
    assert (link["messages_received"], link["duplicates"]) == (1, 2)


def test_url_validation_answers_with_the_matching_apps_secret(zoom_server: ZoomServer) -> None:
    raw = payload_bytes("zoom-url-validation.json")
    for secret in ZOOM_SECRETS:
        r = post_signed(f"{zoom_server.url}{HOOK}", secret, raw)
        assert r.status_code == 200
        token = payload_json("zoom-url-validation.json")["payload"]["plainToken"]
        expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        assert r.json() == {"plainToken": token, "encryptedToken": expected}


def test_unsigned_url_validation_is_refused(zoom_server: ZoomServer) -> None:
    """Answering it would let anyone obtain HMACs of their choosing under our secret."""
    r = httpx.post(f"{zoom_server.url}{HOOK}", content=payload_bytes("zoom-url-validation.json"))
    assert r.status_code == 401


def _tampered(raw: bytes) -> list[tuple[str, dict[str, str], bytes]]:
    now = int(time.time())
    good = signed_headers(ZOOM_SECRETS[0], raw, now)
    one_byte = raw.replace(b"roadmap", b"roadmaP")
    return [
        ("wrong secret", signed_headers("not-our-secret", raw, now), raw),
        ("stale", signed_headers(ZOOM_SECRETS[0], raw, now - 310), raw),
        ("future", signed_headers(ZOOM_SECRETS[0], raw, now + 310), raw),
        ("body changed by one byte", good, one_byte),
        ("no signature", {k: v for k, v in good.items() if k != SIGNATURE_HEADER}, raw),
        ("no timestamp", {k: v for k, v in good.items() if k != TIMESTAMP_HEADER}, raw),
        ("timestamp not a number", {**good, TIMESTAMP_HEADER: "soon"}, raw),
    ]


def test_bad_signatures_are_401_store_nothing_and_are_counted(
    zoom_server: ZoomServer, session: dict[str, Any]
) -> None:
    raw = chat_body("forged-1", zoom_id=session["zoom_id"])
    before = status(zoom_server, session)["signature_failures"]
    cases = _tampered(raw)
    for name, headers, body in cases:
        r = httpx.post(f"{zoom_server.url}{HOOK}", content=body, headers=headers)
        assert r.status_code == 401, name
        assert r.json()["detail"].startswith("invalid Zoom signature"), name
    assert questions(zoom_server, session) == []
    after = status(zoom_server, session)
    assert after["signature_failures"] - before == len(cases)
    assert after["last_signature_failure"] == "timestamp is not a whole number of seconds"


@pytest.mark.parametrize(
    ("body", "status_code", "expected"),
    [
        (b"{not json", 400, {"detail": "the body is not valid JSON"}),
        (b"[1, 2]", 200, {"status": "ignored", "reason": "body is not a JSON object"}),
        (
            b'{"event": "meeting.participant_joined", "payload": {"object": {"id": 1}}}',
            200,
            {"status": "ignored", "reason": "event not handled"},
        ),
        (
            b'{"event": "meeting.chat_message_sent", "payload": {"object": {"id": 1}}}',
            200,
            {"status": "ignored", "reason": "chat message without text"},
        ),
    ],
    ids=["invalid-json", "json-array", "unknown-event", "chat-without-message"],
)
def test_odd_but_signed_bodies_get_a_clear_answer_never_a_500(
    zoom_server: ZoomServer, body: bytes, status_code: int, expected: dict[str, Any]
) -> None:
    r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], body)
    assert (r.status_code, r.json()) == (status_code, expected)


def test_a_body_over_one_mebibyte_is_413(zoom_server: ZoomServer) -> None:
    raw = b'{"event": "x", "pad": "' + b"a" * (1024 * 1024) + b'"}'
    r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], raw)
    assert r.status_code == 413


def test_a_chunked_body_over_one_mebibyte_is_413(zoom_server: ZoomServer) -> None:
    """No Content-Length to check up front: the endpoint stops reading at the cap."""
    ts = str(int(time.time()))
    chunks = [b'{"pad": "'] + [b"a" * 65536] * 17 + [b'"}']
    headers = {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign(ZOOM_SECRETS[0], ts, b"".join(chunks))}
    r = httpx.post(f"{zoom_server.url}{HOOK}", content=iter(chunks), headers=headers)
    assert r.status_code == 413


def test_chat_for_a_meeting_no_session_links_is_acknowledged_and_dropped(
    zoom_server: ZoomServer,
) -> None:
    r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], chat_body("x", zoom_id=12345))
    assert r.status_code == 200
    assert r.json()["status"] == "ignored"


def test_one_zoom_number_feeds_every_session_that_links_it(zoom_server: ZoomServer) -> None:
    zid = 91_111_111_111
    a = zoom_server.create_session("Room A", zoom_ids=[zid])
    b = zoom_server.create_session("Room B", zoom_ids=[zid, 1])
    r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], chat_body("m-1", zoom_id=zid))
    assert r.json() == {"status": "stored", "stored": 2, "duplicates": 0}
    assert len(questions(zoom_server, a)) == len(questions(zoom_server, b)) == 1


def test_lifecycle_events_mark_the_link_live_then_ended(
    zoom_server: ZoomServer, session: dict[str, Any]
) -> None:
    body = payload_json("zoom-meeting-started.json")
    body["payload"]["object"]["id"] = session["zoom_id"]
    r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], json.dumps(body).encode())
    assert r.status_code == 200
    (link,) = status(zoom_server, session)["links"]
    assert (link["zoom_id"], link["kind"], link["live"]) == (session["zoom_id"], "meeting", True)
    assert link["last_event_at"] is not None
    body["event"] = "meeting.ended"
    post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], json.dumps(body).encode())
    assert status(zoom_server, session)["links"][0]["live"] is False


def test_public_only_drops_messages_not_sent_to_everyone(
    zoom_server: ZoomServer, session: dict[str, Any]
) -> None:
    zoom_server.zoom.settings.public_only = True
    try:
        private = chat_body(
            "p-1", "Psst, host", zoom_id=session["zoom_id"]
        )  # RECIPIENT_TYPE_PLACEHOLDER
        body = json.loads(chat_body("p-2", "For all", zoom_id=session["zoom_id"]))
        body["payload"]["object"]["chat_message"]["recipient_type"] = "everyone"
        public = json.dumps(body).encode()
        r1 = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], private)
        r2 = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], public)
    finally:
        zoom_server.zoom.settings.public_only = False
    assert (r1.json()["status"], r2.json()["status"]) == ("ignored", "stored")
    assert [q["text"] for q in questions(zoom_server, session)] == ["For all"]
    assert status(zoom_server, session)["links"][0]["filtered_private"] == 1


def test_status_needs_the_moderator(zoom_server: ZoomServer, session: dict[str, Any]) -> None:
    r = httpx.get(f"{zoom_server.url}/api/sessions/{session['slug']}/zoom")
    assert r.status_code == 401


def test_emails_and_secrets_never_reach_the_logs(
    zoom_server: ZoomServer, session: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    raw = chat_body("log-1", zoom_id=session["zoom_id"])
    post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], raw)
    httpx.post(f"{zoom_server.url}{HOOK}", content=raw, headers=signed_headers("wrong", raw))
    post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], b'{"event": "meeting.ended"}')
    assert "zoom webhook refused" in caplog.text  # the logs were captured at all
    for secret in (*ZOOM_SECRETS, "jchill@example.com", "recipient@example.com"):
        assert secret not in caplog.text


def test_no_secret_configured_answers_404(tmp_path: Any) -> None:
    server = ZoomServer(tmp_path, secrets="").start()
    try:
        r = post_signed(f"{server.url}{HOOK}", "anything", payload_bytes("zoom-meeting-chat.json"))
        assert r.status_code == 404
        assert r.json() == {"detail": "the Zoom integration is not enabled on this server"}
    finally:
        server.stop()


async def test_a_burst_of_concurrent_deliveries_and_retries_is_stored_exactly_once(
    zoom_server: ZoomServer, session: dict[str, Any]
) -> None:
    bodies = [
        chat_body(f"burst-{i}", f"Burst question {i}?", session["zoom_id"]) for i in range(60)
    ]
    deliveries = bodies + bodies[:20]  # Zoom retrying a third of them at the same moment
    async with httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(
            *(
                apost_signed(client, f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], b)
                for b in deliveries
            )
        )
    assert all(a.status_code == 200 for a in answers)
    assert sum(a.json()["stored"] for a in answers) == 60
    assert sum(a.json()["duplicates"] for a in answers) == 20
    texts = sorted(q["text"] for q in questions(zoom_server, session))
    assert texts == sorted(f"Burst question {i}?" for i in range(60))
