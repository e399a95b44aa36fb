"""The one place time is read, so tests can freeze or move it."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z; SQLite hands datetimes back naive, so assume UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
