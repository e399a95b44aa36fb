"""The one ingest path every channel uses: dedupe, plain text, pseudonymise, store, publish.

Messages for one session are stored in bulk: one session lock, one dedupe query, one
multi-row INSERT for messages and one for questions (`db.BulkInsert`), events numbered
locally and written with one INSERT. Per message it costs what a one-by-one path cannot
avoid (cleaning the text, hashing the author), not a round of ORM work. The result is the
same as storing the messages one after another in their order: duplicates (stored before
or earlier in the batch) are reported, not stored. The domains' hooks (`IngestHooks`, from
the registry: `state.registry.ingest`) run too: each intercept per message in order, each
after-store hook once with the batch's new questions in order. A caller without hooks
(a test, the core alone) passes none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from app.agenda.gate import question_segment
from app.clock import utc_now
from app.core.domain import NO_INGEST_HOOKS, IngestHooks
from app.db import BulkInsert, Store
from app.errors import DomainError, Invalid, NotFound
from app.events import batched_events, emit, lock_session
from app.models import LiveSession, Message, QState, Question
from app.privacy.emails import name_without_email, strip_emails
from app.privacy.pseudonyms import author_hash, display_name
from app.text import clean_text
from app.views import question_full
from ports.messages import IncomingMessage, IngestResult

MAX_URL = 1000
MAX_EXTERNAL_ID = 256
#: Dedupe lookups per query (bound parameters stay far below every engine's limit).
CHUNK = 500

Outcome = IngestResult | DomainError
_MESSAGES = Message.__table__  # type: ignore[attr-defined]
_QUESTIONS = Question.__table__  # type: ignore[attr-defined]
_SEEN = select(_MESSAGES.c.external_id).where(
    _MESSAGES.c.session_id == bindparam("sid"),
    _MESSAGES.c.channel == bindparam("channel"),
    _MESSAGES.c.external_id.in_(bindparam("ids", expanding=True)),
)


def _safe_url(url: str | None) -> str | None:
    if url and url.startswith(("https://", "http://")) and len(url) <= MAX_URL:
        return url
    return None


def _answer_text(answer: str | None) -> str | None:
    try:
        return strip_emails(clean_text(answer)) if answer else None
    except Invalid:  # an empty answer is no answer
        return None


@dataclass(slots=True)
class StoredQuestion:
    """A question as stored in bulk: a `Question`'s fields, without an ORM object's cost."""

    id: int
    session_id: int
    message_id: int
    channel: str
    author_name: str | None
    author_hash: str | None
    text: str
    original_text: str | None
    answer: str | None
    state: str
    position: int | None
    votes: int
    segment: int | None
    merged_into_id: int | None
    url: str | None
    simulated: bool
    in_room: bool
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class _Pending:
    """One message on its way to becoming a question (index = its place in the batch)."""

    index: int
    msg: IncomingMessage
    external_id: str
    text: str
    now: datetime
    message_id: int | None = None


def ingest_one(
    db: Session, session_id: int, msg: IncomingMessage, hooks: IngestHooks = NO_INGEST_HOOKS
) -> IngestResult:
    """Store one message. Raises DomainError (NotFound, Invalid, Conflict)."""
    (outcome,) = ingest_many(db, session_id, [msg], hooks)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def ingest_many(
    db: Session,
    session_id: int,
    messages: Sequence[IncomingMessage],
    hooks: IngestHooks = NO_INGEST_HOOKS,
) -> list[Outcome]:
    """Lock the session, then store the messages in bulk. One outcome per message, in
    order: a result, or the DomainError that refused it (with no trace left in the
    database). Other exceptions fail the whole call."""
    try:
        session = lock_session(db, session_id)
    except NotFound as exc:
        return [exc] * len(messages)
    sid = session.id or 0
    outcomes: list[Outcome | None] = [None] * len(messages)
    todo: list[_Pending] = []
    for i, msg in enumerate(messages):
        try:
            # E-mail addresses are never stored.
            text = strip_emails(clean_text(msg.text))
        except DomainError as exc:
            outcomes[i] = exc
            continue
        todo.append(_Pending(i, msg, msg.external_id[:MAX_EXTERNAL_ID], text, utc_now()))
    seen = _stored_ids(db, sid, todo)
    fresh: list[_Pending] = []
    segments: dict[str, int | None | DomainError] = {}
    for p in todo:
        key = (p.msg.channel, p.external_id)
        if key in seen:
            outcomes[p.index] = IngestResult(p.msg.external_id, None, duplicate=True)
            continue
        taken = next((t for hook in hooks.intercept if (t := hook(db, session, p.msg))), None)
        if taken:  # a hook may say what it made of the message
            reason = taken if isinstance(taken, str) else "counted as a poll vote"
            outcomes[p.index] = IngestResult(p.msg.external_id, None, duplicate=False, error=reason)
            continue
        segment = _segment(db, session, p.msg.channel, p.now, segments)
        if isinstance(segment, DomainError):  # the box is closed for this channel
            outcomes[p.index] = segment
            continue
        seen.add(key)  # a second copy later in this batch is a duplicate
        fresh.append(p)
    if fresh:
        with batched_events(db, sid):
            _store(db, session, fresh, segments, outcomes, hooks)
    assert all(o is not None for o in outcomes)
    return outcomes  # type: ignore[return-value]


def ingest_batch(
    db: Session,
    session_id: int,
    messages: Sequence[IncomingMessage],
    hooks: IngestHooks = NO_INGEST_HOOKS,
) -> list[IngestResult]:
    """For connectors: a bad message is reported in its result, never fails the others."""
    todo = [m for m in messages if not m.is_repost]
    outcomes = iter(ingest_many(db, session_id, todo, hooks))
    results = []
    for msg in messages:
        if msg.is_repost:
            results.append(IngestResult(msg.external_id, None, False, error="repost"))
            continue
        outcome = next(outcomes)
        if isinstance(outcome, DomainError):
            outcome = IngestResult(msg.external_id, None, False, error=outcome.detail)
        results.append(outcome)
    return results


def _stored_ids(db: Session, sid: int, todo: list[_Pending]) -> set[tuple[str, str]]:
    """(channel, external id) of the batch's messages already stored: one query per chunk."""
    by_channel: dict[str, list[str]] = {}
    for p in todo:
        by_channel.setdefault(p.msg.channel, []).append(p.external_id)
    conn = db.connection()
    seen: set[tuple[str, str]] = set()
    for channel, ids in by_channel.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = conn.execute(_SEEN, {"sid": sid, "channel": channel, "ids": chunk})
            seen.update((channel, eid) for (eid,) in rows)
    return seen


