"""The questions API: ask, list, act on, edit, merge and upvote questions, the snapshot and
the audit trail (details in docs/protocol.md)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlmodel import Session, col, select

from app.audience_limits import client_ip, limits_of
from app.clock import iso
from app.deps import (
    AudienceDep,
    CachedSessionDep,
    ModeratorDep,
    PrincipalDep,
    ReaderDep,
    SessionDep,
    StageOrModeratorDep,
    StateDep,
)
from app.errors import Forbidden
from app.ingest import ingest_single
from app.inputs import Id
from app.models import AuditEntry, LiveSession, QState, Role, require_id
from app.questions import service as queue
from app.questions import upvotes
from app.questions.schemas import (
    ActionIn,
    AuditEntryPublic,
    MergeIn,
    QuestionAsked,
    QuestionCreate,
    QuestionPublic,
    QuestionUpdate,
    StageNext,
    Votes,
)
from app.text import clean_name
from app.views import all_questions, question_for, snapshot
from ports.messages import IncomingMessage

router = APIRouter(prefix="/api")


@router.get("/sessions/{slug}/snapshot")
async def get_snapshot(
    session: SessionDep, principal: PrincipalDep, request: Request, state: StateDep
) -> dict[str, Any]:
    base = state.base_url(request)
    parts = state.registry.parts
    return await state.store.read(
        lambda db: _fresh_snapshot(db, require_id(session), principal.role, base, parts)
    )


def _fresh_snapshot(
    db: Session, session_id: int, role: str, base: str, parts: Any
) -> dict[str, Any]:
    session = db.get(LiveSession, session_id)
    assert session is not None  # resolved by the request's dependency in this request
    return snapshot(db, session, role, base, parts)


@router.post("/sessions/{slug}/questions", status_code=201, response_model=QuestionAsked)
async def ask(
    body: QuestionCreate,
    session: CachedSessionDep,
    state: StateDep,
    audience: AudienceDep,
    request: Request,
) -> dict[str, Any]:
    await limits_of(state).questions(audience, client_ip(request))
    msg = IncomingMessage(
        channel="audience",
        external_id=secrets.token_hex(12),
        text=body.text,
        author_name=clean_name(body.name),
        author_id=audience,
        in_room=body.in_room,
    )
    result = await ingest_single(state.store, require_id(session), msg, state.registry.ingest)
    return {"id": result.question_id, "state": QState.inbox.value}


@router.get("/sessions/{slug}/questions", response_model=list[QuestionPublic])
async def list_questions(
    session: SessionDep,
    state: StateDep,
    principal: ReaderDep,
    state_filter: list[QState] | None = Query(default=None, alias="state"),
) -> list[dict[str, Any]]:
    states = {s.value for s in state_filter} if state_filter else None
    rows = await state.store.read(lambda db: all_questions(db, require_id(session), states))
    return [v for q in rows if (v := question_for(principal.role, q)) is not None]


@router.post(
    "/sessions/{slug}/questions/{question_id}/actions/{action}", response_model=QuestionPublic
)
async def act(
    question_id: Id,
    action: str,
    session: SessionDep,
    state: StateDep,
    principal: StageOrModeratorDep,
    body: ActionIn | None = None,
) -> dict[str, Any]:
    if principal.role == Role.stage and action not in queue.STAGE_ACTIONS:
        raise Forbidden(f"the stage may only {', '.join(sorted(queue.STAGE_ACTIONS))}")
    swap = body is not None and body.swap
    reason = body.reason if body is not None else None
    return await state.store.write(
        lambda db: queue.apply_action(
            db, require_id(session), question_id, action, principal.role, swap, reason
        )
    )


@router.post("/sessions/{slug}/stage/next", response_model=StageNext)
async def next_on_stage(
    session: SessionDep, state: StateDep, principal: StageOrModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: queue.stage_next(db, require_id(session), principal.role)
    )


@router.patch("/sessions/{slug}/questions/{question_id}", response_model=QuestionPublic)
async def patch_question(
    question_id: Id,
    body: QuestionUpdate,
    session: SessionDep,
    state: StateDep,
    principal: ModeratorDep,
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: queue.edit(
            db, require_id(session), question_id, principal.role, body.text, body.position
        )
    )


@router.post("/sessions/{slug}/questions/{question_id}/merge", response_model=QuestionPublic)
async def merge_question(
    question_id: Id, body: MergeIn, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: queue.merge(db, require_id(session), question_id, body.into, principal.role)
    )


@router.post(
    "/sessions/{slug}/questions/{question_id}/unmerge", response_model=QuestionPublic
)
async def unmerge_question(
    question_id: Id, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: queue.unmerge(db, require_id(session), question_id, principal.role)
    )


@router.post("/sessions/{slug}/questions/{question_id}/upvote", response_model=Votes)
async def upvote(
    question_id: Id,
    session: CachedSessionDep,
    state: StateDep,
    audience: AudienceDep,
    request: Request,
) -> dict[str, Any]:
    await limits_of(state).upvotes(audience, client_ip(request))
    sid = require_id(session)
    return await state.store.write_grouped(
        ("upvote", sid), (sid, question_id, audience), upvotes.upvote_many
    )


@router.get("/sessions/{slug}/audit", response_model=list[AuditEntryPublic])
async def audit_trail(session: SessionDep, state: StateDep, _: ReaderDep) -> list[dict[str, Any]]:
    def read(db: Session) -> list[dict[str, Any]]:
        rows = db.exec(
            select(AuditEntry)
            .where(AuditEntry.session_id == session.id)
            .order_by(col(AuditEntry.id))
        ).all()
        return [
            {
                "at": iso(r.at),
                "role": r.role,
                "action": r.action,
                "question_id": r.question_id,
                "detail": r.detail,
            }
            for r in rows
        ]

    return await state.store.read(read)
