"""REST for the floor (docs/floor.md): the audience asks and withdraws, the moderators
call, end, skip, put back and move; the stage may call, end and add someone from the room."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

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
from app.floor.schemas import (
    FloorAskPublic,
    FloorMineAnswer,
    FloorPublic,
    FloorWithdrawPublic,
    MoveIn,
)
from app.floor.service import RequestIn, SettingsIn
from app.floor.views import floor_for
from app.inputs import Id
from app.models import Role, require_id

router = APIRouter(prefix="/api/sessions/{slug}/floor")


@router.post("", status_code=201, response_model=FloorAskPublic)
async def ask(
    body: RequestIn, session: SessionDep, state: StateDep, audience: AudienceDep, request: Request
) -> dict[str, Any]:
    await limits_of(state).questions(audience, client_ip(request))
    return await state.store.write(
        lambda db: service.request_floor(db, require_id(session), body, audience, utc_now())
    )


# No response_model: the shape depends on the role (`views.floor_for`).
@router.get("")
async def list_floor(session: SessionDep, state: StateDep, principal: PrincipalDep) -> dict:
    """The whole floor in order, as the caller's role may see it."""
    if principal.role == Role.audience:
        raise Unauthorized("the floor list needs a role link or key of this session")
    view = await state.store.read(lambda db: service.floor_view(db, require_id(session)))
    return {**floor_for(principal.role, view, session.author_display), "now": to_ms(utc_now())}


@router.get("/mine", response_model=FloorMineAnswer)
async def my_request(session: SessionDep, state: StateDep, audience: AudienceDep) -> dict:
    found = await state.store.read(lambda db: service.mine(db, require_id(session), audience))
    return {"request": found, "now": to_ms(utc_now())}


@router.delete("/{request_id}", response_model=FloorWithdrawPublic)
async def withdraw(
    request_id: Id, session: SessionDep, state: StateDep, audience: AudienceDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.withdraw(db, require_id(session), request_id, audience)
    )


@router.post("/add", status_code=201, response_model=FloorPublic)
async def add(
    body: RequestIn, session: SessionDep, state: StateDep, p: StageOrModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.add_from_room(db, require_id(session), body, p.role, utc_now())
    )


@router.post("/next", response_model=FloorPublic)
async def call_next(session: SessionDep, state: StateDep, p: StageOrModeratorDep) -> dict:
    return await state.store.write(
        lambda db: service.call_next(db, require_id(session), p.role, utc_now())
    )


@router.post("/{request_id}/actions/{action}", response_model=FloorPublic)
async def act(
    request_id: Id, action: str, session: SessionDep, state: StateDep, p: StageOrModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.apply_action(
            db, require_id(session), request_id, action, p.role, utc_now()
        )
    )


@router.post("/{request_id}/move", response_model=FloorPublic)
async def move(
    request_id: Id, body: MoveIn, session: SessionDep, state: StateDep, p: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.move(db, require_id(session), request_id, body.position, p.role)
    )


@router.patch("/settings", response_model=FloorPublic)
async def settings(
    body: SettingsIn, session: SessionDep, state: StateDep, p: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.update_settings(db, require_id(session), body, p.role)
    )
