"""Timer actions on the database: lock the session, change the timestamps, log the event.

Services never commit (the group-commit writer does); every change emits `timer.updated`
with the whole timer view, so a page that missed something catches up from any event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.agenda import timer
from app.agenda.models import SegmentRun, TimerState
from app.agenda.timer import TState
from app.clock import aware, to_ms
from app.errors import Conflict, Invalid
from app.events import audit, emit, lock_session
from app.models import Segment, require_id
from app.views import segments_of

ACTIONS = ("start", "pause", "resume", "next", "jump", "adjust", "restart")


def load_timer(db: Session, session_id: int) -> TimerState:
    """The session's timer; an unsaved idle one when it was never touched."""
    return db.get(TimerState, session_id) or TimerState(session_id=session_id)


def timer_for_update(db: Session, session_id: int) -> TimerState:
    t = db.get(TimerState, session_id)
    if t is None:
        t = TimerState(session_id=session_id)
        db.add(t)
    return t


def planned_of(seg: Segment) -> float:
    return float(seg.minutes) * 60.0


def current_index(t: TimerState, segs: list[Segment]) -> int | None:
    """Index of the current (or selected) segment; the first one before anything is chosen."""
    for i, seg in enumerate(segs):
        if seg.id == t.segment_id:
            return i
    return 0 if segs and t.state == TState.idle else None


def _ms(moment: datetime | None) -> int | None:
    moment = aware(moment)
    return to_ms(moment) if moment is not None else None


def _wall(run: SegmentRun, now: datetime) -> float:
    end = aware(run.ended_at) or now
    return max(0.0, (end - aware(run.started_at)).total_seconds())


def timer_view(db: Session, session_id: int) -> dict[str, Any]:
    """Everything a page needs to draw the timer and the agenda, as server timestamps (ms)."""
    t = load_timer(db, session_id)
    segs = segments_of(db, session_id)
    runs = list(
        db.exec(
            select(SegmentRun)
            .where(SegmentRun.session_id == session_id)
            .order_by(col(SegmentRun.id))
        ).all()
    )
    idx = current_index(t, segs)
    cur = segs[idx] if idx is not None else None
    live_id = cur.id if cur is not None and t.state in (TState.running, TState.paused) else None
    closed: dict[int, float] = {}
    planned: dict[int, float] = {}
    for run in runs:
        planned.setdefault(run.segment_id, run.planned_seconds)
        if run.ended_at is not None:
            closed[run.segment_id] = closed.get(run.segment_id, 0.0) + _wall(run, run.ended_at)
    for seg in segs:
        planned[require_id(seg)] = planned_of(seg)
    done_delta = sum(w - planned[sid] for sid, w in closed.items() if sid != live_id)
    return {
        "state": t.state,
        "segment": idx,
        "segment_id": cur.id if cur is not None else None,
        "planned": planned_of(cur) if cur is not None else 0.0,
        "adjust": t.adjust_seconds,
        "started_at": _ms(t.started_at),
        "paused_at": _ms(t.paused_at),
        "paused_total": t.paused_total,
        "finished_at": _ms(t.finished_at),
        "warning": t.warning_seconds,
        "scheduled_start": _ms(t.scheduled_start),
        "auto_wrap": t.auto_wrap,
        "questions_gate": t.questions_gate,
        "screen_timer": t.screen_timer,
        # Ahead (<0) or behind (>0) schedule, in seconds, from the segments already done;
        # pages add the current segment's overrun live (see schedule_delta).
        "done_delta": round(done_delta, 3),
        "current_before": round(closed.get(live_id, 0.0), 3) if live_id is not None else 0.0,
        "agenda": [_segment_view(i, seg, runs) for i, seg in enumerate(segs)],
    }


def _segment_view(i: int, seg: Segment, runs: list[SegmentRun]) -> dict[str, Any]:
    mine = [r for r in runs if r.segment_id == seg.id]
    return {
        "id": seg.id,
        "index": i,
        "title": seg.title,
        "kind": seg.kind,
        "minutes": seg.minutes,
        "speaker": seg.speaker,
        "stakeholder": seg.stakeholder,
        "questions_open": seg.questions_open,
        "actual_start": _ms(mine[0].started_at) if mine else None,
        "actual_end": _ms(mine[-1].ended_at) if mine else None,
    }


def schedule_delta(view: dict[str, Any], now: datetime) -> float:
    """Seconds behind (positive) or ahead (negative) of the plan, right now."""
    delta = view["done_delta"]
    if view["state"] in (TState.running, TState.paused) and view["started_at"] is not None:
        wall = to_ms(now) / 1000 - view["started_at"] / 1000 + view["current_before"]
        delta += max(0.0, wall - view["planned"])
    return delta


