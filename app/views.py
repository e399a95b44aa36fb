"""What each role may see. One function per shape, applied to snapshots and live events alike.

Events carry the full (moderator) view of a question; every other role's view is derived
here, so the audience can never be sent an inbox item, a dismissed item or an author.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from sqlmodel import Session, col, select

from app.clock import iso
from app.core.domain import EventFilter, SnapshotPart
from app.models import LiveSession, QState, Question, Role, Segment, require_id
from ports.personal import mask_personal_data

if TYPE_CHECKING:
    from app.ingest import StoredQuestion  # ingest imports this module

AUDIENCE_STATES = frozenset({QState.queued, QState.on_stage, QState.answered})
STAGE_STATES = AUDIENCE_STATES
_STATE_ORDER = {
    QState.on_stage: 0,
    QState.queued: 1,
    QState.inbox: 2,
    QState.answered: 3,
    QState.dismissed: 4,
    QState.merged: 5,
}
_AUDIENCE_FIELDS = (
    "id", "text", "state", "channel", "votes", "position", "created_at", "simulated"
)
_SCREEN_FIELDS = ("id", "text", "channel", "author", "state", "simulated")
_STAGE_HIDDEN = ("original_text", "url")


def question_full(q: Question | StoredQuestion, sources: list[int]) -> dict[str, Any]:
    return {
        "id": q.id,
        "text": q.text,
        "state": q.state,
        "channel": q.channel,
        "author": q.author_name,
        "votes": q.votes,
        "position": q.position,
        "segment": q.segment,
        "created_at": iso(q.created_at),
        "edited": q.original_text is not None,
        "original_text": q.original_text,
        "answer": q.answer,
        "url": q.url,
        "merged_into": q.merged_into_id,
        "sources": sources,
        "simulated": q.simulated,
    }


def sources_of(db: Session, question_id: int) -> list[int]:
    # cast: a primary key read back from the database is never NULL.
    return cast(
        list[int],
        list(
            db.exec(
                select(col(Question.id))
                .where(Question.merged_into_id == question_id)
                .order_by(col(Question.id))
            ).all()
        ),
    )


def question_for(role: str, q: dict[str, Any]) -> dict[str, Any] | None:
    """The role's view of one question, or None when the role must not see it.

    Every view but the moderator's and the rapporteur's has e-mail addresses and phone
    numbers masked in the text (`ports.personal`): a number typed for the moderator is
    not for the room. Done here, where frames are shaped once per role."""
    state = q["state"]
    if role in (Role.moderator, Role.rapporteur):
        return q
    if role == Role.stage:
        if state not in STAGE_STATES:
            return None
        view = {k: v for k, v in q.items() if k not in _STAGE_HIDDEN}
    elif role == Role.screen:
        if state != QState.on_stage:
            return None
        view = {k: q[k] for k in _SCREEN_FIELDS}
    elif state not in AUDIENCE_STATES:
        return None
    else:
        view = {k: q[k] for k in _AUDIENCE_FIELDS}
    if view["text"]:
        view["text"] = mask_personal_data(view["text"])
    return view


#: No domain's views: the core alone (a test, or an app built with no domain).
NONE: Mapping[str, Any] = MappingProxyType({})


def event_for(
    role: str,
    type_: str,
    data: dict[str, Any],
    filters: Mapping[str, EventFilter] = NONE,
) -> tuple[str, dict[str, Any]] | None:
    """Filter one event for a role: pass, reshape, turn into a removal, or drop.

    `filters` are the domains' (`Registry.filters`, prefix -> filter); an event type that
    starts with none of them is the core's to shape."""
    for prefix, event_filter in filters.items():
        if type_.startswith(prefix):
            return event_filter(role, type_, data)
    if role in (Role.moderator, Role.rapporteur):
        return type_, data
    if type_ in ("question.created", "question.updated"):
        q = data["question"]
        view = question_for(role, q)
        if view is not None:
            return type_, {**{k: v for k, v in data.items() if k != "question"}, "question": view}
        prev = data.get("prev_state")
        if prev is not None and question_for(role, {**q, "state": prev}) is not None:
            return "question.removed", {"id": q["id"]}
        return None
    if type_ == "queue.reordered":
        return (type_, data) if role in (Role.stage, Role.audience) else None
    if type_.startswith("session."):
        return type_, data
    return None


def session_public(s: LiveSession, segments: list[Segment], base_url: str) -> dict[str, Any]:
    return {
        "slug": s.slug,
        "title": s.title,
        "privacy": {"author_display": s.author_display},
        "agenda": [
            {
                "index": seg.position,
                "title": seg.title,
                "kind": seg.kind,
                "minutes": seg.minutes,
                "speaker": seg.speaker,
                "stakeholder": seg.stakeholder,
                "questions_open": seg.questions_open,
            }
            for seg in segments
        ],
        "audience_url": f"{base_url}/s/{s.slug}",
        "lang": s.lang,
        "captions_url": s.captions_url,
    }


def segments_of(db: Session, session_id: int) -> list[Segment]:
    return list(
        db.exec(
            select(Segment).where(Segment.session_id == session_id).order_by(col(Segment.position))
        ).all()
    )


def queue_sort_key(q: Question) -> tuple[Any, ...]:
    when = q.created_at if q.state == QState.inbox else q.updated_at
    return (_STATE_ORDER[QState(q.state)], q.position or 0, iso(when), q.id)


def all_questions(db: Session, session_id: int, states: set[str] | None = None) -> list[dict]:
    stmt = select(Question).where(Question.session_id == session_id)
    if states:
        stmt = stmt.where(col(Question.state).in_(states))
    rows = sorted(db.exec(stmt).all(), key=queue_sort_key)
    merged: dict[int, list[int]] = {}
    pairs = db.exec(
        select(Question.id, Question.merged_into_id).where(
            Question.session_id == session_id, col(Question.merged_into_id).is_not(None)
        )
    ).all()
    # cast: both columns are non-NULL here (a primary key, and filtered by the where).
    for src_id, target in cast("Sequence[tuple[int, int]]", pairs):
        merged.setdefault(target, []).append(src_id)
    return [question_full(q, sorted(merged.get(require_id(q), []))) for q in rows]


def snapshot(
    db: Session,
    session: LiveSession,
    role: str,
    base_url: str,
    parts: Mapping[str, SnapshotPart] = NONE,
) -> dict[str, Any]:
    """Everything a role's page needs, consistent with `seq` (read in one transaction);
    `parts` are the domains' shares (`Registry.parts`, key -> reader)."""
    questions = [
        v
        for q in all_questions(db, require_id(session))
        if (v := question_for(role, q)) is not None
    ]
    on_stage = next((q["id"] for q in questions if q["state"] == QState.on_stage), None)
    data = {
        "session": session_public(session, segments_of(db, require_id(session)), base_url),
        "questions": questions,
        "on_stage": on_stage,
    }
    for key, part in parts.items():
        data[key] = part(db, session, role)
    return {"type": "snapshot", "seq": session.last_seq, "data": data}
