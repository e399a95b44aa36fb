"""The privacy domain's table: per-session data protection settings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models import now_column


class SessionPrivacy(SQLModel, table=True):
    """Per-session data protection settings beyond the name policy (which the core keeps)."""

    __tablename__ = "session_privacy"

    session_id: int = Field(foreign_key="live_session.id", primary_key=True)
    #: Personal data older than this is purged (names, hashes, raw text of dismissed items).
    retention_days: int = 30
    updated_at: datetime = now_column()
