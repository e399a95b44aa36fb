"""The timer's arithmetic and state machine, free of the database and of the wall clock.

Every function takes `now` from the caller, so tests drive it with any clock they like.
The state is only timestamps: remaining = planned + added - (now - started - paused).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from app.clock import aware
from app.errors import Conflict, Invalid

MAX_ADJUST = 3600.0


class TState(StrEnum):
    idle = "idle"
    running = "running"
    paused = "paused"
    finished = "finished"


class RunLike(Protocol):
    state: str
    started_at: datetime | None
    paused_at: datetime | None
    paused_total: float
    adjust_seconds: float


def elapsed(t: RunLike, now: datetime) -> float:
    """Seconds the current segment has run, pauses excluded."""
    started = aware(t.started_at)
    if started is None:
        return 0.0
    until = aware(t.paused_at) or now
    return max(0.0, (until - started).total_seconds() - t.paused_total)


def remaining(t: RunLike, planned: float, now: datetime) -> float:
    """Seconds left; negative when overrunning."""
    return planned + t.adjust_seconds - elapsed(t, now)


def paused_so_far(t: RunLike, now: datetime) -> float:
    paused_at = aware(t.paused_at)
    extra = (now - paused_at).total_seconds() if paused_at is not None else 0.0
    return t.paused_total + max(0.0, extra)


@dataclass(frozen=True)
class Phase:
    """What a screen shows: normal, warning (last N s), overrun (counting up, red)."""

    name: str
    remaining: float


def phase(t: RunLike, planned: float, warning: float, now: datetime) -> Phase:
    left = remaining(t, planned, now)
    if t.state in (TState.idle, TState.finished):
        return Phase(t.state, left)
    if left < 0:
        return Phase("overrun", left)
    return Phase("warning" if left <= warning else "normal", left)


# -- transitions: each mutates `t` in place or raises ------------------------------------


def begin(t: RunLike, now: datetime) -> None:
    """Start the current segment from its full planned time."""
    t.state = TState.running
    t.started_at = now
    t.paused_at = None
    t.paused_total = 0.0
    t.adjust_seconds = 0.0


def pause(t: RunLike, now: datetime) -> None:
    if t.state != TState.running:
        raise Conflict(_not_running(t, "pause"))
    t.state = TState.paused
    t.paused_at = now


def resume(t: RunLike, now: datetime) -> None:
    if t.state != TState.paused:
        raise Conflict("The timer is not paused, so there is nothing to resume.")
    t.paused_total = paused_so_far(t, now)
    t.paused_at = None
    t.state = TState.running


def adjust(t: RunLike, planned: float, seconds: float) -> None:
    """Add (or, negative, remove) time; the segment cannot be planned below zero."""
    if t.state == TState.finished:
        raise Conflict("The agenda is finished: jump to a segment before adding time.")
    if not math.isfinite(seconds) or seconds == 0 or abs(seconds) > MAX_ADJUST:
        raise Invalid("seconds must be non-zero and at most one hour either way")
    if planned + t.adjust_seconds + seconds < 0:
        raise Invalid("that would leave the segment with less than no time at all")
    t.adjust_seconds += seconds


def _not_running(t: RunLike, verb: str) -> str:
    if t.state == TState.paused:
        return f"The timer is paused already; resume it before you {verb}."
    if t.state == TState.finished:
        return "The agenda is finished: jump to a segment to run it again."
    return f"The timer has not started yet, so there is nothing to {verb}."
