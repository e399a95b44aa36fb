"""`WS /s/{slug}/live`: resume from a seq (exact replay) or a snapshot, then stream.

The first frame a client sends is `{"type": "resume", "after": seq|null}`. The client is
registered with the hub *before* the replay is read, so nothing committed in between is
missed; its pump skips whatever the replay or snapshot already covered.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, timedelta
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlmodel import Session, select

from app.auth import resolve
from app.clock import to_ms, utc_now
from app.deps import AppState
from app.errors import NotFound
from app.inputs import MAX_ID
from app.live.direct_write import direct_writer
from app.live.frames import encode, frame_for
from app.live.hub import (
    CLOSE_KEY_REPLACED,
    KEY_REPLACED_REASON,
    SessionHub,
    events_between,
    head_of,
    to_committed,
)
from app.live.outbox import Client
from app.models import Event, LiveSession
from app.views import snapshot

router = APIRouter()
RESUME_TIMEOUT = 10.0
MAX_FRAME = 4096
CLOSE_BAD_KEY = 4401
CLOSE_NO_SESSION = 4404


def _replay_or_none(
    db: Session, session_id: int, after: int, max_events: int, max_age: float
) -> tuple[int, list[Event]] | None:
    """The missed events if the log still proves continuity and the gap is small enough."""
    head = head_of(db, session_id)
    missed = head - after
    if after < 0 or missed < 0:
        return None
    if missed > max_events:
        if missed > max_events * 10:
            return None
        first = db.get(Event, _event_id(db, session_id, after + 1))
        if first is None:
            return None
        created = first.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        if created < utc_now() - timedelta(seconds=max_age):
            return None
    events = events_between(db, session_id, after, head)
    if len(events) != missed:  # purged or damaged log: a snapshot is the honest answer
        return None
    return head, events


def _event_id(db: Session, session_id: int, seq: int) -> int | None:
    return db.exec(select(Event.id).where(Event.session_id == session_id, Event.seq == seq)).first()


def _snapshot(
    db: Session, session_id: int, role: str, base: str, parts: Any
) -> dict[str, Any]:
    session = db.get(LiveSession, session_id)
    return snapshot(db, session, role, base, parts)


async def _initial(
    state: AppState, hub: SessionHub, role: str, after: Any, base: str
) -> tuple[list[tuple[int, str]], int]:
    session_id = hub.session_id
    s = state.settings
    # A seq is a database INTEGER: anything else is no seq (a snapshot, not an error).
    if isinstance(after, int) and not isinstance(after, bool) and 0 <= after <= MAX_ID:
        found = await state.store.read(
            lambda db: _replay_or_none(db, session_id, after, s.replay_max_events, s.replay_max_age)
        )
        if found is not None:
            head, events = found
            frames = []
            for e in events:
                frame = frame_for(role, to_committed(e), state.registry.filters)
                if frame is not None:
                    frames.append((e.seq, frame))
            return frames, head
    parts = state.registry.parts
    seq, frame = await hub.snapshot(
        role,
        base,
        lambda: state.store.read(lambda db: _snapshot(db, session_id, role, base, parts)),
    )
    return [(seq, frame)], seq


@router.websocket("/s/{slug}/live")
async def live(ws: WebSocket, slug: str) -> None:
    state: AppState = ws.app.state.fb
    try:
        session = await state.sessions.get(slug)
    except NotFound:
        await ws.accept()
        await ws.close(CLOSE_NO_SESSION, "no such session")
        return
    want = ws.query_params.get("as")
    principal = await resolve(ws, state.store, state.signer, session, allow_query=True, want=want)
    await ws.accept()
    if principal.bad_key:
        await ws.close(CLOSE_BAD_KEY, "that key is not valid for this session")
        return
    if principal.replaced and want != "audience":
        # The page's cookie names a rotated key: a silent audience view would mislead it.
        await ws.close(CLOSE_KEY_REPLACED, KEY_REPLACED_REASON)
        return
    try:
        first = await asyncio.wait_for(ws.receive(), RESUME_TIMEOUT)
    except (TimeoutError, WebSocketDisconnect):
        with contextlib.suppress(Exception):
            await ws.close(1008, "send {type: resume} first")
        return
    msg = _parse(first)
    if isinstance(msg, int):
        await _close(ws, msg)
        return
    after = msg.get("after") if msg.get("type") == "resume" else None

    client = Client(
        principal.role,
        ws.send_text,
        ws.close,
        state.settings.client_buffer,
        direct=direct_writer(ws.scope),
        stats=state.hubs.stats,
    )
    hub = await state.hubs.join(session.id, client, principal.key_id)
    try:
        if _up_to_date(after, hub.delivered):
            # Nothing to read: what comes next reaches it through the hub it just joined.
            # (A reconnect storm is mostly this: 10,000 clients that missed nothing.)
            frames, synced_to = [], after
        else:
            frames, synced_to = await _initial(
                state, hub, principal.role, after, state.base_url(ws)
            )
        client.start(frames, synced_to)
        if msg.get("type") == "ping":
            client.offer(0, _pong(msg))
        await _receive_loop(ws, client)
    finally:
        await state.hubs.leave(session.id, client)
        await client.shut(1000, "bye")  # stops the pump; closing twice is harmless


def _up_to_date(after: Any, delivered: int) -> bool:
    return isinstance(after, int) and not isinstance(after, bool) and 0 < after == delivered


def _pong(msg: dict[str, Any]) -> str:
    return encode({"type": "pong", "t": msg.get("t"), "server": to_ms(utc_now())})


def _parse(message: dict[str, Any]) -> dict[str, Any] | int:
    """A client frame as a dict, or the close code it deserves."""
    if message.get("type") == "websocket.disconnect":
        return 1000
    if message.get("bytes") is not None:
        return 1003
    text = message.get("text") or ""
    if len(text) > MAX_FRAME:
        return 1009
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return 1007
    return data if isinstance(data, dict) else 1007


async def _close(ws: WebSocket, code: int) -> None:
    reasons = {
        1003: "binary frames are not accepted",
        1007: "frames must be JSON objects",
        1009: "frame too large",
        1000: "bye",
    }
    with contextlib.suppress(Exception):
        await ws.close(code, reasons.get(code, ""))


async def _receive_loop(ws: WebSocket, client: Client) -> None:
    while not client.closed:
        try:
            message = await ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        msg = _parse(message)
        if isinstance(msg, int):
            client.closed = True
            if msg != 1000:
                await _close(ws, msg)
            return
        if msg.get("type") == "ping":
            client.offer(0, _pong(msg))
