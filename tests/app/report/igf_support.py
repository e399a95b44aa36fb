"""A scripted session for the IGF report tests: three channels, a merge, a dismissed
question (off-topic), a simulated one, one asked from the room on the audience page, four
polls (one never opened, one open-text), the agenda reordered, a queue move, and the
rapporteur's IGF fields partly filled."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.agenda.agenda import reorder
from app.domains import default_registry
from app.ingest import ingest
from app.polls import service as polls
from app.questions import service as queue
from app.questions import upvotes
from app.report.notes import save_note, set_highlight
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from app.views import segments_of
from integrations.base import IncomingMessage

AGENDA = [
    {"title": "Opening", "minutes": 5, "kind": "opening", "speaker": "Mia Chen"},
    {
        "title": "Data trusts",
        "minutes": 15,
        "kind": "speaker",
        "speaker": "Ana Lima",
        "stakeholder": "Civil society",
    },
    {"title": "Open debate", "minutes": 30, "kind": "debate"},
]
# key: (channel, text, simulated)
MESSAGES = {
    "z1": ("zoom_chat", "How do remote hubs get funding?", False),
    "z2": ("zoom_chat", "Who funds the remote hubs?", False),
    "m1": ("mastodon", "What about open data in Africa?", False),
    "m2": ("mastodon", "Buy followers now", False),
    "a1": ("audience", "How do we measure impact?", False),
    "r1": ("audience", "Can the room see the slides?", False),
    "s1": ("mastodon", "Simulated: what about trams?", True),
}
NOTES = {
    "time_zone": "Europe/Paris",
    "takeaways": "Hubs need stable funding\nImpact needs shared measures",
    "actions": "Publish a template data-sharing agreement",
    "igf.organisers": "Data for Good Network\nCity of Lyon",
    "igf.chair": "Mia Chen, Data for Good Network",
    "igf.rapporteur": "Sam Ortiz, City of Lyon",
    "igf.key_issues": "Remote hubs lack funding.",
    "igf.discussion": "Participants compared funding models for hubs.",
    "igf.participants_onsite": "40",
    "igf.participants_online": "25",
    "igf.women_participants": "30",
    "igf.speakers_women": "2",
    "igf.speakers_men": "0",
}
OPEN_ANSWERS = ("Independent audits", "Open books")
#: Asked on the audience page by someone who ticked "I'm in the room".
IN_ROOM = {"r1"}


@dataclass
class Scripted:
    session_id: int
    slug: str
    ids: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    polls: dict[str, int] = field(default_factory=dict)


async def scripted_session(store) -> Scripted:
    body = SessionCreate(
        title="Hubs and data: an IGF workshop", agenda=AGENDA, privacy={"author_display": "full"}
    )
    session, _ = await store.write(lambda db: create_session(db, body))
    sc = Scripted(session.id, session.slug)
    sid = sc.session_id
    msgs = [
        IncomingMessage(
            channel=c,
            external_id=k,
            author_id=f"id-{k}",
            author_name=None,
            text=t,
            simulated=s,
            in_room=k in IN_ROOM,
        )
        for k, (c, t, s) in MESSAGES.items()
    ]
    results = await ingest(store, sid, msgs, default_registry().ingest)
    sc.ids = {k: r.question_id for k, r in zip(MESSAGES, results, strict=True)}

    async def act(key: str, action: str) -> None:
        await store.write(lambda db: queue.apply_action(db, sid, sc.ids[key], action, "moderator"))

    for key in ("z1", "m1", "a1", "s1"):
        await act(key, "approve")
    await store.write(lambda db: queue.merge(db, sid, sc.ids["z2"], sc.ids["z1"], "moderator"))
    await store.write(
        lambda db: queue.apply_action(
            db, sid, sc.ids["m2"], "dismiss", "moderator", reason="off_topic"
        )
    )
    for voter in ("v1", "v2"):
        await store.write(lambda db, v=voter: upvotes.upvote(db, sid, sc.ids["z1"], v))
    await store.write(lambda db: upvotes.upvote(db, sid, sc.ids["a1"], "v3"))
    # A move in the queue: a reorder, not an edit.
    await store.write(lambda db: queue.edit(db, sid, sc.ids["m1"], "moderator", None, 1))
    await act("z1", "push")
    await act("z1", "answer")
    await act("a1", "push")  # still on stage when the report is made

    segs = await store.read(lambda db: segments_of(db, sid))
    sc.segments = {s.title: s.id for s in segs}
    order = [sc.segments[t] for t in ("Opening", "Open debate", "Data trusts")]
    await store.write(lambda db: reorder(db, sid, order, "moderator"))

    async def poll(name: str, kind: str, question: str, options=None) -> int:
        made = await store.write(
            lambda db: polls.create_poll(
                db,
                sid,
                polls.PollCreate(question=question, kind=kind, options=options),
                "moderator",
            )
        )
        sc.polls[name] = made["id"]
        return made["id"]

    async def poll_action(name: str, action: str) -> None:
        await store.write(
            lambda db: polls.apply_action(db, sid, sc.polls[name], action, "moderator")
        )

    async def vote(name: str, voter: str, choices=None, text=None) -> None:
        await store.write(lambda db: polls.vote(db, sid, sc.polls[name], voter, choices, text))

    await poll("single", "single", "Is open data enough?", ["Yes", "No"])
    await poll("multiple", "multiple", "Which topics matter?", ["Funding", "Skills", "Law"])
    await poll("open", "open", "What builds trust?")
    await poll("draft", "single", "Never asked?", ["A", "B"])
    for name in ("single", "multiple", "open"):
        await poll_action(name, "open")
    for voter, choice in (("p1", 0), ("p2", 0), ("p3", 1)):
        await vote("single", voter, [choice])
    await vote("multiple", "p1", [0, 1])
    await vote("multiple", "p2", [0])
    for voter, answer in zip(("p1", "p2"), OPEN_ANSWERS, strict=True):
        await vote("open", voter, text=answer)
    await poll_action("single", "show_screen")
    await poll_action("single", "hide_screen")
    await poll_action("single", "close")

    notes = {**NOTES, f"seg:{sc.segments['Data trusts']}": "Ana presented three trust models."}
    for section, text in notes.items():
        await store.write(lambda db, s=section, t=text: save_note(db, sid, s, t))
    await store.write(lambda db: set_highlight(db, sid, sc.ids["z1"], True))
    return sc
