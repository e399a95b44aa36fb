"""Poll REST endpoints (API v1 in DESIGN.md; details in docs/polls.md).

The vote endpoint is the hot path (thousands a second): it reads the body itself, keeps
slug -> session id in memory, and does one `store.write` (one upsert) per vote.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session

from app.auth import AUDIENCE_COOKIE
from app.deps import AppState, ModeratorDep, PrincipalDep, SessionDep, StateDep, set_audience_cookie
from app.errors import Forbidden, Invalid, NotFound
from app.polls import service, views  # noqa: F401 - views registers the role filters
from app.polls.export import poll_csv
from app.polls.live import runtime
from app.polls.models import Poll
from app.polls.tally import may_see_results, poll_for, poll_full, tally
from app.sessions import get_by_slug

router = APIRouter(prefix="/api")


class VoteIn(BaseModel):
    choices: list[int] | None = Field(default=None, max_length=service.MAX_OPTIONS)
    text: str | None = Field(default=None, max_length=100_000)
    code: str | None = Field(default=None, max_length=64)


class AccessIn(BaseModel):
    join_code: str | None = Field(default=None, max_length=64)


@router.get("/sessions/{slug}/polls")
async def list_polls(session: SessionDep, state: StateDep, principal: PrincipalDep) -> list[dict]:
    polls = await state.store.read(lambda db: service.session_polls(db, session.id))
    return [v for p in polls if (v := poll_for(principal.role, p)) is not None]


@router.post("/sessions/{slug}/polls", status_code=201)
async def create_poll(
    body: service.PollCreate, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    poll = await state.store.write(
        lambda db: service.create_poll(db, session.id, body, principal.role)
    )
    return {"id": poll["id"], "poll": poll}


@router.post("/sessions/{slug}/polls/{poll_id}/actions/{action}")
async def poll_action(
    poll_id: int, action: str, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    poll = await state.store.write(
        lambda db: service.apply_action(db, session.id, poll_id, action, principal.role)
    )
    if action == "open":
        runtime(state).schedule_close(
            session.id, poll["id"], _parse_ts(poll["opened_at"]), poll["auto_close_seconds"]
        )
    return poll


@router.put("/sessions/{slug}/poll-access")
async def set_access(
    body: AccessIn, session: SessionDep, state: StateDep, principal: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(
        lambda db: service.set_join_code(db, session.id, body.join_code, principal.role)
    )


async def post_vote(request: Request) -> Response:
    """`POST /api/sessions/{slug}/polls/{poll_id}/votes` -> 201, the hot path.

    A plain Starlette route: no dependency solving (FastAPI runs sync dependencies in a
    thread, a hop per vote) and no response model; errors still go through the app's
    DomainError handler.
    """
    slug: str = request.path_params["slug"]
    poll_id: int = request.path_params["poll_id"]
    state: AppState = request.app.state.fb
    rt = runtime(state)
    session_id = rt.slugs.get(slug)
    if session_id is None:
        session = await state.store.read(lambda db: get_by_slug(db, slug[:64]))
        session_id = rt.slugs[slug] = session.id
    voter = rt.audience_id(state.signer, request.cookies.get(AUDIENCE_COOKIE))
    if voter is None:
        # Missing or forged: no ballot. A fresh signed id comes with the answer; retry with it.
        _, value = state.signer.new_audience_id()
        answer = JSONResponse(
            {"detail": "your audience id is missing or not valid; vote again to use a new one"},
            status_code=401,
        )
        set_audience_cookie(answer, value, request.url.scheme == "https")
        return answer
    try:
        body = VoteIn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise Invalid(_why(exc)) from None
    rt.limits.check(voter, request.client.host if request.client else None)
    result = await rt.votes.submit(
        service.Vote(session_id, poll_id, voter, body.choices, body.text, body.code)
    )
    rt.touch(session_id, poll_id)
    return Response(orjson.dumps(result), status_code=201, media_type="application/json")


router.add_route(
    "/api/sessions/{slug}/polls/{poll_id:int}/votes", post_vote, methods=["POST"], name="poll_vote"
)


@router.get("/sessions/{slug}/polls/{poll_id}/results")
async def results(
    poll_id: int,
    session: SessionDep,
    state: StateDep,
    principal: PrincipalDep,
    format: str = "json",
) -> Any:
    def read(db: Session) -> dict[str, Any]:
        poll = db.get(Poll, poll_id)
        if poll is None or poll.session_id != session.id:
            raise NotFound(f"no poll {poll_id} in this session")
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


def _why(exc: ValidationError) -> str:
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return "the body is not valid JSON"
        loc = ".".join(str(x) for x in err.get("loc", ()))
        return f"{loc}: {err.get('msg')}" if loc else str(err.get("msg"))
    return "invalid vote"


def _parse_ts(value: str | None) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


# The vote route first in this router: route matching is linear, and it is the hot path.
router.routes.sort(key=lambda r: getattr(r, "name", "") != "poll_vote")
