"""Editing the agenda while the session runs: add, remove, reorder, change a segment.

Segments are addressed by id (stable while others move); positions stay 0..n-1. Every edit
emits `timer.updated`, whose view carries the agenda, so every screen redraws from it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from app.agenda.models import TimerState
from app.agenda.service import timer_view
from app.agenda.timer import TState
from app.errors import Conflict, Invalid, NotFound
from app.events import audit, emit, lock_session
from app.inputs import CleanLine, Title
from app.models import Segment, require_id
from app.rows import renumber
from app.sessions.schemas import SEGMENT_KINDS, AgendaItem
from app.text import clean_name
from app.views import segments_of

MAX_SEGMENTS = 100


class SegmentAdd(AgendaItem):
    at: int | None = Field(
        default=None, ge=0, le=MAX_SEGMENTS, description="index to insert at; default: end"
    )


class SegmentPatch(BaseModel):
    title: Title | None = Field(default=None, min_length=1, max_length=200)
    minutes: float | None = Field(default=None, gt=0, le=600)
    kind: str | None = None
    speaker: CleanLine | None = Field(default=None, max_length=200)
    stakeholder: CleanLine | None = Field(default=None, max_length=64)
    questions_open: bool | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str | None) -> str | None:
        if v is not None and v not in SEGMENT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SEGMENT_KINDS)}")
        return v


def _done(db: Session, session_id: int, action: str, role: str, **detail: Any) -> dict:
    db.flush()
    view = timer_view(db, session_id)
    emit(db, session_id, "timer.updated", {"action": f"agenda.{action}", "timer": view})
    audit(db, session_id, f"agenda.{action}", role, **detail)
    return view


def _find(segs: list[Segment], segment_id: int) -> Segment:
    for seg in segs:
        if seg.id == segment_id:
            return seg
    raise NotFound("no such segment in this session's agenda")


def add_segment(db: Session, session_id: int, body: SegmentAdd, role: str) -> dict[str, Any]:
    lock_session(db, session_id)
    segs = segments_of(db, session_id)
    if len(segs) >= MAX_SEGMENTS:
        raise Conflict(f"An agenda holds at most {MAX_SEGMENTS} segments.")
    at = len(segs) if body.at is None else min(body.at, len(segs))
    seg = Segment(
        session_id=session_id,
        position=at,
        title=" ".join(body.title.split()),
        kind=body.kind,
        minutes=body.minutes,
        speaker=clean_name(body.speaker),
        stakeholder=body.stakeholder,
        questions_open=body.kind in ("debate", "qa", "opening", "speaker")
        if body.questions_open is None
        else body.questions_open,
    )
    db.add(seg)
    db.flush()
    segs.insert(at, seg)
    renumber(db, segs, start=0)
    return _done(db, session_id, "add", role, segment_id=seg.id)


def edit_segment(
    db: Session, session_id: int, segment_id: int, body: SegmentPatch, role: str
) -> dict[str, Any]:
    lock_session(db, session_id)
    seg = _find(segments_of(db, session_id), segment_id)
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise Invalid("nothing to change: send title, minutes, kind, speaker, ...")
    for key, value in changes.items():
        if key in ("title", "kind", "minutes", "questions_open") and value is None:
            raise Invalid(f"{key} cannot be empty")
        if key == "title":
            value = " ".join(value.split())
        elif key == "speaker":
            value = clean_name(value)
        setattr(seg, key, value)
    db.add(seg)
    return _done(db, session_id, "edit", role, segment_id=segment_id, fields=sorted(changes))


def remove_segment(db: Session, session_id: int, segment_id: int, role: str) -> dict[str, Any]:
    lock_session(db, session_id)
    segs = segments_of(db, session_id)
    seg = _find(segs, segment_id)
    t = db.get(TimerState, session_id)
    if t is not None and t.segment_id == seg.id:
        if t.state in (TState.running, TState.paused):
            raise Conflict("This segment is running: move to another one before removing it.")
        t.segment_id = None  # idle: the first segment becomes the selected one
        db.add(t)
    db.delete(seg)
    segs.remove(seg)
    renumber(db, segs, start=0)
    return _done(db, session_id, "remove", role, segment_id=segment_id, title=seg.title)


def reorder(db: Session, session_id: int, ids: list[int], role: str) -> dict[str, Any]:
    lock_session(db, session_id)
    segs = segments_of(db, session_id)
    by_id = {require_id(seg): seg for seg in segs}
    if sorted(ids) != sorted(by_id):
        raise Invalid("ids must list every segment of the agenda exactly once")
    renumber(db, [by_id[i] for i in ids], start=0)
    return _done(db, session_id, "reorder", role, ids=ids)
