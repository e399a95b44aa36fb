"""The upvote endpoint as a bare ASGI app, a hot path like the vote (`app.hot_paths`).

Why: an id-minting script within its allowance upvotes thousands of times a minute, and
per upvote FastAPI's routing, dependency and response layers cost the server more CPU
than the grouped write does (1.7 ms of a request's 1.7 ms were not the upvote's own). The
ordinary route in `app.questions.endpoints` stays: it documents the call in the OpenAPI
schema and answers any other method. The checks are the route's, in its order: the
session, the question number, the audience id, the limits, then the write.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from app.audience_limits import client_ip, limits_of
from app.auth import AUDIENCE_COOKIE
from app.deps import NO_AUDIENCE_ID, AppState
from app.errors import DomainError, Invalid, NotFound, Unauthorized
from app.hot_paths import answer_error, answer_json, cookie_of
from app.inputs import MAX_ID
from app.models import require_id
from app.questions import upvotes

#: The upvote: answered below FastAPI's routing (declared by the questions domain).
UPVOTE_PATH = "/api/sessions/{slug}/questions/{question_id:int}/upvote"


async def post_upvote(scope: Scope, receive: Receive, send: Send) -> None:
    """`POST .../questions/{id}/upvote` -> 200 `{id, votes}` after the commit."""
    try:
        body = orjson.dumps(await _upvote(scope))
    except DomainError as exc:
        await answer_error(exc, scope, receive, send)
        return
    await answer_json(send, 200, body)


async def _upvote(scope: Scope) -> dict[str, Any]:
    state: AppState = scope["app"].state.fb
    slug: str = scope["path_params"]["slug"]
    question_id: int = scope["path_params"]["question_id"]
    if len(slug) > 64:
        raise NotFound("no such session")
    sid = require_id(await state.sessions.get(slug))
    if not 1 <= question_id <= MAX_ID:
        raise Invalid(f"path.question_id: a question number from 1 to {MAX_ID}")
    audience = state.signer.read_audience(cookie_of(scope, AUDIENCE_COOKIE))
    if audience is None:  # missing or forged: the page issues ids, never a refused call
        raise Unauthorized(NO_AUDIENCE_ID)
    await limits_of(state).upvotes(audience, client_ip(scope))
    result: dict[str, Any] = await state.store.write_grouped(
        ("upvote", sid), (sid, question_id, audience), upvotes.upvote_many
    )
    return result
