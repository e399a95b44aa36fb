"""The session's language settings: its default language and its captioning link.

`PUT /api/sessions/{slug}/settings` (the moderator, or the admin token) sets either; the
pages get them in the snapshot's `session` part and a `session.updated` event, so an open
screen shows a new captions link at once. A page opened without ?lang= and without a
remembered choice uses the session's language before the browser's (docs/i18n.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, field_validator

from app import i18n
from app.auth import check_admin
from app.deps import SessionDep, StateDep, get_principal
from app.errors import Forbidden
from app.events import emit, lock_session
from app.models import LiveSession, Role, require_id
from app.views import segments_of, session_public

router = APIRouter(prefix="/api/sessions/{slug}")


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


class SettingsIn(BaseModel):
    """Fields left out are left as they are (`model_fields_set`); null clears one."""

    lang: str | None = Field(default=None, max_length=8)
    captions_url: str | None = Field(default=None, max_length=500)

    @field_validator("lang")
    @classmethod
    def _lang(cls, v: str | None) -> str | None:
        return check_lang(v)

    @field_validator("captions_url")
    @classmethod
    def _captions(cls, v: str | None) -> str | None:
        return check_captions(v)


def _apply(db, session_id: int, body: SettingsIn, base_url: str) -> dict[str, Any]:
    lock_session(db, session_id)
    row = db.get(LiveSession, session_id)
    given = body.model_fields_set
    if "lang" in given:
        row.lang = body.lang
    if "captions_url" in given:
        row.captions_url = body.captions_url
    db.add(row)
    db.flush()
    public = session_public(row, segments_of(db, session_id), base_url)
    emit(db, session_id, "session.updated", {"session": public})
    return {"lang": row.lang, "captions_url": row.captions_url}


@router.put("/settings")
async def put_settings(
    body: SettingsIn, session: SessionDep, request: Request, state: StateDep
) -> dict[str, Any]:
    """The organiser's session settings: the moderator's link or the admin token."""
    if not check_admin(request, state.admin_token):
        principal = await get_principal(request, state, session)
        if principal.role != Role.moderator:
            raise Forbidden("session settings need the moderator link or the admin token")
    base = state.base_url(request)
    out = await state.store.write(lambda db: _apply(db, require_id(session), body, base))
    state.sessions.forget(session.slug)  # the pages served from here open in the new language
    return out
