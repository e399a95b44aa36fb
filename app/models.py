"""Tables. One file because the domain is small; each table says what it is for.

Datetimes are stored timezone-aware (PostgreSQL keeps the zone, SQLite hands back naive
UTC, which `clock.iso` treats as UTC).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.clock import utc_now


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def require_id(row: _Stored) -> int:
    """The id of a row that was loaded or flushed. SQLModel types every primary key
    `int | None` (None until the insert); code past that point uses this instead of an
    assert at each call, so a row used before its flush fails loudly, here."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet (not flushed)")
    return row.id


def now_column(**kw: Any) -> Any:
    """A timezone-aware timestamp set to `utc_now()` on insert; every domain's tables use it."""
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True), **kw)


def when_column(**kw: Any) -> Any:
    """A timezone-aware timestamp, empty until the thing happens (`opened_at`, `acked_at`)."""
    return Field(default=None, sa_type=DateTime(timezone=True), **kw)


class Role(StrEnum):
    moderator = "moderator"
    stage = "stage"
    screen = "screen"
    rapporteur = "rapporteur"
    audience = "audience"


KEYED_ROLES = (Role.moderator, Role.stage, Role.screen, Role.rapporteur)


class QState(StrEnum):
    inbox = "inbox"
    queued = "queued"
    on_stage = "on_stage"
    answered = "answered"
    dismissed = "dismissed"
    merged = "merged"


class AuthorDisplay(StrEnum):
    full = "full"
    initials = "initials"
    anonymous = "anonymous"


class LiveSession(SQLModel, table=True):
    """A moderated session (one workshop). `last_seq` is the head of its event log."""

    __tablename__ = "live_session"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=200)
    author_display: str = Field(default=AuthorDisplay.initials.value, max_length=16)
    #: HMAC key for authors' external ids; never leaves the server.
    hmac_secret: str = Field(max_length=128)
    last_seq: int = 0
    zoom_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    hashtags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = now_column()
    #: Default language of the pages and the report (app/i18n LANGS); None: the browser's.
    lang: str | None = Field(default=None, max_length=8)
    #: The session's live captions (CART, Zoom captions...): linked from the phone and screen.
    captions_url: str | None = Field(default=None, max_length=500)


class Segment(SQLModel, table=True):
    """One agenda item: opening, a speaker's 10 minutes, the debate..."""

    __tablename__ = "segment"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    position: int
    title: str = Field(max_length=200)
    kind: str = Field(default="speaker", max_length=32)
    minutes: float = 10
    speaker: str | None = Field(default=None, max_length=200)
    stakeholder: str | None = Field(default=None, max_length=64)
    questions_open: bool = True


class RoleKey(SQLModel, table=True):
    """A role link's key, kept only as its SHA-256 (keys are 192 random bits).

    `public_id` is what role cookies and live sockets name the key by: random, so it never
    repeats across rotations (row ids do: SQLite hands the deleted ones out again).
    """

    __tablename__ = "role_key"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    role: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    public_id: str = Field(max_length=32, unique=True, index=True)
    created_at: datetime = now_column()


class Message(SQLModel, table=True):
    """What arrived from a channel, once per (session, channel, external id)."""

    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("session_id", "channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    channel: str = Field(max_length=64)
    external_id: str = Field(max_length=256)
    #: HMAC-SHA256(session secret, channel + author id): lets us find a person, not name them.
    author_hash: str | None = Field(default=None, max_length=64, index=True)
    author_name: str | None = Field(default=None, max_length=200)
    text: str
    url: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = when_column()
    received_at: datetime = now_column()
    simulated: bool = False


class Question(SQLModel, table=True):
    """An item in the moderated queue."""

    __tablename__ = "question"
    __table_args__ = (
        # At most one item on stage per session, even with several workers.
        Index(
            "uq_question_one_on_stage",
            "session_id",
            unique=True,
            sqlite_where=text("state = 'on_stage'"),
            postgresql_where=text("state = 'on_stage'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    channel: str = Field(max_length=64)
    author_name: str | None = Field(default=None, max_length=200)
    author_hash: str | None = Field(default=None, max_length=64, index=True)
    text: str
    #: The text as it arrived, kept when a moderator edits it.
    original_text: str | None = None
    #: The answer given where it was asked (Zoom webinar Q&A), shown to the moderators.
    answer: str | None = None
    state: str = Field(default=QState.inbox.value, max_length=16, index=True)
    #: Explicit queue order for queued items (1 = next); null otherwise.
    position: int | None = None
    votes: int = 0
    segment: int | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="question.id")
    url: str | None = Field(default=None, max_length=1000)
    simulated: bool = False
    #: Asked from the audience page by someone who said they are in the room.
    in_room: bool = False
    created_at: datetime = now_column()
    updated_at: datetime = now_column()


class Upvote(SQLModel, table=True):
    """One audience id's upvote; the unique key makes a second one a no-op."""

    __tablename__ = "upvote"
    __table_args__ = (UniqueConstraint("question_id", "audience_id"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    audience_id: str = Field(max_length=64)
    created_at: datetime = now_column()


class Event(SQLModel, table=True):
    """The live log: every committed change, numbered per session. Clients resume from it."""

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    seq: int
    type: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = now_column()


class AuditEntry(SQLModel, table=True):
    """Who did what to which item, and when: the moderation trail for the report."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    question_id: int | None = Field(default=None, foreign_key="question.id")
    action: str = Field(max_length=32)
    role: str = Field(max_length=16)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = now_column()


class MergeRecord(SQLModel, table=True):
    """What one merge moved (B into A), so an unmerge puts both sides back exactly."""

    __tablename__ = "merge_record"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    #: B, the question that became `merged`; one live record per merged question.
    question_id: int = Field(foreign_key="question.id", unique=True)
    into_id: int = Field(foreign_key="question.id")
    #: B's votes added to A's count by the merge.
    votes: int = 0
    #: B's state and queue position before the merge.
    prev_state: str = Field(max_length=16)
    prev_position: int | None = None
    at: datetime = now_column()
