"""The floor API's bodies and answers, in the SQLModel Base/Create/Public style.

Field order is the order of the JSON the routes always produced (`service.item_full`,
`service.floor_view`, `service.request_floor`, `service.mine`). `RequestIn` and
`SettingsIn` stay in `service` (the Zoom hands and the tests build them there)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.floor.service import MAX_QUEUE


class MoveIn(BaseModel):
    """`POST .../floor/{id}/move`: the waiting request's new place (the moderator)."""

    position: int = Field(ge=1, le=MAX_QUEUE)


class FloorAskPublic(BaseModel):
    """`POST .../floor`: the place taken, or the one already held (`existing`)."""

    id: int
    position: int | None
    state: str
    existing: bool


class FloorWithdrawPublic(BaseModel):
    id: int
    position: int | None
    state: str


class FloorMinePublic(BaseModel):
    """The caller's own latest request: their name and place."""

    id: int
    position: int | None
    state: str
    name: str | None
    where: str
    hub: str | None
    group: str | None


class FloorMineAnswer(BaseModel):
    request: FloorMinePublic | None
    now: int


class FloorSettingsPublic(BaseModel):
    policy: str
    intervention_seconds: int
    warning_seconds: int
    screen_list: bool
    zoom_hands: bool


class FloorItemPublic(BaseModel):
    """The moderator's view of one request (never the requester's hash)."""

    id: int
    position: int | None
    state: str
    name: str | None
    affiliation: str | None
    group: str | None
    where: str
    hub: str | None
    channel: str
    public: bool
    requested_at: int | None
    called_at: int | None
    ended_at: int | None
    spoken_seconds: float | None


class FloorPublic(BaseModel):
    """The whole floor as the moderator and the stage see it after a change."""

    settings: FloorSettingsPublic
    speaking: FloorItemPublic | None
    queue: list[FloorItemPublic]
    recent: list[FloorItemPublic]
