"""Floor actions on the database: lock the session, change the rows, log `floor.updated`.

Services never commit (the group-commit writer does) and take `now` from the caller.
Every change runs under the session row lock (`lock_session`), which orders writers of
several processes: arrival numbers and positions are distinct and gap-free however many
requests arrive at once. Every change emits `floor.updated` with the whole queue, so a
page that missed something catches up from any event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import aware, to_ms
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.events import audit, emit, lock_session
from app.floor.models import ACTIVE, FloorRequest, FloorSettings, FState, Policy, Where
from app.floor.order import Slot, insertion_index, is_remote, policy_order
from app.models import LiveSession, Role, require_id
from app.privacy.pseudonyms import author_hash
from app.rows import session_object_or_404
from app.text import clean_name

#: Stakeholder groups as the IGF names them (labels are translated by the pages).
GROUPS = (
    "government",
    "civil_society",
    "private_sector",
    "technical",
    "academia",
    "intergovernmental",
    "youth",
    "other",
)
CHANNELS = ("audience", "zoom", "stage")
#: Zoom participants are keyed like their questions, so one erasure finds both.
ZOOM_CHANNEL = "zoom_chat"
ACTIONS = ("call", "done", "skip", "back")
#: The stage (onsite moderator) may call and end turns; skip, back and moves are the
#: online moderator's.
STAGE_ACTIONS = ("call", "done")
MAX_QUEUE = 500


class RequestIn(BaseModel):
    """A request for the floor as the audience page (or the stage) sends it."""

    name: str = Field(min_length=1, max_length=200)
    affiliation: str | None = Field(default=None, max_length=200)
    group: str | None = Field(default=None, max_length=32)
    where: Where = Where.remote
    hub: str | None = Field(default=None, max_length=200)
    public: bool = False

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if value not in GROUPS:
            raise ValueError(f"group must be one of {', '.join(GROUPS)}")
        return value


class SettingsIn(BaseModel):
    policy: Policy | None = None
    intervention_seconds: int | None = Field(default=None, ge=15, le=3600)
    warning_seconds: int | None = Field(default=None, ge=0, le=600)
    screen_list: bool | None = None
    zoom_hands: bool | None = None


# -- reading -----------------------------------------------------------------------------


def settings_of(db: Session, session_id: int) -> FloorSettings:
    """The session's settings; unsaved defaults when never changed."""
    return db.get(FloorSettings, session_id) or FloorSettings(session_id=session_id)


def _ms(moment: datetime | None) -> int | None:
    moment = aware(moment)
    return to_ms(moment) if moment is not None else None


def spoken_seconds(r: FloorRequest) -> float | None:
    """Server time between the call and the end of the turn (None while not ended)."""
    called, ended = aware(r.called_at), aware(r.ended_at)
    if called is None or ended is None:
        return None
    return round(max(0.0, (ended - called).total_seconds()), 3)


def item_full(r: FloorRequest) -> dict[str, Any]:
    """The moderator's view of a request (never the requester's hash)."""
    return {
        "id": r.id,
        "position": r.position,
        "state": r.state,
        "name": r.name,
        "affiliation": r.affiliation,
        "group": r.stakeholder,
        "where": r.where,
        "hub": r.hub,
        "channel": r.channel,
        "public": r.public,
        "requested_at": _ms(r.created_at),
        "called_at": _ms(r.called_at),
        "ended_at": _ms(r.ended_at),
        "spoken_seconds": spoken_seconds(r),
    }


def _waiting(db: Session, session_id: int) -> list[FloorRequest]:
    return list(
        db.exec(
            select(FloorRequest)
            .where(FloorRequest.session_id == session_id, FloorRequest.state == FState.waiting)
            .order_by(col(FloorRequest.position), col(FloorRequest.ticket))
        ).all()
    )


def _speaking(db: Session, session_id: int) -> FloorRequest | None:
    return db.exec(
        select(FloorRequest).where(
            FloorRequest.session_id == session_id, FloorRequest.state == FState.speaking
        )
    ).first()


