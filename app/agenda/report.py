"""Planned vs actual start, end and duration per segment, for the session report.

Planned starts follow the scheduled start (or, without one, the actual first start) plus
the planned minutes of the segments before. Actual duration is wall time, pauses included
(a pause costs the room its schedule too); pauses are listed on their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.agenda.models import SegmentRun, TimerState
from app.agenda.service import planned_of, schedule_delta, timer_view
from app.clock import aware, iso, utc_now
from app.models import LiveSession, require_id
from app.views import segments_of


def report_section(db: Session, session: LiveSession, now: datetime | None = None) -> dict:
    now = now or utc_now()
    segs = segments_of(db, require_id(session))
    runs = list(
        db.exec(
            select(SegmentRun)
            .where(SegmentRun.session_id == session.id)
            .order_by(col(SegmentRun.id))
        ).all()
    )
    t = db.get(TimerState, session.id)
    origin = aware(t.scheduled_start) if t is not None else None
    if origin is None and runs:
        origin = aware(runs[0].started_at)
    rows: list[dict[str, Any]] = []
    offset = 0.0
    for i, seg in enumerate(segs):
        mine = [r for r in runs if r.segment_id == seg.id]
        rows.append(
            _row(i, seg.title, seg.kind, seg.speaker, planned_of(seg), offset, mine, origin, now)
        )
        offset += planned_of(seg)
    kept = {seg.id for seg in segs}
    for run in runs:  # segments that ran and were removed from the agenda later
        if run.segment_id not in kept:
            kept.add(run.segment_id)
            mine = [r for r in runs if r.segment_id == run.segment_id]
            rows.append(
                _row(None, run.title, None, None, run.planned_seconds, None, mine, None, now)
            )
    view = timer_view(db, require_id(session))
    return {
        "title": "Agenda: planned vs actual",
        "scheduled_start": iso(origin),
        "segments": rows,
        "planned_seconds": sum(planned_of(s) for s in segs),
        "actual_seconds": round(sum(r["actual_seconds"] or 0 for r in rows), 3),
        "behind_seconds": round(schedule_delta(view, now), 3),
    }


def _row(
    index: int | None,
    title: str,
    kind: str | None,
    speaker: str | None,
    planned: float,
    offset: float | None,
    runs: list[SegmentRun],
    origin: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    planned_start = origin + timedelta(seconds=offset) if origin and offset is not None else None
    wall = sum(((aware(r.ended_at) or now) - aware(r.started_at)).total_seconds() for r in runs)
    return {
        "index": index,
        "title": title,
        "kind": kind,
        "speaker": speaker,
        "planned_start": iso(planned_start),
        "planned_end": iso(planned_start + timedelta(seconds=planned)) if planned_start else None,
        "planned_seconds": planned,
        "actual_start": iso(runs[0].started_at) if runs else None,
        "actual_end": iso(runs[-1].ended_at) if runs else None,
        "actual_seconds": round(wall, 3) if runs else None,
        "paused_seconds": round(sum(r.paused_seconds for r in runs), 3),
        "runs": len(runs),
        "delta_seconds": round(wall - planned, 3) if runs else None,
    }
