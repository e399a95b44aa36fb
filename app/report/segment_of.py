"""Which agenda segment each question arrived in, by the segment's id.

A question stores the running segment's *index* at arrival (`Question.segment`). While
the agenda has not been edited since (no segment added, removed or moved, per the audit
trail), that index still names the same segment. After an edit it may name another one:
then the timer's runs (`SegmentRun`, by segment id, with start and end) say which segment
was running when the question came in, so the report counts it for the right speaker;
with no run covering it, the stored index is all there is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.agenda.models import SegmentRun
from app.clock import aware
from app.models import AuditEntry, Question, Segment, require_id

#: Audit actions that move segments to other indexes.
MOVES = ("agenda.add", "agenda.remove", "agenda.reorder")


def segment_ids(
    db: Session, session_id: int, questions: list[Question], segments: list[Segment]
) -> dict[int, int | None]:
    """question id -> the id of the segment it arrived in (None: outside the agenda)."""
    runs = db.exec(
        select(SegmentRun)
        .where(SegmentRun.session_id == session_id)
        .order_by(col(SegmentRun.started_at))
    ).all()
    spans: list[tuple[datetime, datetime | None, int]] = [
        (aware(r.started_at), aware(r.ended_at), r.segment_id) for r in runs
    ]
    by_position = {s.position: s.id for s in segments}
    last_move = aware(
        db.exec(
            select(func.max(AuditEntry.at)).where(
                AuditEntry.session_id == session_id, col(AuditEntry.action).in_(MOVES)
            )
        ).one()
    )
    out: dict[int, int | None] = {}
    for q in questions:
        if q.segment is None:
            out[require_id(q)] = None
            continue
        at = aware(q.created_at)
        if last_move is None or at >= last_move:  # the agenda is as it was then
            out[require_id(q)] = by_position.get(q.segment)
            continue
        found = None
        for start, end, seg_id in spans:
            if start <= at and (end is None or at < end):
                found = seg_id  # the latest run that covers it (runs are in start order)
        out[require_id(q)] = found if found is not None else by_position.get(q.segment)
    return out
