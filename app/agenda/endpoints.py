"""REST for the timer, the agenda and stage notes (API contract v1, docs/agenda.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from app.agenda.agenda import SegmentAdd, SegmentPatch, add_segment, edit_segment, remove_segment
from app.agenda.agenda import reorder as reorder_segments
from app.agenda.notes import ack_note, recent_notes, send_note
from app.agenda.schemas import (
    OrderIn,
    StageNoteCreate,
    StageNotePublic,
    TimerAnswer,
    TimerBody,
    TimerPublic,
    TimerSettings,
)
from app.agenda.service import apply_action, timer_view, update_settings
from app.clock import to_ms, utc_now
from app.deps import ModeratorDep, PrincipalDep, SessionDep, StageOrModeratorDep, StateDep
from app.errors import Unauthorized
from app.inputs import Id
from app.models import Role, require_id

router = APIRouter(prefix="/api/sessions/{slug}")


@router.get("/timer", response_model=TimerAnswer)
async def get_timer(session: SessionDep, state: StateDep, principal: PrincipalDep) -> dict:
    if principal.role == Role.audience:
        raise Unauthorized("the timer needs a role link or key of this session")
    view = await state.store.read(lambda db: timer_view(db, require_id(session)))
    return {**view, "now": to_ms(utc_now())}


@router.post("/timer/{action}", response_model=TimerAnswer)
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
            require_id(session),
            action,
            utc_now(),
            segment=body.segment,
            seconds=body.seconds,
            role=principal.role,
        )
    )
    return {**view, "now": to_ms(utc_now())}


@router.patch("/timer", response_model=TimerAnswer)
async def timer_settings(
    body: TimerSettings, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    for key in ("warning_seconds", "auto_wrap", "questions_gate", "screen_timer"):
        if key in changes and changes[key] is None:
            del changes[key]
    view = await state.store.write(
        lambda db: update_settings(db, require_id(session), utc_now(), changes, principal.role)
    )
    return {**view, "now": to_ms(utc_now())}


@router.post("/agenda", status_code=201, response_model=TimerPublic)
async def post_segment(
    body: SegmentAdd, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: add_segment(db, require_id(session), body, principal.role)
    )


@router.patch("/agenda/{segment_id}", response_model=TimerPublic)
async def patch_segment(
    segment_id: Id,
    body: SegmentPatch,
    session: SessionDep,
    state: StateDep,
    principal: ModeratorDep,
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: edit_segment(db, require_id(session), segment_id, body, principal.role)
    )


@router.delete("/agenda/{segment_id}", response_model=TimerPublic)
async def delete_segment(
    segment_id: Id, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: remove_segment(db, require_id(session), segment_id, principal.role)
    )


@router.put("/agenda/order", response_model=TimerPublic)
async def put_order(
    body: OrderIn, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: reorder_segments(db, require_id(session), body.ids, principal.role)
    )


@router.get("/notes", response_model=list[StageNotePublic])
async def list_notes(
    session: SessionDep, state: StateDep, _: StageOrModeratorDep
) -> list[dict[str, Any]]:
    return await state.store.read(lambda db: recent_notes(db, require_id(session)))


@router.post("/notes", status_code=201, response_model=StageNotePublic)
async def post_note(
    body: StageNoteCreate, session: SessionDep, state: StateDep, _: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: send_note(db, require_id(session), body, utc_now()))


@router.post("/notes/{note_id}/ack", response_model=StageNotePublic)
async def post_ack(
    note_id: Id, session: SessionDep, state: StateDep, _: StageOrModeratorDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: ack_note(db, require_id(session), note_id, utc_now()))
