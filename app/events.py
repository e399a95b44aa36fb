"""Writing the live log: every change adds numbered events in its own transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from app.clock import utc_now
from app.db import BulkInsert, CommittedEvent
from app.errors import NotFound
from app.models import AuditEntry, Event, LiveSession


def lock_session(db: Session, session_id: int) -> LiveSession:
    """Load the session row FOR UPDATE: changes to one session are serialised across workers."""
    row = db.exec(select(LiveSession).where(LiveSession.id == session_id).with_for_update()).first()
    if row is None:
        raise NotFound("no such session")
    return row


_SESSIONS = LiveSession.__table__  # type: ignore[attr-defined]
_LOCK = (
    _SESSIONS.select().with_only_columns(_SESSIONS.c.id)
    .where(_SESSIONS.c.id == bindparam("sid")).with_for_update()
)


def lock_session_row(db: Session, session_id: int) -> None:
    """`lock_session` for a hot path that needs the lock, not the row: one Core statement
    built once (the ORM's select, load and identity map cost more than the lock)."""
    if db.connection().execute(_LOCK, {"sid": session_id}).first() is None:
        raise NotFound("no such session")
_HEAD = (
    _SESSIONS.select()
    .with_only_columns(_SESSIONS.c.last_seq)
    .where(_SESSIONS.c.id == bindparam("sid"))
)
_SET_HEAD = (
    _SESSIONS.update().where(_SESSIONS.c.id == bindparam("sid")).values(last_seq=bindparam("head"))
)
_EVENTS = BulkInsert(Event.__table__)  # type: ignore[attr-defined]


@dataclass
class _SeqBlock:
    """Events of one session held back for one bulk INSERT; `head` is the last seq given."""

    head: int
    rows: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def batched_events(db: Session, session_id: int) -> Iterator[None]:
    """Inside: `emit` for this session numbers events locally and keeps the rows; on a clean
    exit they are written with one INSERT and one UPDATE of `last_seq`.

    The caller must hold the session lock (`lock_session`): nobody else may take a seq
    meanwhile. Seqs stay gap-free and in the order `emit` was called.
    """
    blocks: dict[int, _SeqBlock] = db.info.setdefault("seq_blocks", {})
    if session_id in blocks:  # nested: the outer block writes
        yield
        return
    conn = db.connection()
    head = conn.execute(_HEAD, {"sid": session_id}).scalar_one()
    block = blocks[session_id] = _SeqBlock(head)
    try:
        yield
    finally:
        del blocks[session_id]
    if block.rows:
        _EVENTS(conn, block.rows)
        conn.execute(_SET_HEAD, {"sid": session_id, "head": block.head})


def emit(db: Session, session_id: int, type_: str, data: dict[str, Any]) -> CommittedEvent:
    """Append an event with the session's next seq; published once the transaction commits."""
    block = db.info.get("seq_blocks", {}).get(session_id)
    if block is not None:
        block.head += 1
        block.rows.append(
            {
                "session_id": session_id,
                "seq": block.head,
                "type": type_,
                "data": data,
                "created_at": utc_now(),
            }
        )
        committed = CommittedEvent(session_id=session_id, seq=block.head, type=type_, data=data)
        db.info.setdefault("outbox", []).append(committed)
        return committed
    seq: int = db.exec(
        update(LiveSession)
        .where(col(LiveSession.id) == session_id)
        .values(last_seq=col(LiveSession.last_seq) + 1)
        .returning(col(LiveSession.last_seq))
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
