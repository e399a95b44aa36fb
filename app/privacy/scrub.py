"""Shared by purge and erase: redact a question everywhere it is held, events included.

The event log keeps a full copy of each question as it was at every change (for replay),
so redacting the row alone would leave the person's name and text in `event.data`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.events import emit
from app.models import Event, Message, Question, Upvote, require_id
from app.views import question_full, sources_of

#: Prefix of an external id or audience id that no longer points at anybody.
GONE = "removed:"


def redact_question(db: Session, q: Question, *, text: str | None, action: str) -> None:
    """Drop author, url and pre-edit text (and the text itself when `text` is given).

    No audit entry: the audit trail is the moderation record the report counts, and a
    privacy action must leave the report as it was. The event says what happened."""
    q.author_name = None
    q.author_hash = None
    q.url = None
    q.original_text = None
    if text is not None:
        q.text = text
    db.add(q)
    db.flush()
    emit(
        db,
        q.session_id,
        "question.updated",
        {
            "question": question_full(q, sources_of(db, require_id(q))),
            "action": action,
            "prev_state": q.state,
        },
    )


def redact_message(db: Session, m: Message, text: str) -> None:
    m.author_name = None
    m.author_hash = None
    m.url = None
    m.text = text
    m.external_id = f"{GONE}{m.id}"
    db.add(m)


def forget_upvotes(db: Session, rows: Iterable[Upvote]) -> int:
    """The vote stays counted; who cast it is no longer recorded."""
    n = 0
    for row in rows:
        row.audience_id = f"{GONE}{row.id}"
        db.add(row)
        n += 1
    return n


def scrub_events(db: Session, session_id: int, questions: dict[int, Question]) -> int:
    """Rewrite every logged copy of these questions to their redacted state."""
    if not questions:
        return 0
    n = 0
    rows = db.exec(
        select(Event).where(Event.session_id == session_id, col(Event.type).startswith("question."))
    ).all()
    for ev in rows:
        held = ev.data.get("question") if isinstance(ev.data, dict) else None
        if not isinstance(held, dict) or held.get("id") not in questions:
            continue
        q = questions[held["id"]]
        fresh = {
            **held,
            "text": q.text,
            "author": None,
            "url": None,
            "original_text": None,
            "edited": held.get("edited", False),
        }
        if fresh != held:
            ev.data = {**ev.data, "question": fresh}
            db.add(ev)
            n += 1
    return n
