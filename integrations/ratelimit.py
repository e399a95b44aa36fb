"""Turn an HTTP answer into the right connector exception, honouring rate-limit headers.

Platforms say when to come back in different ways: `Retry-After` (seconds or an HTTP
date), Mastodon's `X-RateLimit-Reset` (ISO 8601), X's `x-rate-limit-reset` (epoch
seconds). One parser reads them all so every connector waits exactly as long as asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from integrations.base import ConnectorError, FatalConnectorError, RateLimited
from ports.clock import parse_iso, utc_now

_RESET_HEADERS = ("retry-after", "x-ratelimit-reset", "x-rate-limit-reset")


def _parse_when(value: str, now: datetime) -> float | None:
    """Seconds from `now` until the moment `value` names, or None if unreadable."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        # Epoch seconds are large; a small number is a delay in seconds.
        return number - now.timestamp() if number > 1e9 else number
    when = parse_iso(value)
    if when is None:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()


def delay_from_headers(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """The wait the response asks for (>= 0), or None when it names none."""
    now = now or utc_now()
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in _RESET_HEADERS:
        if name in lowered:
            delay = _parse_when(lowered[name], now)
            if delay is not None:
                return max(0.0, delay)
    return None


def quota_exhausted(headers: Mapping[str, str]) -> bool:
    """True when the response says no requests remain before the reset."""
    lowered = {k.lower(): v for k, v in headers.items()}
    remaining = lowered.get("x-ratelimit-remaining", lowered.get("x-rate-limit-remaining"))
    return remaining is not None and remaining.strip() == "0"


def raise_for_response(
    response: httpx.Response, what: str, default_wait: float = 60.0, now: datetime | None = None
) -> None:
    """Raise the connector exception an error response deserves; return on 2xx."""
    code = response.status_code
    if 200 <= code < 300:
        return
    if code == 429:
        delay = delay_from_headers(response.headers, now)
        wait = default_wait if delay is None else delay
        raise RateLimited(f"{what}: rate limited (HTTP 429), retry in {wait:.0f} s", wait)
    if code in (401, 403):
        raise FatalConnectorError(f"{what}: HTTP {code}, check the token or permissions")
    if code == 404:
        raise FatalConnectorError(f"{what}: HTTP 404, check the URL or id")
    raise ConnectorError(f"{what}: HTTP {code}")
