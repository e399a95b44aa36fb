"""Tables of the report domain: the rapporteur's notes and starred questions.

They live here, not in app/models.py, so the domain can change without touching the core.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models import now_column


class ReportNote(SQLModel, table=True):
    """One notes field, saved as typed: `seg:ID` (a segment, by its id), `takeaways`,
    `actions` or `general`."""

    __tablename__ = "report_note"
    __table_args__ = (UniqueConstraint("session_id", "section"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    section: str = Field(max_length=64)
    text: str = ""
    #: Bumped on every save, so a page can tell its own echo from another tab's change.
    rev: int = 0
    updated_at: datetime = now_column()


class ReportHighlight(SQLModel, table=True):
    """A question the rapporteur starred for the report."""

    __tablename__ = "report_highlight"
    __table_args__ = (UniqueConstraint("session_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    question_id: int = Field(foreign_key="question.id")
    created_at: datetime = now_column()
