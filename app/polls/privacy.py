"""Privacy hooks of the polls domain (declared in app/polls/domain.py).

Poll ballots name their voter (`a:<audience id>`): forget who voted, keep every count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.models import LiveSession
from app.polls.models import Ballot, Poll
from app.privacy.scrub import GONE


def _ballots(db: Session, session: LiveSession):
    return (
        select(Ballot, Poll.question, Poll.kind)
        .join(Poll, col(Poll.id) == Ballot.poll_id)
        .where(Poll.session_id == session.id, col(Ballot.voter).not_like(f"{GONE}%"))
    )


def _voter(subject: Any) -> str | None:
    return f"a:{subject.handle}" if subject.channel == "audience" else None


def export(db: Session, session: LiveSession, subject: Any) -> list[dict[str, Any]]:
    voter = _voter(subject)
    if voter is None:
        return []
    rows = db.exec(_ballots(db, session).where(Ballot.voter == voter)).all()
    return [{"poll": q, "answer": b.word, "choices_mask": b.mask} for b, q, _kind in rows]


def _forget(db: Session, rows: list[Any], marker: str) -> int:
    """Unlink the voter; an open answer (free text) goes too. Word cloud words and choices
    stay, so every tally is unchanged."""
    for ballot, _question, kind in rows:
        ballot.voter = f"{GONE}{ballot.id}"
        if kind == "open" and ballot.word is not None:
            ballot.word = marker
        db.add(ballot)
    return len(rows)


def erase(db: Session, session: LiveSession, subject: Any) -> int:
    voter = _voter(subject)
    if voter is None:
        return 0
    rows = list(db.exec(_ballots(db, session).where(Ballot.voter == voter)).all())
    return _forget(db, rows, "[removed at the author's request]")


def purge(db: Session, session: LiveSession, cutoff: datetime) -> int:
    rows = list(db.exec(_ballots(db, session).where(Ballot.updated_at < cutoff)).all())
    return _forget(db, rows, "[removed after the retention period]")