def _last_called(db: Session, session_id: int) -> FloorRequest | None:
    return db.exec(
        select(FloorRequest)
        .where(FloorRequest.session_id == session_id, col(FloorRequest.called_at).is_not(None))
        .order_by(col(FloorRequest.called_at).desc(), col(FloorRequest.id).desc())
    ).first()


def floor_view(db: Session, session_id: int) -> dict[str, Any]:
    """Everything a page needs: settings, who speaks, the queue in order, recent turns."""
    s = settings_of(db, session_id)
    speaking = _speaking(db, session_id)
    recent = db.exec(
        select(FloorRequest)
        .where(FloorRequest.session_id == session_id, FloorRequest.state == FState.done)
        .order_by(col(FloorRequest.ended_at).desc())
        .limit(5)
    ).all()
    return {
        "settings": {
            "policy": s.policy,
            "intervention_seconds": s.intervention_seconds,
            "warning_seconds": s.warning_seconds,
            "screen_list": s.screen_list,
            "zoom_hands": s.zoom_hands,
        },
        "speaking": item_full(speaking) if speaking is not None else None,
        "queue": [item_full(r) for r in _waiting(db, session_id)],
        "recent": [item_full(r) for r in recent],
    }


def who_of(r: FloorRequest) -> str:
    """One person across requests: their pseudonymous id, else their name as given."""
    return r.requester_hash or f"name:{(r.name or '').casefold()}"


def _slot(r: FloorRequest) -> Slot:
    return Slot(r.ticket, is_remote(r.where), who_of(r))


def _spoken(db: Session, session_id: int) -> set[str]:
    rows = db.exec(
        select(FloorRequest).where(
            FloorRequest.session_id == session_id, FloorRequest.state == FState.done
        )
    ).all()
    return {who_of(r) for r in rows}


def _renumber(db: Session, rows: list[FloorRequest]) -> None:
    for i, r in enumerate(rows, start=1):
        if r.position != i:
            r.position = i
            db.add(r)


def _changed(db: Session, session_id: int, action: str, rid: int | None) -> dict[str, Any]:
    db.flush()
    view = floor_view(db, session_id)
    session = db.get(LiveSession, session_id)
    policy = session.author_display if session is not None else None
    # The name policy travels with the event: the role filters have no session at hand.
    data = {"floor": view, "action": action, "id": rid, "name_policy": policy}
    emit(db, session_id, "floor.updated", data)
    return view


def _get(db: Session, session_id: int, rid: int) -> FloorRequest:
    return session_object_or_404(
        db, FloorRequest, session_id, rid, "floor request",
        missing="no such floor request in this session",
    )


# -- requests ----------------------------------------------------------------------------


def _hash(db: Session, session_id: int, channel: str, person: str | None) -> str | None:
    session = db.get(LiveSession, session_id)
    return author_hash(session.hmac_secret, channel, person) if session else None


def _active_of(db: Session, session_id: int, requester: str) -> FloorRequest | None:
    return db.exec(
        select(FloorRequest).where(
            FloorRequest.session_id == session_id,
            FloorRequest.requester_hash == requester,
            col(FloorRequest.state).in_(ACTIVE),
        )
    ).first()


def _join(
    db: Session, session_id: int, body: RequestIn, channel: str, requester: str | None,
    now: datetime,
) -> FloorRequest:
    """Add a request where the policy puts it (the caller holds the session lock)."""
    name = clean_name(body.name)
    if not name:
        raise Invalid("a name is needed, so the moderator can give you the floor")
    hub = clean_name(body.hub) if body.where == Where.hub else None
    if body.where == Where.hub and not hub:
        raise Invalid("name the remote hub you are in")
    waiting = _waiting(db, session_id)
    if len(waiting) >= MAX_QUEUE:
        raise Conflict("the queue is full; try again after some turns")
    ticket = db.exec(
        select(func.coalesce(func.max(FloorRequest.ticket), 0)).where(
            FloorRequest.session_id == session_id
        )
    ).one()
    r = FloorRequest(
        session_id=session_id,
        ticket=int(ticket) + 1,
        state=FState.waiting,
        name=name,
        affiliation=clean_name(body.affiliation),
        stakeholder=body.group,
        where=body.where.value,
        hub=hub,
        channel=channel,
        requester_hash=requester,
        public=body.public,
        created_at=now,
    )
    settings = settings_of(db, session_id)
    last = _last_called(db, session_id)
    index = insertion_index(
        [_slot(w) for w in waiting],
        _slot(r),
        settings.policy,
        _slot(last) if last is not None else None,
        _spoken(db, session_id) if settings.policy == Policy.new_first else set(),
    )
    db.add(r)
    waiting.insert(index, r)
    _renumber(db, waiting)
    return r


