"""The moderated queue: state transitions, order, edits, merges and upvotes.

Every function runs inside the writer's transaction: it locks the session row, checks the
transition, writes the change, an audit entry and the events. The caller never commits.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.clock import utc_now
from app.errors import Conflict, Invalid, NotFound
from app.events import audit, emit, lock_session
from app.models import MergeRecord, QState, Question, require_id
from app.rows import renumber, session_object_or_404
from app.text import clean_text
from app.views import question_full, sources_of

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[QState], QState]] = {
    "approve": (frozenset({QState.inbox}), QState.queued),
    "dismiss": (frozenset({QState.inbox, QState.queued}), QState.dismissed),
    "restore": (frozenset({QState.dismissed}), QState.inbox),
    "push": (frozenset({QState.queued}), QState.on_stage),
    "answer": (frozenset({QState.on_stage}), QState.answered),
    "back": (frozenset({QState.on_stage}), QState.queued),
    # The inverses the console's Undo needs: Answered and Approve are not final.
    "reopen": (frozenset({QState.answered}), QState.queued),
    "unapprove": (frozenset({QState.queued}), QState.inbox),
}
#: Why a moderator declined a question (optional; the report counts them by reason).
DECLINE_REASONS = ("off_topic", "duplicate", "abusive", "answered_elsewhere", "other")
#: Actions that put the item first in the queue (it was just live), not last.
_TO_FRONT = frozenset({"back", "reopen"})
STAGE_ACTIONS = frozenset({"answer"})
_WHY = {
    QState.merged: "it was merged into another question",
    QState.answered: "it has been answered already",
    QState.on_stage: "it is on stage now",
    QState.dismissed: "it was dismissed (restore it first)",
    QState.inbox: "it is still in the inbox (approve it first)",
    QState.queued: "it is in the queue",
}


def _get(db: Session, session_id: int, question_id: int) -> Question:
    return session_object_or_404(db, Question, session_id, question_id, "question")


def _queued(db: Session, session_id: int) -> list[Question]:
    return list(
        db.exec(
            select(Question)
            .where(Question.session_id == session_id, Question.state == QState.queued)
            .order_by(col(Question.position).asc().nulls_last(), col(Question.id))
        ).all()
    )


def _renumber(db: Session, session_id: int, order: list[Question], moved: Question | None) -> None:
    """Give queued items positions 1..n; tell clients once if anyone else moved."""
    if any(q is not moved for q in renumber(db, order)):
        emit(db, session_id, "queue.reordered", {"ids": [q.id for q in order]})


def _changed(
    db: Session, q: Question, action: str, role: str, prev_state: str, **detail: Any
) -> dict[str, Any]:
    q.updated_at = utc_now()
    db.add(q)
    db.flush()
    view = question_full(q, sources_of(db, require_id(q)))
    emit(
        db,
        q.session_id,
        "question.updated",
        {"question": view, "action": action, "prev_state": prev_state},
    )
    audit(db, q.session_id, action, role, q.id, **detail)
    return view


def _live(db: Session, session_id: int) -> Question | None:
    return db.exec(
        select(Question).where(Question.session_id == session_id, Question.state == QState.on_stage)
    ).first()


def apply_action(
    db: Session,
    session_id: int,
    question_id: int,
    action: str,
    role: str,
    swap: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """One transition. `swap` (push only): the live item goes back to the front of the queue
    in the same unit, instead of the push being refused. `reason` (dismiss only): why, one of
    DECLINE_REASONS, kept in the audit trail."""
    if action not in TRANSITIONS:
        raise NotFound(f"unknown action '{action}'; one of {', '.join(TRANSITIONS)}")
    if reason is not None and (action != "dismiss" or reason not in DECLINE_REASONS):
        raise Invalid(
            f"a reason is only for dismiss, one of {', '.join(DECLINE_REASONS)}"
            if action == "dismiss"
            else "a reason is only for dismiss"
        )
    lock_session(db, session_id)
    q = _get(db, session_id, question_id)
    allowed, target = TRANSITIONS[action]
    prev = QState(q.state)
    if prev not in allowed:
        raise Conflict(f"cannot {action} question {q.id}: {_WHY[prev]}")
    detail: dict[str, Any] = {"reason": reason} if reason else {}
    if target == QState.on_stage:
        live = _live(db, session_id)
        if live is not None and not swap:
            raise Conflict(
                f"question {live.id} is on stage; mark it answered, send it back first, "
                "or push with swap"
            )
        if live is not None:
            # Flushed before the push: one item on stage at every moment (unique index).
            apply_action(db, session_id, require_id(live), "back", role)
            detail["swapped"] = live.id
    queue = [x for x in _queued(db, session_id) if x.id != q.id]
    q.state = target.value
    q.position = None
    if target == QState.queued:
        # Approved items join the end; one coming back from the stage goes to the front.
        if action in _TO_FRONT:
            queue.insert(0, q)
        else:
            queue.append(q)
    _renumber(db, session_id, queue, q)
    return _changed(db, q, action, role, prev.value, **detail)


def stage_next(db: Session, session_id: int, role: str) -> dict[str, Any]:
    """The onsite moderator's 'next': the live item is answered, the first queued goes live."""
    lock_session(db, session_id)
    live = db.exec(
        select(Question).where(Question.session_id == session_id, Question.state == QState.on_stage)
    ).first()
    answered = apply_action(db, session_id, require_id(live), "answer", role) if live else None
    queue = _queued(db, session_id)
    on_stage = apply_action(db, session_id, require_id(queue[0]), "push", role) if queue else None
    if answered is None and on_stage is None:
        raise Conflict("nothing on stage and the queue is empty")
    audit(db, session_id, "next", role, None)
    return {"answered": answered, "on_stage": on_stage}


