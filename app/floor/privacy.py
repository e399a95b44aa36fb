"""Privacy hooks of the floor (declared in app/floor/domain.py, run by app/privacy/service.py).

A floor request holds a name, maybe an affiliation, and the HMAC of the requester's
audience or Zoom id; every `floor.updated` event holds a copy of the queue. Retention and
erasure empty those and keep what the report counts (where, group, timings).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.clock import iso
from app.floor.models import FloorRequest
from app.floor.service import ZOOM_CHANNEL
from app.models import Event, LiveSession, require_id
from app.privacy.pseudonyms import author_hash

_PERSONAL = ("name", "affiliation")


def _forget(db: Session, session_id: int, rows: list[FloorRequest]) -> int:
    ids: set[int] = set()
    for r in rows:
        r.name = r.affiliation = r.requester_hash = None
        r.public = False
        db.add(r)
        ids.add(require_id(r))
    if ids:
        _scrub_events(db, session_id, ids)
    return len(ids)


def _scrub_item(item: Any, ids: set[int]) -> Any:
    if isinstance(item, dict) and item.get("id") in ids:
        return {**item, **dict.fromkeys(_PERSONAL)}
    return item


def _scrub_events(db: Session, session_id: int, ids: set[int]) -> None:
    rows = db.exec(
        select(Event).where(Event.session_id == session_id, col(Event.type).startswith("floor."))
    ).all()
    for ev in rows:
        floor = ev.data.get("floor") if isinstance(ev.data, dict) else None
        if not isinstance(floor, dict):
            continue
        fresh = {
            **floor,
            "speaking": _scrub_item(floor.get("speaking"), ids),
            "queue": [_scrub_item(i, ids) for i in floor.get("queue") or []],
            "recent": [_scrub_item(i, ids) for i in floor.get("recent") or []],
        }
        if fresh != floor:
            ev.data = {**ev.data, "floor": fresh}
            db.add(ev)


def purge(db: Session, session: LiveSession, cutoff: datetime) -> int:
    """Requests made before `cutoff` lose name, affiliation and requester id."""
    rows = db.exec(
        select(FloorRequest).where(
            FloorRequest.session_id == session.id,
            FloorRequest.created_at < cutoff,
            col(FloorRequest.name).is_not(None) | col(FloorRequest.requester_hash).is_not(None),
        )
    ).all()
    return _forget(db, require_id(session), list(rows))


def _hashes(session: LiveSession, subject: Any) -> set[str]:
    """The subject's requester hashes: an audience id, or a Zoom participant id (the same
    key as their Zoom questions, so one request finds both)."""
    out = {subject.hash_for(session)}
    if subject.channel in ("zoom", ZOOM_CHANNEL):
        out.add(author_hash(session.hmac_secret, ZOOM_CHANNEL, subject.handle))
    return {h for h in out if h}


def _theirs(db: Session, session: LiveSession, subject: Any) -> list[FloorRequest]:
    hashes = _hashes(session, subject)
    if not hashes:
        return []
    return list(
        db.exec(
            select(FloorRequest).where(
                FloorRequest.session_id == session.id,
                col(FloorRequest.requester_hash).in_(hashes),
            )
        ).all()
    )


def export(db: Session, session: LiveSession, subject: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "name": r.name,
            "affiliation": r.affiliation,
            "group": r.stakeholder,
            "where": r.where,
            "hub": r.hub,
            "state": r.state,
            "requested_at": iso(r.created_at),
            "called_at": iso(r.called_at),
            "ended_at": iso(r.ended_at),
        }
        for r in _theirs(db, session, subject)
    ]


def erase(db: Session, session: LiveSession, subject: Any) -> int:
    return _forget(db, require_id(session), _theirs(db, session, subject))


#: The name the target design's `PrivacyHooks(access=...)` expects.
access = export
