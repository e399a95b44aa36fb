"""Purge and erasure leave no trace of a person in any table, and the report's totals as
they were. The search walks every text and JSON column of every table (all domains)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text as sql

from app.clock import utc_now
from app.domains import default_registry
from app.errors import Invalid
from app.ingest import ingest
from app.models import Question
from app.privacy.pseudonyms import author_hash
from app.privacy.service import (
    ERASED,
    PURGED,
    Subject,
    erase_subject,
    export_subject,
    parse_age,
    purge,
)
from app.privacy.settings_store import set_retention
from app.report.builder import build_report
from integrations.base import IncomingMessage
from tests.app.report.report_support import HAS_POLLS, find_everywhere, simulate_session

#: The app's domains (every table in the metadata the search walks; their privacy hooks).
REGISTRY = default_registry()


def totals(report):
    """Everything in the report that is a count, a share or a structure, not a name."""
    return {
        "questions": report["questions"],
        "balance": report["balance"],
        "moderation": report["moderation"],
        "agenda": [(a["title"], a["questions"], a["planned_minutes"]) for a in report["agenda"]],
        "highlights": [h["id"] for h in report["highlights"]],
        "takeaways": report["key_takeaways"],
        # Open answers are text (erased with their author); how many there were stays.
        "polls": [
            {k: (len(v) if k == "answers" else v) for k, v in p.items()}
            for p in (report["sections"].get("polls", {}).get("data") or {}).get("polls", [])
        ],
        "states": [
            (q["id"], q["state"], q["votes"], q["channel"]) for q in report["all_questions"]
        ],
    }


async def _report(store, sid):
    return await store.read(lambda db: build_report(db, sid, REGISTRY.sections))


async def _hash_of(store, sid, channel, handle):
    def read(db):
        (secret,) = db.execute(
            sql("select hmac_secret from live_session where id=:s"), {"s": sid}
        ).one()
        return author_hash(secret, channel, handle)

    return await store.read(read)


def _prints(db, session_id: int, question_ids: tuple[int, ...] | None = None) -> int:
    """Cross-post fingerprints (name + text hashes) held for these questions."""
    from sqlmodel import select

    from app.connectors.models import TextPrint

    rows = db.exec(select(TextPrint).where(TextPrint.session_id == session_id)).all()
    return len([r for r in rows if question_ids is None or r.question_id in question_ids])


async def test_erase_removes_every_trace_of_a_remote_person(store):
    sim = await simulate_session(store)
    before = totals(await _report(store, sim.session_id))
    zoe = Subject("zoom_chat", "zoe@example.net")
    held = await store.read(lambda db: export_subject(db, sim.slug, zoe, REGISTRY))
    assert [q["text"] for q in held["questions"]] == [
        "How do small NGOs share data safely?",
        "Follow-up: which licences work best?",
    ]
    assert {q["name"] for q in held["questions"]} == {"Z. Q."}
    assert len(held["messages"]) == 2
    zoe_hash = await _hash_of(store, sim.session_id, "zoom_chat", "zoe@example.net")
    needles = [
        "Zoe Quinn",
        "Z. Q.",
        "zoe@example.net",
        zoe_hash,
        "share data safely",
        "which licences work best",
    ]
    assert await store.read(lambda db: find_everywhere(db, needles))  # there before

    zoes = (sim.ids["z1"], sim.ids["z2"])
    assert await store.read(lambda db: _prints(db, sim.session_id, zoes))  # cross-post prints
    result = await store.write(lambda db: erase_subject(db, sim.slug, zoe, REGISTRY))
    assert result["questions"] == 2 and result["messages"] == 2 and result["events"] > 0
    # The fingerprint of her name and text (kept to spot cross-posts) goes with them.
    assert await store.read(lambda db: _prints(db, sim.session_id, zoes)) == 0

    assert await store.read(lambda db: find_everywhere(db, needles)) == []
    after = await _report(store, sim.session_id)
    assert totals(after) == before
    erased = [q for q in after["all_questions"] if q["id"] in (sim.ids["z1"], sim.ids["z2"])]
    assert {q["text"] for q in erased} == {ERASED}
    again = await store.read(lambda db: export_subject(db, sim.slug, zoe, REGISTRY))
    assert again["questions"] == [] and again["messages"] == []
    # Live pages hear of it through the log, like any change.
    assert any(
        e.type == "question.updated" and e.data["action"] == "erase" for e in store.published
    )


async def test_erase_of_an_audience_member_takes_their_votes_off_the_record(store):
    sim = await simulate_session(store)
    if HAS_POLLS:  # an open answer: a ballot with his text, and a question in the inbox
        from app.polls import service as polls

        body = polls.PollCreate(question="What builds trust?", kind="open")
        pid = (
            await store.write(lambda db: polls.create_poll(db, sim.session_id, body, "moderator"))
        )["id"]
        await store.write(
            lambda db: polls.apply_action(db, sim.session_id, pid, "open", "moderator")
        )
        await store.write(
            lambda db: polls.vote(
                db, sim.session_id, pid, "aud-ben-0002", None, "Ben trusts audits"
            )
        )
    before = totals(await _report(store, sim.session_id))
    ben = Subject("audience", "aud-ben-0002")
    held = await store.read(lambda db: export_subject(db, sim.slug, ben, REGISTRY))
    assert [u["question_id"] for u in held["upvotes"]] == [sim.ids["z1"]]
    if HAS_POLLS:
        assert [b["answer"] for b in held["polls"]] == [None, "Ben trusts audits"]
    ben_hash = await _hash_of(store, sim.session_id, "audience", "aud-ben-0002")
    needles = [
        "Ben Okoro",
        "B. O.",
        "aud-ben-0002",
        ben_hash,
        "How do we measure impact?",
        "Ben trusts audits",
    ]
    assert await store.read(lambda db: find_everywhere(db, needles))  # there before

    await store.write(lambda db: erase_subject(db, sim.slug, ben, REGISTRY))
    assert await store.read(lambda db: find_everywhere(db, needles)) == []
    # His question stays counted (answered, highlighted, 3 votes); his own vote stays counted.
    assert totals(await _report(store, sim.session_id)) == before


async def test_purge_after_the_retention_period(store):
    sim = await simulate_session(store)
    await store.write(lambda db: set_retention(db, sim.session_id, 30))
    before = totals(await _report(store, sim.session_id))
    names = [
        "Zoe Quinn",
        "Z. Q.",
        "Kofi Mensah",
        "K. M.",
        "Lena Berg",
        "L. B.",
        "Omar Haddad",
        "O. H.",
        "Priya Nair",
        "P. N.",
        "Ana Pérez",
        "A. P.",
        "Ben Okoro",
        "B. O.",
        "Cho Min",
        "C. M.",
        "aud-ben-0002",
        "social.example",
    ]
    dismissed_text = ["Spam spam spam", "Mail me at", "ana.perez"]

    # Within the retention period nothing changes.
    early = await store.write(
        lambda db: purge(db, now=utc_now() + timedelta(days=29), registry=REGISTRY)
    )
    assert early["questions"] == early["messages"] == 0
    assert await store.read(lambda db: find_everywhere(db, ["Zoe Quinn", "Z. Q."]))

    assert await store.read(lambda db: _prints(db, sim.session_id))
    done = await store.write(
        lambda db: purge(db, now=utc_now() + timedelta(days=31), registry=REGISTRY)
    )
    assert await store.read(lambda db: _prints(db, sim.session_id)) == 0
    assert done["questions"] >= 9 - 1 and done["messages"] == 9 and done["events"] > 0
    assert await store.read(lambda db: find_everywhere(db, names + dismissed_text)) == []
    after = await _report(store, sim.session_id)
    assert totals(after) == before
    dismissed = [q for q in after["all_questions"] if q["state"] == "dismissed"]
    assert {q["text"] for q in dismissed} == {PURGED}
    # What was taken stays readable: it is the session's record.
    assert any(q["text"] == "Who pays for the data stewards?" for q in after["all_questions"])
    # A second run finds nothing left to do.
    again = await store.write(
        lambda db: purge(db, now=utc_now() + timedelta(days=32), registry=REGISTRY)
    )
    assert again["questions"] == again["messages"] == again["upvotes"] == 0


@pytest.mark.parametrize(
    ("value", "days"), [("30d", 30), ("12h", 0.5), ("2w", 14), ("7", 7), ("90m", 90 / 1440)]
)
def test_parse_age(value, days):
    assert parse_age(value) == timedelta(days=days)


@pytest.mark.parametrize("value", ["", "abc", "0d", "-3d", "d"])
def test_parse_age_refuses_nonsense(value):
    with pytest.raises(Invalid):
        parse_age(value)


async def test_email_addresses_are_never_stored(store):
    sim = await simulate_session(store, privacy="full")
    (res,) = await ingest(
        store,
        sim.session_id,
        [
            IncomingMessage(
                channel="zoom_chat",
                external_id="e1",
                author_id="eve@example.net",
                author_name="eve@example.net",
                text="Reach me: eve.s+fb@mail.example.net",
            )
        ],
    )
    stored = await store.read(
        lambda db: find_everywhere(
            db, ["ana.perez@example.org", "zoe@example.net", "eve@example.net", "eve.s+fb@"]
        )
    )
    assert stored == []
    q = await store.read(lambda db: db.get(Question, res.question_id))
    assert q.text == "Reach me: [e-mail removed]" and q.author_name is None