def edit(
    db: Session,
    session_id: int,
    question_id: int,
    role: str,
    text: str | None,
    position: int | None,
) -> dict[str, Any]:
    lock_session(db, session_id)
    q = _get(db, session_id, question_id)
    if text is None and position is None:
        raise Invalid("nothing to change: give text and/or position")
    if q.state == QState.merged:
        raise Conflict(f"cannot edit question {q.id}: {_WHY[QState.merged]}")
    detail: dict[str, Any] = {}
    if text is not None:
        new = clean_text(text)
        if new != q.text:
            if q.original_text is None:
                q.original_text = q.text
            q.text = new
            detail["text"] = True
    if position is not None:
        if q.state != QState.queued:
            raise Conflict(f"cannot move question {q.id}: only queued items have a position")
        queue = [x for x in _queued(db, session_id) if x.id != q.id]
        index = max(0, min(position - 1, len(queue)))
        queue.insert(index, q)
        _renumber(db, session_id, queue, q)
        detail["position"] = q.position
    return _changed(db, q, "edit", role, q.state, **detail)


def merge(db: Session, session_id: int, question_id: int, into: int, role: str) -> dict[str, Any]:
    """Merge B (question_id) into A (into): B becomes merged, A keeps it as a source."""
    lock_session(db, session_id)
    if question_id == into:
        raise Invalid("cannot merge a question into itself")
    b = _get(db, session_id, question_id)
    a = _get(db, session_id, into)
    if b.state in (QState.merged, QState.on_stage, QState.answered):
        raise Conflict(f"cannot merge question {b.id}: {_WHY[QState(b.state)]}")
    if a.state in (QState.merged, QState.dismissed):
        raise Conflict(f"cannot merge into question {a.id}: {_WHY[QState(a.state)]}")
    prev_b = b.state
    db.add(
        MergeRecord(
            session_id=session_id,
            question_id=require_id(b),
            into_id=require_id(a),
            votes=b.votes,
            prev_state=prev_b,
            prev_position=b.position,
        )
    )
    b.state = QState.merged.value
    b.merged_into_id = a.id
    b.position = None
    a.votes += b.votes
    if prev_b == QState.queued:
        _renumber(db, session_id, [x for x in _queued(db, session_id) if x.id != b.id], b)
    _changed(db, b, "merge", role, prev_b, into=a.id)
    return _changed(db, a, "merged_in", role, a.state, source=b.id)


def unmerge(db: Session, session_id: int, question_id: int, role: str) -> dict[str, Any]:
    """Undo a merge of B (question_id): B gets its state and place back, A loses B's votes."""
    lock_session(db, session_id)
    b = _get(db, session_id, question_id)
    if b.state != QState.merged or b.merged_into_id is None:
        raise Conflict(f"cannot unmerge question {b.id}: it is not merged")
    record = db.exec(select(MergeRecord).where(MergeRecord.question_id == b.id)).first()
    a = _get(db, session_id, b.merged_into_id)
    if a.state == QState.merged:
        raise Conflict(
            f"cannot unmerge question {b.id}: {a.id}, which it was merged into, is merged "
            f"into {a.merged_into_id} itself (unmerge {a.id} first)"
        )
    # A merge from before merge records existed moved all of B's votes, from the inbox.
    votes = record.votes if record else b.votes
    prev_state = QState(record.prev_state) if record else QState.inbox
    a.votes = max(0, a.votes - votes)
    b.state = prev_state.value
    b.merged_into_id = None
    b.position = None
    if prev_state == QState.queued:
        queue = [x for x in _queued(db, session_id) if x.id != b.id]
        place = (record.prev_position if record else None) or len(queue) + 1
        queue.insert(max(0, min(place - 1, len(queue))), b)
        _renumber(db, session_id, queue, b)
    if record is not None:
        db.delete(record)
    view = _changed(db, b, "unmerge", role, QState.merged.value, source_of=a.id)
    _changed(db, a, "unmerged_out", role, a.state, source=b.id)
    return view
