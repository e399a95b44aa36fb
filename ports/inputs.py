"""The cleaned-text input types the app's models and the channels' payload models share
(see `app.inputs` for the rest and why every input field is typed this way)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from ports.clock import parse_iso
from ports.text import one_line, strip_invisible

#: Inputs are moments of a live session: far enough from both ends that adding the
#: session's minutes or reading them as epoch milliseconds cannot overflow.
YEARS = (1970, 9998)


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date and time")
    parsed = parse_iso(value)
    if parsed is None or not YEARS[0] <= parsed.year <= YEARS[1]:
        raise ValueError(
            f"must be an ISO 8601 date and time, years {YEARS[0]}-{YEARS[1]} once in UTC"
        )
    return parsed


CleanText = Annotated[str, AfterValidator(strip_invisible)]
CleanLine = Annotated[str, AfterValidator(one_line)]
UtcDateTime = Annotated[datetime, BeforeValidator(_utc)]
