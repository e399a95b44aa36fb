"""Helpers for the floor tests: a session, requests from phones and from Zoom, a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.domains import default_registry
from app.floor import service
from app.floor.service import RequestIn
from app.ingest import ingest_many
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from ports.messages import IncomingMessage

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def new_session(store: Any, **kw: Any) -> int:
    body = SessionCreate(title="Floor", **kw)
    session, _ = await store.write(lambda db: create_session(db, body))
    return session.id


async def ask(store: Any, sid: int, phone: str, name: str, when: float = 0, **kw: Any) -> dict:
    body = RequestIn(name=name, **kw)
    return await store.write(lambda db: service.request_floor(db, sid, body, phone, at(when)))


async def zoom_says(store: Any, sid: int, participant: str, text: str, msg_id: str, name="Zoe"):
    msg = IncomingMessage(
        channel="zoom_chat", external_id=msg_id, text=text, author_name=name, author_id=participant
    )
    (outcome,) = await store.write(
        lambda db: ingest_many(db, sid, [msg], default_registry().ingest)
    )
    return outcome


async def act(store: Any, sid: int, rid: int, action: str, when: float, role="moderator"):
    return await store.write(lambda db: service.apply_action(db, sid, rid, action, role, at(when)))


async def view(store: Any, sid: int) -> dict:
    return await store.read(lambda db: service.floor_view(db, sid))


def names(v: dict) -> list[str]:
    return [i["name"] for i in v["queue"]]
