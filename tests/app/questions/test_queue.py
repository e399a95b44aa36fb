"""The queue's rules, on SQLite and on PostgreSQL, through the real group-commit writer."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from sqlmodel import select

from app.errors import Conflict, Invalid, NotFound
from app.ingest import ingest, ingest_single
from app.models import AuditEntry, Event, Message, Question
from app.questions import service as queue
from app.questions import upvotes
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from app.views import all_questions
from integrations.base import IncomingMessage
from integrations.zoom_qa import parse_report

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads"


async def new_session(store, **body):
    session, _keys = await store.write(
        lambda db: create_session(db, SessionCreate(title="Queue test", **body))
    )
    return session.id


def msg(n: int, text: str | None = None, channel: str = "zoom_chat", **kw) -> IncomingMessage:
    return IncomingMessage(
        channel=channel,
        external_id=f"m{n}",
        text=text or f"Question number {n}?",
        author_name=kw.pop("author_name", "Jill Chill"),
        author_id=kw.pop("author_id", "jchill@example.com"),
        **kw,
    )


async def add(store, sid, n, **kw) -> int:
    result = await ingest_single(store, sid, msg(n, **kw))
    return result.question_id


async def do(store, sid, qid, action, role="moderator"):
    return await store.write(lambda db: queue.apply_action(db, sid, qid, action, role))


async def questions(store, sid, *states):
    return await store.read(lambda db: all_questions(db, sid, set(states) or None))


async def test_ingest_dedupes_and_pseudonymises(store):
    sid = await new_session(store)
    results = await ingest(store, sid, [msg(1), msg(1), msg(2, text="  ")])
    assert results[0].question_id and not results[0].duplicate
    assert results[1].duplicate and results[1].question_id is None
    assert results[2].error == "text is empty"
    again = await ingest(store, sid, [msg(1)])
    assert again[0].duplicate
    rows = await store.read(lambda db: db.exec(select(Message)).all())
    assert len(rows) == 1
    assert rows[0].author_name == "J. C."  # default policy: initials
    assert "jchill" not in (rows[0].author_hash or "")
    dump = await store.read(
        lambda db: " ".join(
            str(r)
            for t in ("message", "question", "event")
            for r in db.exec(sql(f"select * from {t}")).all()
        )
    )
    assert "jchill@example.com" not in dump and "Jill" not in dump


async def test_reposts_are_not_questions(store):
    sid = await new_session(store)
    (res,) = await ingest(store, sid, [msg(1, is_repost=True)])
    assert res.question_id is None and res.error == "repost"


async def test_happy_path_and_forbidden_transitions(store):
    sid = await new_session(store, privacy={"author_display": "full"})
    qid = await add(store, sid, 1)
    with pytest.raises(Conflict, match="approve it first"):
        await do(store, sid, qid, "push")
    assert (await do(store, sid, qid, "approve"))["state"] == "queued"
    on = await do(store, sid, qid, "push")
    assert on["state"] == "on_stage" and on["author"] == "Jill Chill"
    with pytest.raises(Conflict, match="on stage now"):
        await do(store, sid, qid, "dismiss")
    assert (await do(store, sid, qid, "answer", role="stage"))["state"] == "answered"
    with pytest.raises(Conflict, match="answered already"):
        await do(store, sid, qid, "answer")
    trail = await store.read(
        lambda db: [(a.action, a.role) for a in db.exec(select(AuditEntry)).all()]
    )
    assert trail == [("approve", "moderator"), ("push", "moderator"), ("answer", "stage")]


async def test_dismiss_restore_and_back_to_front(store):
    sid = await new_session(store)
    a, b, c = [await add(store, sid, n) for n in (1, 2, 3)]
    for q in (a, b, c):
        await do(store, sid, q, "approve")
    await do(store, sid, b, "dismiss")
    assert [q["id"] for q in await questions(store, sid, "queued")] == [a, c]
    assert (await do(store, sid, b, "restore"))["state"] == "inbox"
    await do(store, sid, c, "push")
    await do(store, sid, c, "back")
    queued = await questions(store, sid, "queued")
    assert [(q["id"], q["position"]) for q in queued] == [(c, 1), (a, 2)]


async def test_only_one_item_on_stage_even_when_pushed_at_once(store):
    sid = await new_session(store)
    a, b = await add(store, sid, 1), await add(store, sid, 2)
    await do(store, sid, a, "approve")
    await do(store, sid, b, "approve")
    results = await asyncio.gather(
        do(store, sid, a, "push"), do(store, sid, b, "push"), return_exceptions=True
    )
    assert sum(isinstance(r, dict) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert len(await questions(store, sid, "on_stage")) == 1


async def test_reorder_edit_keeps_original(store):
    sid = await new_session(store)
    ids = [await add(store, sid, n) for n in range(1, 5)]
    for q in ids:
        await do(store, sid, q, "approve")
    moved = await store.write(lambda db: queue.edit(db, sid, ids[3], "moderator", None, 1))
    assert moved["position"] == 1
    order = [q["id"] for q in await questions(store, sid, "queued")]
    assert order == [ids[3], ids[0], ids[1], ids[2]]
    edited = await store.write(
        lambda db: queue.edit(db, sid, ids[0], "moderator", "Clearer wording?", None)
    )
    assert edited["text"] == "Clearer wording?" and edited["edited"]
    assert edited["original_text"] == "Question number 1?"
    with pytest.raises(Invalid):
        await store.write(lambda db: queue.edit(db, sid, ids[0], "moderator", "   ", None))
    events = await store.read(lambda db: [e.type for e in db.exec(select(Event)).all()])
    assert "queue.reordered" in events


async def test_merge_sums_votes_and_keeps_source(store):
    sid = await new_session(store)
    a, b = await add(store, sid, 1), await add(store, sid, 2)
    await do(store, sid, a, "approve")
    await do(store, sid, b, "approve")
    for voter in ("v1", "v2"):
        await store.write(lambda db, v=voter: upvotes.upvote(db, sid, b, v))
    await store.write(lambda db: upvotes.upvote(db, sid, a, "v3"))
    merged = await store.write(lambda db: queue.merge(db, sid, b, a, "moderator"))
    assert merged["votes"] == 3 and merged["sources"] == [b]
    src = await store.read(lambda db: db.get(Question, b))
    assert src.state == "merged" and src.merged_into_id == a
    with pytest.raises(Conflict, match="merged"):
        await do(store, sid, b, "approve")


async def test_concurrent_upvotes_count_exactly(store):
    sid = await new_session(store)
    qid = await add(store, sid, 1)
    await do(store, sid, qid, "approve")
    voters = [f"aud-{i}" for i in range(200)]
    await asyncio.gather(
        *(store.write(lambda db, v=v: upvotes.upvote(db, sid, qid, v)) for v in voters + voters[:5])
    )
    q = await store.read(lambda db: db.get(Question, qid))
    assert q.votes == 200


async def test_upvotes_waiting_together_are_stored_together_and_answer_each_caller(store):
    """The route's path: upvotes grouped per session. Repeats count once, a question not
    open for votes or not there fails only its own callers, and the events say the count
    after each batch (fewer events than upvotes, the last one exact)."""
    sid = await new_session(store)
    qid = await add(store, sid, 1)
    other = await add(store, sid, 2)  # still in the inbox: not open for votes
    await do(store, sid, qid, "approve")
    before = len(store.published)

    async def up(q: int, v: str):
        try:
            return await store.write_grouped(("upvote", sid), (sid, q, v), upvotes.upvote_many)
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            return exc

    voters = [f"aud-{i}" for i in range(300)]
    answers = await asyncio.gather(
        *(up(qid, v) for v in voters + voters[:20]), up(other, "aud-x"), up(99_999, "aud-y")
    )
    assert all(isinstance(a, dict) and a["id"] == qid for a in answers[:320])
    assert isinstance(answers[320], Conflict) and "not open for votes" in str(answers[320])
    assert isinstance(answers[321], NotFound), answers[321]
    q = await store.read(lambda db: db.get(Question, qid))
    assert q.votes == 300 and max(a["votes"] for a in answers[:320]) == 300
    await asyncio.sleep(0.05)
    events = [e for e in store.published[before:] if e.type == "question.updated"]
    assert 1 <= len(events) < 300
    assert events[-1].data["question"]["votes"] == 300
    again = await up(qid, "aud-0")  # a repeat later: the same count, no error
    assert again == {"id": qid, "votes": 300}


async def test_events_are_numbered_without_gaps_and_published_after_commit(store):
    sid = await new_session(store)
    await asyncio.gather(*(add(store, sid, n) for n in range(30)))
    seqs = await store.read(
        lambda db: [e.seq for e in db.exec(select(Event).where(Event.session_id == sid)).all()]
    )
    assert sorted(seqs) == list(range(1, 31))
    await asyncio.sleep(0.05)
    assert [e.seq for e in store.published if e.session_id == sid] == list(range(1, 31))


async def test_a_failing_change_does_not_undo_its_batch(store):
    sid = await new_session(store)
    qid = await add(store, sid, 1)
    results = await asyncio.gather(
        do(store, sid, qid, "push"),  # 409: still in the inbox
        *(add(store, sid, n) for n in range(2, 12)),
        return_exceptions=True,
    )
    assert isinstance(results[0], Conflict)
    assert len(await questions(store, sid, "inbox")) == 11


async def test_zoom_qa_answered_in_zoom_is_filed_as_answered_with_its_answer(store):
    report = json.loads((PAYLOADS / "zoom-webinar-qa-report.json").read_text())
    questions = parse_report(report)
    assert questions and questions[0].message.answered
    sid = await new_session(store)
    (result,) = await ingest(store, sid, [questions[0].message])
    q = await store.read(lambda db: db.get(Question, result.question_id))
    assert q.state == "answered" and q.channel == "zoom_qa"
    assert q.answer == "Yes, by email."
    assert q.text == "Will the slides be shared after the session?"
    blank = IncomingMessage("zoom_qa", "qa-2", "Another?", answered=True, answer="  \u200b ")
    (res2,) = await ingest(store, sid, [blank])
    q2 = await store.read(lambda db: db.get(Question, res2.question_id))
    assert q2.state == "answered" and q2.answer is None
