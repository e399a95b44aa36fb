"""Agenda edits while the timer runs, segment-scoped questions, notes to the stage and the
automatic wrap-up note -- on both databases, with the test's own clock."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.agenda.agenda import (
    SegmentAdd,
    SegmentPatch,
    add_segment,
    edit_segment,
    remove_segment,
    reorder,
)
from app.agenda.autonote import due_sessions, send_wrap_up
from app.agenda.notes import ack_note, send_note
from app.agenda.report import report_section
from app.agenda.schemas import StageNoteCreate
from app.agenda.service import apply_action, update_settings
from app.clock import utc_now
from app.domains import default_registry
from app.errors import Conflict, Invalid, NotFound
from app.ingest import ingest_single
from app.models import Event, LiveSession, Question
from app.views import snapshot
from integrations.base import IncomingMessage

from .support import act, at, left, new_session, view

#: The app's domains: their event filters and snapshot parts, as the server uses them.
REGISTRY = default_registry()


def titles(v: dict) -> list[str]:
    return [s["title"] for s in v["agenda"]]


async def test_agenda_edits_while_running_keep_the_current_segment(store):
    sid = await new_session(store)
    await act(store, sid, "start", 0)
    await act(store, sid, "next", 60)  # "Ana on data" runs
    v = await store.write(
        lambda db: add_segment(db, sid, SegmentAdd(title="Welcome", minutes=3, at=0), "moderator")
    )
    assert titles(v) == ["Welcome", "Opening", "Ana on data", "Open debate"]
    assert v["segment"] == 2 and v["state"] == "running" and left(v, 90) == pytest.approx(90)
    ana = v["agenda"][2]["id"]
    v = await store.write(
        lambda db: edit_segment(db, sid, ana, SegmentPatch(minutes=5), "moderator")
    )
    assert v["planned"] == 300 and left(v, 90) == pytest.approx(270)
    with pytest.raises(Conflict, match="running"):
        await store.write(lambda db: remove_segment(db, sid, ana, "moderator"))
    ids = [s["id"] for s in v["agenda"]]
    v = await store.write(lambda db: reorder(db, sid, [ids[2], ids[3], ids[0], ids[1]], "mod"))
    assert titles(v) == ["Ana on data", "Open debate", "Welcome", "Opening"] and v["segment"] == 0
    with pytest.raises(Invalid, match="exactly once"):
        await store.write(lambda db: reorder(db, sid, ids[:2], "moderator"))
    v = await store.write(lambda db: remove_segment(db, sid, ids[0], "moderator"))
    assert titles(v) == ["Ana on data", "Open debate", "Opening"]
    assert [s["index"] for s in v["agenda"]] == [0, 1, 2]
    with pytest.raises(NotFound):
        await store.write(lambda db: remove_segment(db, sid, ids[0], "moderator"))
    with pytest.raises(Invalid, match="cannot be empty"):
        await store.write(
            lambda db: edit_segment(db, sid, ana, SegmentPatch(title=None), "moderator")
        )
    # The report still lists the removed "Welcome"? It never ran, so it is simply gone;
    # "Opening" ran and keeps its planned vs actual.
    report = await store.read(lambda db: report_section(db, db.get(LiveSession, sid), at(120)))
    opening = next(r for r in report["segments"] if r["title"] == "Opening")
    assert opening["actual_seconds"] == 60 and opening["delta_seconds"] == 0


def audience(n: int, channel: str = "audience") -> IncomingMessage:
    return IncomingMessage(channel=channel, external_id=f"a{n}", text=f"Question {n}?")


async def test_questions_record_their_segment_and_the_gate_says_when_it_opens(store):
    sid = await new_session(store)
    before = await ingest_single(store, sid, audience(0))
    now = utc_now()  # ingest reads the real clock
    await store.write(lambda db: update_settings(db, sid, now, {"questions_gate": True}, "m"))
    await store.write(lambda db: apply_action(db, sid, "start", now))
    with pytest.raises(Conflict) as closed:
        await ingest_single(store, sid, audience(1))
    assert "closed during “Opening”" in closed.value.detail
    assert "open again with “Ana on data” in about a minute" in closed.value.detail
    zoom = await ingest_single(store, sid, audience(2, channel="zoom_chat"))  # not gated
    await store.write(lambda db: apply_action(db, sid, "next", utc_now()))
    during = await ingest_single(store, sid, audience(3))
    rows = await store.read(lambda db: {q.id: q.segment for q in db.exec(select(Question))})
    assert rows[before.question_id] is None  # before the start
    assert rows[zoom.question_id] == 0 and rows[during.question_id] == 1
    await store.write(lambda db: apply_action(db, sid, "jump", utc_now(), segment=2))
    await store.write(lambda db: apply_action(db, sid, "next", utc_now()))
    with pytest.raises(Conflict, match="session has ended"):
        await ingest_single(store, sid, audience(4))


async def test_notes_reach_moderator_and_stage_only_and_ack_once(store):
    sid = await new_session(store)
    note = await store.write(lambda db: send_note(db, sid, StageNoteCreate(kind="wrap_up"), at(0)))
    assert note["text"] == "Please wrap up" and note["acked_at"] is None
    free = await store.write(
        lambda db: send_note(db, sid, StageNoteCreate(text="  Ana's <b>mic</b>\x07 is off "), at(1))
    )
    assert free["text"] == "Ana's <b>mic</b> is off"
    with pytest.raises(Invalid):
        await store.write(lambda db: send_note(db, sid, StageNoteCreate(text="   "), at(2)))
    with pytest.raises(Invalid, match="kind must be"):
        await store.write(lambda db: send_note(db, sid, StageNoteCreate(kind="shout"), at(2)))
    first = await store.write(lambda db: ack_note(db, sid, note["id"], at(5)))
    second = await store.write(lambda db: ack_note(db, sid, note["id"], at(9)))
    assert first["acked_at"] == second["acked_at"] == "2026-11-23T14:00:05.000Z"
    events = await store.read(
        lambda db: db.exec(select(Event).where(Event.session_id == sid).order_by(Event.seq)).all()
    )
    assert [e.type for e in events] == ["note.created", "note.created", "note.acked"]
    for e in events:
        assert REGISTRY.event_for("moderator", e.type, e.data) is not None
        assert REGISTRY.event_for("stage", e.type, e.data) is not None
        assert REGISTRY.event_for("screen", e.type, e.data) is None
        assert REGISTRY.event_for("audience", e.type, e.data) is None
    snaps = await store.read(
        lambda db: {
            r: snapshot(db, db.get(LiveSession, sid), r, "http://x", REGISTRY.parts)["data"]
            for r in ("stage", "screen", "audience")
        }
    )
    assert [n["id"] for n in snaps["stage"]["notes"]] == [note["id"], free["id"]]
    assert snaps["screen"]["notes"] is None and snaps["audience"]["notes"] is None
    assert snaps["screen"]["timer"]["state"] == "idle"


async def test_automatic_wrap_up_note_once_at_the_warning_threshold(store):
    sid = await new_session(store)
    changes = {"auto_wrap": True, "warning_seconds": 20}
    await store.write(lambda db: update_settings(db, sid, at(0), changes, "moderator"))
    await act(store, sid, "start", 0)  # Opening: 60 s
    assert await store.read(lambda db: due_sessions(db, at(39))) == []
    assert sid in await store.read(lambda db: due_sessions(db, at(41)))
    note = await store.write(lambda db: send_wrap_up(db, sid, at(41)))
    assert note["auto"] and note["kind"] == "wrap_up"
    assert await store.write(lambda db: send_wrap_up(db, sid, at(42))) is None
    await act(store, sid, "adjust", 43, seconds=60)  # more time: warn again later
    assert sid not in await store.read(lambda db: due_sessions(db, at(50)))
    assert sid in await store.read(lambda db: due_sessions(db, at(101)))
    await act(store, sid, "pause", 102)  # paused timers send nothing
    assert sid not in await store.read(lambda db: due_sessions(db, at(500)))
    v = await view(store, sid)
    assert v["auto_wrap"] is True and v["warning"] == 20
