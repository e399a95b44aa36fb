"""A whole simulated session (several channels, moderation, poll, agenda, notes), and a
search over every text and JSON column of every table, for the privacy tests."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import JSON, String, Text, select
from sqlmodel import SQLModel

from app.clock import utc_now
from app.domains import default_registry
from app.ingest import ingest
from app.questions import service as queue
from app.questions import upvotes
from app.report.notes import save_note, set_highlight
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from integrations.base import IncomingMessage

HAS_POLLS = importlib.util.find_spec("app.polls.service") is not None
HAS_AGENDA = importlib.util.find_spec("app.agenda.service") is not None
AGENDA = [
    {"title": "Opening", "minutes": 5, "kind": "opening"},
    {"title": "Data stewardship", "minutes": 15, "kind": "speaker", "speaker": "Ana Lima"},
    {"title": "Open debate", "minutes": 30, "kind": "debate"},
]
# (channel, external id, author id, author name, text)
MESSAGES = [
    ("zoom_chat", "z1", "zoe@example.net", "Zoe Quinn", "How do small NGOs share data safely?"),
    ("zoom_chat", "z2", "zoe@example.net", "Zoe Quinn", "Follow-up: which licences work best?"),
    ("zoom_qa", "q1", "kofi@example.net", "Kofi Mensah", "Who pays for the data stewards?"),
    ("mastodon", "m1", "@lena@social.example", "Lena Berg", "What about open data in Africa?"),
    ("mastodon", "m2", "@omar@social.example", "Omar Haddad", "Spam spam spam, buy now"),
    ("youtube", "y1", "UCyt123", "Priya Nair", "Can the panel define data for good?"),
    ("audience", "a1", "aud-ana-0001", "Ana Pérez", "Mail me at ana.perez@example.org please"),
    ("audience", "a2", "aud-ben-0002", "Ben Okoro", "How do we measure impact?"),
    ("audience", "a3", "aud-cho-0003", "Cho Min", "How is impact measured, concretely?"),
]


@dataclass
class Simulated:
    session_id: int
    slug: str
    ids: dict[str, int] = field(default_factory=dict)
    poll_id: int | None = None


async def simulate_session(store, *, privacy: str = "initials") -> Simulated:
    body = SessionCreate(
        title="Data for Good: hybrid round table",
        agenda=AGENDA,
        privacy={"author_display": privacy},
    )
    session, _ = await store.write(lambda db: create_session(db, body))
    sim = Simulated(session.id, session.slug)
    start = utc_now() - timedelta(minutes=10)
    if HAS_AGENDA:
        from app.agenda.service import apply_action as timer

        await store.write(lambda db: timer(db, sim.session_id, "start", start))
    msgs = [
        IncomingMessage(channel=c, external_id=x, author_id=a, author_name=n, text=t)
        for c, x, a, n, t in MESSAGES
    ]
    results = await ingest(store, sim.session_id, msgs, default_registry().ingest)
    sim.ids = {m[1]: r.question_id for m, r in zip(MESSAGES, results, strict=True)}
    if HAS_AGENDA:
        await store.write(
            lambda db: timer(db, sim.session_id, "next", start + timedelta(minutes=5))
        )

    async def act(key: str, action: str) -> None:
        qid = sim.ids[key]
        await store.write(
            lambda db: queue.apply_action(db, sim.session_id, qid, action, "moderator")
        )

    for key in ("z1", "q1", "m1", "y1", "a2", "a3"):
        await act(key, "approve")
    await act("m2", "dismiss")
    await act("a1", "dismiss")
    await store.write(
        lambda db: queue.merge(db, sim.session_id, sim.ids["a3"], sim.ids["a2"], "moderator")
    )
    for voter in ("v1", "v2", "v3"):
        await store.write(lambda db, v=voter: upvotes.upvote(db, sim.session_id, sim.ids["a2"], v))
    await store.write(lambda db: upvotes.upvote(db, sim.session_id, sim.ids["z1"], "aud-ben-0002"))
    await store.write(
        lambda db: queue.edit(
            db,
            sim.session_id,
            sim.ids["y1"],
            "moderator",
            "Could the panel define 'data for good'?",
            None,
        )
    )
    for key in ("z1", "a2", "q1"):
        await act(key, "push")
        await act(key, "answer")
    await act("m1", "push")  # still on stage when the report is made
    if HAS_POLLS:
        from app.polls import service as polls

        created = await store.write(
            lambda db: polls.create_poll(
                db,
                sim.session_id,
                polls.PollCreate(
                    question="Is open data enough?", kind="single", options=["Yes", "No", "Unsure"]
                ),
                "moderator",
            )
        )
        sim.poll_id = created["id"]
        await store.write(
            lambda db: polls.apply_action(db, sim.session_id, sim.poll_id, "open", "moderator")
        )
        for voter, choice in (("p1", 0), ("p2", 1), ("p3", 1), ("aud-ben-0002", 2)):
            await store.write(
                lambda db, v=voter, c=choice: polls.vote(
                    db, sim.session_id, sim.poll_id, v, [c], None
                )
            )
    notes = {
        "segment:0": "Welcome by the chair.\nRemote hub in Accra connected.",
        "segment:1": "Stewardship needs funding; NGOs lack lawyers.",
        "takeaways": "- Data stewards need stable funding\n- Small NGOs need templates\n\n",
        "actions": "1. Publish a template data-sharing agreement",
        "general": "Lively debate; contact me at rapporteur@example.com for slides.",
    }
    for section, text in notes.items():
        await store.write(lambda db, s=section, t=text: save_note(db, sim.session_id, s, t))
    for key in ("q1", "a2"):
        await store.write(lambda db, k=key: set_highlight(db, sim.session_id, sim.ids[k], True))
    return sim


def text_columns():
    """(table, column) of every text-like column in the whole schema, every domain's too."""
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                yield table, column


def find_everywhere(db, needles: list[str]) -> list[str]:
    """Where any needle appears, in any text or JSON column of any table (case-insensitive)."""
    hits = []
    lowered = [n.lower() for n in needles]
    for table, column in text_columns():
        for (value,) in db.execute(select(column)).all():
            if value is None:
                continue
            blob = str(value).lower()
            for needle in lowered:
                if needle in blob:
                    hits.append(f"{table.name}.{column.name}: {needle!r}")
    return hits
