"""The bulk ingest path, on SQLite and PostgreSQL: one batch gives what one-by-one gives.

Storing N messages in one writer job (one lock, one dedupe query, multi-row INSERTs,
locally numbered events) must leave the database and the live log exactly as N single
writes would: duplicates stored once, poll replies counted as votes, the gate and the
hooks applied per message, seqs gap-free, and a message that fails alone fails alone.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlmodel import col, select

from app import ingest as ingest_mod
from app.core.domain import IngestHooks
from app.db import Store
from app.domains import default_registry
from app.errors import Invalid
from app.ingest import ingest, ingest_many, ingest_single
from app.models import Event, LiveSession, Message, Question
from app.polls import service as polls
from app.polls.models import Ballot
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from integrations.base import IncomingMessage

#: The app's ingest hooks, as DOMAINS declares them (poll-vote intercept, cross-post flags).
HOOKS = default_registry().ingest


async def new_session(store: Store, title: str = "Bulk") -> int:
    session, _ = await store.write(lambda db: create_session(db, SessionCreate(title=title)))
    return session.id


async def open_zoom_poll(store: Store, sid: int) -> int:
    body = polls.PollCreate(question="Which?", kind="single", options=["A", "B"], zoom_votes=True)
    poll = await store.write(lambda db: polls.create_poll(db, sid, body, "moderator"))
    await store.write(lambda db: polls.apply_action(db, sid, poll["id"], "open", "moderator"))
    return poll["id"]


def chat(n: int, text: str | None = None, who: str = "ana", **kw: Any) -> IncomingMessage:
    return IncomingMessage(
        channel=kw.pop("channel", "zoom_chat"),
        external_id=f"x{n}",
        text=text if text is not None else f"Question number {n} about data?",
        author_name=f"{who.title()} Example",
        author_id=f"{who}@example.org",
        **kw,
    )


#: Already stored before the batch (x1), then: a new one, an in-batch duplicate, a poll
#: reply, an empty text, a duplicate of x1, a Q&A item answered in Zoom, a repeat of a
#: poll reply, and a cross-post (same name and text as x2, from another channel).
EARLIER = [chat(1)]
BATCH = [
    chat(2, "Will the data be open to researchers?"),
    chat(3),
    chat(3),
    chat(4, "2", who="ben"),
    chat(5, "   "),
    chat(1),
    chat(6, answered=True, answer="Yes, see jane@example.org", channel="zoom_qa"),
    chat(4, "2", who="ben"),
    chat(7, "Will the data be open to researchers?", channel="mastodon"),
]


def outcome_view(outcomes: list[Any]) -> list[Any]:
    """Outcomes without database ids (which differ between two sessions)."""
    view = []
    for o in outcomes:
        if isinstance(o, Exception):
            view.append(type(o).__name__)
        else:
            view.append((o.external_id, o.duplicate, o.error, o.question_id is not None))
    return view


async def state_of(store: Store, sid: int) -> dict[str, Any]:
    """Everything a batch may change, with question ids as their rank in the session."""

    def read(db):
        qs = db.exec(select(Question).where(Question.session_id == sid).order_by(Question.id))
        qs = qs.all()
        rank = {q.id: i for i, q in enumerate(qs)}  # ids differ between two sessions
        ms = db.exec(select(Message).where(Message.session_id == sid).order_by(Message.id)).all()
        evs = db.exec(select(Event).where(Event.session_id == sid).order_by(Event.seq)).all()
        poll_ids = polls.session_polls(db, sid)
        ballots = db.exec(
            select(Ballot.voter, Ballot.mask, Ballot.channel).where(
                col(Ballot.poll_id).in_([p["id"] for p in poll_ids])
            )
        ).all()
        head = db.get(LiveSession, sid).last_seq
        return {
            "questions": [
                (rank[q.id], q.channel, q.text, q.state, q.answer, q.author_name, q.segment)
                for q in qs
            ],
            "messages": [(m.channel, m.external_id, m.text, m.author_hash is not None) for m in ms],
            "event_types": [e.type for e in evs],
            "event_question_ids": [
                rank[e.data["question"]["id"]] for e in evs if e.type == "question.created"
            ],
            "seqs": [e.seq for e in evs],
            "head": head,
            "ballots": sorted((v[:2], mask, ch) for v, mask, ch in ballots),
        }

    return await store.read(read)


async def test_one_batch_leaves_what_one_by_one_leaves(store: Store) -> None:
    one, bulk = await new_session(store, "one"), await new_session(store, "bulk")
    for sid in (one, bulk):
        await open_zoom_poll(store, sid)
        await ingest(store, sid, EARLIER, HOOKS)
    singly = [await store.write(lambda db, m=m: ingest_many(db, one, [m], HOOKS)[0]) for m in BATCH]
    together = await store.write(lambda db: ingest_many(db, bulk, BATCH, HOOKS))

    assert outcome_view(together) == outcome_view(singly)
    assert outcome_view(together) == [
        ("x2", False, None, True),
        ("x3", False, None, True),
        ("x3", True, None, False),
        ("x4", False, "counted as a poll vote", False),
        "Invalid",
        ("x1", True, None, False),
        ("x6", False, None, True),
        ("x4", False, "counted as a poll vote", False),
        ("x7", False, None, True),
    ]
    a, b = await state_of(store, one), await state_of(store, bulk)
    assert a == b
    assert [q[1:4] for q in b["questions"]] == [
        ("zoom_chat", "Question number 1 about data?", "inbox"),
        ("zoom_chat", "Will the data be open to researchers?", "inbox"),
        ("zoom_chat", "Question number 3 about data?", "inbox"),
        ("zoom_qa", "Question number 6 about data?", "answered"),
        ("mastodon", "Will the data be open to researchers?", "inbox"),
    ]
    answer = b["questions"][3][4]
    assert answer.startswith("Yes, see") and "jane@" not in answer  # e-mails never stored
    assert len(b["ballots"]) == 1  # ben's reply, counted once
    assert b["event_types"].count("connector.crosspost") == 1
    assert b["seqs"] == list(range(1, b["head"] + 1))  # gap-free, up to the session's head


async def test_events_are_published_in_seq_order_without_gaps(store: Store) -> None:
    sid = await new_session(store)
    store.published.clear()  # type: ignore[attr-defined]
    first = await ingest(store, sid, [chat(n) for n in range(1, 41)], HOOKS)
    second = await ingest(store, sid, [chat(n) for n in range(30, 61)], HOOKS)  # 11 repeats
    assert sum(not r.duplicate for r in first + second) == 60
    published = [e for e in store.published if e.session_id == sid]  # type: ignore[attr-defined]
    seqs = [e.seq for e in published]
    assert seqs == list(range(seqs[0], seqs[0] + 60))
    stored = await store.read(
        lambda db: db.exec(
            select(Event.seq, Event.type).where(Event.session_id == sid).order_by(Event.seq)
        ).all()
    )
    assert [s for s, _ in stored] == list(range(1, len(stored) + 1))
    assert [s for s, t in stored if t == "question.created"] == seqs
    texts = [e.data["question"]["text"] for e in published]
    assert texts == [f"Question number {n} about data?" for n in range(1, 61)]


class _Held:
    """Holds the writer thread until released, so the next writes queue up in one batch."""

    def __init__(self, store: Store) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.task = asyncio.create_task(store.write(self._hold))

    def _hold(self, _db) -> None:
        self.started.set()
        self.release.wait(10)

    async def __aenter__(self) -> _Held:
        await asyncio.to_thread(self.started.wait, 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        await self.task


async def test_single_deliveries_waiting_together_are_stored_in_one_call(store: Store) -> None:
    sid = await new_session(store)
    calls: list[int] = []
    real = ingest_mod.ingest_many

    def counting(db, session_id, messages, hooks):
        calls.append(len(messages))
        return real(db, session_id, messages, hooks)

    ingest_mod.ingest_many = counting  # type: ignore[assignment]
    try:
        async with _Held(store):
            waiting = [
                asyncio.create_task(ingest_single(store, sid, chat(n % 25), HOOKS))
                for n in range(50)
            ]
            await asyncio.sleep(0.2)  # every delivery is queued behind the held writer
        results = await asyncio.gather(*waiting)
    finally:
        ingest_mod.ingest_many = real  # type: ignore[assignment]
    assert calls == [50]
    assert sum(not r.duplicate for r in results) == 25
    assert [r.duplicate for r in results[25:]] == [True] * 25


async def test_a_message_that_fails_in_a_batch_does_not_lose_the_others(store: Store) -> None:
    sid = await new_session(store)

    def explode(db, session, stored) -> None:
        if any("boom" in question.text for question, _msg in stored):
            raise RuntimeError("a hook failed")

    exploding = IngestHooks(HOOKS.intercept, (*HOOKS.after_store_many, explode))
    async with _Held(store):
        waiting = [
            asyncio.create_task(ingest_single(store, sid, m, exploding))
            for m in (chat(1), chat(2, "boom, a question?"), chat(3, " "), chat(4))
        ]
        await asyncio.sleep(0.2)
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    ok1, boom, empty, ok4 = outcomes
    assert ok1.question_id and ok4.question_id  # type: ignore[union-attr]
    assert isinstance(boom, RuntimeError)  # the caller hears it (the webhook answers 503)
    assert isinstance(empty, Invalid)
    state = await state_of(store, sid)
    assert [m[1] for m in state["messages"]] == ["x1", "x4"]  # nothing of x2 is left
    assert state["seqs"] == list(range(1, state["head"] + 1))
    # Zoom's retry of the failed delivery, once the cause is gone, is stored.
    again = await ingest_single(store, sid, chat(2, "boom, a question?"), HOOKS)
    assert again.question_id and not again.duplicate


@pytest.mark.parametrize("size", [1, 700])
async def test_large_and_tiny_batches(store: Store, size: int) -> None:
    """Past the dedupe query's chunk size, repeats are still found."""
    sid = await new_session(store)
    first = await ingest(store, sid, [chat(n) for n in range(size)], HOOKS)
    again = await ingest(store, sid, [chat(n) for n in range(size)], HOOKS)
    assert all(r.question_id for r in first)
    assert all(r.duplicate for r in again)
