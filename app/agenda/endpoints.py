"""REST for the timer, the agenda and stage notes (API contract v1, docs/agenda.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from app.agenda.agenda import SegmentAdd, SegmentPatch, add_segment, edit_segment, remove_segment
from app.agenda.agenda import reorder as reorder_segments
from app.agenda.notes import ack_note, recent_notes, send_note
from app.agenda.schemas import StageNoteCreate, StageNotePublic
from app.agenda.service import apply_action, timer_view, update_settings
from app.clock import to_ms, utc_now
from app.deps import ModeratorDep, PrincipalDep, SessionDep, StageOrModeratorDep, StateDep
from app.errors import Unauthorized
from app.inputs import Id, UtcDateTime
from app.models import Role

router = APIRouter(prefix="/api/sessions/{slug}")


class TimerBody(BaseModel):
    segment: int | None = Field(default=None, ge=0, le=1000, description="agenda index")
    seconds: float | None = Field(default=None, ge=-86400, le=86400)


class TimerSettings(BaseModel):
    warning_seconds: int | None = Field(default=None, ge=0, le=3600)
    scheduled_start: UtcDateTime | None = None
    auto_wrap: bool | None = None
    questions_gate: bool | None = None
    screen_timer: bool | None = None


class OrderIn(BaseModel):
    ids: list[Id] = Field(max_length=100)


@router.get("/timer")
async def get_timer(session: SessionDep, state: StateDep, principal: PrincipalDep) -> dict:
    if principal.role == Role.audience:
        raise Unauthorized("the timer needs a role link or key of this session")
    view = await state.store.read(lambda db: timer_view(db, session.id))
    return {**view, "now": to_ms(utc_now())}


@router.post("/timer/{action}")
async def timer_action(
    action: str,
    session: SessionDep,
    state: StateDep,
    principal: ModeratorDep,
    body: TimerBody | None = Body(default=None),
) -> dict[str, Any]:
    body = body or TimerBody()
    view = await state.store.write(
        lambda db: apply_action(
            db,
            session.id,
            action,
            utc_now(),
            segment=body.segment,
            seconds=body.seconds,
            role=principal.role,
        )
    )
    return {**view, "now": to_ms(utc_now())}


@router.patch("/timer")
async def timer_settings(
    body: TimerSettings, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    for key in ("warning_seconds", "auto_wrap", "questions_gate", "screen_timer"):
        if key in changes and changes[key] is None:
            del changes[key]
    view = await state.store.write(
        lambda db: update_settings(db, session.id, utc_now(), changes, principal.role)
    )
    return {**view, "now": to_ms(utc_now())}


@router.post("/agenda", status_code=201)
async def post_segment(
    body: SegmentAdd, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: add_segment(db, session.id, body, principal.role))


@router.patch("/agenda/{segment_id}")
async def patch_segment(
    segment_id: Id,
    body: SegmentPatch,
    session: SessionDep,
    state: StateDep,
    principal: ModeratorDep,
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: edit_segment(db, session.id, segment_id, body, principal.role)
    )


@router.delete("/agenda/{segment_id}")
async def delete_segment(
    segment_id: Id, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: remove_segment(db, session.id, segment_id, principal.role)
    )


@router.put("/agenda/order")
async def put_order(
    body: OrderIn, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: reorder_segments(db, session.id, body.ids, principal.role)
    )


@router.get("/notes", response_model=list[StageNotePublic])
async def list_notes(
    session: SessionDep, state: StateDep, _: StageOrModeratorDep
) -> list[dict[str, Any]]:
    return await state.store.read(lambda db: recent_notes(db, session.id))


@router.post("/notes", status_code=201, response_model=StageNotePublic)
async def post_note(
    body: StageNoteCreate, session: SessionDep, state: StateDep, _: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: send_note(db, session.id, body, utc_now()))


@router.post("/notes/{note_id}/ack", response_model=StageNotePublic)
async def post_ack(
    note_id: Id, session: SessionDep, state: StateDep, _: StageOrModeratorDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: ack_note(db, session.id, note_id, utc_now()))
