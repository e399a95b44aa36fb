"""Privacy hooks of the connectors domain (declared in app/connectors/domain.py).

A `text_print` row is a fingerprint of a question's author name and normalised text, kept
to spot cross-posts. It is derived personal data (a name can be guessed back by hashing
candidates), so it goes when the question's personal data goes: after the retention
period, and when its author asks to be erased. Cross-post flags already set stay: they
name no one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from app.connectors.models import TextPrint
from app.models import LiveSession, Question


def purge(db: Session, session: LiveSession, cutoff: datetime) -> int:
    """Fingerprints of questions that arrived before `cutoff`."""
    result = db.exec(
        delete(TextPrint).where(
            col(TextPrint.session_id) == session.id, col(TextPrint.created_at) < cutoff
        )
    )
    return int(result.rowcount or 0)


def export(db: Session, session: LiveSession, subject: Any) -> list[dict[str, Any]]:
    """Nothing to hand over: a fingerprint holds no data of the person's beyond the
    question itself, which the core export already lists."""
    return []


def erase(db: Session, session: LiveSession, subject: Any) -> int:
    """Fingerprints of questions that no longer name an author (the core erase has just
    redacted the subject's questions, so those are among them)."""
    anonymous = select(Question.id).where(
        col(Question.session_id) == session.id,
        col(Question.author_name).is_(None),
        col(Question.author_hash).is_(None),
    )
    result = db.exec(
        delete(TextPrint).where(
            col(TextPrint.session_id) == session.id, col(TextPrint.question_id).in_(anonymous)
        )
    )
    return int(result.rowcount or 0)
