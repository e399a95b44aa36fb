"""How report events and notes look to each role: only the moderator and rapporteur see them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import LiveSession, Role
from app.report.notes import highlights_of, notes_of
from app.role_views import part_for, passes_for

READERS = (Role.moderator, Role.rapporteur)


report_event = passes_for(READERS)


@part_for(READERS)
def report_part(db: Session, session: LiveSession, role: str) -> dict[str, Any] | None:
    return {"notes": notes_of(db, session.id), "highlights": highlights_of(db, session.id)}


