"""Connector settings, status and the pause switch (see docs/connectors.md).

Settings are written by the organiser (admin token) or the session's moderator; secrets
never come back (they read as "********", and sending that back keeps the stored one).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from app.admin import OrganiserDep
from app.connectors import service
from app.connectors.runtime import ConnectorRuntime
from app.connectors.schemas import ConnectorIn, ConnectorPaused, ConnectorPublic
from app.deps import AppState, ModeratorDep, ReaderDep, SessionDep, StateDep
from app.errors import NotFound
from app.models import require_id

router = APIRouter(prefix="/api/sessions/{slug}/connectors")
#: A connector (mastodon, x...) or a webhook channel name: checked before any lookup.
Channel = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]


def runtime_of(state: AppState) -> ConnectorRuntime:
    if state.connectors is None:  # started by the connectors' start-up hook
        raise RuntimeError("the connector runtime is not running")
    return state.connectors


@router.get("", response_model=list[ConnectorPublic])
async def list_connectors(
    session: SessionDep, state: StateDep, _: ReaderDep
) -> list[dict[str, Any]]:
    box = runtime_of(state).box
    rows = await state.store.read(lambda db: service.list_configs(db, require_id(session)))
    return [service.public(row, box) for row in rows]


@router.put("/{channel}", response_model=ConnectorPublic)
async def put_connector(
    channel: Channel, body: ConnectorIn, session: SessionDep, state: StateDep, _: OrganiserDep
) -> dict[str, Any]:
    runtime = runtime_of(state)
    out = await state.store.write(
        lambda db: service.put_config(db, require_id(session), channel, body.settings, runtime.box)
    )
    await runtime.apply(require_id(session), channel)
    return out


# No response_model: 204, no body.
@router.delete("/{channel}", status_code=204)
async def delete_connector(
    channel: Channel, session: SessionDep, state: StateDep, _: OrganiserDep
) -> None:
    await state.store.write(lambda db: service.delete_config(db, require_id(session), channel))
    await runtime_of(state).apply(require_id(session), channel)


@router.post("/{channel}/{action}", response_model=ConnectorPaused)
async def pause_connector(
    channel: Channel, action: str, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    if action not in ("pause", "resume"):
        raise NotFound(f"no connector action {action!r} (pause or resume)")
    paused = action == "pause"
    out = await state.store.write(
        lambda db: service.set_paused(db, require_id(session), channel, paused, principal.role)
    )
    await runtime_of(state).apply(require_id(session), channel)  # the owner, wherever it runs
    return out
