"""Connector settings, status and the pause switch (see docs/connectors.md).

Settings are written by the organiser (admin token) or the session's moderator; secrets
never come back (they read as "********", and sending that back keeps the stored one).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from app.auth import check_admin
from app.connectors import service
from app.connectors.runtime import ConnectorRuntime
from app.deps import AppState, ModeratorDep, ReaderDep, SessionDep, StateDep, get_principal
from app.errors import Forbidden, NotFound, Unauthorized
from app.inputs import CleanJson
from app.models import Role

router = APIRouter(prefix="/api/sessions/{slug}/connectors")
#: A connector (mastodon, x...) or a webhook channel name: checked before any lookup.
Channel = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]


class ConnectorIn(BaseModel):
    settings: CleanJson = Field(default_factory=dict)


def runtime_of(state: AppState) -> ConnectorRuntime:
    if state.connectors is None:  # started by the connectors' start-up hook
        raise RuntimeError("the connector runtime is not running")
    return state.connectors


async def organiser(request: Request, state: StateDep, session: SessionDep) -> str:
    """The admin token or the moderator's key/cookie: both may set up a session's channels."""
    if check_admin(request, state.admin_token):
        return "admin"
    principal = await get_principal(request, state, session)
    if principal.role == Role.moderator:
        return principal.role
    if principal.role == Role.audience:
        raise Unauthorized("setting up channels needs the admin token or the moderator link")
    raise Forbidden(f"the {principal.role} role may not set up channels")


OrganiserDep = Annotated[str, Depends(organiser)]


@router.get("")
async def list_connectors(
    session: SessionDep, state: StateDep, _: ReaderDep
) -> list[dict[str, Any]]:
    box = runtime_of(state).box
    rows = await state.store.read(lambda db: service.list_configs(db, session.id))
    return [service.public(row, box) for row in rows]


@router.put("/{channel}")
async def put_connector(
    channel: Channel, body: ConnectorIn, session: SessionDep, state: StateDep, _: OrganiserDep
) -> dict[str, Any]:
    runtime = runtime_of(state)
    out = await state.store.write(
        lambda db: service.put_config(db, session.id, channel, body.settings, runtime.box)
    )
    await runtime.apply(session.id, channel)
    return out


@router.delete("/{channel}", status_code=204)
async def delete_connector(
    channel: Channel, session: SessionDep, state: StateDep, _: OrganiserDep
) -> None:
    await state.store.write(lambda db: service.delete_config(db, session.id, channel))
    await runtime_of(state).apply(session.id, channel)


@router.post("/{channel}/{action}")
async def pause_connector(
    channel: Channel, action: str, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    if action not in ("pause", "resume"):
        raise NotFound(f"no connector action {action!r} (pause or resume)")
    paused = action == "pause"
    out = await state.store.write(
        lambda db: service.set_paused(db, session.id, channel, paused, principal.role)
    )
    runtime_of(state).pause(session.id, channel, paused)
    return out