def request_floor(
    db: Session, session_id: int, body: RequestIn, audience_id: str, now: datetime
) -> dict[str, Any]:
    """From the audience page. Asking again while waiting answers the place already held."""
    lock_session(db, session_id)
    requester = _hash(db, session_id, "audience", audience_id)
    held = _active_of(db, session_id, requester) if requester else None
    if held is not None:
        return {"id": held.id, "position": held.position, "state": held.state, "existing": True}
    r = _join(db, session_id, body, "audience", requester, now)
    _changed(db, session_id, "request", r.id)
    return {"id": r.id, "position": r.position, "state": r.state, "existing": False}


def add_from_room(
    db: Session, session_id: int, body: RequestIn, role: str, now: datetime
) -> dict[str, Any]:
    """The onsite moderator adds someone in the room by name (a hand up in the room)."""
    lock_session(db, session_id)
    r = _join(db, session_id, body, "stage", None, now)
    audit(db, session_id, "floor.add", role, request=r.id)
    return _changed(db, session_id, "add", r.id)


def request_from_zoom(
    db: Session, session_id: int, participant: str, name: str | None, now: datetime
) -> FloorRequest | None:
    """A raised hand in the Zoom chat: one request per participant while they wait or
    speak (None: already in the queue). The caller (ingest) holds the session lock."""
    requester = _hash(db, session_id, ZOOM_CHANNEL, participant)
    if requester is None or _active_of(db, session_id, requester) is not None:
        return None
    body = RequestIn(name=clean_name(name) or "Zoom participant", where=Where.remote)
    r = _join(db, session_id, body, "zoom", requester, now)
    _changed(db, session_id, "request", r.id)
    return r


def withdraw(db: Session, session_id: int, rid: int, audience_id: str) -> dict[str, Any]:
    """The requester declines to speak for now; asking again later joins at the end."""
    lock_session(db, session_id)
    r = _get(db, session_id, rid)
    if r.requester_hash is None or r.requester_hash != _hash(
        db, session_id, "audience", audience_id
    ):
        raise Forbidden("only the person who asked can withdraw this request")
    if r.state != FState.waiting:
        raise Conflict(f"this request is {r.state}, so there is nothing to withdraw")
    r.state, r.position = FState.withdrawn, None
    db.add(r)
    db.flush()
    _renumber(db, _waiting(db, session_id))
    _changed(db, session_id, "withdraw", rid)
    return {"id": rid, "position": None, "state": r.state}


def mine(db: Session, session_id: int, audience_id: str) -> dict[str, Any] | None:
    """The caller's latest request (their own name and place), or None."""
    requester = _hash(db, session_id, "audience", audience_id)
    r = db.exec(
        select(FloorRequest)
        .where(FloorRequest.session_id == session_id, FloorRequest.requester_hash == requester)
        .order_by(col(FloorRequest.ticket).desc())
    ).first()
    if r is None:
        return None
    return {"id": r.id, "position": r.position, "state": r.state, "name": r.name,
            "where": r.where, "hub": r.hub, "group": r.stakeholder}


# -- moderation --------------------------------------------------------------------------


def _end_turn(r: FloorRequest, state: str, now: datetime) -> None:
    r.state, r.ended_at, r.position = state, now, None


