"""Sign and post a webhook payload the way Zoom does.

Used by `floorbridge zoom send --secret S --url URL PAYLOAD.json` (so an organiser can test a
deployment before the event) and by the demo simulator. The body is posted as the exact
bytes given: the signature covers those bytes, so re-serialising would change nothing for
Zoom but could hide a server that verifies re-serialised JSON instead of the raw body.
"""

from __future__ import annotations

import json
import secrets as _secrets
from collections.abc import Callable
from pathlib import Path

import httpx

from integrations.zoom import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, url_validation_response
from ports.clock import epoch_seconds

#: What Zoom's deliveries carry (github.com/zoom/webhook-sample, logged headers).
USER_AGENT = "Zoom Marketplace/1.0a"
CONTENT_TYPE = "application/json; charset=utf-8"


def signed_headers(secret: str, raw_body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers for one delivery; `timestamp` in seconds (default: now)."""
    ts = str(int(epoch_seconds()) if timestamp is None else int(timestamp))
    return {
        "content-type": CONTENT_TYPE,
        "user-agent": USER_AGENT,
        TIMESTAMP_HEADER: ts,
        SIGNATURE_HEADER: sign(secret, ts, raw_body),
        "x-zm-trackingid": "fb_" + _secrets.token_hex(8),
    }


def post_signed(
    url: str,
    secret: str,
    raw_body: bytes,
    *,
    timestamp: int | None = None,
    client: httpx.Client | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    """POST `raw_body` to `url`, signed with `secret`, as Zoom would."""
    headers = signed_headers(secret, raw_body, timestamp)
    if client is not None:
        return client.post(url, content=raw_body, headers=headers)
    with httpx.Client(timeout=timeout) as own:
        return own.post(url, content=raw_body, headers=headers)


async def apost_signed(
    client: httpx.AsyncClient, url: str, secret: str, raw_body: bytes, timestamp: int | None = None
) -> httpx.Response:
    """Async twin of `post_signed` for the simulator and the benchmark."""
    return await client.post(
        url, content=raw_body, headers=signed_headers(secret, raw_body, timestamp)
    )


def send_command(
    secret: str,
    url: str,
    payload_path: str | Path,
    *,
    out: Callable[[str], None] = print,
    client: httpx.Client | None = None,
) -> int:
    """What `floorbridge zoom send` runs; returns the process exit code.

    Prints the status and response body. For a URL-validation payload it also checks the
    `encryptedToken` the server answered, which is what Zoom itself checks.
    """
    raw = Path(payload_path).read_bytes()
    try:
        response = post_signed(url, secret, raw, client=client)
    except httpx.HTTPError as exc:
        out(f"error: could not reach {url}: {exc.__class__.__name__}")
        return 2
    out(f"{response.status_code} {response.reason_phrase}")
    if response.text:
        out(response.text)
    if not response.is_success:
        return 1
    token = _plain_token(raw)
    if token is not None:
        expected = url_validation_response(secret, token)
        try:
            answered = response.json()
        except ValueError:
            answered = None
        if answered != expected:
            out("error: the URL-validation answer does not match this secret")
            return 1
        out("ok: URL validation answered correctly")
    return 0


def _plain_token(raw: bytes) -> str | None:
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("event") == "endpoint.url_validation":
        token = (body.get("payload") or {}).get("plainToken")
        return token if isinstance(token, str) else None
    return None
