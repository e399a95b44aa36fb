"""Zoom webhooks: signature check, URL validation, and payload parsing.

Zoom signs every delivery (including its URL-validation challenge) with
`x-zm-signature = "v0=" + hex(HMAC-SHA256(secret, "v0:{timestamp}:{raw body}"))`.
Everything here is a pure function of its inputs (no clock, no settings), so the router
and the tests decide what "now" and "the secrets" are.

Privacy: e-mail addresses and secrets are kept out of `repr()` and out of log lines; only
event names, Zoom ids and rejection reasons are logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ports.clock import parse_iso
from ports.messages import IncomingMessage

log = logging.getLogger("floorbridge.zoom")

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
#: Zoom's own sample rejects deliveries more than five minutes off.
DEFAULT_TOLERANCE = 300.0

CHAT_EVENTS = frozenset({"meeting.chat_message_sent", "webinar.chat_message_sent"})
LIFECYCLE_EVENTS = frozenset(
    {"meeting.started", "meeting.ended", "webinar.started", "webinar.ended"}
)
URL_VALIDATION_EVENT = "endpoint.url_validation"

#: `recipient_type` values we treat as "sent to everyone". Zoom does not document the
#: enumeration; "everyone" is the value seen in the wild. Anything else (host, group,
#: panelists, a person, an unknown value) is treated as not public.
PUBLIC_RECIPIENT_TYPES = frozenset({"everyone"})


def parse_secrets(value: str | None) -> tuple[str, ...]:
    """`FLOORBRIDGE_ZOOM_SECRET_TOKEN` is comma-separated (one per Zoom app); blanks dropped."""
    seen: dict[str, None] = {}
    for part in (value or "").split(","):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return tuple(seen)


# ---------------------------------------------------------------- signature


class Reason(StrEnum):
    """Why a delivery was accepted or refused; safe to log and to count."""

    OK = "ok"
    NO_SECRET = "no secret configured"
    MISSING_HEADER = "missing signature or timestamp header"
    BAD_TIMESTAMP = "timestamp is not a whole number of seconds"
    STALE = "timestamp too old"
    FUTURE = "timestamp in the future"
    MISMATCH = "signature does not match"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Outcome of `verify_signature`: truthy when valid; `secret` is the one that matched."""

    reason: Reason
    secret: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.reason is Reason.OK


def sign(secret: str, timestamp: str | int, raw_body: bytes) -> str:
    """The `x-zm-signature` value Zoom sends for this body and timestamp."""
    message = b"v0:" + str(timestamp).encode("ascii") + b":" + raw_body
    # hmac.digest: OpenSSL's one-shot HMAC, equal to hmac.new(...).hexdigest(), and cheaper.
    return "v0=" + hmac.digest(secret.encode(), message, "sha256").hex()


def verify_signature(
    secrets: Sequence[str],
    timestamp_header: str | None,
    signature_header: str | None,
    raw_body: bytes,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE,
) -> SignatureCheck:
    """Check a delivery against every configured secret, in constant time per secret.

    The timestamp must be ASCII digits (seconds) within `tolerance` of `now`, so a captured
    delivery cannot be replayed later. The body is the raw bytes as received: re-serialised
    JSON would not hash the same.
    """
    usable = [s for s in secrets if s]
    if not usable:
        return SignatureCheck(Reason.NO_SECRET)
    if not timestamp_header or not signature_header:
        return SignatureCheck(Reason.MISSING_HEADER)
    ts = timestamp_header.strip()
    if not (ts.isascii() and ts.isdigit()) or len(ts) > 12:
        return SignatureCheck(Reason.BAD_TIMESTAMP)
    skew = now - int(ts)
    if skew > tolerance:
        return SignatureCheck(Reason.STALE)
    if skew < -tolerance:
        return SignatureCheck(Reason.FUTURE)
    given = signature_header.strip().encode("utf-8", "replace")
    matched: str | None = None
    for secret in usable:  # compare against all, so timing does not tell which app matched
        if hmac.compare_digest(given, sign(secret, ts, raw_body).encode()) and matched is None:
            matched = secret
    if matched is None:
        return SignatureCheck(Reason.MISMATCH)
    return SignatureCheck(Reason.OK, matched)


def url_validation_response(secret: str, plain_token: str) -> dict[str, str]:
    """Zoom's challenge answer. Only call it for a delivery whose signature verified:
    answering unsigned challenges would hand out HMACs of attacker-chosen strings."""
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class UrlValidation:
    plain_token: str


