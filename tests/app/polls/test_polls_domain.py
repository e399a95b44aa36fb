"""Poll rules through the real group-commit writer, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.db import Store
from app.errors import Conflict, Invalid
from app.models import Question
from app.polls import service
from app.polls.live import PollRuntime
from app.polls.models import Ballot
from app.polls.views import poll_event_for, polls_part
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session


async def new_session(store) -> int:
    session, _ = await store.write(lambda db: create_session(db, SessionCreate(title="Polls")))
    return session.id


async def new_poll(store, sid, kind="single", options=("Health", "Climate", "Education"), **kw):
    body = service.PollCreate(question="Which area?", kind=kind, options=options, **kw)
    poll = await store.write(lambda db: service.create_poll(db, sid, body, "moderator"))
    return poll["id"]


async def act(store, sid, pid, action):
    return await store.write(lambda db: service.apply_action(db, sid, pid, action, "moderator"))


async def vote(store, sid, pid, voter, choices=None, text=None, code=None):
    return await store.write(lambda db: service.vote(db, sid, pid, voter, choices, text, code))


async def results(store, sid, pid):
    polls = await store.read(lambda db: service.session_polls(db, sid))
    return next(p for p in polls if p["id"] == pid)["results"]


def counts(r):
    return [o["count"] for o in r["options"]]


async def test_lifecycle_vote_replace_close(store):
    sid = await new_session(store)
    pid = await new_poll(store, sid)
    with pytest.raises(Conflict, match="not open yet"):
        await vote(store, sid, pid, "voter-aaaa", [0])
    await act(store, sid, pid, "open")
    await vote(store, sid, pid, "voter-aaaa", [0])
    await vote(store, sid, pid, "voter-bbbb", [1])
    await vote(store, sid, pid, "voter-aaaa", [2])  # changed mind: replaces, not adds
    r = await results(store, sid, pid)
    assert (r["total"], counts(r)) == (2, [0, 1, 1])
    store.published.clear()
    closed = await act(store, sid, pid, "close")
    assert closed["state"] == "closed" and closed["results"]["final"] is True
    final = [e for e in store.published if e.type == "poll.results"]
    assert len(final) == 1 and counts(final[0].data["results"]) == [0, 1, 1]
    with pytest.raises(Conflict, match="closed"):
        await vote(store, sid, pid, "voter-cccc", [0])
    with pytest.raises(Conflict):
        await act(store, sid, pid, "open")
    assert counts(await results(store, sid, pid)) == [0, 1, 1]


async def test_same_voter_at_the_same_instant_is_one_ballot(store, db_url):
    """Same batch of one writer, and two writers (two workers) on one database."""
    sid = await new_session(store)
    pid = await new_poll(store, sid)
    await act(store, sid, pid, "open")
    await asyncio.gather(*(vote(store, sid, pid, "twin-voter", [i % 3]) for i in range(20)))
    other = Store(db_url)
    other.start()
    try:
        await asyncio.gather(
            vote(store, sid, pid, "racer-voter", [0]), vote(other, sid, pid, "racer-voter", [1])
        )
    finally:
        other.stop()
    rows = await store.read(lambda db: db.exec(select(Ballot).where(Ballot.poll_id == pid)).all())
    assert sorted(b.voter for b in rows) == ["a:racer-voter", "a:twin-voter"]
    r = await results(store, sid, pid)
    assert r["total"] == 2 and sum(counts(r)) == 2


@pytest.mark.parametrize(
    ("kind", "choices", "text", "why"),
    [
        ("single", [7], None, "option 7 does not exist"),
        ("single", [0, 1], None, "at most 1 option"),
        ("multiple", [0, 1, 2], None, "at most 2 options"),
        ("multiple", [1, 1], None, "once"),
        ("single", None, "Health", "needs choices"),
        ("wordcloud", None, "   ", "empty"),
        ("wordcloud", None, "?!", "empty"),
        ("wordcloud", None, "x" * 10_240, "at most 40 characters"),
        ("wordcloud", [0], None, "text answer"),
    ],
)
async def test_bad_ballots_are_refused_and_change_nothing(store, kind, choices, text, why):
    sid = await new_session(store)
    opts = None if kind == "wordcloud" else ("Health", "Climate", "Education")
    pid = await new_poll(store, sid, kind, opts, max_choices=2 if kind == "multiple" else None)
    await act(store, sid, pid, "open")
    await vote(store, sid, pid, "honest-voter", [0] if opts else None, None if opts else "data")
    before = await results(store, sid, pid)
    with pytest.raises(Invalid, match=why):
        await vote(store, sid, pid, "sloppy-voter", choices, text)
    assert await results(store, sid, pid) == before


async def test_word_cloud_normalises_and_rating_has_a_mean(store):
    sid = await new_session(store)
    wid = await new_poll(store, sid, "wordcloud", None)
    await act(store, sid, wid, "open")
    for n, word in enumerate(["Data", "  data! ", "DATA", "Trust"]):
        await vote(store, sid, wid, f"word-voter-{n}", text=word)
    r = await results(store, sid, wid)
    assert r["words"] == [{"word": "data", "count": 3}, {"word": "trust", "count": 1}]
    rid = await new_poll(store, sid, "rating", None)
    await act(store, sid, rid, "open")
    for n, score in enumerate([4, 4, 1]):  # indexes 0..4 are the ratings 1..5
        await vote(store, sid, rid, f"rate-voter-{n}", [score])
    r = await results(store, sid, rid)
    assert [o["label"] for o in r["options"]] == ["1", "2", "3", "4", "5"]
    assert r["mean"] == pytest.approx((5 + 5 + 2) / 3, abs=0.01)


async def test_open_answers_reach_the_inbox(store):
    sid = await new_session(store)
    pid = await new_poll(store, sid, "open", None)
    await act(store, sid, pid, "open")
    await vote(store, sid, pid, "open-voter-1", text="Fund community data trusts")
    await vote(store, sid, pid, "open-voter-1", text="Fund community data trusts")
    inbox = await store.read(lambda db: db.exec(select(Question)).all())
    assert [(q.text, q.state) for q in inbox] == [("Fund community data trusts", "inbox")]
    assert (await results(store, sid, pid))["total"] == 1


async def test_roles_see_only_what_they_may(store):
    sid = await new_session(store)
    pid = await new_poll(store, sid)
    store.published.clear()
    await act(store, sid, pid, "open")
    await vote(store, sid, pid, "role-voter", [1])
    await store.write(lambda db: service.emit_results(db, sid, pid))
    opened, res = [e for e in store.published if e.type.startswith("poll.")]
    aud = poll_event_for("audience", opened.type, opened.data)
    assert aud[0] == "poll.updated" and aud[1]["poll"]["results"] is None
    assert poll_event_for("screen", opened.type, opened.data) is None  # not shown on screen
    assert poll_event_for("audience", res.type, res.data) is None
    assert poll_event_for("stage", res.type, res.data)[1]["results"]["total"] == 1
    assert "voter" not in str(res.data)
    store.published.clear()
    await act(store, sid, pid, "show_screen")
    (shown,) = store.published
    assert poll_event_for("screen", shown.type, shown.data)[1]["poll"]["results"]["total"] == 1
    assert poll_event_for("audience", shown.type, shown.data)[1]["poll"]["results"] is None
    # Showing another poll on the screen takes this one off it.
    other = await new_poll(store, sid)
    await act(store, sid, other, "open")
    store.published.clear()
    await act(store, sid, other, "show_screen")
    off = [e for e in store.published if e.data["poll"]["id"] == pid]
    assert poll_event_for("screen", off[0].type, off[0].data) == ("poll.removed", {"id": pid})
    # A draft never reaches the audience, not even in a snapshot.
    draft = await new_poll(store, sid)
    session = await store.read(lambda db: db.get(__import__("app.models").models.LiveSession, sid))
    snap = await store.read(lambda db: polls_part(db, session, "audience"))
    assert draft not in [p["id"] for p in snap] and {p["id"] for p in snap} == {pid, other}


async def test_results_are_coalesced_not_one_event_per_vote(store):
    sid = await new_session(store)
    pid = await new_poll(store, sid)
    await act(store, sid, pid, "open")
    settings = SimpleNamespace(
        poll_results_interval=0.25, poll_votes_per_voter_minute=0, poll_votes_per_ip_minute=0
    )
    rt = PollRuntime(store, settings)
    store.published.clear()

    async def one(n: int) -> None:
        await vote(store, sid, pid, f"burst-voter-{n}", [n % 3])
        rt.touch(sid, pid)

    for start in range(0, 600, 100):
        await asyncio.gather(*(one(n) for n in range(start, start + 100)))
    await asyncio.sleep(0.6)
    events = [e for e in store.published if e.type == "poll.results"]
    assert 1 <= len(events) <= 6
    assert events[-1].data["results"]["total"] == 600  # the last flush has every vote
    await rt.stop()


async def test_the_demo_session_comes_with_two_prepared_polls(store):
    from app.demo import ensure_demo_session

    sid, _slug, _keys = await store.write(ensure_demo_session)
    await store.write(ensure_demo_session)  # a second demo start adds nothing
    polls = await store.read(lambda db: service.session_polls(db, sid))
    assert [p["question"] for p in polls][0] == "Which area could benefit most from data for good?"
    assert [(p["kind"], p["state"]) for p in polls] == [("single", "draft"), ("wordcloud", "draft")]


async def test_zoom_chat_replies_count_as_votes_one_per_participant(store):
    from app.domains import default_registry
    from app.ingest import ingest
    from integrations.base import IncomingMessage

    sid = await new_session(store)
    pid = await new_poll(store, sid, zoom_votes=True)
    await act(store, sid, pid, "open")

    def chat(n, text, who):
        return IncomingMessage(
            channel="zoom_chat",
            external_id=f"z{n}",
            text=text,
            author_name=who,
            author_id=f"{who}@example.org",
        )

    replies = [
        chat(1, "2", "ana"),
        chat(2, " b. ", "ben"),
        chat(3, "1", "ana"),
        chat(4, "Great point about health data!", "cy"),
        chat(5, "9", "dee"),
    ]
    results_of = await ingest(store, sid, replies, default_registry().ingest)  # as the app does
    assert [r.question_id is not None for r in results_of] == [False, False, False, True, True]
    r = await results(store, sid, pid)
    assert r["turnout"] == {"audience": 0, "zoom_chat": 2}  # ana changed her reply
    assert [o["channels"]["zoom_chat"] for o in r["options"]] == [1, 1, 0]
    await vote(store, sid, pid, "room-voter", [0])
    r = await results(store, sid, pid)
    assert r["options"][0]["channels"] == {"audience": 1, "zoom_chat": 1} and r["total"] == 3


async def test_the_vote_batcher_writes_many_votes_per_commit_and_fails_only_bad_ones(store):
    from app.polls.live import VoteBatcher

    sid = await new_session(store)
    pid = await new_poll(store, sid)
    await act(store, sid, pid, "open")
    batcher = VoteBatcher(store)

    async def one(n: int):
        choice = 9 if n % 50 == 0 else n % 3  # every 50th ballot names no real option
        return await batcher.submit(service.Vote(sid, pid, f"batch-voter-{n}", [choice], None))

    outcomes = await asyncio.gather(*(one(n) for n in range(500)), return_exceptions=True)
    bad = [o for o in outcomes if isinstance(o, Exception)]
    assert len(bad) == 10 and all(isinstance(o, Invalid) for o in bad)
    assert batcher.writes < 50  # not one write per vote
    r = await results(store, sid, pid)
    assert r["total"] == 490  # every acknowledged vote is committed, and only those


async def test_the_published_report_masks_personal_data_in_open_answers(store):
    from app.models import LiveSession
    from app.report.adapters import polls_section

    sid = await new_session(store)
    pid = await new_poll(store, sid, kind="open", options=None)
    await act(store, sid, pid, "open")
    await vote(store, sid, pid, "a1", text="Write to ana@example.org or call +41 79 123 45 67")
    await vote(store, sid, pid, "a2", text="More open data, please")
    section = await store.read(lambda db: polls_section(db, db.get(LiveSession, sid)))
    [poll] = section["data"]["polls"]
    assert poll["answers"] == ["Write to [e-mail] or call [phone]", "More open data, please"]
