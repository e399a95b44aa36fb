"""Signature checks and URL validation, against Zoom's spec and the shared test vector."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from integrations.zoom import (
    Reason,
    parse_secrets,
    sign,
    url_validation_response,
    verify_signature,
)

from .zoom_support import payload_bytes, payload_json

SECRET = "whsec-test-1"
NOW = 1_763_900_000.0
TS = str(int(NOW))
BODY = payload_bytes("zoom-meeting-chat.json")


def zoom_signature(secret: str, ts: str, body: bytes) -> str:
    """Written from the spec, independently of integrations.zoom.sign."""
    message = f"v0:{ts}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_url_validation_matches_the_published_test_vector() -> None:
    vector = payload_json("zoom-url-validation.testvector.json")
    token = vector["request_body"]["payload"]["plainToken"]
    answer = url_validation_response(vector["secret_token"], token)
    assert answer == vector["expected_response"]
    assert answer["encryptedToken"] == (
        "70c1f2e2e6ca2d39297490d1f9142c7d701415ea8e6151f6562a08fa657a40ff"
    )


def test_a_delivery_signed_as_zoom_specifies_is_accepted() -> None:
    check = verify_signature([SECRET], TS, zoom_signature(SECRET, TS, BODY), BODY, NOW)
    assert check
    assert check.reason is Reason.OK
    assert sign(SECRET, TS, BODY) == zoom_signature(SECRET, TS, BODY)


def test_the_matching_secret_is_found_among_several_apps() -> None:
    secrets = ["app-a-secret", SECRET, "app-c-secret"]
    check = verify_signature(secrets, TS, zoom_signature(SECRET, TS, BODY), BODY, NOW)
    assert check and check.secret == SECRET
    other = verify_signature(secrets, TS, zoom_signature("app-c-secret", TS, BODY), BODY, NOW)
    assert other and other.secret == "app-c-secret"


@pytest.mark.parametrize(
    ("secrets", "ts", "sig", "body", "reason"),
    [
        (["wrong"], TS, zoom_signature(SECRET, TS, BODY), BODY, Reason.MISMATCH),
        ([SECRET], TS, zoom_signature(SECRET, TS, BODY), BODY[:-2] + b"!}", Reason.MISMATCH),
        ([SECRET], TS, zoom_signature(SECRET, TS, BODY), BODY + b" ", Reason.MISMATCH),
        ([SECRET], TS, zoom_signature(SECRET, TS, BODY).upper(), BODY, Reason.MISMATCH),
        ([SECRET], TS, zoom_signature(SECRET, TS, BODY)[3:], BODY, Reason.MISMATCH),
        ([SECRET], TS, "v0=ü" + "0" * 63, BODY, Reason.MISMATCH),
        ([SECRET], None, zoom_signature(SECRET, TS, BODY), BODY, Reason.MISSING_HEADER),
        ([SECRET], TS, None, BODY, Reason.MISSING_HEADER),
        ([SECRET], "", "", BODY, Reason.MISSING_HEADER),
        ([SECRET], "12.5", zoom_signature(SECRET, "12.5", BODY), BODY, Reason.BAD_TIMESTAMP),
        ([SECRET], "abc", zoom_signature(SECRET, "abc", BODY), BODY, Reason.BAD_TIMESTAMP),
        ([SECRET], "-1", zoom_signature(SECRET, "-1", BODY), BODY, Reason.BAD_TIMESTAMP),
        ([], TS, zoom_signature(SECRET, TS, BODY), BODY, Reason.NO_SECRET),
        ([""], TS, zoom_signature("", TS, BODY), BODY, Reason.NO_SECRET),
    ],
    ids=[
        "wrong-secret",
        "body-changed-by-one-byte",
        "body-with-trailing-space",
        "signature-uppercased",
        "signature-without-v0",
        "non-ascii-signature",
        "missing-timestamp",
        "missing-signature",
        "empty-headers",
        "fractional-timestamp",
        "non-numeric-timestamp",
        "negative-timestamp",
        "no-secret",
        "blank-secret",
    ],
)
def test_bad_deliveries_are_refused_with_a_reason(
    secrets: list[str], ts: str | None, sig: str | None, body: bytes, reason: Reason
) -> None:
    check = verify_signature(secrets, ts, sig, body, NOW)
    assert not check
    assert check.reason is reason
    assert check.secret is None


@pytest.mark.parametrize(
    ("offset", "ok", "reason"),
    [
        (-300, True, Reason.OK),
        (300, True, Reason.OK),
        (-301, False, Reason.STALE),
        (301, False, Reason.FUTURE),
        (-86_400, False, Reason.STALE),
    ],
)
def test_timestamps_more_than_five_minutes_off_are_refused(
    offset: int, ok: bool, reason: Reason
) -> None:
    ts = str(int(NOW) + offset)
    check = verify_signature([SECRET], ts, zoom_signature(SECRET, ts, BODY), BODY, NOW)
    assert bool(check) is ok
    assert check.reason is reason


def test_the_matched_secret_never_shows_in_repr() -> None:
    check = verify_signature([SECRET], TS, zoom_signature(SECRET, TS, BODY), BODY, NOW)
    assert SECRET not in repr(check)


def test_secret_setting_is_comma_separated_and_tolerant() -> None:
    assert parse_secrets(" a , b,,a, c ") == ("a", "b", "c")
    assert parse_secrets("") == ()
    assert parse_secrets(None) == ()
