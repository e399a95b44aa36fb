"""The one ingest path every channel uses: dedupe, plain text, pseudonymise, store, publish."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.agenda.gate import question_segment
from app.clock import utc_now
from app.db import Store
from app.errors import DomainError, Invalid
from app.events import emit, lock_session
from app.models import LiveSession, Message, QState, Question
from app.privacy import author_hash, display_name
from app.retention.emails import name_without_email, strip_emails
from app.text import clean_text
from app.views import question_full
from integrations.base import IncomingMessage, IngestResult

MAX_URL = 1000
#: Run right after a question is stored, in the same transaction (e.g. cross-post flags).
AFTER_STORE: list[Callable[[Session, LiveSession, Question, IncomingMessage], None]] = []
#: Run before a message becomes a question; one returning True consumed it (a poll vote).
INTERCEPT: list[Callable[[Session, LiveSession, IncomingMessage], bool]] = []


def _safe_url(url: str | None) -> str | None:
    if url and url.startswith(("https://", "http://")) and len(url) <= MAX_URL:
        return url
    return None


def _answer_text(answer: str | None) -> str | None:
    try:
        return strip_emails(clean_text(answer)) if answer else None
    except Invalid:  # an empty answer is no answer
        return None


def ingest_one(db: Session, session: LiveSession, msg: IncomingMessage) -> IngestResult:
    """Store one message as a new inbox question, unless it was seen before. Raises Invalid."""
    text = strip_emails(clean_text(msg.text))  # e-mail addresses are never stored
    existing = db.exec(
        select(Message.id).where(
            Message.session_id == session.id,
            Message.channel == msg.channel,
            Message.external_id == msg.external_id,
        )
    ).first()
    if existing is not None:
        return IngestResult(msg.external_id, None, duplicate=True)
    if any(intercept(db, session, msg) for intercept in INTERCEPT):
        return IngestResult(msg.external_id, None, duplicate=False, error="counted as a poll vote")
    now = utc_now()
    segment = question_segment(db, session, msg.channel, now)  # 409 if the box is closed
    who = author_hash(session.hmac_secret, msg.channel, msg.author_id)
    name = display_name(session.author_display, name_without_email(msg.author_name))
    url = _safe_url(msg.url)
    message = Message(
        session_id=session.id,
        channel=msg.channel,
        external_id=msg.external_id[:256],
        author_hash=who,
        author_name=name,
        text=text,
        url=url,
        sent_at=msg.sent_at,
        received_at=now,
        simulated=msg.simulated,
    )
    try:
        with db.begin_nested():
            db.add(message)
    except IntegrityError:  # another worker stored the same delivery a moment ago
        return IngestResult(msg.external_id, None, duplicate=True)
    question = Question(
        session_id=session.id,
        message_id=message.id,
        channel=msg.channel,
        author_name=name,
        author_hash=who,
        text=text,
        url=url,
        simulated=msg.simulated,
        segment=segment,
        created_at=now,
        updated_at=now,
    )
    if msg.answered:  # answered where it was asked (Zoom Q&A): file it as answered
        question.state = QState.answered.value
        question.answer = _answer_text(msg.answer)
    db.add(question)
    db.flush()
    emit(db, session.id, "question.created", {"question": question_full(question, [])})
    for hook in AFTER_STORE:
        hook(db, session, question, msg)
    return IngestResult(msg.external_id, question.id, duplicate=False)


def ingest_batch(
    db: Session, session_id: int, messages: Sequence[IncomingMessage]
) -> list[IngestResult]:
    """For connectors: a bad message is reported in its result, never fails the others."""
    session = lock_session(db, session_id)
    results = []
    for msg in messages:
        if msg.is_repost:
            results.append(IngestResult(msg.external_id, None, False, error="repost"))
            continue
        try:
            results.append(ingest_one(db, session, msg))
        except DomainError as exc:
            results.append(IngestResult(msg.external_id, None, False, error=exc.detail))
    return results


async def ingest(
    store: Store, session_id: int, messages: Sequence[IncomingMessage]
) -> list[IngestResult]:
    """Returns once every stored message is committed (durable), before any socket hears of it."""
    return await store.write(lambda db: ingest_batch(db, session_id, messages))


async def ingest_single(store: Store, session_id: int, msg: IncomingMessage) -> IngestResult:
    """For the audience page: invalid text is the caller's error (raised as a 4xx)."""

    def run(db: Session) -> IngestResult:
        return ingest_one(db, lock_session(db, session_id), msg)

    return await store.write(run)
