"""Privacy API: the statement the join page shows, retention, subject access and erasure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.admin import AdminDep, OrganiserDep
from app.deps import SessionDep, StateDep
from app.models import require_id
from app.privacy.schemas import PrivacyPublic, RetentionUpdate, SubjectIn
from app.privacy.service import Subject, erase_subject, export_subject
from app.privacy.settings_store import privacy_view, set_retention

router = APIRouter(prefix="/api/sessions/{slug}/privacy")


@router.get("", response_model=PrivacyPublic)
async def get_privacy(session: SessionDep, state: StateDep) -> dict[str, Any]:
    return await state.store.read(lambda db: privacy_view(db, session))


@router.put("", response_model=PrivacyPublic)
async def put_privacy(
    body: RetentionUpdate, session: SessionDep, state: StateDep, _: OrganiserDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: set_retention(db, require_id(session), body.retention_days)
    )


@router.post("/export")
async def export(
    body: SubjectIn, session: SessionDep, state: StateDep, _: AdminDep
) -> dict[str, Any]:
    subject = Subject(body.channel, body.handle)
    registry = state.registry
    return await state.store.read(lambda db: export_subject(db, session.slug, subject, registry))


@router.post("/erase")
async def erase(
    body: SubjectIn, session: SessionDep, state: StateDep, _: AdminDep
) -> dict[str, Any]:
    subject = Subject(body.channel, body.handle)
    registry = state.registry
    return await state.store.write(lambda db: erase_subject(db, session.slug, subject, registry))
