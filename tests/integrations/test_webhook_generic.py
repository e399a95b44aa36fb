"""The generic signed webhook: only correctly signed, well-formed bodies get through."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from integrations.webhook_generic import WebhookError, parse_webhook, sign

SECRET = "s3cret-for-slack"


def body(**fields: object) -> bytes:
    return json.dumps({"id": "C1-1700000000.000100", "text": "How do we vote?", **fields}).encode()


def test_signed_body_becomes_a_message() -> None:
    raw = body(author="Ana P.", author_id="U123", url="https://slack.example/p/1",
               sent_at="2026-11-23T16:40:00Z")
    message = parse_webhook("slack", SECRET, raw, sign(SECRET, raw))
    assert message.channel == "slack"
    assert message.external_id == "C1-1700000000.000100"
    assert (message.text, message.author_name, message.author_id) == (
        "How do we vote?", "Ana P.", "U123")
    assert message.sent_at == datetime(2026, 11, 23, 16, 40, tzinfo=UTC)


def test_signature_matches_a_shell_computed_hmac() -> None:
    # printf '%s' '{"id":"1","text":"hi"}' | openssl dgst -sha256 -hmac 'key'
    assert sign("key", b'{"id":"1","text":"hi"}') == (
        "sha256=f9b4ca4b72afb621d2d5a0f838d99de7f26bb395f041349beac72724a995ef4b"
    )


@pytest.mark.parametrize(
    "signature",
    [None, "", "md5=abc", "sha256=" + "0" * 64, sign("another-secret", body())],
)
def test_bad_signatures_are_refused(signature: str | None) -> None:
    with pytest.raises(WebhookError) as refused:
        parse_webhook("slack", SECRET, body(), signature)
    assert refused.value.status == 401


def test_a_changed_body_breaks_the_signature() -> None:
    signature = sign(SECRET, body())
    with pytest.raises(WebhookError):
        parse_webhook("slack", SECRET, body(text="Something else"), signature)


def test_channel_without_secret_is_not_found() -> None:
    with pytest.raises(WebhookError) as refused:
        parse_webhook("slack", "", body(), sign("", body()))
    assert refused.value.status == 404


@pytest.mark.parametrize("channel", ["mastodon", "zoom_chat", "audience", "Bad Name", "a" * 40])
def test_builtin_or_odd_channel_names_are_refused(channel: str) -> None:
    with pytest.raises(WebhookError) as refused:
        parse_webhook(channel, SECRET, body(), sign(SECRET, body()))
    assert refused.value.status == 404


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"text": "no id"}', "id"),
        (b'{"id": "1", "text": "   "}', "text"),
        (b'{"id": "1", "text": "x", "url": "javascript:alert(1)"}', "url"),
        (b"not json", "body"),
    ],
)
def test_invalid_bodies_name_the_problem(raw: bytes, field: str) -> None:
    with pytest.raises(WebhookError) as refused:
        parse_webhook("form", SECRET, raw, sign(SECRET, raw))
    assert refused.value.status == 422
    assert field in refused.value.detail
