"""The daily purge (FLOORBRIDGE_PURGE_DAILY=true): started with the server, runs on time,
applies each session's own retention period."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from sqlalchemy import text as sql

from app.config import Settings
from app.core.tasks import TaskSet
from app.domains import DOMAINS, default_registry
from app.ingest import ingest
from app.privacy.domain import PRIVACY
from app.privacy.scheduler import purge_forever, start_daily_purge
from app.privacy.service import PURGED
from app.privacy.settings_store import set_retention
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from integrations.base import IncomingMessage


async def _session_with_old_dismissed_question(store, days_old: int) -> int:
    session, _ = await store.write(lambda db: create_session(db, SessionCreate(title="Old one")))
    msg = IncomingMessage(
        channel="x", external_id="1", text="Old spam", author_name="Sam Old", author_id="sam"
    )
    (res,) = await ingest(store, session.id, [msg])

    def age(db):
        db.execute(
            sql(
                "update question set state='dismissed', created_at=created_at - "
                f"interval '{days_old} days' where id=:q"
            )
            if store.url.startswith("postgres")
            else sql(
                "update question set state='dismissed', created_at="
                f"datetime(created_at, '-{days_old} days') where id=:q"
            ),
            {"q": res.question_id},
        )
        db.execute(
            sql(
                "update message set received_at=(select created_at from question "
                "where id=:q) where session_id=:s"
            ),
            {"q": res.question_id, "s": session.id},
        )

    await store.write(age)
    return session.id


async def _text_of(store, sid):
    return await store.read(
        lambda db: db.execute(
            sql("select text, author_name from question where session_id=:s"), {"s": sid}
        ).one()
    )


async def test_scheduled_purge_applies_each_sessions_retention(store):
    short = await _session_with_old_dismissed_question(store, days_old=10)
    long = await _session_with_old_dismissed_question(store, days_old=10)
    await store.write(lambda db: set_retention(db, short, 7))
    await store.write(lambda db: set_retention(db, long, 60))
    await purge_forever(store, interval=0.01, registry=default_registry(), runs=2)
    assert tuple(await _text_of(store, short)) == (PURGED, None)
    assert tuple(await _text_of(store, long)) == ("Old spam", "S. O.")


async def test_the_setting_starts_the_task_and_shutdown_cancels_it(store, monkeypatch):
    assert PRIVACY in DOMAINS and PRIVACY.startup is start_daily_purge
    state = SimpleNamespace(
        store=store,
        tasks=TaskSet(),
        registry=default_registry(),
        settings=Settings(_env_file=None),
    )
    await start_daily_purge(state)
    assert len(state.tasks) == 0  # off by default
    monkeypatch.setenv("FLOORBRIDGE_PURGE_DAILY", "true")
    monkeypatch.setenv("FLOORBRIDGE_PURGE_INTERVAL", "3600")
    state.settings = Settings(_env_file=None)  # the server reads them once, at start
    assert state.settings.retention.purge_interval == 3600
    sid = await _session_with_old_dismissed_question(store, days_old=45)  # default: 30 days
    await start_daily_purge(state)
    (task,) = state.tasks
    for _ in range(100):  # the first run happens at start-up
        if (await _text_of(store, sid))[0] == PURGED:
            break
        await asyncio.sleep(0.05)
    assert (await _text_of(store, sid))[0] == PURGED
    assert not task.done()  # now sleeping until the next run
    task.cancel()
