#!/usr/bin/env python3
"""The example report of the demo session: docs/example-report.html and .pdf.

Creates the demo session (IGF 2023 WS #499, app/demo) on a temporary SQLite database, in
this process, and scripts an hour of it: questions from Zoom, Mastodon and the audience
page, a few items from the demo simulator (labelled, and left out of the numbers), triage
(approvals, a merge, a declined spam post, answers), the demo's two polls plus an open one,
the agenda reordered once, and the rapporteur's notes and IGF fields. Then writes the
report as the server makes it.

    .venv/bin/python scripts/example_report.py            # docs/example-report.{html,pdf}
    .venv/bin/python scripts/example_report.py --out /tmp  # somewhere else
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.agenda.agenda import reorder  # noqa: E402
from app.db import Store  # noqa: E402
from app.demo import ensure_demo_session  # noqa: E402
from app.demo.stream import remote_stream  # noqa: E402
from app.domains import default_registry  # noqa: E402
from app.floor import service as floor  # noqa: E402
from app.ingest import ingest  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.polls import service as polls  # noqa: E402
from app.polls.models import Poll  # noqa: E402
from app.questions import service as queue  # noqa: E402
from app.questions import upvotes  # noqa: E402
from app.report.builder import build_report  # noqa: E402
from app.report.formats import render  # noqa: E402
from app.report.notes import save_note, set_highlight  # noqa: E402
from app.views import segments_of  # noqa: E402
from integrations.base import IncomingMessage  # noqa: E402

# (key, channel, author, text)
QUESTIONS = [
    ("z1", "zoom_chat", "Aiko Tanaka", "How can small NGOs get access to government data?"),
    ("z2", "zoom_chat", "Luis Ortega", "Is there a way for NGOs to access public datasets?"),
    ("z3", "zoom_qa", "Fatou Diallo", "Who is accountable when a data-for-good project harms?"),
    ("m1", "mastodon", "Jonas Berg", "What about data sovereignty for the Global South?"),
    ("m2", "mastodon", "Promo Bot", "Cheap followers, click now"),
    ("a1", "audience", "Priya Nair", "How do we measure social impact, concretely?"),
    ("a2", "audience", None, "Could the panel share examples from Brazil?"),
]
NOTES = {
    "time_zone": "Asia/Tokyo",
    "igf.venue": "Kyoto International Conference Center, Room K (and online)",
    "igf.organisers": "Data Privacy Brasil\nInstituto de Tecnologia e Sociedade",
    "igf.chair": "Moderator named in the workshop proposal",
    "igf.rapporteur": "Rapporteur named in the workshop proposal",
    "igf.key_issues": (
        "Access to public data for civil society remains uneven.\n"
        "Accountability for harm in data-for-good projects is unclear."
    ),
    "igf.discussion": (
        "Speakers compared how governments, civil society and researchers share data for "
        "social good, and where trust breaks down."
    ),
    "igf.participants_onsite": "35",
    "igf.participants_online": "48",
    "takeaways": (
        "Open data needs stewards and funding, not only portals\n"
        "Impact measures should be agreed with the communities concerned"
    ),
    "actions": "Publish a shared template for data-sharing agreements",
}


async def script_session(store: Store) -> int:
    sid, _, _ = await store.write(ensure_demo_session)
    msgs = [
        IncomingMessage(channel=c, external_id=k, author_id=f"example:{k}", author_name=a, text=t)
        for k, c, a, t in QUESTIONS
    ]
    sim = [
        IncomingMessage(
            channel=m.channel,
            external_id=f"sim-{n}",
            author_id=f"sim:{m.name}",
            author_name=m.name,
            text=m.text,
            simulated=True,
        )
        for n, m in zip(range(3), remote_stream(seed=499), strict=False)
    ]
    results = await ingest(store, sid, msgs + sim, default_registry().ingest)
    ids = {k: r.question_id for (k, *_), r in zip(QUESTIONS, results, strict=False)}

    async def act(key: str, action: str) -> None:
        await store.write(lambda db: queue.apply_action(db, sid, ids[key], action, "moderator"))

    for key in ("z1", "z3", "m1", "a1", "a2"):
        await act(key, "approve")
    await store.write(lambda db: queue.merge(db, sid, ids["z2"], ids["z1"], "moderator"))
    await act("m2", "dismiss")
    for n in range(4):
        await store.write(lambda db, n=n: upvotes.upvote(db, sid, ids["z1"], f"voter-{n}"))
    for n in range(2):
        await store.write(lambda db, n=n: upvotes.upvote(db, sid, ids["a1"], f"voter-{n}"))
    for key in ("z1", "a1", "z3"):
        await act(key, "push")
        await act(key, "answer")

    segs = await store.read(lambda db: segments_of(db, sid))
    order = [s.id for s in segs]
    order[2], order[3] = order[3], order[2]  # two speakers swapped places on the day
    await store.write(lambda db: reorder(db, sid, order, "moderator"))

    demo_polls = await store.read(
        lambda db: list(db.exec(Poll.__table__.select().where(Poll.session_id == sid)))
    )
    single = demo_polls[0].id  # the second demo poll stays a draft: it never ran
    trust = await store.write(
        lambda db: polls.create_poll(
            db,
            sid,
            polls.PollCreate(question="What would make you trust a data project?", kind="open"),
            "moderator",
        )
    )
    for poll_id in (single, trust["id"]):
        await store.write(lambda db, p=poll_id: polls.apply_action(db, sid, p, "open", "moderator"))
    for n, choice in enumerate((0, 0, 1, 2, 0, 3, 1)):
        await store.write(lambda db, n=n, c=choice: polls.vote(db, sid, single, f"p{n}", [c], None))
    for n, answer in enumerate(("Open code and audits", "Community oversight")):
        await store.write(
            lambda db, n=n, a=answer: polls.vote(db, sid, trust["id"], f"p{n}", None, a)
        )
    await store.write(lambda db: polls.apply_action(db, sid, single, "close", "moderator"))

    await floor_turns(store, sid)

    seg_notes = {
        segs[1].id: "Government data portals exist, but NGOs lack the skills to use them.",
        segs[2].id: "Civil society asked for data-sharing agreements that protect people.",
    }
    notes = {**NOTES, **{f"seg:{k}": v for k, v in seg_notes.items()}}
    for section, text in notes.items():
        await store.write(lambda db, s=section, t=text: save_note(db, sid, s, t))
    for key in ("z1", "a1"):
        await store.write(lambda db, k=key: set_highlight(db, sid, ids[k], True))
    return sid


#: Who asked for the floor in the open discussion: (phone, name, group, where, hub).
FLOOR = (
    ("f1", "Amina Diallo", "civil_society", "room", None),
    ("f2", "Kenji Sato", "private_sector", "remote", None),
    ("f3", "Lucia Gomez", "academia", "hub", "Bogota hub"),
    ("f4", "Omar Haddad", "government", "room", None),
)


async def floor_turns(store: Store, sid: int) -> None:
    """The open discussion's speaking queue: room, remote and a hub each take the floor
    (speaking time from the server's timestamps), one request is skipped."""
    start = datetime(2026, 12, 2, 10, 40, tzinfo=UTC)
    ids = []
    for n, (phone, name, group, where, hub) in enumerate(FLOOR):
        body = floor.RequestIn(name=name, group=group, where=where, hub=hub)
        at = start + timedelta(seconds=n)
        r = await store.write(
            lambda db, b=body, p=phone, t=at: floor.request_floor(db, sid, b, p, t)
        )
        ids.append(r["id"])
    turns = (
        (0, "call", 60),
        (1, "call", 200),
        (1, "done", 290),
        (2, "call", 300),
        (2, "done", 420),
        (3, "skip", 430),
    )
    for index, action, seconds in turns:
        at = start + timedelta(seconds=seconds)
        await store.write(
            lambda db, r=ids[index], a=action, t=at: floor.apply_action(
                db, sid, r, a, "moderator", t
            )
        )


async def build(url: str) -> dict:
    store = Store(url)
    store.start()
    try:
        sid = await script_session(store)
        return await store.read(lambda db: build_report(db, sid, default_registry().sections))
    finally:
        store.stop()


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/example.db"
        upgrade(url)
        report = asyncio.run(build(url))
    out.mkdir(parents=True, exist_ok=True)
    (out / "example-report.html").write_text(render(report, "html"), encoding="utf-8")
    (out / "example-report.pdf").write_bytes(render(report, "pdf"))
    print(f"wrote {out / 'example-report.html'} and {out / 'example-report.pdf'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    main(parser.parse_args().out)
