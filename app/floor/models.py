"""Floor tables: one row per request to speak, one settings row per session.

Speaking time is stored as server timestamps (`called_at`, `ended_at`), never as a
counter, so a restart loses nothing and every page computes the running time itself.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utc_now


def _when(**kw: Any) -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True), **kw)


class FState(StrEnum):
    waiting = "waiting"
    speaking = "speaking"
    done = "done"
    skipped = "skipped"
    withdrawn = "withdrawn"


#: States that hold a place: a person in one of them cannot ask a second time.
ACTIVE = (FState.waiting.value, FState.speaking.value)


class Where(StrEnum):
    room = "room"
    remote = "remote"
    hub = "hub"


class Policy(StrEnum):
    fcfs = "fcfs"  # first come, first served
    alternate = "alternate"  # room and remote (hubs included) in turn
    new_first = "new_first"  # people who have not spoken yet first


class FloorRequest(SQLModel, table=True):
    """A request for the floor. `position` (1..n) only while waiting; `ticket` is the
    arrival number in the session, the tie-break of every policy."""

    __tablename__ = "floor_request"
    __table_args__ = (
        Index("ix_floor_request_session_state", "session_id", "state"),
        UniqueConstraint("session_id", "ticket", name="uq_floor_request_ticket"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    ticket: int
    position: int | None = None
    state: str = Field(default=FState.waiting.value, max_length=16)
    #: The name as given; only moderator and stage see it unless `public` (docs/privacy.md).
    name: str | None = Field(default=None, max_length=80)
    affiliation: str | None = Field(default=None, max_length=120)
    stakeholder: str | None = Field(default=None, max_length=32)
    where: str = Field(default=Where.room.value, max_length=16)
    hub: str | None = Field(default=None, max_length=80)
    #: audience | zoom | stage: how the request came in (and how the person joins).
    channel: str = Field(max_length=16)
    #: HMAC of (channel, audience or Zoom participant id): finds "mine", refuses doubles,
    #: serves access and erasure requests. Never sent to any page.
    requester_hash: str | None = Field(default=None, max_length=64, index=True)
    #: The requester agreed to their name on the room screen and the audience page.
    public: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    called_at: datetime | None = _when()
    ended_at: datetime | None = _when()
    called_by: str | None = Field(default=None, max_length=16)


class FloorSettings(SQLModel, table=True):
    """Per session: the order policy and the intervention timer."""

    __tablename__ = "floor_settings"

    session_id: int = Field(foreign_key="live_session.id", primary_key=True)
    policy: str = Field(default=Policy.fcfs.value, max_length=16)
    intervention_seconds: int = 180
    warning_seconds: int = 30
    #: The room screen shows the queue (else only who is speaking).
    screen_list: bool = True
    #: A Zoom chat message starting with a raised hand asks for the floor.
    zoom_hands: bool = True
