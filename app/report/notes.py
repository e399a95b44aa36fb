"""The rapporteur's notes and highlights. Each save is one small change with its event, so
a second tab (or the moderator) sees it live and a reconnecting page gets it replayed.

A segment's notes are filed under the segment's id (`seg:ID`), not its place in the
agenda, so moving a segment keeps its notes with it. The older `segment:N` (a position)
is still accepted on save and filed under the segment now at that place."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from app.clock import iso, utc_now
from app.errors import Invalid, NotFound
from app.events import emit, lock_session
from app.models import Question, Segment, require_id
from app.report.models import ReportHighlight, ReportNote
from app.report.words import valid_zone
from app.rows import session_object_or_404, store_and_emit

MAX_NOTE = 20_000
SECTION_RE = re.compile(
    r"^(takeaways|actions|general|time_zone|igf\.[a-z_]{1,40}|seg:\d{1,12}|segment:\d{1,3})$"
)


def segment_section(segment_id: int) -> str:
    return f"seg:{segment_id}"


def check_section(section: str) -> str:
    from app.report.igf import PEOPLE_FIELDS

    if not SECTION_RE.match(section) or (
        section.startswith("igf.") and section not in PEOPLE_FIELDS
    ):
        raise Invalid(
            "section must be takeaways, actions, general, time_zone, seg:ID (a segment's id) "
            "or one of the IGF fields: " + ", ".join(PEOPLE_FIELDS)
        )
    return section


def resolve_section(db: Session, session_id: int, section: str) -> str:
    """The section a note is filed under: a segment's notes by the segment's id."""
    check_section(section)
    kind, _, number = section.partition(":")
    if kind == "segment":  # legacy: a position in the agenda as it is now
        seg = db.exec(
            select(Segment).where(Segment.session_id == session_id, Segment.position == int(number))
        ).first()
        if seg is None:
            raise NotFound(f"no segment at position {number} in this session's agenda")
        return segment_section(require_id(seg))
    if kind == "seg":
        session_object_or_404(
            db, Segment, session_id, int(number), "segment",
            missing=f"no segment {number} in this session's agenda (was it removed?)",
        )  # fmt: skip
    return section


def note_view(note: ReportNote) -> dict[str, Any]:
    return {
        "section": note.section,
        "text": note.text,
        "rev": note.rev,
        "updated_at": iso(note.updated_at),
    }


def save_note(db: Session, session_id: int, section: str, text: str) -> dict[str, Any]:
    """Last write wins: the page saves its whole field a moment after each pause in typing."""
    check_section(section)
    if len(text) > MAX_NOTE:
        raise Invalid(f"a notes field holds at most {MAX_NOTE} characters")
    text = text.replace("\r\n", "\n").replace("\x00", "")
    if section == "time_zone" and text.strip() and not valid_zone(text):
        raise Invalid(f"unknown time zone {text.strip()!r}: use a name like Europe/Paris or UTC")
    lock_session(db, session_id)
    section = resolve_section(db, session_id, section)
    note = db.exec(
        select(ReportNote).where(ReportNote.session_id == session_id, ReportNote.section == section)
    ).first()
    if note is None:
        note = ReportNote(session_id=session_id, section=section)
    if note.text == text and note.id is not None:
        return note_view(note)
    note.text = text
    note.rev += 1
    note.updated_at = utc_now()
    return store_and_emit(db, session_id, note, "report.note", "note", note_view)


def set_highlight(db: Session, session_id: int, question_id: int, on: bool) -> dict[str, Any]:
    lock_session(db, session_id)
    session_object_or_404(db, Question, session_id, question_id, "question")
    row = db.exec(
        select(ReportHighlight).where(
            ReportHighlight.session_id == session_id, ReportHighlight.question_id == question_id
        )
    ).first()
    if on == (row is not None):
        return {"question_id": question_id, "highlighted": on}
    if on:
        db.add(
            ReportHighlight(session_id=session_id, question_id=question_id, created_at=utc_now())
        )
    else:
        db.delete(row)
    db.flush()
    emit(db, session_id, "report.highlight", {"question_id": question_id, "highlighted": on})
    return {"question_id": question_id, "highlighted": on}


def notes_of(db: Session, session_id: int) -> dict[str, dict[str, Any]]:
    rows = db.exec(select(ReportNote).where(ReportNote.session_id == session_id)).all()
    return {n.section: note_view(n) for n in rows}


def highlights_of(db: Session, session_id: int) -> list[int]:
    return list(
        db.exec(
            select(ReportHighlight.question_id)
            .where(ReportHighlight.session_id == session_id)
            .order_by(col(ReportHighlight.id))
        ).all()
    )


def lines(text: str | None) -> list[str]:
    """A list field is one item per line; bullets the rapporteur typed are dropped."""
    out = []
    for line in (text or "").split("\n"):
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if line:
            out.append(line)
    return out
