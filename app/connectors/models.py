"""The connectors' tables: per-session settings (encrypted), resume cursors, cross-posts.

Kept out of app/models.py so the social domain can change without touching the core.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from app.models import now_column


class ConnectorConfig(SQLModel, table=True):
    """One channel of one session: a connector's settings or a webhook's secret.

    `settings` is the Fernet token of the settings JSON (tokens and secrets included), so a
    database dump alone leaks no platform credentials.
    """

    __tablename__ = "connector_config"

    session_id: int = Field(foreign_key="live_session.id", primary_key=True)
    channel: str = Field(max_length=32, primary_key=True)
    kind: str = Field(max_length=16)  # "connector" | "webhook"
    settings: str = Field(sa_type=Text)
    paused: bool = False
    #: Messages marked simulated (the demo's connectors against in-process fakes).
    simulated: bool = False
    #: Last published status (state, reason, last item, items today) for snapshots.
    status: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = now_column()


class ConnectorCursor(SQLModel, table=True):
    """Where a connector resumes; written (upserted) after each accepted batch."""

    __tablename__ = "connector_cursor"

    session_id: int = Field(foreign_key="live_session.id", primary_key=True)
    key: str = Field(max_length=200, primary_key=True)
    value: str = Field(sa_type=Text)
    updated_at: datetime = now_column()


class Crosspost(SQLModel, table=True):
    """A question whose text and author name match an earlier one from another channel."""

    __tablename__ = "crosspost"

    question_id: int = Field(foreign_key="question.id", primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    of_question_id: int = Field(foreign_key="question.id")


class TextPrint(SQLModel, table=True):
    """Fingerprint of a question's normalised text and author name: finding a cross-post
    is one index lookup, however many questions the session holds."""

    __tablename__ = "text_print"
    __table_args__ = (Index("ix_text_print_session_print", "session_id", "print"),)

    question_id: int = Field(foreign_key="question.id", primary_key=True)
    session_id: int = Field(foreign_key="live_session.id")
    print: str = Field(max_length=32)
    channel: str = Field(max_length=64)
    created_at: datetime = now_column()
