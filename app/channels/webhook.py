"""`POST /integrations/webhook/{channel}`: the generic signed webhook, mounted by the app.

The route and the secret -> session routing; the body's signature and parsing are pure
functions in `integrations.webhook_generic`.

The channel's secret lives in a session's connector settings (`PUT
/api/sessions/{slug}/connectors/{channel}` with `{"settings": {"secret": ...}}`); the
signature also tells which session the post belongs to, so the URL names no session.
404 when no session has a secret for the channel (nothing to verify against).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.connectors import service
from app.deps import StateDep
from app.errors import Invalid
from app.ingest import ingest_single
from integrations.webhook_generic import (
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    WebhookError,
    check_channel,
    parse_webhook,
)

router = APIRouter(prefix="/integrations/webhook")


@router.post("/{channel}")
async def webhook(channel: str, request: Request, state: StateDep) -> JSONResponse:
    try:
        check_channel(channel)
        body = await _body(request)
        box = state.connectors.box
        rows = await state.store.read(lambda db: service.webhook_secrets(db, channel))
        if not rows:
            raise WebhookError(404, f"no session has a secret for webhook channel {channel!r}")
        header = request.headers.get(SIGNATURE_HEADER)
        error = WebhookError(401, "signature does not match the body")
        for session_id, sealed in rows:
            try:
                secret = box.open(sealed)["secret"]
                msg = parse_webhook(channel, secret, body, header)
            except WebhookError as exc:
                if exc.status != 401:
                    raise
                error = exc
                continue
            except Invalid:
                continue  # settings sealed under an old key: this session cannot match
            return await _store(state, session_id, msg)
        raise error
    except WebhookError as exc:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)


async def _body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise WebhookError(413, "body too large (64 KiB at most)")
    return body


async def _store(state: Any, session_id: int, msg: Any) -> JSONResponse:
    try:
        result = await ingest_single(state.store, session_id, msg, state.registry.ingest)
    except Invalid as exc:
        return JSONResponse({"detail": exc.detail}, status_code=422)
    status = 200 if result.duplicate else 201
    return JSONResponse(
        {"id": result.question_id, "duplicate": result.duplicate}, status_code=status
    )
