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

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.clock import utc_now
from app.db import BulkInsert
from app.errors import Conflict, DomainError, NotFound
from app.events import batched_events, emit, lock_session_row
from app.models import QState, Question, Upvote
from app.views import question_full

#: An upvote waiting for the writer: (session id, question id, audience id).
Item = tuple[int, int, str]
_OPEN = (QState.queued, QState.on_stage)
_Q = Question.__table__  # type: ignore[attr-defined]
_INSERT = BulkInsert(Upvote.__table__, returning=("id",),  # type: ignore[attr-defined]
                     conflict=("question_id", "audience_id"))
_READ = select(_Q.c.session_id, _Q.c.state).where(_Q.c.id == bindparam("qid"))
_ADD = (
    _Q.update().where(_Q.c.id == bindparam("qid")).values(votes=_Q.c.votes + bindparam("n"))
    .returning(*_Q.c)
)
_SOURCES = select(_Q.c.id).where(_Q.c.merged_into_id == bindparam("qid")).order_by(_Q.c.id)


def upvote(db: Session, session_id: int, question_id: int, audience_id: str) -> dict[str, Any]:
    """One upvote per audience id; a repeat changes nothing and is not an error."""
    outcome = upvote_many(db, [(session_id, question_id, audience_id)])[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def upvote_many(db: Session, items: list[Item]) -> list[dict[str, Any] | BaseException]:
    """`upvote` for many at once (one session, as `Store.write_grouped` keys them): one
    outcome per item, `{"id", "votes"}` with the count after all of them, or the error.

    Through SQLAlchemy Core, not the ORM: statements built once, no identity map, no
    flush (the ORM's share was about two thirds of an upvote's writer CPU)."""
    out: list[Any] = [None] * len(items)  # every place is filled below
    by_question: dict[tuple[int, int], list[int]] = {}
    for i, (sid, qid, _) in enumerate(items):
        by_question.setdefault((sid, qid), []).append(i)
    conn = db.connection()
    locked: set[int] = set()
    for (sid, qid), places in by_question.items():
        try:
            if sid not in locked:
                lock_session_row(db, sid)
                locked.add(sid)
            row = conn.execute(_READ, {"qid": qid}).first()
            if row is None or row.session_id != sid:
                raise NotFound(f"no question {qid} in this session")
            if row.state not in _OPEN:
                raise Conflict(f"question {qid} is not open for votes")
        except DomainError as exc:
            for i in places:
                out[i] = exc
            continue
        voters = list(dict.fromkeys(items[i][2] for i in places))
        now = utc_now()
        added = len(_INSERT(conn, [
            {"question_id": qid, "audience_id": a, "created_at": now} for a in voters
        ]))
        if added:
            q = conn.execute(_ADD, {"qid": qid, "n": added}).one()
            _forget_votes(db, qid)
            sources = list(conn.execute(_SOURCES, {"qid": qid}).scalars())
            with batched_events(db, sid):
                emit(db, sid, "question.updated", {
                    "question": question_full(q, sources),  # type: ignore[arg-type]
                    "action": "upvote",
                    "prev_state": q.state,
                })
            votes = q.votes
        else:
            votes = conn.execute(select(_Q.c.votes).where(_Q.c.id == qid)).scalar_one()
        for i in places:
            out[i] = {"id": qid, "votes": votes}
    return out


def _forget_votes(db: Session, question_id: int) -> None:
    """A `Question` this transaction loaded earlier would still hold the old count."""
    loaded = db.identity_map.get(db.identity_key(Question, question_id))
    if loaded is not None:
        db.expire(loaded, ["votes"])
