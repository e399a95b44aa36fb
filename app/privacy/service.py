"""Retention purge, subject access export and erasure. Each runs in one transaction.

Nothing here deletes a question, a vote or an audit entry: rows are redacted in place, so
every count in the report stays what it was, and no queue position or merge link breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, or_, select

from app.clock import iso, utc_now
from app.core.domain import NO_DOMAINS, Registry
from app.events import lock_session
from app.models import LiveSession, Message, QState, Question, Upvote, require_id
from app.privacy.pseudonyms import author_hash
from app.privacy.scrub import (
    GONE,
    forget_upvotes,
    redact_message,
    redact_question,
    scrub_events,
)
from app.privacy.settings_store import retention_days
from app.sessions.service import get_by_slug

PURGED = "[removed after the retention period]"
ERASED = "[removed at the author's request]"


@dataclass(frozen=True, slots=True)
class Subject:
    """A person as a channel knows them; found in our tables only through the HMAC."""

    channel: str
    handle: str

    def hash_for(self, session: LiveSession) -> str | None:
        return author_hash(session.hmac_secret, self.channel, self.handle)


# -- retention -------------------------------------------------------------------------------


def purge_session(
    db: Session, session: LiveSession, cutoff: datetime, registry: Registry = NO_DOMAINS
) -> dict[str, int]:
    """Personal data of items that arrived before `cutoff`; aggregates stay (the
    domains' own data too: their `privacy.purge` hooks in `registry`)."""
    counts = {"questions": 0, "messages": 0, "upvotes": 0, "events": 0}
    if _anything_before(db, require_id(session), cutoff):
        counts = _purge_core(db, session, cutoff)
    for domain, hook in registry.privacy("purge"):
        counts[domain] = int(hook(db, session, cutoff) or 0)
    return counts


def _purge_core(db: Session, session: LiveSession, cutoff: datetime) -> dict[str, int]:
    lock_session(db, require_id(session))  # only sessions with work: live ones are not held up
    questions = db.exec(select(Question).where(*_unpurged(require_id(session), cutoff))).all()
    changed: dict[int, Question] = {}
    for q in questions:
        dismissed = q.state == QState.dismissed
        redact_question(db, q, text=PURGED if dismissed else None, action="purge")
        changed[require_id(q)] = q
    messages = db.exec(
        select(Message).where(
            Message.session_id == session.id,
            Message.received_at < cutoff,
            col(Message.external_id).not_like(f"{GONE}%"),
        )
    ).all()
    for m in messages:
        redact_message(db, m, PURGED)
    votes = forget_upvotes(
        db,
        db.exec(
            select(Upvote)
            .join(Question, col(Question.id) == Upvote.question_id)
            .where(
                Question.session_id == session.id,
                Upvote.created_at < cutoff,
                col(Upvote.audience_id).not_like(f"{GONE}%"),
            )
        ).all(),
    )
    return {
        "questions": len(changed),
        "messages": len(messages),
        "upvotes": votes,
        "events": scrub_events(db, require_id(session), changed),
    }


def _unpurged(session_id: int, cutoff: datetime) -> tuple[Any, ...]:
    """Questions from before `cutoff` that still hold something to purge."""
    return (
        Question.session_id == session_id,
        Question.created_at < cutoff,
        or_(
            col(Question.author_name).is_not(None),
            col(Question.author_hash).is_not(None),
            col(Question.url).is_not(None),
            col(Question.original_text).is_not(None),
            (Question.state == QState.dismissed) & (Question.text != PURGED),
        ),
    )


def _anything_before(db: Session, session_id: int, cutoff: datetime) -> bool:
    """Cheap check first, so sessions with nothing to purge are never locked."""
    if db.exec(select(Question.id).where(*_unpurged(session_id, cutoff)).limit(1)).first():
        return True
    message = db.exec(
        select(Message.id)
        .where(
            Message.session_id == session_id,
            Message.received_at < cutoff,
            col(Message.external_id).not_like(f"{GONE}%"),
        )
        .limit(1)
    ).first()
    vote = db.exec(
        select(Upvote.id)
        .join(Question, col(Question.id) == Upvote.question_id)
        .where(
            Question.session_id == session_id,
            Upvote.created_at < cutoff,
            col(Upvote.audience_id).not_like(f"{GONE}%"),
        )
        .limit(1)
    ).first()
    return message is not None or vote is not None


def purge(
    db: Session,
    *,
    older_than: timedelta | None = None,
    now: datetime | None = None,
    registry: Registry = NO_DOMAINS,
) -> dict[str, Any]:
    """Every session; `older_than` overrides each session's own retention period."""
    now = now or utc_now()
    totals: dict[str, Any] = {
        "sessions": 0,
        "questions": 0,
        "messages": 0,
        "upvotes": 0,
        "events": 0,
    }
    for session in db.exec(select(LiveSession).order_by(col(LiveSession.id))).all():
        keep = older_than or timedelta(days=retention_days(db, require_id(session)))
        counts = purge_session(db, session, now - keep, registry)
        if any(counts.values()):
            totals["sessions"] += 1
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    totals["cutoff"] = iso(now - older_than) if older_than else "per session"
    return totals


# -- subject access --------------------------------------------------------------------------


def _theirs(db: Session, session: LiveSession, subject: Subject):
    hashes = [subject.hash_for(session)]
    if subject.channel == "audience":  # open poll answers are filed under "poll:<id>"
        hashes.append(author_hash(session.hmac_secret, "audience", f"poll:{subject.handle}"))
    messages = db.exec(
        select(Message)
        .where(Message.session_id == session.id, col(Message.author_hash).in_(hashes))
        .order_by(col(Message.id))
    ).all()
    questions = db.exec(
        select(Question)
        .where(Question.session_id == session.id, col(Question.author_hash).in_(hashes))
        .order_by(col(Question.id))
    ).all()
    upvotes: list[Upvote] = []
    if subject.channel == "audience":  # the audience page's author id is the audience id
        upvotes = list(
            db.exec(
                select(Upvote)
                .join(Question, col(Question.id) == Upvote.question_id)
                .where(Question.session_id == session.id, Upvote.audience_id == subject.handle)
                .order_by(col(Upvote.id))
            ).all()
        )
    return messages, questions, upvotes


def export_subject(
    db: Session, slug: str, subject: Subject, registry: Registry = NO_DOMAINS
) -> dict[str, Any]:
    """Everything held about one person in one session, as they could ask for it."""
    session = get_by_slug(db, slug)
    messages, questions, upvotes = _theirs(db, session, subject)
    out: dict[str, Any] = {
        "session": session.slug,
        "channel": subject.channel,
        "handle": subject.handle,
        "how_found": "by a keyed hash of channel and handle; the handle itself is not stored",
        "messages": [
            {
                "id": m.id,
                "channel": m.channel,
                "name": m.author_name,
                "text": m.text,
                "url": m.url,
                "sent_at": iso(m.sent_at),
                "received_at": iso(m.received_at),
            }
            for m in messages
        ],
        "questions": [
            {
                "id": q.id,
                "state": q.state,
                "name": q.author_name,
                "text": q.text,
                "text_as_sent": q.original_text,
                "votes": q.votes,
                "url": q.url,
                "created_at": iso(q.created_at),
            }
            for q in questions
        ],
        "upvotes": [{"question_id": u.question_id, "at": iso(u.created_at)} for u in upvotes],
    }
    for domain, hook in registry.privacy("access"):
        out[domain] = hook(db, session, subject)
    return out


def erase_subject(
    db: Session, slug: str, subject: Subject, registry: Registry = NO_DOMAINS
) -> dict[str, Any]:
    """Remove the person from the session; counts stay (a question is emptied, not deleted)."""
    session = get_by_slug(db, slug)
    lock_session(db, require_id(session))
    messages, questions, upvotes = _theirs(db, session, subject)
    changed: dict[int, Question] = {}
    for q in questions:
        redact_question(db, q, text=ERASED, action="erase")
        changed[require_id(q)] = q
    for m in messages:
        redact_message(db, m, ERASED)
    counts: dict[str, Any] = {
        "session": session.slug,
        "questions": len(questions),
        "messages": len(messages),
        "upvotes": forget_upvotes(db, upvotes),
        "events": scrub_events(db, require_id(session), changed),
    }
    for domain, hook in registry.privacy("erase"):
        counts[domain] = hook(db, session, subject)
    return counts


def parse_age(value: str) -> timedelta:
    """'30d', '12h', '90m' or a bare number of days."""
    from app.errors import Invalid

    value = value.strip().lower()
    units = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}
    unit = units.get(value[-1:])
    number = value[:-1] if unit else value
    try:
        amount = float(number)
    except ValueError:
        raise Invalid(f"'{value}' is not an age: use e.g. 30d, 12h or 90m") from None
    if amount <= 0:
        raise Invalid("the age must be more than zero")
    return timedelta(**{unit or "days": amount})
