"""Upvotes, stored together: the upvotes waiting for the writer at once are one unit.

Why: an upvote alone cost the writer about 4 ms of CPU (session lock, question read,
existence check, savepoint, insert, update, event: each through the ORM), so a room, or
a script within its allowance, upvoting at a few hundred a second held the GIL that the
event loop needs, and every acknowledgement waited. Together they cost one lock, one read
per question, one `INSERT … ON CONFLICT DO NOTHING` and one `question.updated` per
question with the count after the batch (the same event as before, fewer of them: a
client shows the latest count either way).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.clock import utc_now
from app.errors import Conflict, DomainError
from app.events import emit, lock_session
from app.models import QState, Question, Upvote, require_id
from app.rows import session_object_or_404
from app.views import question_full, sources_of

#: An upvote waiting for the writer: (session id, question id, audience id).
Item = tuple[int, int, str]
_OPEN = (QState.queued, QState.on_stage)
_ROWS_PER_INSERT = 500  # 1,500 bound parameters, far under SQLite's and PostgreSQL's caps
_TABLE = Upvote.__table__  # type: ignore[attr-defined]


def upvote(db: Session, session_id: int, question_id: int, audience_id: str) -> dict[str, Any]:
    """One upvote per audience id; a repeat changes nothing and is not an error."""
    outcome = upvote_many(db, [(session_id, question_id, audience_id)])[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def upvote_many(db: Session, items: list[Item]) -> list[dict[str, Any] | BaseException]:
    """`upvote` for many at once (one session, as `Store.write_grouped` keys them): one
    outcome per item, `{"id", "votes"}` with the count after all of them, or the error."""
    out: list[Any] = [None] * len(items)  # every place is filled below
    by_question: dict[tuple[int, int], list[int]] = {}
    for i, (sid, qid, _) in enumerate(items):
        by_question.setdefault((sid, qid), []).append(i)
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    locked: set[int] = set()
    for (sid, qid), places in by_question.items():
        try:
            if sid not in locked:
                lock_session(db, sid)
                locked.add(sid)
            q = session_object_or_404(db, Question, sid, qid, "question")
            if q.state not in _OPEN:
                raise Conflict(f"question {q.id} is not open for votes")
        except DomainError as exc:
            for i in places:
                out[i] = exc
            continue
        voters = list(dict.fromkeys(items[i][2] for i in places))
        now, added = utc_now(), 0
        for start in range(0, len(voters), _ROWS_PER_INSERT):
            rows = [
                {"question_id": qid, "audience_id": a, "created_at": now}
                for a in voters[start : start + _ROWS_PER_INSERT]
            ]
            # RETURNING, not rowcount: psycopg reports -1 for these through SQLModel.
            added += len(
                db.exec(
                    insert(_TABLE)
                    .values(rows)
                    .on_conflict_do_nothing(index_elements=["question_id", "audience_id"])
                    .returning(_TABLE.c.id)
                ).all()
            )
        if added:
            q.votes += added
            db.add(q)
            db.flush()
            emit(
                db,
                sid,
                "question.updated",
                {
                    "question": question_full(q, sources_of(db, require_id(q))),
                    "action": "upvote",
                    "prev_state": q.state,
                },
            )
        for i in places:
            out[i] = {"id": q.id, "votes": q.votes}
    return out
