"""Connector settings per session, resume cursors, and cross-post detection.

Sync functions `fn(db)` for `store.write`/`store.read`; they never commit. Settings are
validated by the channel's own model (`integrations.registry.config_model`), or, for a
generic webhook channel, by `WebhookSettings`; they are stored sealed (see crypto.py).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, SecretStr, ValidationError
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.clock import aware, iso, utc_now
from app.connectors.crypto import SettingsBox
from app.connectors.models import ConnectorConfig, ConnectorCursor, Crosspost, TextPrint
from app.db import BulkInsert
from app.errors import Invalid, NotFound
from app.events import audit, emit, lock_session
from app.ingest import StoredQuestion
from app.models import LiveSession, require_id
from integrations import registry
from integrations.webhook_generic import WebhookError, check_channel
from ports.messages import IncomingMessage

CONNECTOR = "connector"
WEBHOOK = "webhook"
MASK = "********"
#: A cross-post is the same text under the same name on another channel within this window.
CROSSPOST_WINDOW = timedelta(minutes=30)


class WebhookSettings(BaseModel):
    """A generic webhook channel (Slack, Telegram, a form...): only its signing secret."""

    secret: SecretStr = Field(min_length=16, description="HMAC-SHA256 key, 16+ characters")


def kind_of(channel: str) -> str:
    if channel in registry.CONNECTORS:
        return CONNECTOR
    try:
        check_channel(channel)
    except WebhookError:
        known = ", ".join(sorted(registry.CONNECTORS))
        raise Invalid(
            f"no channel {channel!r}: use one of {known}, or a webhook channel name "
            "(lowercase letters, digits, - and _)"
        ) from None
    return WEBHOOK


def validate(channel: str, settings: dict[str, Any]) -> tuple[str, BaseModel]:
    kind = kind_of(channel)
    model = registry.config_model(channel) if kind == CONNECTOR else WebhookSettings
    try:
        return kind, model.model_validate(settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise Invalid(f"{channel} settings: {where}: {first['msg']}") from None


def plain(model: BaseModel) -> dict[str, Any]:
    """The settings with secrets revealed, for sealing and for building the connector."""
    out = model.model_dump(mode="json", exclude_unset=False)
    for name, value in model:
        if isinstance(value, SecretStr):
            out[name] = value.get_secret_value()
    return out


def redacted(kind: str, channel: str, settings: dict[str, Any]) -> dict[str, Any]:
    model = registry.config_model(channel) if kind == CONNECTOR else WebhookSettings
    secret_fields = {
        name for name, f in model.model_fields.items() if "SecretStr" in str(f.annotation)
    }
    return {k: (MASK if k in secret_fields and v else v) for k, v in settings.items()}


def public(row: ConnectorConfig, box: SettingsBox) -> dict[str, Any]:
    return {
        "channel": row.channel,
        "kind": row.kind,
        "paused": row.paused,
        "simulated": row.simulated,
        "settings": redacted(row.kind, row.channel, box.open(row.settings)),
        "status": row.status or {"channel": row.channel, "state": "stopped"},
        "updated_at": iso(row.updated_at),
    }


def put_config(
    db: Session,
    session_id: int,
    channel: str,
    settings: dict[str, Any],
    box: SettingsBox,
    *,
    simulated: bool = False,
) -> dict[str, Any]:
    """Create or replace a channel's settings. A masked secret keeps the stored one."""
    lock_session(db, session_id)
    row = db.get(ConnectorConfig, (session_id, channel))
    if row is not None:
        old = box.open(row.settings)
        settings = {k: (old.get(k) if v == MASK else v) for k, v in settings.items()}
    kind, model = validate(channel, settings)
    if row is None:
        row = ConnectorConfig(session_id=session_id, channel=channel, kind=kind, settings="")
    row.kind = kind
    row.settings = box.seal(plain(model))
    row.simulated = simulated
    row.updated_at = utc_now()
    db.add(row)
    db.flush()
    out = public(row, box)
    emit(db, session_id, "connector.configured", {"connector": _event_view(out)})
    return out


def _event_view(view: dict[str, Any]) -> dict[str, Any]:
    """What the console hears: no settings at all (they may name private endpoints)."""
    return {k: v for k, v in view.items() if k != "settings"}


def delete_config(db: Session, session_id: int, channel: str) -> None:
    lock_session(db, session_id)
    row = db.get(ConnectorConfig, (session_id, channel))
    if row is None:
        raise NotFound(f"channel {channel!r} is not configured for this session")
    db.delete(row)
    emit(db, session_id, "connector.removed", {"channel": channel})


def set_paused(db: Session, session_id: int, channel: str, paused: bool, role: str) -> dict:
    lock_session(db, session_id)
    row = db.get(ConnectorConfig, (session_id, channel))
    if row is None or row.kind != CONNECTOR:
        raise NotFound(f"no {channel!r} connector in this session")
    row.paused = paused
    row.updated_at = utc_now()
    db.add(row)
    action = "connector.pause" if paused else "connector.resume"
    audit(db, session_id, action, role, channel=channel)
    emit(db, session_id, "connector.paused", {"channel": channel, "paused": paused})
    return {"channel": channel, "paused": paused}


