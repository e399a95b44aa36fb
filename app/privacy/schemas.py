"""The privacy API's bodies and answers, in the SQLModel Base/Update/Public style.

Field order is the order of the JSON the routes always produced
(`settings_store.privacy_view`). Export and erasure answer with one part per domain
(`Registry.privacy`), so they have no model here."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.inputs import CleanLine
from app.privacy.settings_store import MAX_RETENTION_DAYS


class RetentionUpdate(BaseModel):
    """`PUT .../privacy`: the session's retention period (the organiser)."""

    retention_days: int = Field(ge=1, le=MAX_RETENTION_DAYS)


class SubjectIn(BaseModel):
    """`POST .../privacy/export|erase`: a person as a channel knows them."""

    channel: CleanLine = Field(min_length=1, max_length=64)
    handle: CleanLine = Field(min_length=1, max_length=512)


class PrivacyPublic(BaseModel):
    """What the join page states: the name policy, the retention period, in plain words."""

    author_display: str
    email_stored: bool
    retention_days: int
    statements: list[str]
