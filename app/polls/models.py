"""Poll tables: the poll, one ballot per voter, the session's join code.

Tallies are not stored: they are one GROUP BY over the poll's ballots (a few milliseconds
for ten thousand), run at most a few times a second by the coalescer, so a vote is a
single upsert and the writer keeps up with a burst.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models import now_column, when_column


class PollKind(StrEnum):
    single = "single"
    multiple = "multiple"
    rating = "rating"
    wordcloud = "wordcloud"
    open = "open"


class PollState(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class Poll(SQLModel, table=True):
    """A poll, prepared in advance (draft), then open, then closed."""

    __tablename__ = "poll"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    question: str = Field(max_length=300)
    kind: str = Field(max_length=16)
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    max_choices: int = 1
    #: Agenda segment index the poll belongs to, or null.
    segment: int | None = None
    auto_close_seconds: int | None = None
    state: str = Field(default=PollState.draft.value, max_length=16)
    show_screen: bool = False
    show_audience: bool = False
    #: Count Zoom chat replies ("1", "A") as votes while open.
    zoom_votes: bool = False
    opened_at: datetime | None = when_column()
    closed_at: datetime | None = when_column()
    created_at: datetime = now_column()


class Ballot(SQLModel, table=True):
    """One voter's current ballot; a new vote while open replaces it (upsert on the key)."""

    __tablename__ = "poll_ballot"
    __table_args__ = (UniqueConstraint("poll_id", "voter"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id")
    #: "a:<audience id>" or "z:<hmac of the Zoom participant>": never a name.
    voter: str = Field(max_length=80)
    channel: str = Field(max_length=32)
    #: Chosen option indexes as a bit mask (single, multiple, rating); 0 for text kinds.
    mask: int = 0
    #: Normalised word (wordcloud) or the answer (open); null for choice kinds.
    word: str | None = Field(default=None, max_length=500)
    updated_at: datetime = now_column()


class PollAccess(SQLModel, table=True):
    """Per-session voting settings: the optional join code shown in the room."""

    __tablename__ = "poll_access"

    session_id: int = Field(foreign_key="live_session.id", primary_key=True)
    join_code: str | None = Field(default=None, max_length=32)
