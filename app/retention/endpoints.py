"""Privacy API: the statement the join page shows, retention, subject access and erasure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.auth import check_admin, resolve
from app.deps import SessionDep, StateDep
from app.errors import Unauthorized
from app.inputs import CleanLine
from app.models import LiveSession, Role
from app.retention.service import Subject, erase_subject, export_subject
from app.retention.settings_store import MAX_RETENTION_DAYS, privacy_view, set_retention

router = APIRouter(prefix="/api/sessions/{slug}/privacy")


class RetentionIn(BaseModel):
    retention_days: int = Field(ge=1, le=MAX_RETENTION_DAYS)


class SubjectIn(BaseModel):
    channel: CleanLine = Field(min_length=1, max_length=64)
    handle: CleanLine = Field(min_length=1, max_length=512)


async def _admin_or_moderator(request: Request, state: StateDep, session: LiveSession) -> None:
    if check_admin(request, state.admin_token):
        return
    principal = await resolve(request, state.store, state.signer, session)
    if principal.role != Role.moderator:
        raise Unauthorized("this needs the admin token or the moderator key")


def _admin(request: Request, state: StateDep) -> None:
    if not check_admin(request, state.admin_token):
        raise Unauthorized("subject access needs 'Authorization: Bearer <admin token>'")


@router.get("")
async def get_privacy(session: SessionDep, state: StateDep) -> dict[str, Any]:
    return await state.store.read(lambda db: privacy_view(db, session))


@router.put("")
async def put_privacy(
    body: RetentionIn, request: Request, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    await _admin_or_moderator(request, state, session)
    return await state.store.write(lambda db: set_retention(db, session.id, body.retention_days))


@router.post("/export")
async def export(
    body: SubjectIn, request: Request, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    _admin(request, state)
    subject = Subject(body.channel, body.handle)
    registry = state.registry
    return await state.store.read(lambda db: export_subject(db, session.slug, subject, registry))


@router.post("/erase")
async def erase(
    body: SubjectIn, request: Request, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    _admin(request, state)
    subject = Subject(body.channel, body.handle)
    registry = state.registry
    return await state.store.write(lambda db: erase_subject(db, session.slug, subject, registry))
