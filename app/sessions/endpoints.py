"""The sessions API: create one (the admin token), rotate its keys, read its public face,
and ask who a key is (docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.admin import AdminDep
from app.deps import PrincipalDep, SessionDep, StateDep
from app.models import require_id
from app.sessions.schemas import SessionCreate, SessionKeysPublic, SessionPublic, WhoAmI
from app.sessions.service import ZOOM_ROUTES, create_session, links, rotate_keys
from app.views import segments_of, session_public

router = APIRouter(prefix="/api")


@router.post("/sessions", status_code=201, response_model=SessionKeysPublic)
async def post_session(
    body: SessionCreate, request: Request, state: StateDep, _: AdminDep
) -> dict[str, Any]:
    session, keys = await state.store.write(lambda db: create_session(db, body))
    if session.zoom_ids:
        state.bus.signal(ZOOM_ROUTES)  # at once, on every worker (cached Zoom routes)
    return {
        "slug": session.slug,
        "links": links(state.base_url(request), session.slug, keys),
        "keys": keys,
    }


@router.post("/sessions/{slug}/keys/rotate", response_model=SessionKeysPublic)
async def post_rotate_keys(
    slug: str, request: Request, state: StateDep, _: AdminDep
) -> dict[str, Any]:
    """New role links (as `floorbridge session rotate-keys` prints them); every socket and
    cookie of the old keys stops working, on every worker, within a second."""
    keys = await state.store.write(lambda db: rotate_keys(db, slug))
    return {"slug": slug, "links": links(state.base_url(request), slug, keys), "keys": keys}


@router.get("/sessions/{slug}", response_model=SessionPublic)
async def get_session_info(
    session: SessionDep, request: Request, state: StateDep
) -> dict[str, Any]:
    segments = await state.store.read(lambda db: segments_of(db, require_id(session)))
    return session_public(session, segments, state.base_url(request))


@router.get("/sessions/{slug}/me", response_model=WhoAmI)
async def whoami(session: SessionDep, principal: PrincipalDep) -> dict[str, str]:
    return {"slug": session.slug, "role": principal.role}
