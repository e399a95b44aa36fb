"""The optional automatic "wrap up" note when a segment reaches its warning threshold.

A background task checks running timers a few times a second (a database read, no events);
the note itself goes through the same write path as any note. `wrap_sent` is set in the
same transaction under the session lock, so several workers never send it twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from app.agenda import timer
from app.agenda.models import TimerState
from app.agenda.notes import send_note
from app.agenda.schemas import StageNoteCreate
from app.agenda.service import current_index, planned_of
from app.agenda.timer import TState
from app.clock import utc_now
from app.events import lock_session
from app.views import segments_of

if TYPE_CHECKING:
    from app.deps import AppState

log = logging.getLogger(__name__)
CHECK_EVERY = 0.5


def due_sessions(db: Session, now: datetime) -> list[int]:
    """Sessions whose running segment has crossed its warning threshold without a note."""
    rows = db.exec(
        select(TimerState).where(
            TimerState.auto_wrap == True,  # noqa: E712 - SQL comparison
            TimerState.wrap_sent == False,  # noqa: E712
            TimerState.state == TState.running.value,
        )
    ).all()
    due = []
    for t in rows:
        segs = segments_of(db, t.session_id)
        idx = current_index(t, segs)
        if idx is not None and timer.remaining(t, planned_of(segs[idx]), now) <= t.warning_seconds:
            due.append(t.session_id)
    return due


def send_wrap_up(db: Session, session_id: int, now: datetime) -> dict[str, Any] | None:
    """Send the note unless someone (another worker) did already or the timer moved on."""
    lock_session(db, session_id)
    if session_id not in due_sessions(db, now):
        return None
    t = db.get(TimerState, session_id)
    t.wrap_sent = True
    db.add(t)
    return send_note(db, session_id, StageNoteCreate(kind="wrap_up"), now, auto=True)


async def _loop(state: Any) -> None:
    store = state.store
    while True:
        await asyncio.sleep(CHECK_EVERY)
        try:
            now = utc_now()
            for sid in await store.read(lambda db, now=now: due_sessions(db, now)):
                await store.write(lambda db, sid=sid: send_wrap_up(db, sid, utc_now()))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the checker must outlive a bad moment
            log.exception("automatic wrap-up check failed")


async def start(state: AppState) -> None:
    """Start-up hook (declared in app/agenda/domain.py): the wrap-up checker runs."""
    state.tasks.spawn(_loop(state))
