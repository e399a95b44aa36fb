"""REST for the floor (docs/floor.md): the audience asks and withdraws, the moderators
call, end, skip, put back and move; the stage may call, end and add someone from the room."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.audience_limits import client_ip, limits_of
from app.clock import to_ms, utc_now
from app.deps import (
    AudienceDep,
    ModeratorDep,
    PrincipalDep,
    SessionDep,
    StageOrModeratorDep,
    StateDep,
)
from app.errors import Unauthorized
from app.floor import service
from app.floor.service import RequestIn, SettingsIn
from app.floor.views import floor_for
from app.inputs import Id
from app.models import Role

router = APIRouter(prefix="/api/sessions/{slug}/floor")


class MoveIn(BaseModel):
    position: int = Field(ge=1, le=service.MAX_QUEUE)


@router.post("", status_code=201)
async def ask(
    body: RequestIn, session: SessionDep, state: StateDep, audience: AudienceDep, request: Request
) -> dict[str, Any]:
    await limits_of(state).questions(audience, client_ip(request))
    return await state.store.write(
        lambda db: service.request_floor(db, session.id, body, audience, utc_now())
    )


@router.get("")
async def list_floor(session: SessionDep, state: StateDep, principal: PrincipalDep) -> dict:
    """The whole floor in order, as the caller's role may see it."""
    if principal.role == Role.audience:
        raise Unauthorized("the floor list needs a role link or key of this session")
    view = await state.store.read(lambda db: service.floor_view(db, session.id))
    return {**floor_for(principal.role, view, session.author_display), "now": to_ms(utc_now())}


@router.get("/mine")
async def my_request(session: SessionDep, state: StateDep, audience: AudienceDep) -> dict:
    found = await state.store.read(lambda db: service.mine(db, session.id, audience))
    return {"request": found, "now": to_ms(utc_now())}


@router.delete("/{request_id}")
async def withdraw(
    request_id: Id, session: SessionDep, state: StateDep, audience: AudienceDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.withdraw(db, session.id, request_id, audience)
    )


@router.post("/add", status_code=201)
async def add(
    body: RequestIn, session: SessionDep, state: StateDep, p: StageOrModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.add_from_room(db, session.id, body, p.role, utc_now())
    )


@router.post("/next")
async def call_next(session: SessionDep, state: StateDep, p: StageOrModeratorDep) -> dict:
    return await state.store.write(lambda db: service.call_next(db, session.id, p.role, utc_now()))


@router.post("/{request_id}/actions/{action}")
async def act(
    request_id: Id, action: str, session: SessionDep, state: StateDep, p: StageOrModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.apply_action(db, session.id, request_id, action, p.role, utc_now())
    )


@router.post("/{request_id}/move")
async def move(
    request_id: Id, body: MoveIn, session: SessionDep, state: StateDep, p: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.move(db, session.id, request_id, body.position, p.role)
    )


@router.patch("/settings")
async def settings(
    body: SettingsIn, session: SessionDep, state: StateDep, p: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: service.update_settings(db, session.id, body, p.role))
