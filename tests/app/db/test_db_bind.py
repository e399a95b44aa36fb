"""The writer's fast SQLite DATETIME binding stores exactly SQLAlchemy's text.

Why it matters: stored times are compared as text in SQL (the cross-post window, exports
by time) and read back by SQLAlchemy; a different format would sort and parse wrongly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.dialects import postgresql, sqlite

from app.db import _bind_processor

VALUES = [
    datetime(2026, 12, 2, 5, 4, 3, 21, tzinfo=UTC),
    datetime(2026, 12, 2, 5, 4, 3),  # microsecond 0: isoformat alone would drop it
    datetime(999, 1, 1, tzinfo=timezone(timedelta(hours=2))),  # offset dropped, as before
    date(2026, 1, 31),
    None,
]


@pytest.mark.parametrize("type_", [DateTime(), DateTime(timezone=True)])
@pytest.mark.parametrize("value", VALUES)
def test_sqlite_datetime_text_is_sqlalchemys(type_, value):
    dialect = sqlite.dialect()
    assert _bind_processor(type_, dialect)(value) == type_._cached_bind_processor(dialect)(value)


def test_other_types_and_dialects_keep_their_own_processor():
    pg = postgresql.dialect()
    assert _bind_processor(DateTime(timezone=True), pg) is DateTime(
        timezone=True
    )._cached_bind_processor(pg)
    assert _bind_processor(Integer(), sqlite.dialect()) is None
    assert _bind_processor(String(), sqlite.dialect()) is None
