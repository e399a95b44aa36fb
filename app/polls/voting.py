"""The vote endpoint, the hot path (thousands a second), as a bare ASGI app.

Why bare ASGI: per vote, FastAPI's exception, routing and request layers cost more server
CPU than the vote itself, so `post_vote` is a hot path (`app.hot_paths`): a middleware
hands `POST /api/sessions/{slug}/polls/{id}/votes` straight to it; it is also a route, so
any other method still gets the router's 405.

The body is parsed with orjson and checked by hand (`parse_vote`); each vote waits for the
group commit that holds its ballot (`VoteBatcher`) before its 201.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from app.audience_limits import limits_of
from app.auth import AUDIENCE_COOKIE
from app.deps import NO_AUDIENCE_ID, AppState
from app.errors import DomainError, Invalid, NotFound, Unauthorized
from app.hot_paths import MAX_BODY, answer_error, answer_json, cookie_of, read_body
from app.models import require_id
from app.polls import service
from app.polls.live import runtime

MAX_TEXT = 100_000
MAX_CODE = 64
MAX_POLL_ID = 2**31 - 1


class TooLarge(DomainError):
    status = 413


async def post_vote(scope: Scope, receive: Receive, send: Send) -> None:
    """`POST .../polls/{poll_id}/votes` -> 201 `{poll_id, choices|text}` after the commit."""
    try:
        status, body = await _vote(scope, receive)
    except DomainError as exc:
        await answer_error(exc, scope, receive, send)
        return
    except ClientDisconnect:  # gone before its body arrived: nobody to answer
        return
    await answer_json(send, status, body)


async def _vote(scope: Scope, receive: Receive) -> tuple[int, bytes]:
    state: AppState = scope["app"].state.fb
    rt = runtime(state)
    limits = limits_of(state)
    slug: str = scope["path_params"]["slug"]
    poll_id: int = scope["path_params"]["poll_id"]
    session_id = require_id(await state.sessions.get(slug))
    voter = state.signer.read_audience(cookie_of(scope, AUDIENCE_COOKIE))
    if voter is None:  # missing or forged: no ballot, and no new id (the page issues those)
        raise Unauthorized(NO_AUDIENCE_ID)
    raw = await read_body(receive, MAX_BODY)
    if raw is None:
        raise TooLarge("request body too large (1 MiB at most)")
    choices, text, code = parse_vote(raw)
    if poll_id > MAX_POLL_ID:
        raise NotFound(f"no poll {poll_id} in this session")
    client = scope.get("client")
    await limits.votes(voter, client[0] if client else None)
    result = await rt.votes.submit(service.Vote(session_id, poll_id, voter, choices, text, code))
    rt.touch(session_id, poll_id)
    return 201, orjson.dumps(result)


def parse_vote(raw: bytes) -> tuple[list[int] | None, str | None, str | None]:
    """`{"choices": [0, 2]}` or `{"text": "..."}`, optionally `"code"`: checked by hand.

    Whether the choices fit the poll (option numbers, how many) is `service.ballot_of`'s.
    """
    try:
        data: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Invalid("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Invalid('the body must be a JSON object such as {"choices": [0]}')
    choices = data.get("choices")
    if choices is not None and not (
        type(choices) is list
        and len(choices) <= service.MAX_OPTIONS
        and all(type(c) is int for c in choices)
    ):
        raise Invalid(f"choices: a list of at most {service.MAX_OPTIONS} option numbers")
    text = _string(data, "text", MAX_TEXT)
    code = _string(data, "code", MAX_CODE)
    return choices, text, code


def _string(data: dict[str, Any], key: str, most: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if type(value) is not str:
        raise Invalid(f"{key}: a string")
    if len(value) > most:
        raise Invalid(f"{key}: at most {most} characters")
    return value
