"""Per-session privacy settings, and the plain-words statement the join page shows."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.clock import utc_now
from app.config import get_settings
from app.errors import Invalid
from app.events import emit, lock_session
from app.models import LiveSession, require_id
from app.privacy.models import SessionPrivacy

MAX_RETENTION_DAYS = 3650
NAME_WORDS = {
    "full": "Your name is shown as you type it (leave it empty to stay anonymous).",
    "initials": "Only the initials of your name are kept and shown.",
    "anonymous": "Names are not kept or shown: every question is anonymous.",
}


def retention_days(db: Session, session_id: int) -> int:
    """The session's own period, else `FLOORBRIDGE_RETENTION_DAYS` (the server's and the
    CLI's process settings, read once)."""
    row = db.get(SessionPrivacy, session_id)
    return row.retention_days if row is not None else get_settings().retention.retention_days


def privacy_view(db: Session, session: LiveSession) -> dict[str, Any]:
    days = retention_days(db, require_id(session))
    return {
        "author_display": session.author_display,
        "email_stored": False,
        "retention_days": days,
        "statements": [
            NAME_WORDS.get(session.author_display, NAME_WORDS["initials"]),
            "E-mail addresses are never stored.",
            "Accounts on Zoom or social media are kept only as a one-way code, never as "
            "the handle itself.",
            f"Names, account codes and the text of questions not taken are deleted "
            f"{days} days after the session; the counts stay for the report.",
            "You can ask the organisers for a copy of what is held about you, or for its deletion.",
        ],
    }


def set_retention(db: Session, session_id: int, days: int) -> dict[str, Any]:
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise Invalid(f"retention_days must be between 1 and {MAX_RETENTION_DAYS}")
    session = lock_session(db, session_id)
    row = db.get(SessionPrivacy, session_id) or SessionPrivacy(session_id=session_id)
    row.retention_days = days
    row.updated_at = utc_now()
    db.add(row)
    db.flush()
    view = privacy_view(db, session)
    emit(db, session_id, "session.privacy", {"privacy": view})
    return view
