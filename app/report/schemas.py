"""The report API's bodies and answers, in the SQLModel Base/Update/Public style: what the
rapporteur sends, and what every reader (and `/openapi.json`) gets back.

Field order is the order of the JSON the routes always produced (`notes.note_view`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.inputs import CleanText
from app.report.notes import MAX_NOTE


class NoteBase(BaseModel):
    section: str
    text: str


class NoteUpdate(BaseModel):
    """`PUT .../report/notes/{section}`: the whole field, last write wins."""

    text: CleanText = Field(max_length=MAX_NOTE)


class NotePublic(NoteBase):
    rev: int
    updated_at: str | None


class NotesPublic(BaseModel):
    notes: dict[str, NotePublic]
    highlights: list[int]


class HighlightUpdate(BaseModel):
    highlighted: bool = True


class HighlightPublic(BaseModel):
    question_id: int
    highlighted: bool
