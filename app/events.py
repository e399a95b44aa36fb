"""Writing the live log: every change adds numbered events in its own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from app.clock import utc_now
from app.db import CommittedEvent
from app.errors import NotFound
from app.models import AuditEntry, Event, LiveSession


def lock_session(db: Session, session_id: int) -> LiveSession:
    """Load the session row FOR UPDATE: changes to one session are serialised across workers."""
    row = db.exec(select(LiveSession).where(LiveSession.id == session_id).with_for_update()).first()
    if row is None:
        raise NotFound("no such session")
    return row


def emit(db: Session, session_id: int, type_: str, data: dict[str, Any]) -> CommittedEvent:
    """Append an event with the session's next seq; published once the transaction commits."""
    seq = db.exec(  # type: ignore[call-overload]
        update(LiveSession)
        .where(LiveSession.id == session_id)  # type: ignore[arg-type]
        .values(last_seq=LiveSession.last_seq + 1)
        .returning(LiveSession.last_seq)
    ).scalar_one()
    db.add(Event(session_id=session_id, seq=seq, type=type_, data=data, created_at=utc_now()))
    committed = CommittedEvent(session_id=session_id, seq=seq, type=type_, data=data)
    db.info.setdefault("outbox", []).append(committed)
    return committed


def audit(
    db: Session,
    session_id: int,
    action: str,
    role: str,
    question_id: int | None = None,
    **detail: Any,
) -> None:
    db.add(
        AuditEntry(
            session_id=session_id,
            question_id=question_id,
            action=action,
            role=role,
            detail=detail,
            at=utc_now(),
        )
    )
