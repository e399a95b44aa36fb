"""The one place wall-clock time is read and ISO 8601 is parsed, for the app and the channels.

Durations and rate limits use `time.monotonic()` / `loop.time()` instead: a wall clock
that jumps must not stretch or shrink a wait.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def epoch_seconds() -> float:
    """Now, as Unix seconds: for signature freshness and for moments other processes read."""
    return time.time()


def parse_iso(value: object) -> datetime | None:
    """The one ISO 8601 reader: `Z` or an offset (naive means UTC), as an aware UTC datetime.

    None when unreadable, and when the moment has no UTC representation: Python accepts
    `9999-12-31T23:59:59-14:00` but converting it to UTC overflows (issue 12).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
