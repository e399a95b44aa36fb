"""The triage API's bodies and answers, in the SQLModel Base/Update/Public style.

Field order is the order of the JSON the routes always produced (`TriageRuntime.features`,
`runtime.result_view`). `features.loading` exists only while the model loads: the routes
that carry it answer with `response_model_exclude_unset`, so it stays absent otherwise."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ThresholdIn(BaseModel):
    """`PUT .../triage`: the session's duplicate threshold."""

    #: Below 0.5 unrelated questions on one topic start to look alike; above 0.95 only
    #: near-copies do.
    threshold: float = Field(ge=0.5, le=0.95)


class TriageFeatures(BaseModel):
    enabled: bool
    #: Present (true) only while the model loads.
    loading: bool | None = None
    duplicates: bool
    language: bool
    reasons: list[str]


class TriagePublic(BaseModel):
    features: TriageFeatures
    threshold: float


class TriageResultPublic(BaseModel):
    """One question's analysis as the moderator sees it."""

    id: int
    lang: str
    kind: str
    flags: list[str]
    #: The stored suggestions as they are (`{id, score, channel, lang}`), best first.
    similar: list[dict[str, Any]]
