"""The timer's, the agenda's and the stage notes' bodies and answers, in the SQLModel
Base/Create/Public style.

Field order is the order of the JSON the routes always produced (`notes.note_view`,
`service.timer_view`). `SegmentAdd` and `SegmentPatch` stay in `agenda` (they extend the
sessions' `AgendaItem`). `done_delta` is an integer 0 before any segment ends and a float
after: `int | float` keeps either as it is."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.inputs import CleanLine, CleanText, Id, UtcDateTime

#: Characters a typed note keeps (presets are shorter).
MAX_NOTE = 280


class StageNoteCreate(BaseModel):
    """`POST .../notes`: a preset `kind`, or `kind: "text"` with the text."""

    kind: CleanLine = Field(default="text", max_length=32)
    text: CleanText | None = Field(default=None, max_length=MAX_NOTE * 4)


class StageNotePublic(BaseModel):
    id: int
    kind: str
    text: str
    auto: bool
    created_at: str | None
    acked_at: str | None


class TimerBody(BaseModel):
    """`POST .../timer/{action}`: the segment to jump to, the seconds to add (optional)."""

    segment: int | None = Field(default=None, ge=0, le=1000, description="agenda index")
    seconds: float | None = Field(default=None, ge=-86400, le=86400)


class TimerSettings(BaseModel):
    """`PATCH .../timer`: fields left out (or null) are left as they are."""

    warning_seconds: int | None = Field(default=None, ge=0, le=3600)
    scheduled_start: UtcDateTime | None = None
    auto_wrap: bool | None = None
    questions_gate: bool | None = None
    screen_timer: bool | None = None


class OrderIn(BaseModel):
    """`PUT .../agenda/order`: every segment id, in the new order."""

    ids: list[Id] = Field(max_length=100)


class AgendaSegmentPublic(BaseModel):
    id: int
    index: int
    title: str
    kind: str
    minutes: float
    speaker: str | None
    stakeholder: str | None
    questions_open: bool
    actual_start: int | None
    actual_end: int | None


class TimerPublic(BaseModel):
    """The timer and the agenda as server timestamps (ms): what an agenda change answers."""

    state: str
    segment: int | None
    segment_id: int | None
    planned: float
    adjust: float
    started_at: int | None
    paused_at: int | None
    paused_total: float
    finished_at: int | None
    warning: int
    scheduled_start: int | None
    auto_wrap: bool
    questions_gate: bool
    screen_timer: bool
    done_delta: int | float
    current_before: float
    agenda: list[AgendaSegmentPublic]


class TimerAnswer(TimerPublic):
    """What the timer routes answer: the view and the server's clock (ms)."""

    now: int
