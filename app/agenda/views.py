"""How the agenda's events look to each role, and what it adds to each role's snapshot.

The timer is public (every page may show it); notes are for the moderator and the stage
only: the room screen and the audience never receive one.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.agenda.notes import recent_notes
from app.agenda.service import timer_view
from app.models import LiveSession, Role

NOTE_ROLES = frozenset({Role.moderator.value, Role.stage.value})


def timer_filter(role: str, type_: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return type_, data


def note_filter(role: str, type_: str, data: dict[str, Any]) -> tuple[str, dict] | None:
    return (type_, data) if role in NOTE_ROLES else None


def timer_part(db: Session, session: LiveSession, role: str) -> dict[str, Any]:
    return timer_view(db, session.id)


def notes_part(db: Session, session: LiveSession, role: str) -> list[dict[str, Any]] | None:
    return recent_notes(db, session.id) if role in NOTE_ROLES else None