def apply_action(
    db: Session, session_id: int, rid: int, action: str, role: str, now: datetime
) -> dict[str, Any]:
    """call | done | skip | back on one request (see docs/floor.md)."""
    if action not in ACTIONS:
        raise NotFound(f"no such action; use one of {', '.join(ACTIONS)}")
    if role != Role.moderator and action not in STAGE_ACTIONS:
        raise Forbidden(f"only the online moderator may {action} a request")
    lock_session(db, session_id)
    r = _get(db, session_id, rid)
    if action == "call":
        if r.state != FState.waiting:
            raise Conflict(f"this request is {r.state}; only a waiting one can be called")
        current = _speaking(db, session_id)
        if current is not None:
            _end_turn(current, FState.done, now)
            db.add(current)
        r.state, r.called_at, r.ended_at, r.position, r.called_by = (
            FState.speaking, now, None, None, role
        )
    elif action == "done":
        if r.state != FState.speaking:
            raise Conflict("only the person speaking can be marked done")
        _end_turn(r, FState.done, now)
    elif action == "skip":
        if r.state not in ACTIVE:
            raise Conflict(f"this request is {r.state}; only a waiting or called one is skipped")
        _end_turn(r, FState.skipped, now)
        r.called_at = None  # a skipped turn is no intervention
    else:  # back: a skipped or mistakenly called request returns to the head of the queue
        if r.state not in (FState.skipped, FState.speaking):
            raise Conflict(f"this request is {r.state}; only a skipped or called one goes back")
        r.state, r.called_at, r.ended_at = FState.waiting, None, None
        r.position = 0  # before position 1; renumbered below
    db.add(r)
    db.flush()
    _renumber(db, _waiting(db, session_id))
    audit(db, session_id, f"floor.{action}", role, request=rid)
    return _changed(db, session_id, action, rid)


def call_next(db: Session, session_id: int, role: str, now: datetime) -> dict[str, Any]:
    """End the current turn (if any) and give the floor to the first in the queue."""
    lock_session(db, session_id)
    waiting = _waiting(db, session_id)
    current = _speaking(db, session_id)
    if not waiting and current is None:
        raise Conflict("nobody is waiting for the floor")
    if not waiting:
        assert current is not None  # refused above: nobody waiting and nobody speaking
        return apply_action(db, session_id, require_id(current), "done", role, now)
    return apply_action(db, session_id, require_id(waiting[0]), "call", role, now)


def move(db: Session, session_id: int, rid: int, position: int, role: str) -> dict[str, Any]:
    """The online moderator moves a waiting request to `position` (1 = next); audited."""
    lock_session(db, session_id)
    r = _get(db, session_id, rid)
    if r.state != FState.waiting:
        raise Conflict(f"this request is {r.state}; only a waiting one can be moved")
    waiting = _waiting(db, session_id)
    before = r.position
    waiting.remove(r)
    index = min(max(position, 1), len(waiting) + 1) - 1
    waiting.insert(index, r)
    _renumber(db, waiting)
    audit(db, session_id, "floor.move", role, request=rid, **{"from": before, "to": index + 1})
    return _changed(db, session_id, "move", rid)


def update_settings(
    db: Session, session_id: int, body: SettingsIn, role: str
) -> dict[str, Any]:
    """Change the order policy (the queue is re-sorted by it) or the intervention timer."""
    lock_session(db, session_id)
    s = db.get(FloorSettings, session_id)
    if s is None:
        s = FloorSettings(session_id=session_id)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        raise Invalid("nothing to change")
    old_policy = s.policy
    for key, value in changes.items():
        setattr(s, key, value.value if isinstance(value, Policy) else value)
    if s.warning_seconds >= s.intervention_seconds:
        raise Invalid("the warning must come before the end of the intervention")
    db.add(s)
    db.flush()
    if s.policy != old_policy:
        waiting = _waiting(db, session_id)
        by_ticket = {w.ticket: w for w in waiting}
        last = _last_called(db, session_id)
        order = policy_order(
            [_slot(w) for w in waiting],
            s.policy,
            _slot(last) if last is not None else None,
            _spoken(db, session_id),
        )
        _renumber(db, [by_ticket[o.ticket] for o in order])
    audit(db, session_id, "floor.settings", role, None, **{k: str(v) for k, v in changes.items()})
    return _changed(db, session_id, "settings", None)
