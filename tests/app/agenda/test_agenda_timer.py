"""Every timer action and edge, through the real writer on SQLite and PostgreSQL, with a
clock the test moves by hand (no sleeps)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.agenda import timer
from app.agenda.models import SegmentRun, TimerState
from app.agenda.service import schedule_delta
from app.agenda.timer import phase
from app.db import Store
from app.errors import Conflict, Invalid
from app.models import Event

from .support import act, at, left, new_session, view


async def test_start_counts_down_from_server_timestamps(store):
    sid = await new_session(store)
    idle = await view(store, sid)
    assert idle["state"] == "idle" and idle["segment"] == 0 and idle["started_at"] is None
    v = await act(store, sid, "start", 0)
    assert v["state"] == "running" and v["segment"] == 0 and v["planned"] == 60
    assert left(v, 25) == pytest.approx(35)
    with pytest.raises(Conflict, match="already running"):
        await act(store, sid, "start", 26)


async def test_pause_during_overrun_freezes_the_overrun(store):
    sid = await new_session(store)
    await act(store, sid, "start", 0)
    v = await act(store, sid, "pause", 90)
    assert v["state"] == "paused"
    assert left(v, 90) == pytest.approx(-30)
    assert left(v, 500) == pytest.approx(-30)  # paused: time stands still, still overrun
    t = await store.read(lambda db: db.get(TimerState, sid))
    assert phase(t, 60, 15, at(500)).name == "overrun"
    v = await act(store, sid, "resume", 500)
    assert v["state"] == "running" and v["paused_total"] == pytest.approx(410)
    assert left(v, 510) == pytest.approx(-40)
    with pytest.raises(Conflict, match="not paused"):
        await act(store, sid, "resume", 511)


async def test_add_time_while_paused_stays_paused(store):
    sid = await new_session(store)
    await act(store, sid, "start", 0)
    await act(store, sid, "pause", 30)
    v = await act(store, sid, "adjust", 40, seconds=120)
    assert v["state"] == "paused" and left(v, 40) == pytest.approx(150)
    assert left(v, 4000) == pytest.approx(150)
    v = await act(store, sid, "adjust", 41, seconds=-60)
    assert left(v, 41) == pytest.approx(90)
    with pytest.raises(Invalid, match="less than no time"):
        await act(store, sid, "adjust", 42, seconds=-1000)
    with pytest.raises(Invalid, match="adjust needs"):
        await act(store, sid, "adjust", 42)
    v = await act(store, sid, "resume", 100)
    assert left(v, 110) == pytest.approx(80)


async def test_jump_backwards_runs_the_segment_again_and_keeps_history(store):
    sid = await new_session(store)
    await act(store, sid, "start", 0)
    v = await act(store, sid, "next", 70)
    assert v["segment"] == 1 and left(v, 70) == pytest.approx(120)
    v = await act(store, sid, "jump", 100, segment=0)
    assert v["segment"] == 0 and v["state"] == "running"
    assert left(v, 100) == pytest.approx(60)  # full time again
    runs = await store.read(lambda db: db.exec(select(SegmentRun).order_by(SegmentRun.id)).all())
    spans = [(r.title, r.ended_at and (r.ended_at - r.started_at).total_seconds()) for r in runs]
    assert spans == [("Opening", 70), ("Ana on data", 30), ("Opening", None)]
    with pytest.raises(Invalid, match="from 0 to 2"):
        await act(store, sid, "jump", 101, segment=3)
    assert v["agenda"][0]["actual_start"] == int(at(0).timestamp() * 1000)


async def test_next_on_the_last_segment_finishes_the_agenda(store):
    sid = await new_session(store)
    await act(store, sid, "jump", 0, segment=2)  # before the start: only selects
    v = await view(store, sid)
    assert v["state"] == "idle" and v["segment"] == 2
    await act(store, sid, "start", 0)
    v = await act(store, sid, "next", 600)
    assert v["state"] == "finished" and v["finished_at"] == int(at(600).timestamp() * 1000)
    with pytest.raises(Conflict, match="no next segment"):
        await act(store, sid, "next", 601)
    with pytest.raises(Conflict, match="finished"):
        await act(store, sid, "start", 601)
    with pytest.raises(Conflict, match="finished"):
        await act(store, sid, "pause", 601)
    with pytest.raises(Conflict, match="finished"):
        await act(store, sid, "adjust", 601, seconds=60)
    v = await act(store, sid, "jump", 700, segment=1)
    assert v["state"] == "running" and left(v, 710) == pytest.approx(110)


async def test_restart_mid_segment_gives_full_time_and_a_reload_changes_nothing(store):
    sid = await new_session(store)
    await act(store, sid, "start", 0)
    await act(store, sid, "next", 60)
    v = await act(store, sid, "restart", 90)
    assert v["segment"] == 1 and left(v, 100) == pytest.approx(110)
    await act(store, sid, "pause", 130)
    # A server restart mid-segment: a new store on the same database sees the same timer.
    before = await view(store, sid)
    again = Store(store.url)
    again.start()
    try:
        after = await view(again, sid)
    finally:
        again.stop()
    assert after == before and after["state"] == "paused" and left(after, 9999) == pytest.approx(80)
    idle = await new_session(store)
    with pytest.raises(Conflict, match="Only a running or paused"):
        await act(store, idle, "restart", 0)


async def test_pause_and_unknown_actions_answer_in_words(store):
    sid = await new_session(store)
    with pytest.raises(Conflict, match="has not started"):
        await act(store, sid, "pause", 0)
    with pytest.raises(Invalid, match="unknown timer action"):
        await act(store, sid, "rewind", 0)
    empty = await new_session(store, agenda=[])
    with pytest.raises(Conflict, match="agenda is empty"):
        await act(store, empty, "start", 0)


async def test_every_change_emits_one_timer_event_and_nothing_ticks(store):
    sid = await new_session(store)
    for action, t in (("start", 0), ("pause", 10), ("resume", 20), ("next", 30)):
        await act(store, sid, action, t)
    events = await store.read(
        lambda db: db.exec(select(Event).where(Event.session_id == sid).order_by(Event.seq)).all()
    )
    assert [e.data["action"] for e in events] == ["start", "pause", "resume", "next"]
    assert {e.type for e in events} == {"timer.updated"}
    assert events[-1].data["timer"]["segment"] == 1


async def test_schedule_delta_counts_done_segments_and_current_overrun(store):
    sid = await new_session(store)
    await act(store, sid, "start", 0)
    v = await act(store, sid, "next", 90)  # opening: 60 planned, 90 used -> 30 behind
    assert v["done_delta"] == pytest.approx(30)
    assert schedule_delta(v, at(100)) == pytest.approx(30)  # within plan: no change
    assert schedule_delta(v, at(90 + 140)) == pytest.approx(50)  # 20 s over its 120
    v = await act(store, sid, "next", 90 + 60)  # finished early: 60 s ahead on this one
    assert v["done_delta"] == pytest.approx(-30)


def test_phases_and_adjust_limits_without_a_database():
    t = TimerState(session_id=1)
    assert phase(t, 60, 15, at(0)).name == "idle"
    timer.begin(t, at(0))
    assert [phase(t, 60, 15, at(s)).name for s in (44, 45, 46, 60, 61)] == [
        "normal",
        "warning",
        "warning",
        "warning",
        "overrun",
    ]
    for bad in (0, float("nan"), float("inf"), 3601):
        with pytest.raises(Invalid, match="non-zero"):
            timer.adjust(t, 60, bad)
    assert t.adjust_seconds == 0
