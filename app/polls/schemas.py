"""The polls API's bodies and answers, in the SQLModel Base/Create/Public style.

Field order is the order of the JSON the routes always produced (`tally.poll_full`,
`tally.tally`). A tally's `words`, `distinct_words` and `mean` exist for some kinds only:
the routes that carry one answer with `response_model_exclude_unset`, so a key absent
today stays absent. `PollCreate` stays in `service` (the demo builds it there); the vote,
the hot path, has no model on purpose (docs/architecture.md, "Deliberate departures")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.inputs import CleanLine


class AccessIn(BaseModel):
    """`PUT .../poll-access`: the join code phones must give to vote (null: none)."""

    join_code: CleanLine | None = Field(default=None, max_length=64)


class PollAccessPublic(BaseModel):
    join_code: str | None


class OptionTally(BaseModel):
    label: str
    count: int
    channels: dict[str, int]
    percent: float


class WordCount(BaseModel):
    word: str
    count: int
    #: Present (true) only when the word held an e-mail address or a phone number, masked.
    personal: bool | None = None


class PollResults(BaseModel):
    poll_id: int
    kind: str
    state: str
    total: int
    turnout: dict[str, int]
    options: list[OptionTally]
    final: bool
    #: Word clouds only.
    words: list[WordCount] | None = None
    distinct_words: int | None = None
    #: Ratings with at least one vote only.
    mean: float | None = None


class PollPublic(BaseModel):
    id: int
    question: str
    kind: str
    options: list[str]
    max_choices: int
    segment: int | None
    auto_close_seconds: int | None
    closes_at: str | None
    state: str
    show_screen: bool
    show_audience: bool
    zoom_votes: bool
    opened_at: str | None
    closed_at: str | None
    #: None where the caller's role may not see the results yet.
    results: PollResults | None


class PollCreated(BaseModel):
    id: int
    poll: PollPublic
