"""How report events and notes look to each role: only the moderator and rapporteur see them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import LiveSession, Role
from app.report.notes import highlights_of, notes_of

READERS = (Role.moderator, Role.rapporteur)


def report_event(role: str, type_: str, data: dict[str, Any]) -> tuple[str, dict] | None:
    return (type_, data) if role in READERS else None


def report_part(db: Session, session: LiveSession, role: str) -> dict[str, Any] | None:
    if role not in READERS:
        return None
    return {"notes": notes_of(db, session.id), "highlights": highlights_of(db, session.id)}


