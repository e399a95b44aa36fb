"""What the assistant stored: one row per analysed question, one per session's threshold."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class TriageResult(SQLModel, table=True):
    """Language, kind, flags and suggested earlier twins of one question (moderator-only)."""

    __tablename__ = "triage_result"

    question_id: int = Field(foreign_key="question.id", primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    lang: str = Field(max_length=8)
    kind: str = Field(max_length=16)
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: [{"id", "score"}], best first; a rejected suggestion leaves it.
    similar: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    #: Ids the moderator said are not the same question (never suggested again).
    rejected: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class TriageSetting(SQLModel, table=True):
    """A session's own duplicate threshold (absent: the default)."""

    __tablename__ = "triage_setting"

    session_id: int = Field(foreign_key="live_session.id", primary_key=True)
    threshold: float
