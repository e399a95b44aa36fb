"""The app's time helpers; the clock itself and the ISO 8601 reader live in `ports.clock`,
which the channel code shares (re-exported here, so `app.clock.utc_now` keeps working)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from ports.clock import epoch_seconds, parse_iso, utc_now

__all__ = ["aware", "epoch_seconds", "iso", "parse_iso", "to_ms", "utc_now"]


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
@overload
def aware(moment: datetime | None) -> datetime | None: ...


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