@dataclass(frozen=True, slots=True)
class ZoomChat:
    """One chat message as Zoom sent it; sender/recipient types kept raw (undocumented)."""

    event: str
    zoom_id: int | None
    uuid: str
    message_id: str
    text: str
    sender_name: str | None
    sender_session_id: str | None
    sender_type: str | None
    recipient_type: str | None
    #: Zoom named a specific recipient (session id, name or e-mail) for this message.
    has_named_recipient: bool
    sent_at: datetime | None
    sender_email: str | None = field(default=None, repr=False)

    @property
    def dedupe_key(self) -> tuple[str, str, str]:
        """Zoom sends no event id and retries for an hour: (event, instance, message)."""
        return (self.event, self.uuid, self.message_id)

    @property
    def external_id(self) -> str:
        return external_id_for(*self.dedupe_key)

    def is_public(self) -> bool:
        """True only when Zoom says the message went to everyone.

        Conservative because `recipient_type` values are undocumented: an unknown type is
        private; a missing type counts as public only when no recipient is named at all.
        """
        kind = (self.recipient_type or "").strip().lower()
        if kind:
            return kind in PUBLIC_RECIPIENT_TYPES
        return not self.has_named_recipient

    def to_incoming(self, *, simulated: bool = False) -> IncomingMessage:
        return IncomingMessage(
            channel="zoom_chat",
            external_id=self.external_id,
            text=self.text,
            author_name=self.sender_name,
            author_id=self.sender_email or self.sender_session_id,
            sent_at=self.sent_at,
            simulated=simulated,
        )


@dataclass(frozen=True, slots=True)
class ZoomLifecycle:
    """A meeting or webinar started or ended; `*.ended` on a webinar triggers Q&A import."""

    event: str
    kind: str  # "meeting" | "webinar"
    state: str  # "started" | "ended"
    zoom_id: int | None
    uuid: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Ignored:
    """Acknowledged and dropped: an event we do not handle, or one we cannot use."""

    event: str | None
    reason: str


ZoomEvent = UrlValidation | ZoomChat | ZoomLifecycle | Ignored


def external_id_for(event: str, uuid: str, message_id: str) -> str:
    """Stable, fixed-length id from the dedupe key (uuids may hold '/', '=' and '+')."""
    digest = hashlib.sha256("\x1f".join((event, uuid, message_id)).encode()).hexdigest()
    return f"zc:{digest[:40]}"


def parse_event(body: Any) -> ZoomEvent:
    """Turn a decoded webhook body into one of our event types; never raises on odd input."""
    if not isinstance(body, Mapping):
        return Ignored(None, "body is not a JSON object")
    event = body.get("event")
    if not isinstance(event, str) or not event:
        return Ignored(None, "no event name")
    payload = _mapping(body.get("payload"))
    if event == URL_VALIDATION_EVENT:
        token = payload.get("plainToken")
        if not isinstance(token, str) or not token or len(token) > 512:
            return Ignored(event, "url validation without a usable plainToken")
        return UrlValidation(token)
    obj = _mapping(payload.get("object"))
    if event in CHAT_EVENTS:
        return _parse_chat(event, obj, body.get("event_ts"))
    if event in LIFECYCLE_EVENTS:
        kind, _, state = event.partition(".")
        when = obj.get("start_time") if state == "started" else obj.get("end_time")
        return ZoomLifecycle(
            event=event,
            kind=kind,
            state=state,
            zoom_id=_zoom_id(obj.get("id")),
            uuid=_str(obj.get("uuid")),
            at=parse_iso(when) or _from_ms(body.get("event_ts")),
        )
    return Ignored(event, "event not handled")


def _parse_chat(event: str, obj: Mapping[str, Any], event_ts: Any) -> ZoomEvent:
    chat = _mapping(obj.get("chat_message"))
    text = chat.get("message_content")
    if not isinstance(text, str) or not text.strip():
        return Ignored(event, "chat message without text")
    uuid = _str(obj.get("uuid")) or ""
    message_id = _str(chat.get("message_id"))
    if not message_id:
        # No id to dedupe on: derive one from what a retry repeats byte for byte.
        basis = "\x1f".join(
            str(chat.get(k) or "") for k in ("sender_session_id", "date_time", "message_content")
        )
        message_id = "h:" + hashlib.sha256(basis.encode()).hexdigest()[:32]
    return ZoomChat(
        event=event,
        zoom_id=_zoom_id(obj.get("id")),
        uuid=uuid,
        message_id=message_id,
        text=text,
        sender_name=_str(chat.get("sender_name")),
        sender_session_id=_str(chat.get("sender_session_id")),
        sender_type=_str(chat.get("sender_type")),
        recipient_type=_str(chat.get("recipient_type")),
        has_named_recipient=any(
            _str(chat.get(k)) for k in ("recipient_session_id", "recipient_name", "recipient_email")
        ),
        sent_at=parse_iso(chat.get("date_time")) or _from_ms(event_ts),
        sender_email=_str(chat.get("sender_email")),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _zoom_id(value: Any) -> int | None:
    """Meeting/webinar numbers arrive as JSON numbers; tolerate digit strings with spaces."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        digits = value.replace(" ", "").replace("-", "")
        if digits.isascii() and digits.isdigit():
            return int(digits)
    return None


def _from_ms(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
