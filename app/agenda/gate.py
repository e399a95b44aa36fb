"""Segment-scoped Q&A: which segment a question arrived in, and whether the audience box
is open now (when the session asks for it) -- with a sentence that says when it opens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.agenda import timer
from app.agenda.models import TimerState
from app.agenda.service import current_index, planned_of
from app.agenda.timer import TState
from app.clock import aware
from app.errors import Conflict
from app.models import LiveSession, require_id
from app.views import segments_of

GATED_CHANNELS = frozenset({"audience"})


def question_segment(db: Session, session: LiveSession, channel: str, now: datetime) -> int | None:
    """The running segment's index (None before the start and after the end).

    Raises Conflict for an audience question while the session keeps the box closed.
    """
    t = db.get(TimerState, session.id)
    if t is None:
        return None
    if t.questions_gate and channel in GATED_CHANNELS:
        closed = closed_reason(db, t, now)
        if closed:
            raise Conflict(closed)
    if t.state not in (TState.running, TState.paused):
        return None
    return current_index(t, segments_of(db, require_id(session)))


def closed_reason(db: Session, t: TimerState, now: datetime) -> str | None:
    """None when audience questions are accepted now; otherwise why not and until when."""
    if t.state == TState.finished:
        return "The session has ended, so questions are closed."
    segs = segments_of(db, t.session_id)
    idx = current_index(t, segs)
    if idx is None:
        return None
    current = segs[idx]
    if current.questions_open:
        return None
    # How long until the next segment that takes questions, if the plan holds from here.
    if t.state == TState.idle:
        start = aware(t.scheduled_start)
        wait = max(0.0, (start - now).total_seconds()) if start else 0.0
        wait += planned_of(current)
    else:
        wait = max(0.0, timer.remaining(t, planned_of(current), now))
    for seg in segs[idx + 1 :]:
        if seg.questions_open:
            return (
                f"Questions are closed during “{current.title}”. They open again with "
                f"“{seg.title}” {_in_about(wait)}."
            )
        wait += planned_of(seg)
    return f"Questions are closed during “{current.title}” and for the rest of the session."


def _in_about(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return "in a moment"
    if minutes == 1:
        return "in about a minute"
    return f"in about {minutes} minutes"
