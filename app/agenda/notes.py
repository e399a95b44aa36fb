"""Notes from the online moderator to the onsite moderator's tablet, acknowledged there.

Only the moderator and the stage ever see them (see views.py): not the room screen, not
the audience.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.agenda.models import StageNote
from app.agenda.schemas import MAX_NOTE, StageNoteCreate
from app.clock import iso
from app.errors import Invalid
from app.events import lock_session
from app.rows import session_object_or_404, store_and_emit
from app.text import clean_text

PRESETS = {
    "wrap_up": "Please wrap up",
    "speaker_ready": "Remote speaker is ready",
    "zoom_next": "Next question is from Zoom",
    "time": "Time is up",
}
RECENT = 20


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
    db: Session, session_id: int, body: StageNoteCreate, now: datetime, *, auto: bool = False
) -> dict[str, Any]:
    if body.kind == "text":
        text = clean_text(body.text or "", MAX_NOTE)
    elif body.kind in PRESETS:
        text = PRESETS[body.kind]
    else:
        raise Invalid(f"kind must be text or one of {', '.join(PRESETS)}")
    lock_session(db, session_id)
    note = StageNote(session_id=session_id, kind=body.kind, text=text, auto=auto, created_at=now)
    return store_and_emit(db, session_id, note, "note.created", "note", note_view)


def ack_note(db: Session, session_id: int, note_id: int, now: datetime) -> dict[str, Any]:
    """Acknowledge once; a second tap (or a retry) changes nothing and says so quietly."""
    lock_session(db, session_id)
    note = session_object_or_404(
        db, StageNote, session_id, note_id, "note", missing="no such note in this session"
    )
    if note.acked_at is None:
        note.acked_at = now
        return store_and_emit(db, session_id, note, "note.acked", "note", note_view)
    return note_view(note)


def recent_notes(db: Session, session_id: int, limit: int = RECENT) -> list[dict[str, Any]]:
    rows = db.exec(
        select(StageNote)
        .where(StageNote.session_id == session_id)
        .order_by(col(StageNote.id).desc())
        .limit(limit)
    ).all()
    return [note_view(n) for n in reversed(rows)]
