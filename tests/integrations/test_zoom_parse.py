"""Webhook payloads → our event types, using the shared payloads as they are."""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime

import pytest

from integrations.zoom import (
    Ignored,
    UrlValidation,
    ZoomChat,
    ZoomLifecycle,
    parse_event,
)

from .zoom_support import payload_json


@pytest.mark.parametrize(
    ("name", "event", "uuid"),
    [
        ("zoom-meeting-chat.json", "meeting.chat_message_sent", "MEETING_UUID_PLACEHOLDER=="),
        ("zoom-webinar-chat.json", "webinar.chat_message_sent", "WEBINAR_UUID_PLACEHOLDER=="),
    ],
)
def test_chat_payload_becomes_an_incoming_message(name: str, event: str, uuid: str) -> None:
    parsed = parse_event(payload_json(name))
    assert isinstance(parsed, ZoomChat)
    assert parsed.event == event
    assert parsed.zoom_id == 85746065432
    assert parsed.uuid == uuid
    assert parsed.dedupe_key == (event, uuid, "MESSAGE_ID_PLACEHOLDER")
    assert parsed.sender_type == "SENDER_TYPE_PLACEHOLDER"
    assert parsed.recipient_type == "RECIPIENT_TYPE_PLACEHOLDER"
    msg = parsed.to_incoming()
    assert msg.channel == "zoom_chat"
    assert msg.text == "What is the roadmap for Q3?"
    assert msg.author_name == "Jill Chill"
    assert msg.author_id == "jchill@example.com"
    assert msg.sent_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_external_id_is_stable_and_distinguishes_the_dedupe_key() -> None:
    meeting = parse_event(payload_json("zoom-meeting-chat.json"))
    again = parse_event(payload_json("zoom-meeting-chat.json"))
    webinar = parse_event(payload_json("zoom-webinar-chat.json"))
    other = payload_json("zoom-meeting-chat.json")
    other["payload"]["object"]["chat_message"]["message_id"] = "another"
    assert isinstance(meeting, ZoomChat) and isinstance(again, ZoomChat)
    assert isinstance(webinar, ZoomChat)
    other_chat = parse_event(other)
    assert isinstance(other_chat, ZoomChat)
    assert meeting.external_id == again.external_id
    assert len({meeting.external_id, webinar.external_id, other_chat.external_id}) == 3
    assert len(meeting.external_id) <= 64


def test_author_falls_back_to_the_session_id_without_an_email() -> None:
    body = payload_json("zoom-meeting-chat.json")
    del body["payload"]["object"]["chat_message"]["sender_email"]
    chat = parse_event(body)
    assert isinstance(chat, ZoomChat)
    assert chat.to_incoming().author_id == "SENDER_SESSION_ID_PLACEHOLDER"


def test_email_stays_out_of_repr_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    chat = parse_event(payload_json("zoom-meeting-chat.json"))
    assert "jchill@example.com" not in repr(chat)
    assert "jchill@example.com" not in caplog.text


def _chat_with(**fields: object) -> ZoomChat:
    body = payload_json("zoom-meeting-chat.json")
    chat = body["payload"]["object"]["chat_message"]
    for key in ("recipient_session_id", "recipient_name", "recipient_email", "recipient_type"):
        chat.pop(key, None)
    chat.update(fields)
    parsed = parse_event(body)
    assert isinstance(parsed, ZoomChat)
    return parsed


def test_public_only_keeps_messages_to_everyone_and_nothing_else() -> None:
    assert _chat_with(recipient_type="everyone").is_public()
    assert _chat_with(recipient_type="Everyone").is_public()
    # A documented-looking private message, and the shared payload's unknown value.
    assert not _chat_with(recipient_type="host", recipient_name="Host").is_public()
    assert not parse_event(payload_json("zoom-meeting-chat.json")).is_public()  # type: ignore[union-attr]
    # No type at all: public only when no recipient is named.
    assert _chat_with().is_public()
    assert not _chat_with(recipient_session_id="abc").is_public()


@pytest.mark.parametrize(
    ("event", "kind", "state"),
    [
        ("meeting.started", "meeting", "started"),
        ("meeting.ended", "meeting", "ended"),
        ("webinar.started", "webinar", "started"),
        ("webinar.ended", "webinar", "ended"),
    ],
)
def test_lifecycle_events(event: str, kind: str, state: str) -> None:
    body = payload_json("zoom-meeting-started.json")
    body["event"] = event
    body["payload"]["object"]["id"] = 85746065432
    parsed = parse_event(body)
    assert isinstance(parsed, ZoomLifecycle)
    assert (parsed.kind, parsed.state, parsed.zoom_id) == (kind, state, 85746065432)


def test_the_shared_meeting_started_sample_parses_despite_placeholder_ids() -> None:
    parsed = parse_event(payload_json("zoom-meeting-started.json"))
    assert isinstance(parsed, ZoomLifecycle)
    assert parsed.state == "started"
    assert parsed.zoom_id is None  # "{MEETING_ID}" is not a number: routed nowhere
    assert parsed.at == datetime(2021, 11, 2, 20, 43, 19, tzinfo=UTC)


def test_url_validation_is_recognised() -> None:
    parsed = parse_event(payload_json("zoom-url-validation.json"))
    assert parsed == UrlValidation("qgg8vlvZRS6UYooatFL8Aw")


def _broken_chat() -> dict:
    body = payload_json("zoom-meeting-chat.json")
    body["payload"]["object"]["chat_message"]["message_content"] = "   "
    return body


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        None,
        {},
        {"event": 3},
        {"event": "meeting.participant_joined", "payload": {}},
        {"event": "meeting.chat_message_sent"},
        {"event": "meeting.chat_message_sent", "payload": {"object": "x"}},
        {"event": "endpoint.url_validation", "payload": {"plainToken": 5}},
        _broken_chat(),
    ],
    ids=[
        "list",
        "string",
        "null",
        "empty",
        "event-not-string",
        "unknown-event",
        "chat-without-payload",
        "chat-object-not-object",
        "validation-token-not-string",
        "blank-chat-text",
    ],
)
def test_odd_bodies_are_ignored_not_raised(body: object) -> None:
    assert isinstance(parse_event(body), Ignored)


def test_missing_message_id_still_gives_a_stable_id_for_retries() -> None:
    body = payload_json("zoom-meeting-chat.json")
    del body["payload"]["object"]["chat_message"]["message_id"]
    first = parse_event(body)
    second = parse_event(copy.deepcopy(body))
    assert isinstance(first, ZoomChat) and isinstance(second, ZoomChat)
    assert first.external_id == second.external_id
