"""The questions API's bodies and answers, in the SQLModel Base/Create/Update/Public style.

Field order is the order of the JSON the routes always produced (`app.views.question_full`,
`app.questions.service`). The snapshot has no model here: each role gets its own view, and
the domains add their parts to it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.inputs import CleanLine, CleanText, Id
from app.text import MAX_TEXT


class QuestionCreate(BaseModel):
    """`POST .../questions`: the audience page's question."""

    text: CleanText = Field(max_length=MAX_TEXT * 4)
    name: CleanLine | None = Field(default=None, max_length=200)
    #: "I'm in the room": counted as onsite in the report; remote unless said.
    in_room: bool = False


class QuestionUpdate(BaseModel):
    """`PATCH .../questions/{id}`: the moderator's edit of the text, or a move in the queue."""

    text: CleanText | None = Field(default=None, max_length=MAX_TEXT * 4)
    position: Id | None = None


class MergeIn(BaseModel):
    into: Id


class ActionIn(BaseModel):
    #: push only: send the live item back to the front of the queue instead of a 409.
    swap: bool = False
    #: dismiss only: why (off_topic, duplicate, abusive, answered_elsewhere, other).
    reason: str | None = Field(default=None, max_length=32)


class QuestionAsked(BaseModel):
    """What the asker hears: the new question's id (None when a domain took the message,
    e.g. as a floor request), and its state."""

    id: int | None
    state: str


class QuestionPublic(BaseModel):
    """A question as the moderator and the rapporteur see it (`question_full`)."""

    id: int
    text: str
    state: str
    channel: str
    author: str | None
    votes: int
    position: int | None
    segment: int | None
    created_at: str | None
    edited: bool
    original_text: str | None
    answer: str | None
    url: str | None
    merged_into: int | None
    sources: list[int]
    simulated: bool


class MyQuestionPublic(BaseModel):
    """One of the caller's own audience questions (`app.my_questions`): no author, and a
    status, not the moderation state."""

    id: int
    text: str
    status: str
    votes: int
    created_at: str | None
    merged_into: int | None


class StageNext(BaseModel):
    """The stage's 'next': what was answered and what went live (either may be None)."""

    answered: QuestionPublic | None
    on_stage: QuestionPublic | None


class Votes(BaseModel):
    id: int
    votes: int


class AuditEntryPublic(BaseModel):
    at: str | None
    role: str
    action: str
    question_id: int | None
    detail: dict[str, Any]
