"""Poll REST endpoints (API v1 in DESIGN.md; details in docs/polls.md).

The vote endpoint, the hot path (thousands a second), lives in `app.polls.voting`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlmodel import Session

from app.clock import parse_iso
from app.deps import ModeratorDep, PrincipalDep, SessionDep, StateDep
from app.errors import Forbidden, Invalid
from app.inputs import Id
from app.models import require_id
from app.polls import service
from app.polls.export import poll_csv
from app.polls.live import runtime
from app.polls.schemas import AccessIn, PollAccessPublic, PollCreated, PollPublic
from app.polls.tally import may_see_results, poll_for, poll_full, tally

router = APIRouter(prefix="/api")


@router.get(
    "/sessions/{slug}/polls", response_model=list[PollPublic], response_model_exclude_unset=True
)
async def list_polls(session: SessionDep, state: StateDep, principal: PrincipalDep) -> list[dict]:
    polls = await state.store.read(lambda db: service.session_polls(db, require_id(session)))
    return [v for p in polls if (v := poll_for(principal.role, p)) is not None]


@router.post(
    "/sessions/{slug}/polls",
    status_code=201,
    response_model=PollCreated,
    response_model_exclude_unset=True,
)
async def create_poll(
    body: service.PollCreate, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    poll = await state.store.write(
        lambda db: service.create_poll(db, require_id(session), body, principal.role)
    )
    return {"id": poll["id"], "poll": poll}


@router.post(
    "/sessions/{slug}/polls/{poll_id}/actions/{action}",
    response_model=PollPublic,
    response_model_exclude_unset=True,
)
async def poll_action(
    poll_id: Id, action: str, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    poll = await state.store.write(
        lambda db: service.apply_action(db, require_id(session), poll_id, action, principal.role)
    )
    if action == "open":
        state.sessions.remember(session)  # the votes to come skip that read
        runtime(state).schedule_close(
            require_id(session),
            poll["id"],
            parse_iso(poll["opened_at"]),
            poll["auto_close_seconds"],
        )
    return poll


@router.put("/sessions/{slug}/poll-access", response_model=PollAccessPublic)
async def set_access(
    body: AccessIn, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.set_join_code(db, require_id(session), body.join_code, principal.role)
    )


# The vote's hot path (app.polls.voting.post_vote) is declared in app/polls/domain.py.


# No response_model: it answers JSON or a CSV file (`format`).
@router.get(
    "/sessions/{slug}/polls/{poll_id}/results",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def results(
    poll_id: Id,
    session: SessionDep,
    state: StateDep,
    principal: PrincipalDep,
    format: str = "json",
) -> Any:
    def read(db: Session) -> dict[str, Any]:
        poll = service.poll_of_session(db, require_id(session), poll_id)
        return poll_full(poll, tally(db, poll))

    poll = await state.store.read(read)
    if not may_see_results(principal.role, poll):
        raise Forbidden("the results of this poll are not shown to you yet")
    if format == "csv":
        return Response(
            poll_csv(poll),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="poll-{poll_id}.csv"'},
        )
    if format != "json":
        raise Invalid("format must be json or csv")
    return {**poll["results"], "question": poll["question"]}


# The vote route first in this router: route matching is linear, and it is the hot path.
