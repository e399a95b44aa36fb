"""Event filters and snapshot parts that show a domain to some roles only, unchanged.

The connectors, the report and the poll join code each wrote the same pair by hand
(`(type_, data) if role in READERS else None` and a part that starts `if role not in ...`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from sqlmodel import Session

from app.models import LiveSession

EventFilter = Callable[[str, str, dict[str, Any]], "tuple[str, dict] | None"]
Part = Callable[[Session, LiveSession, str], "dict[str, Any] | None"]


def passes_for(roles: Collection[str]) -> EventFilter:
    """An event filter: the event as it is for `roles`, nothing for everyone else."""

    def event_filter(role: str, type_: str, data: dict[str, Any]) -> tuple[str, dict] | None:
        return (type_, data) if role in roles else None

    return event_filter


def part_for(roles: Collection[str]) -> Callable[[Part], Part]:
    """A snapshot part read only for `roles` (None, and no query, for everyone else)."""

    def wrap(part: Part) -> Part:
        @wraps(part)
        def only(db: Session, session: LiveSession, role: str) -> dict[str, Any] | None:
            return part(db, session, role) if role in roles else None

        return only

    return wrap
