"""The types every input model uses, so each field is cleaned and bounded at the edge.

Why one module: issue 12 found text with NUL or bidi overrides and ids past 2^31 reaching
the database through whichever model had forgotten them. A field typed `Title`,
`CleanLine`, `CleanText` or `Id` cannot: the check is in the type. `CleanText`, `CleanLine`
and `UtcDateTime` live in `ports.inputs` (the channels' payload models use them too).

- `CleanText`: multi-line text (questions, notes), invisible characters removed
  (`ports.text.strip_invisible`); the services still fold whitespace and cap the length.
- `CleanLine`: one line (names, labels, codes): the same, whitespace folded to one space.
- `Title`: a `CleanLine` that must not be empty once cleaned.
- `CleanJson`: free-form settings; every string in it, keys too, is a `CleanText`.
- `Id`: a row id, 1 .. 2^31-1 (PostgreSQL's INTEGER; SQLite's is wider): beyond that no
  row exists, so the answer is a clean 422 instead of a driver's overflow.
- `UtcDateTime`: ISO 8601 read by `ports.clock.parse_iso` (refuses what overflows in UTC),
  years 1970-9998 once in UTC, so adding minutes or taking epoch ms cannot overflow.
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator

from app.text import one_line, strip_invisible
from ports.inputs import YEARS, CleanLine, CleanText, UtcDateTime

__all__ = [
    "MAX_ID",
    "MAX_ZOOM_ID",
    "YEARS",
    "CleanJson",
    "CleanLine",
    "CleanText",
    "Id",
    "Title",
    "UtcDateTime",
    "ZoomId",
]

MAX_ID = 2**31 - 1
#: Zoom meeting and webinar ids are 9-11 digits; JSON readers stay exact below 2^53.
MAX_ZOOM_ID = 2**53 - 1


def _title(value: str) -> str:
    value = one_line(value)
    if not value:
        raise ValueError("is empty once invisible characters are removed")
    return value


def _json(value: Any) -> Any:
    if isinstance(value, str):
        return strip_invisible(value)
    if isinstance(value, dict):
        return {_json(k): _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


Title = Annotated[str, AfterValidator(_title)]
CleanJson = Annotated[dict[str, Any], AfterValidator(_json)]
Id = Annotated[int, Ge(1), Le(MAX_ID)]
ZoomId = Annotated[int, Ge(1), Le(MAX_ZOOM_ID)]
