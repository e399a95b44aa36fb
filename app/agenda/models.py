"""The agenda's own tables: the timer's run state, each run of a segment, notes to the stage.

Time is stored as server timestamps, never as a ticking counter, so a restart loses nothing
and every screen can compute the remaining time itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from app.models import now_column, when_column


class TimerState(SQLModel, table=True):
    """One per session: which segment runs, since when, how long it was paused."""

    __tablename__ = "timer_state"

    session_id: int = Field(foreign_key="live_session.id", primary_key=True)
    #: The current (or, before the start, the selected) segment; ids survive reordering.
    segment_id: int | None = None
    state: str = Field(default="idle", max_length=16)  # idle | running | paused | finished
    started_at: datetime | None = when_column()
    paused_at: datetime | None = when_column()
    paused_total: float = 0.0  # seconds paused in the current run, not counting paused_at
    adjust_seconds: float = 0.0  # time added (or removed) for the current run
    warning_seconds: int = 60
    scheduled_start: datetime | None = when_column()
    finished_at: datetime | None = when_column()
    auto_wrap: bool = False  # send "wrap up" to the stage at the warning threshold
    wrap_sent: bool = False  # ... once per run
    questions_gate: bool = False  # audience questions only in segments that accept them
    screen_timer: bool = True  # the room screen shows the timer
    updated_at: datetime = now_column()


class SegmentRun(SQLModel, table=True):
    """One run of a segment (jumping back runs it again): planned vs actual for the report."""

    __tablename__ = "segment_run"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    segment_id: int  # no FK: a segment removed later keeps its history
    title: str = Field(max_length=200)
    planned_seconds: float
    started_at: datetime = Field(sa_type=DateTime(timezone=True))
    ended_at: datetime | None = when_column()
    paused_seconds: float = 0.0
    adjust_seconds: float = 0.0


class StageNote(SQLModel, table=True):
    """A note from the online moderator to the onsite moderator, and when it was seen."""

    __tablename__ = "stage_note"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    kind: str = Field(max_length=32)
    text: str = Field(max_length=300)
    auto: bool = False
    created_at: datetime = now_column()
    acked_at: datetime | None = when_column()