def list_configs(db: Session, session_id: int) -> list[ConnectorConfig]:
    return list(
        db.exec(
            select(ConnectorConfig)
            .where(ConnectorConfig.session_id == session_id)
            .order_by(col(ConnectorConfig.channel))
        ).all()
    )


def save_statuses(db: Session, session_id: int, statuses: list[dict[str, Any]]) -> None:
    """Keep the latest status for snapshots and publish it, in one transaction."""
    lock_session(db, session_id)
    for status in statuses:
        row = db.get(ConnectorConfig, (session_id, status["channel"]))
        if row is not None:
            row.status = status
            db.add(row)
    emit(db, session_id, "connector.status", {"statuses": statuses})


def webhook_secrets(db: Session, channel: str) -> list[tuple[int, str]]:
    """(session id, sealed settings) of every session with this webhook channel."""
    return [
        (row.session_id, row.settings)
        for row in db.exec(
            select(ConnectorConfig).where(
                ConnectorConfig.channel == channel, ConnectorConfig.kind == WEBHOOK
            )
        ).all()
    ]


# -- cursors ------------------------------------------------------------------------------


def get_cursor(db: Session, session_id: int, key: str) -> str | None:
    row = db.get(ConnectorCursor, (session_id, key))
    return row.value if row is not None else None


def set_cursor(db: Session, session_id: int, key: str, value: str) -> None:
    """Upsert: Bluesky saves its cursor every few seconds, so no read-then-write race."""
    values = {"session_id": session_id, "key": key, "value": value, "updated_at": utc_now()}
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ConnectorCursor).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["session_id", "key"],
        set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
    )
    db.exec(stmt)


# -- cross-posts ---------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+")
_TAG = re.compile(r"[#@]\w+")
_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Text compared for cross-posts: no links, hashtags, mentions, case or punctuation."""
    text = _TAG.sub(" ", _URL.sub(" ", text.casefold()))
    return " ".join(_NON_WORD.sub(" ", text).split())


def fingerprint(author_name: str | None, text: str) -> str:
    key = f"{author_name or ''}\0{normalise(text)}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


_PRINTS = BulkInsert(TextPrint.__table__)  # type: ignore[attr-defined]
_TP = TextPrint.__table__  # type: ignore[attr-defined]
#: Built once, run on the connection: through the ORM (a `Session.exec` per stored batch)
#: this lookup cost the writer thread more than inserting the batch's prints.
_EARLIER = (
    sa_select(_TP.c.print, _TP.c.question_id, _TP.c.channel, _TP.c.created_at)
    .where(
        _TP.c.session_id == bindparam("sid"),
        _TP.c.print.in_(bindparam("prints", expanding=True)),
        _TP.c.created_at >= bindparam("since"),
    )
    .order_by(_TP.c.question_id)
)
_CROSSPOSTS = BulkInsert(Crosspost.__table__)  # type: ignore[attr-defined]


def flag_crossposts(
    db: Session, session: LiveSession, stored: list[tuple[StoredQuestion, IncomingMessage]]
) -> None:
    """Called by the ingest path with a batch's new questions, in order (same transaction).

    Authors are HMAC'd per channel, so the match is on the displayed name plus the
    normalised text, within `CROSSPOST_WINDOW`; anonymous posts need 20+ characters.
    The earliest match decides: on the same channel it is a repeat, not a cross-post.
    One lookup for the batch; a question also matches earlier ones of its own batch.
    """
    todo = []
    for question, msg in stored:
        key = normalise(question.text)
        if (
            msg.channel == "audience"
            or len(key) < 8
            or (question.author_name is None and len(key) < 20)
        ):
            continue
        todo.append((question, fingerprint(question.author_name, question.text)))
    if not todo:
        return
    since = min(q.created_at for q, _ in todo) - CROSSPOST_WINDOW
    earlier: dict[str, list[tuple[int, str, datetime]]] = {}
    rows = db.connection().execute(
        _EARLIER, {"sid": session.id, "prints": list({mark for _, mark in todo}), "since": since}
    )
    for mark, qid, channel, at in rows:
        earlier.setdefault(mark, []).append((qid, channel, aware(at)))
    prints, flags = [], []
    for q, mark in todo:
        seen = earlier.setdefault(mark, [])
        first = next((s for s in seen if s[2] >= q.created_at - CROSSPOST_WINDOW), None)
        seen.append((q.id, q.channel, q.created_at))  # ids grow: the list stays in id order
        prints.append(
            {
                "question_id": q.id,
                "session_id": session.id,
                "print": mark,
                "channel": q.channel,
                "created_at": q.created_at,
            }
        )
        if first is not None and first[1] != q.channel:
            flags.append(
                {"question_id": q.id, "session_id": session.id, "of_question_id": first[0]}
            )
    _PRINTS(db.connection(), prints)
    if flags:
        _CROSSPOSTS(db.connection(), flags)
    for flag in flags:
        emit(
            db,
            require_id(session),
            "connector.crosspost",
            {"question_id": flag["question_id"], "of": flag["of_question_id"]},
        )


def crossposts(db: Session, session_id: int) -> dict[str, int]:
    """{later question id (as a JSON key): the earlier one it repeats}."""
    return {
        str(qid): of
        for qid, of in db.exec(
            select(Crosspost.question_id, Crosspost.of_question_id).where(
                Crosspost.session_id == session_id
            )
        ).all()
    }
