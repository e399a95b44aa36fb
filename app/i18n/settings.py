"""The session's language settings: its default language and its captioning link.

`PUT /api/sessions/{slug}/settings` (the moderator, or the admin token: `OrganiserDep`)
sets either; the pages get them in the snapshot's `session` part and a `session.updated`
event, so an open screen shows a new captions link at once. A page opened without ?lang=
and without a remembered choice uses the session's language before the browser's
(docs/i18n.md). The checks of both fields are the ones of session creation
(`app.sessions.schemas`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session

from app.admin import OrganiserDep
from app.deps import SessionDep, StateDep
from app.events import emit, lock_session
from app.models import LiveSession, require_id
from app.sessions.schemas import SessionSettingsPublic, SessionSettingsUpdate
from app.views import segments_of, session_public

router = APIRouter(prefix="/api/sessions/{slug}")


def _apply(
    db: Session, session_id: int, body: SessionSettingsUpdate, base_url: str
) -> dict[str, Any]:
    lock_session(db, session_id)
    row = db.get(LiveSession, session_id)
    assert row is not None  # locked just above: lock_session answers 404 for no row
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


@router.put("/settings", response_model=SessionSettingsPublic)
async def put_settings(
    body: SessionSettingsUpdate,
    session: SessionDep,
    request: Request,
    state: StateDep,
    _: OrganiserDep,
) -> dict[str, Any]:
    """The organiser's session settings: the moderator's link or the admin token."""
    base = state.base_url(request)
    out = await state.store.write(lambda db: _apply(db, require_id(session), body, base))
    state.sessions.forget(session.slug)  # the pages served from here open in the new language
    return out
