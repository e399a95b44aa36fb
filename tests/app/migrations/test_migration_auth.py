"""Migration 0007_auth on a database that already has sessions: every key gets a public id
of its own, and the links handed out before the upgrade still work."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from app.db import Store
from app.migrate import alembic_config, upgrade
from app.sessions.service import hash_key, role_for_key


def test_existing_keys_get_distinct_public_ids_and_keep_working(db_url: str) -> None:
    command.upgrade(alembic_config(db_url), "0001")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO live_session (slug, title, author_display, hmac_secret, last_seq,"
                " zoom_ids, hashtags, created_at) VALUES ('before', 'Before', 'initials', 'x',"
                " 0, '[]', '[]', CURRENT_TIMESTAMP)"
            )
        )
        sid = conn.execute(text("SELECT id FROM live_session WHERE slug = 'before'")).scalar()
        for role in ("moderator", "stage", "screen", "rapporteur"):
            conn.execute(
                text(
                    "INSERT INTO role_key (session_id, role, key_hash, created_at)"
                    " VALUES (:s, :r, :h, CURRENT_TIMESTAMP)"
                ),
                {"s": sid, "r": role, "h": hash_key(f"old-{role}-key")},
            )
    engine.dispose()

    upgrade(db_url)
    store = Store(db_url)
    try:
        found = store.read_sync(lambda db: role_for_key(db, sid, "old-moderator-key"))
        ids = store.read_sync(
            lambda db: [r[0] for r in db.execute(text("SELECT public_id FROM role_key")).all()]
        )
    finally:
        store.stop()
    assert found is not None and found[0] == "moderator"
    assert len(ids) == 4 and len(set(ids)) == 4 and all(len(i) >= 16 for i in ids)
    assert found[1] in ids
