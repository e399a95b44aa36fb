"""A generic signed inbound webhook, so an organiser can bridge Slack, Telegram, Matrix or a
form with a few lines: `POST /integrations/webhook/{channel}` with a JSON body
`{id, text, author?, author_id?, url?, sent_at?}` and the header
`X-Floorbridge-Signature: sha256=<hex HMAC-SHA256 of the raw body, per-channel secret>`.

Pure functions only; the core mounts the router (404 when the channel has no secret).
There is no timestamp header on purpose: an unsigned timestamp would prove nothing, and a
replayed body carries the same `id`, which the core's dedupe turns into a no-op.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ports.inputs import CleanLine, CleanText, UtcDateTime
from ports.messages import IncomingMessage

SIGNATURE_HEADER = "X-Floorbridge-Signature"
CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
# Built-in channels: a webhook may not pose as one of them.
RESERVED = frozenset(
    {"audience", "zoom", "zoom_chat", "zoom_qa", "mastodon", "bluesky", "youtube", "x",
     "simulated", "webhook"}
)
MAX_BODY_BYTES = 64 * 1024


class WebhookError(Exception):
    """Refused delivery; `status` is the HTTP status to answer, the message its detail."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class GenericWebhookBody(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: CleanLine = Field(min_length=1, max_length=200)
    text: CleanText = Field(min_length=1, max_length=10_000)
    author: CleanLine | None = Field(None, max_length=200)
    author_id: CleanLine | None = Field(None, max_length=200)
    url: CleanLine | None = Field(None, max_length=2000, pattern=r"^https?://")
    sent_at: UtcDateTime | None = None


def check_channel(channel: str) -> None:
    if not CHANNEL_NAME.match(channel) or channel in RESERVED:
        raise WebhookError(404, f"no webhook channel named {channel!r}")


def sign(secret: str | bytes, body: bytes) -> str:
    """The header value a sender computes (also handy in tests and docs)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, body: bytes, header: str | None) -> None:
    """Raise 401 unless `header` is `sha256=<hex>` of `body` under `secret` (constant time)."""
    if not secret:
        raise WebhookError(404, "this channel has no webhook secret")
    if not header or not header.startswith("sha256="):
        raise WebhookError(401, f"missing or malformed {SIGNATURE_HEADER} header")
    if not hmac.compare_digest(sign(secret, body).encode(), header.strip().lower().encode()):
        raise WebhookError(401, "signature does not match the body")


def parse_webhook(
    channel: str, secret: str | bytes, body: bytes, signature: str | None
) -> IncomingMessage:
    """Verify, then validate the body; the result goes to the core's ingest path."""
    check_channel(channel)
    if len(body) > MAX_BODY_BYTES:
        raise WebhookError(413, "body too large")
    verify_signature(secret, body, signature)
    try:
        data = GenericWebhookBody.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise WebhookError(422, f"{where}: {first['msg']}") from None
    return IncomingMessage(
        channel=channel,
        external_id=data.id,
        text=data.text,
        author_name=data.author,
        author_id=data.author_id,
        sent_at=data.sent_at,
        url=data.url,
    )
