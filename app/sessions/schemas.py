"""The sessions API's bodies and answers, in the SQLModel Base/Create/Public style, and the
one check of a session's language and captions link (creation and `PUT .../settings`).

Field order is the order of the JSON the routes always produced (`app.views.session_public`,
`links`)."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, field_validator

from app import i18n
from app.inputs import CleanLine, Title, ZoomId
from app.models import AuthorDisplay

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
SEGMENT_KINDS = ("opening", "speaker", "debate", "qa", "break", "closing")


def check_lang(value: str | None) -> str | None:
    if value is None or value in i18n.LANGS:
        return value
    raise ValueError(f"lang must be one of {', '.join(i18n.LANGS)} (or null for the browser's)")


def check_captions(value: str | None) -> str | None:
    """An http(s) address only: it becomes a link on phones and on the room screen."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError("captions_url must be an http(s):// address")
    return value


#: A page language (ar zh en fr ru es), or None for the browser's.
Lang = Annotated[str | None, AfterValidator(check_lang)]
#: An http(s) captioning link, or None (an empty one is None too).
CaptionsUrl = Annotated[str | None, AfterValidator(check_captions)]


class AgendaItem(BaseModel):
    title: Title = Field(min_length=1, max_length=200)
    minutes: float = Field(gt=0, le=600)
    kind: str = "speaker"
    speaker: CleanLine | None = Field(default=None, max_length=200)
    stakeholder: CleanLine | None = Field(default=None, max_length=64)
    questions_open: bool | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in SEGMENT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SEGMENT_KINDS)}")
        return v


class Privacy(BaseModel):
    author_display: AuthorDisplay = AuthorDisplay.initials


class SessionCreate(BaseModel):
    """`POST /api/sessions` (the admin token), `floorbridge session create`, the demo."""

    title: Title = Field(min_length=1, max_length=200)
    slug: str | None = None
    agenda: list[AgendaItem] = Field(default_factory=list, max_length=100)
    zoom_ids: list[ZoomId] = Field(default_factory=list, max_length=20)
    hashtags: list[str] = Field(default_factory=list, max_length=20)
    privacy: Privacy = Field(default_factory=Privacy)
    #: The pages' and the report's default language (ar zh en fr ru es); None: the browser's.
    lang: Lang = None
    captions_url: CaptionsUrl = Field(default=None, max_length=500)

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        if v is not None and not SLUG_RE.match(v):
            raise ValueError("slug: 2-64 lowercase letters, digits and dashes")
        return v

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        tags = [t.lstrip("#").strip() for t in v]
        if any(not re.fullmatch(r"\w{1,100}", t) for t in tags):
            raise ValueError("hashtags: letters, digits and underscores only")
        return tags


class SessionSettingsUpdate(BaseModel):
    """`PUT .../settings`: fields left out are left as they are (`model_fields_set`); null
    clears one."""

    lang: Lang = Field(default=None, max_length=8)
    captions_url: CaptionsUrl = Field(default=None, max_length=500)


class SessionSettingsPublic(BaseModel):
    lang: str | None
    captions_url: str | None


class SessionKeysPublic(BaseModel):
    """A new session's (or a rotation's) links and keys: shown once, never stored."""

    slug: str
    links: dict[str, str]
    keys: dict[str, str]


class SessionPrivacyPublic(BaseModel):
    author_display: str


class SegmentPublic(BaseModel):
    index: int
    title: str
    kind: str
    minutes: float
    speaker: str | None
    stakeholder: str | None
    questions_open: bool


class SessionPublic(BaseModel):
    """`GET /api/sessions/{slug}`: what anybody with the address may know of a session."""

    slug: str
    title: str
    privacy: SessionPrivacyPublic
    agenda: list[SegmentPublic]
    audience_url: str
    lang: str | None
    captions_url: str | None


class WhoAmI(BaseModel):
    slug: str
    role: str
