"""Notes from the online moderator to the onsite moderator's tablet, acknowledged there.

Only the moderator and the stage ever see them (see views.py): not the room screen, not
the audience.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.agenda.models import StageNote
from app.clock import iso
from app.errors import Invalid, NotFound
from app.events import emit, lock_session
from app.inputs import CleanLine, CleanText
from app.text import clean_text

PRESETS = {
    "wrap_up": "Please wrap up",
    "speaker_ready": "Remote speaker is ready",
    "zoom_next": "Next question is from Zoom",
    "time": "Time is up",
}
MAX_NOTE = 280
RECENT = 20


class NoteIn(BaseModel):
    kind: CleanLine = Field(default="text", max_length=32)
    text: CleanText | None = Field(default=None, max_length=MAX_NOTE * 4)


def note_view(n: StageNote) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "text": n.text,
        "auto": n.auto,
        "created_at": iso(n.created_at),
        "acked_at": iso(n.acked_at),
    }


def send_note(
    db: Session, session_id: int, body: NoteIn, now: datetime, *, auto: bool = False
) -> dict[str, Any]:
    if body.kind == "text":
        text = clean_text(body.text or "", MAX_NOTE)
    elif body.kind in PRESETS:
        text = PRESETS[body.kind]
    else:
        raise Invalid(f"kind must be text or one of {', '.join(PRESETS)}")
    lock_session(db, session_id)
    note = StageNote(session_id=session_id, kind=body.kind, text=text, auto=auto, created_at=now)
    db.add(note)
    db.flush()
    view = note_view(note)
    emit(db, session_id, "note.created", {"note": view})
    return view


def ack_note(db: Session, session_id: int, note_id: int, now: datetime) -> dict[str, Any]:
    """Acknowledge once; a second tap (or a retry) changes nothing and says so quietly."""
    lock_session(db, session_id)
    note = db.get(StageNote, note_id)
    if note is None or note.session_id != session_id:
        raise NotFound("no such note in this session")
    if note.acked_at is None:
        note.acked_at = now
        db.add(note)
        db.flush()
        emit(db, session_id, "note.acked", {"note": note_view(note)})
    return note_view(note)


def recent_notes(db: Session, session_id: int, limit: int = RECENT) -> list[dict[str, Any]]:
    rows = db.exec(
        select(StageNote)
        .where(StageNote.session_id == session_id)
        .order_by(col(StageNote.id).desc())
        .limit(limit)
    ).all()
    return [note_view(n) for n in reversed(rows)]
