"""Sessions: creation from an agenda, role keys (stored as hashes), key rotation, the
slug lookup and its cache for the hot paths."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.clock import utc_now
from app.errors import Conflict, Invalid, NotFound
from app.events import emit, lock_session
from app.models import KEYED_ROLES, LiveSession, Role, RoleKey, Segment, require_id
from app.sessions.schemas import SessionCreate
from app.text import clean_name

if TYPE_CHECKING:
    from app.db import Store

ROLE_PAGES = {
    Role.moderator: "console",
    Role.stage: "stage",
    Role.screen: "screen",
    Role.rapporteur: "report",
}
#: The bus signal (`Bus.signal`) to send after committing a session's new or changed
#: `zoom_ids`: every worker's Zoom routing cache (app.channels.zoom) re-reads.
ZOOM_ROUTES = "zoom.routes"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    return slug if len(slug) >= 2 else "session"


def _issue_keys(db: Session, session_id: int) -> dict[str, str]:
    keys = {}
    for role in KEYED_ROLES:
        key = secrets.token_urlsafe(24)
        db.add(
            RoleKey(
                session_id=session_id,
                role=role.value,
                key_hash=hash_key(key),
                public_id=secrets.token_urlsafe(16),
            )
        )
        keys[role.value] = key
    return keys


def create_session(db: Session, body: SessionCreate) -> tuple[LiveSession, dict[str, str]]:
    """Create a session with its agenda; return it and its role keys (shown only now)."""
    slug = body.slug or slugify(body.title)
    if db.exec(select(LiveSession.id).where(LiveSession.slug == slug)).first() is not None:
        if body.slug:
            raise Conflict(f"a session with slug '{slug}' exists already")
        slug = f"{slug[:50]}-{secrets.token_hex(3)}"
    session = LiveSession(
        slug=slug,
        title=clean_name_long(body.title),
        author_display=body.privacy.author_display.value,
        hmac_secret=secrets.token_hex(32),
        zoom_ids=body.zoom_ids,
        hashtags=body.hashtags,
        created_at=utc_now(),
        lang=body.lang,
        captions_url=body.captions_url,
    )
    db.add(session)
    db.flush()
    for i, item in enumerate(body.agenda):
        open_default = item.kind in ("debate", "qa", "opening", "speaker")
        db.add(
            Segment(
                session_id=require_id(session),
                position=i,
                title=item.title,
                kind=item.kind,
                minutes=item.minutes,
                speaker=clean_name(item.speaker),
                stakeholder=item.stakeholder,
                questions_open=open_default if item.questions_open is None else item.questions_open,
            )
        )
    keys = _issue_keys(db, require_id(session))
    return session, keys


def clean_name_long(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise Invalid("title is empty")
    return title


def rotate_keys(db: Session, slug: str) -> dict[str, str]:
    """New keys for every role; old links and the cookies they set stop working.

    Every worker's hub closes the sockets opened with an old key: at once when the
    `session.keys_rotated` event reaches it over the bus, and within KEY_CHECK_SECONDS
    (app/live/hub.py) when the rotation came from another process (the CLI) that cannot
    publish on this server's bus.
    """
    session = get_by_slug(db, slug)
    lock_session(db, require_id(session))
    db.exec(delete(RoleKey).where(col(RoleKey.session_id) == require_id(session)))
    keys = _issue_keys(db, require_id(session))
    emit(db, require_id(session), "session.keys_rotated", {})
    return keys


#: What a slug in an address may look like; anything else (NUL, `%`, capitals) is no
#: session, answered before the database sees it (PostgreSQL refuses NUL with an error).
SLUG_LOOKUP = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def get_by_slug(db: Session, slug: str) -> LiveSession:
    if not SLUG_LOOKUP.fullmatch(slug):
        raise NotFound("no such session")
    session = db.exec(select(LiveSession).where(LiveSession.slug == slug)).first()
    if session is None:
        raise NotFound(f"no session '{slug}'")
    return session


class SlugCache:
    """slug -> session for the hot paths (live sockets, votes).

    A connect storm or a vote burst would otherwise read the same row thousands of times a
    second: each slug is read at most every `seconds`, and callers arriving while that read
    runs share it. A missing session is not remembered.
    """

    def __init__(self, store: Store, seconds: float = 5.0, most: int = 1000) -> None:
        self.store = store
        self.seconds = seconds
        self.most = most
        self._hits: dict[str, tuple[LiveSession, float]] = {}
        self._pending: dict[str, asyncio.Future[LiveSession]] = {}

    async def get(self, slug: str) -> LiveSession:
        hit = self._hits.get(slug)
        if hit is not None and time.monotonic() - hit[1] < self.seconds:
            return hit[0]
        if len(slug) > 64:
            raise NotFound(f"no session '{slug[:64]}…'")
        pending = self._pending.get(slug)
        if pending is None:
            pending = asyncio.ensure_future(self.store.read(lambda db: get_by_slug(db, slug)))
            self._pending[slug] = pending
            pending.add_done_callback(lambda _: self._pending.pop(slug, None))
        found = await asyncio.shield(pending)  # one caller going away cancels no one else
        self.remember(found)
        return found

    def forget(self, slug: str) -> None:
        """After a change of the session row made here (other workers see it within
        `seconds`)."""
        self._hits.pop(slug, None)

    def remember(self, session: LiveSession) -> None:
        if len(self._hits) >= self.most:
            self._hits.clear()
        self._hits[session.slug] = (session, time.monotonic())


def role_for_key(db: Session, session_id: int, key: str) -> tuple[str, str] | None:
    """(role, public id) of a role key of this session, or None."""
    row = db.exec(
        select(RoleKey).where(RoleKey.key_hash == hash_key(key), RoleKey.session_id == session_id)
    ).first()
    return (row.role, row.public_id) if row else None


def key_exists(db: Session, public_id: str, session_id: int, role: str) -> bool:
    row = db.exec(select(RoleKey).where(RoleKey.public_id == public_id)).first()
    return row is not None and row.session_id == session_id and row.role == role


def live_key_ids(db: Session, session_id: int) -> set[str]:
    """The public ids of a session's current keys: what the hubs check their sockets by."""
    stmt = select(RoleKey.public_id).where(RoleKey.session_id == session_id)
    return set(db.exec(stmt).all())


def links(base_url: str, slug: str, keys: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        role: f"{base_url}/s/{slug}/{page}?key={keys[role]}" for role, page in ROLE_PAGES.items()
    }
    out["audience"] = f"{base_url}/s/{slug}"
    return out
