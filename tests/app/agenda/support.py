"""Helpers for the agenda tests: a session with an agenda, a clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.agenda.service import apply_action, timer_view
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
AGENDA = [
    {"title": "Opening", "minutes": 1, "kind": "opening", "questions_open": False},
    {"title": "Ana on data", "minutes": 2, "kind": "speaker", "speaker": "Ana Pires"},
    {"title": "Open debate", "minutes": 10, "kind": "debate"},
]


def at(seconds: float) -> datetime:
    """The test's clock: T0 plus some seconds."""
    return T0 + timedelta(seconds=seconds)


async def new_session(store: Any, agenda: list[dict] | None = None) -> int:
    body = SessionCreate(title="Timer test", agenda=AGENDA if agenda is None else agenda)
    session, _keys = await store.write(lambda db: create_session(db, body))
    return session.id


async def act(store: Any, sid: int, action: str, seconds_in: float, **kw: Any) -> dict:
    return await store.write(lambda db: apply_action(db, sid, action, at(seconds_in), **kw))


async def view(store: Any, sid: int) -> dict:
    return await store.read(lambda db: timer_view(db, sid))


def left(v: dict, seconds_in: float) -> float:
    """Remaining seconds as a page computes it from the view's timestamps (see timer-core.js)."""
    if v["started_at"] is None:
        return v["planned"] + v["adjust"]
    now_ms = at(seconds_in).timestamp() * 1000
    until = v["paused_at"] if v["paused_at"] is not None else now_ms
    elapsed = (until - v["started_at"]) / 1000 - v["paused_total"]
    return v["planned"] + v["adjust"] - elapsed