def _segment(
    db: Session,
    session: LiveSession,
    channel: str,
    now: datetime,
    cache: dict[str, int | None | DomainError],
) -> int | None | DomainError:
    """The agenda segment (or the gate's refusal) once per channel and batch."""
    if channel not in cache:
        try:
            cache[channel] = question_segment(db, session, channel, now)
        except DomainError as exc:
            cache[channel] = exc
    return cache[channel]


def _store(
    db: Session,
    session: LiveSession,
    fresh: list[_Pending],
    segments: dict[str, Any],
    outcomes: list[Outcome | None],
    hooks: IngestHooks,
) -> None:
    """Two multi-row INSERTs, then per question in order: its event and the hooks."""
    sid = session.id or 0
    conn = db.connection()
    rows = []
    for p in fresh:
        msg = p.msg
        who = author_hash(session.hmac_secret, msg.channel, msg.author_id)
        name = display_name(session.author_display, name_without_email(msg.author_name))
        rows.append(
            {
                "session_id": sid,
                "channel": msg.channel,
                "external_id": p.external_id,
                "author_hash": who,
                "author_name": name,
                "text": p.text,
                "url": _safe_url(msg.url),
                "sent_at": msg.sent_at,
                "received_at": p.now,
                "simulated": msg.simulated,
            }
        )
    ids = {(channel, eid): mid for mid, channel, eid in _INSERT_MESSAGES(conn, rows)}
    stored: list[tuple[_Pending, dict[str, Any]]] = []
    for p, row in zip(fresh, rows, strict=True):
        p.message_id = ids.get((p.msg.channel, p.external_id))
        if p.message_id is None:  # another worker stored the same delivery a moment ago
            outcomes[p.index] = IngestResult(p.msg.external_id, None, duplicate=True)
        else:
            stored.append((p, _question_row(p, row, segments[p.msg.channel])))
    if not stored:
        return
    qids = dict(_INSERT_QUESTIONS(conn, [q for _, q in stored]))
    created: list[tuple[StoredQuestion, IncomingMessage]] = []
    for p, values in stored:
        question = StoredQuestion(id=qids[p.message_id], **values)
        view = question_full(question, [])
        emit(db, sid, "question.created", {"question": view})
        created.append((question, p.msg))
        outcomes[p.index] = IngestResult(p.msg.external_id, question.id, duplicate=False)
    for many in hooks.after_store_many:
        many(db, session, created)


def _question_row(p: _Pending, message: dict[str, Any], segment: int | None) -> dict[str, Any]:
    msg = p.msg
    answered = msg.answered  # answered where it was asked (Zoom Q&A): file it as answered
    return {
        "session_id": message["session_id"],
        "message_id": p.message_id,
        "channel": msg.channel,
        "author_name": message["author_name"],
        "author_hash": message["author_hash"],
        "text": p.text,
        "original_text": None,
        "answer": _answer_text(msg.answer) if answered else None,
        "state": QState.answered.value if answered else QState.inbox.value,
        "position": None,
        "votes": 0,
        "segment": segment,
        "merged_into_id": None,
        "url": message["url"],
        "simulated": msg.simulated,
        "in_room": msg.in_room,
        "created_at": p.now,
        "updated_at": p.now,
    }


#: A row that lost a race (another worker stored the same delivery) is simply absent.
_INSERT_MESSAGES = BulkInsert(
    _MESSAGES,
    returning=("id", "channel", "external_id"),
    conflict=("session_id", "channel", "external_id"),
)
_INSERT_QUESTIONS = BulkInsert(_QUESTIONS, returning=("message_id", "id"))


async def ingest(
    store: Store,
    session_id: int,
    messages: Sequence[IncomingMessage],
    hooks: IngestHooks = NO_INGEST_HOOKS,
) -> list[IngestResult]:
    """Returns once every stored message is committed (durable), before any socket hears of it."""
    return await store.write(lambda db: ingest_batch(db, session_id, messages, hooks))


async def ingest_single(
    store: Store, session_id: int, msg: IncomingMessage, hooks: IngestHooks = NO_INGEST_HOOKS
) -> IngestResult:
    """One message (the audience page, a webhook delivery). Messages for the same session
    that wait for the writer together are stored together (`Store.write_grouped`).
    A refused message raises its DomainError (a 4xx for the caller)."""
    return await store.write_grouped(("ingest", session_id, hooks), msg, _group(session_id, hooks))


def _group(
    session_id: int, hooks: IngestHooks
) -> Callable[[Session, list[IncomingMessage]], list[Outcome]]:
    def run(db: Session, messages: list[IncomingMessage]) -> list[Outcome]:
        return ingest_many(db, session_id, messages, hooks)

    return run
