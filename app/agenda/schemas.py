"""The stage notes' bodies and answers, in the SQLModel Base/Create/Public style.

Field order is the order of the JSON the routes always produced (`notes.note_view`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.inputs import CleanLine, CleanText

#: Characters a typed note keeps (presets are shorter).
MAX_NOTE = 280


class StageNoteCreate(BaseModel):
    """`POST .../notes`: a preset `kind`, or `kind: "text"` with the text."""

    kind: CleanLine = Field(default="text", max_length=32)
    text: CleanText | None = Field(default=None, max_length=MAX_NOTE * 4)


class StageNotePublic(BaseModel):
    id: int
    kind: str
    text: str
    auto: bool
    created_at: str | None
    acked_at: str | None
