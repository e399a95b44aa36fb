"""A connector through the real core ingest path (SQLite): every post becomes exactly one
inbox question, a boost none, and a restart from the stored cursor adds no duplicate."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from app.db import Store
from app.ingest import ingest
from app.migrate import upgrade
from app.models import Question
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from integrations.base import MemoryCursorStore
from integrations.mastodon import MastodonConfig, MastodonConnector

from .fake_mastodon import FakeMastodon
from .support import serve_http, supervise, wait_until


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[tuple[Store, int]]:
    url = f"sqlite:///{tmp_path / 'fb.db'}"
    upgrade(url)
    db = Store(url)
    db.start()
    try:
        session, _ = await db.write(
            lambda s: create_session(s, SessionCreate(title="Round table", hashtags=["fb"])))
        yield db, session.id
    finally:
        db.stop()


async def questions(db: Store, session_id: int) -> list[Question]:
    return await db.read(lambda s: list(s.exec(
        select(Question).where(Question.session_id == session_id).order_by(Question.id))))


async def test_mastodon_posts_become_questions_once(
    core: tuple[Store, int], cursors: MemoryCursorStore
) -> None:
    db, session_id = core

    async def sink(batch):  # noqa: ANN001 - the Sink the core will hand to supervisors
        return await ingest(db, session_id, batch)

    fake = FakeMastodon("fb")
    async with serve_http(fake.app()) as base:
        fake.base = base
        start = fake.make("before")
        await cursors.set("s1", "mastodon:127.0.0.1", start["id"])
        first = [fake.make(f"Question {i}?") for i in range(3)]
        fake.make("", reblog=copy.deepcopy(first[0]))  # a boost: must not repeat Question 0
        fake.make("<b>Bold</b> and <script>alert(1)</script>safe?")
        config = MastodonConfig(instance=base, hashtags=["fb"], poll_interval=0.02, timeout=1)
        async with supervise(MastodonConnector(config), sink, cursors) as (supervisor, _):
            await wait_until(lambda: supervisor.status.items_today == 4)
        fake.make("After the restart?")
        await cursors.set("s1", "mastodon:127.0.0.1", first[1]["id"])  # an older cursor
        async with supervise(MastodonConnector(config), sink, cursors) as (supervisor, _):
            await wait_until(lambda: supervisor.status.items_today == 1)

    stored = await questions(db, session_id)
    # Cursor rewound to Question 1: the re-read posts are duplicates, not new questions.
    assert [q.text for q in stored] == [
        "Question 0?", "Question 1?", "Question 2?", "Bold and safe?", "After the restart?"]
    assert {q.channel for q in stored} == {"mastodon"}
    assert all(q.state == "inbox" for q in stored)
