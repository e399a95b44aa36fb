"""Connector settings, cursors, statuses and cross-posts, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.connectors import service
from app.connectors.crypto import SettingsBox
from app.connectors.models import ConnectorConfig, ConnectorCursor
from app.domains import default_registry
from app.errors import Invalid
from app.ingest import ingest
from app.models import LiveSession
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from app.views import snapshot
from integrations.base import IncomingMessage

#: The app's domains: their event filters and snapshot parts, as the server uses them.
REGISTRY = default_registry()

BOX = SettingsBox("test-secret-key")
TOKEN = "mastodon-user-token-123456"


async def new_session(store) -> int:
    session, _ = await store.write(
        lambda db: create_session(db, SessionCreate(title="Connectors", hashtags=["igf"]))
    )
    return session.id


def put(sid: int, channel: str, settings: dict):
    return lambda db: service.put_config(db, sid, channel, settings, BOX)


async def test_tokens_are_encrypted_at_rest_and_never_shown(store):
    sid = await new_session(store)
    settings = {"instance": "https://mastodon.example", "hashtags": ["igf"], "token": TOKEN}
    shown = await store.write(put(sid, "mastodon", settings))
    assert shown["settings"]["token"] == service.MASK
    row = await store.read(lambda db: db.get(ConnectorConfig, (sid, "mastodon")))
    assert TOKEN not in row.settings and "mastodon.example" not in row.settings
    assert BOX.open(row.settings)["token"] == TOKEN
    # Sending the mask back (an edit of another field) keeps the stored token.
    await store.write(put(sid, "mastodon", {**shown["settings"], "poll_interval": 5}))
    row = await store.read(lambda db: db.get(ConnectorConfig, (sid, "mastodon")))
    assert BOX.open(row.settings)["token"] == TOKEN
    assert BOX.open(row.settings)["poll_interval"] == 5
    # Every event about it leaves the settings out.
    events = [e for e in store.published if e.type == "connector.configured"]
    assert events and all(
        TOKEN not in str(e.data) and "settings" not in e.data["connector"] for e in events
    )
    with pytest.raises(Invalid, match="FLOORBRIDGE_SECRET_KEY"):
        SettingsBox("another key").open(row.settings)


async def test_bad_settings_name_the_field(store):
    sid = await new_session(store)
    with pytest.raises(Invalid, match="hashtags"):
        await store.write(put(sid, "mastodon", {"instance": "https://m.example"}))
    with pytest.raises(Invalid, match="max_reads"):
        await store.write(put(sid, "x", {"hashtags": ["igf"], "bearer_token": "t"}))
    with pytest.raises(Invalid, match="no channel"):
        await store.write(put(sid, "Not A Channel", {}))
    with pytest.raises(Invalid, match="secret"):
        await store.write(put(sid, "slack", {"secret": "short"}))
    rows = await store.read(lambda db: service.list_configs(db, sid))
    assert rows == []


async def test_cursor_set_is_an_upsert(store):
    sid = await new_session(store)
    for value in ("100", "250", "900"):
        await store.write(lambda db, v=value: service.set_cursor(db, sid, "bluesky:jet", v))
    assert await store.read(lambda db: service.get_cursor(db, sid, "bluesky:jet")) == "900"
    assert await store.read(lambda db: service.get_cursor(db, sid, "other")) is None
    rows = await store.read(lambda db: db.exec(select(ConnectorCursor)).all())
    assert len(rows) == 1


def post(channel: str, n: int, text: str, name: str = "Rui Almeida") -> IncomingMessage:
    return IncomingMessage(
        channel=channel,
        external_id=f"{channel}-{n}",
        text=text,
        author_name=name,
        author_id=f"{channel}:{name}",
    )


async def test_same_text_same_person_on_two_channels_is_a_crosspost(store):
    sid = await new_session(store)
    text = "Who audits the 'good' in data for good? #DataForGood"
    [first] = await ingest(store, sid, [post("mastodon", 1, text)], REGISTRY.ingest)
    [again] = await ingest(
        store, sid, [post("bluesky", 1, "who audits the good in DATA for good")], REGISTRY.ingest
    )
    [other] = await ingest(store, sid, [post("x", 1, text, name="Someone Else")], REGISTRY.ingest)
    [same_channel] = await ingest(store, sid, [post("mastodon", 2, text)], REGISTRY.ingest)
    flags = await store.read(lambda db: service.crossposts(db, sid))
    assert flags == {str(again.question_id): first.question_id}
    assert other.question_id and same_channel.question_id  # still stored, just not flagged
    events = [e for e in store.published if e.type == "connector.crosspost"]
    assert [e.data for e in events] == [{"question_id": again.question_id, "of": first.question_id}]


async def test_status_reaches_moderator_and_rapporteur_only(store):
    sid = await new_session(store)
    await store.write(put(sid, "mastodon", {"instance": "https://m.example", "hashtags": ["a"]}))
    status = {"channel": "mastodon", "state": "error", "reason": "HTTP 500", "items_today": 3}
    await store.write(lambda db: service.save_statuses(db, sid, [status]))
    [event] = [e for e in store.published if e.type == "connector.status"]
    assert REGISTRY.event_for("moderator", event.type, event.data) == (
        event.type,
        {"statuses": [status]},
    )
    assert REGISTRY.event_for("rapporteur", event.type, event.data) is not None
    for role in ("stage", "screen", "audience"):
        assert REGISTRY.event_for(role, event.type, event.data) is None

    def snap(role):
        return lambda db: snapshot(db, db.get(LiveSession, sid), role, "http://x", REGISTRY.parts)[
            "data"
        ]

    mod = await store.read(snap("moderator"))
    assert mod["connectors"]["channels"][0]["status"]["reason"] == "HTTP 500"
    assert (await store.read(snap("audience")))["connectors"] is None