def _open_run(db: Session, t: TimerState, seg: Segment, now: datetime) -> None:
    t.segment_id = seg.id
    t.finished_at = None
    t.wrap_sent = False
    timer.begin(t, now)
    db.add(
        SegmentRun(
            session_id=t.session_id,
            segment_id=require_id(seg),
            title=seg.title,
            planned_seconds=planned_of(seg),
            started_at=now,
        )
    )


def _close_run(db: Session, t: TimerState, now: datetime) -> None:
    run = db.exec(
        select(SegmentRun)
        .where(SegmentRun.session_id == t.session_id, col(SegmentRun.ended_at).is_(None))
        .order_by(col(SegmentRun.id).desc())
    ).first()
    if run is not None:
        run.ended_at = now
        run.paused_seconds = timer.paused_so_far(t, now)
        run.adjust_seconds = t.adjust_seconds
        db.add(run)


def apply_action(
    db: Session,
    session_id: int,
    action: str,
    now: datetime,
    *,
    segment: int | None = None,
    seconds: float | None = None,
    role: str = "moderator",
) -> dict[str, Any]:
    """Run one timer action at `now`; returns the new timer view. Raises Conflict/Invalid."""
    if action not in ACTIONS:
        raise Invalid(f"unknown timer action '{action}'; use one of {', '.join(ACTIONS)}")
    lock_session(db, session_id)
    t = timer_for_update(db, session_id)
    segs = segments_of(db, session_id)
    if not segs:
        raise Conflict("The agenda is empty: add a segment first.")
    idx = current_index(t, segs)
    if idx is None and action in ("adjust", "restart"):
        raise Conflict("The agenda is finished: jump to a segment to run it again.")
    live = t.state in (TState.running, TState.paused)
    detail: dict[str, Any] = {}
    if action == "start":
        if t.state != TState.idle:
            raise Conflict(_start_refused(t.state))
        _open_run(db, t, segs[idx or 0], now)
    elif action == "pause":
        timer.pause(t, now)
    elif action == "resume":
        timer.resume(t, now)
    elif action == "restart":
        if not live:
            raise Conflict("Only a running or paused segment can be restarted.")
        assert idx is not None  # refused above: "the agenda is finished"
        _close_run(db, t, now)
        _open_run(db, t, segs[idx], now)
    elif action == "next":
        _next(db, t, segs, idx, now)
    elif action == "jump":
        target = _segment_index(segment, len(segs))
        detail["segment"] = target
        if t.state == TState.idle:
            t.segment_id = segs[target].id
        else:
            if live:
                _close_run(db, t, now)
            _open_run(db, t, segs[target], now)
    elif action == "adjust":
        if seconds is None:
            raise Invalid("adjust needs {seconds}: positive adds time, negative removes it")
        assert idx is not None  # refused above: "the agenda is finished"
        timer.adjust(t, planned_of(segs[idx]), float(seconds))
        detail["seconds"] = seconds
        if timer.remaining(t, planned_of(segs[idx]), now) > t.warning_seconds:
            t.wrap_sent = False  # time was added back: warn again at the threshold
    t.updated_at = now
    db.add(t)
    db.flush()
    view = timer_view(db, session_id)
    emit(db, session_id, "timer.updated", {"action": action, "timer": view})
    audit(db, session_id, f"timer.{action}", role, **detail)
    return view


def _next(db: Session, t: TimerState, segs: list[Segment], idx: int | None, now: datetime) -> None:
    if t.state == TState.finished or idx is None:
        raise Conflict("The agenda is finished: there is no next segment.")
    if idx + 1 >= len(segs):
        if t.state == TState.idle:
            raise Conflict("This is the last segment: there is no next one.")
        _close_run(db, t, now)
        t.state = TState.finished
        t.finished_at = now
        t.paused_at = None
        return
    if t.state == TState.idle:
        t.segment_id = segs[idx + 1].id
        return
    _close_run(db, t, now)
    _open_run(db, t, segs[idx + 1], now)


def _segment_index(segment: int | None, count: int) -> int:
    if segment is None or not 0 <= segment < count:
        raise Invalid(f"segment must be an index from 0 to {count - 1}")
    return segment


def _start_refused(state: str) -> str:
    if state == TState.finished:
        return "The agenda is finished: jump to a segment to run it again."
    return "The timer is already running; use pause, resume, restart or next."


def update_settings(
    db: Session, session_id: int, now: datetime, changes: dict[str, Any], role: str
) -> dict[str, Any]:
    """Warning threshold, scheduled start, automatic wrap-up note, question gate, screen."""
    lock_session(db, session_id)
    t = timer_for_update(db, session_id)
    for key, value in changes.items():
        setattr(t, key, aware(value) if isinstance(value, datetime) else value)
    t.updated_at = now
    db.add(t)
    db.flush()
    view = timer_view(db, session_id)
    emit(db, session_id, "timer.updated", {"action": "settings", "timer": view})
    audit(db, session_id, "timer.settings", role, fields=sorted(changes))
    return view
