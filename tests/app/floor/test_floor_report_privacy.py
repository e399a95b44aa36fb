"""The floor in the session report (every format) and in retention, access and erasure."""

from __future__ import annotations

from sqlmodel import select

from app.domains import default_registry
from app.floor import service
from app.floor.models import FloorRequest
from app.models import Event, LiveSession
from app.privacy.service import Subject, erase_subject, export_subject, purge_session
from app.report.builder import build_report
from app.report.formats import render

from .support import act, ask, at, new_session, zoom_says


async def _demo_turns(store, sid):
    """Room, Zoom and a hub speak; one is skipped, one withdraws."""
    a = await ask(store, sid, "pa", "Ana", where="room", group="government")
    await zoom_says(store, sid, "zoom-zoe", "✋", "m1", name="Zoe")
    c = await ask(store, sid, "pc", "Chen", where="hub", hub="Nairobi hub", group="civil_society")
    d = await ask(store, sid, "pd", "Dan", group="civil_society")
    e = await ask(store, sid, "pe", "Eve", group="academia")
    zoe = next(
        r.id
        for r in await store.read(
            lambda db: db.exec(select(FloorRequest).where(FloorRequest.channel == "zoom")).all()
        )
    )
    await act(store, sid, a["id"], "call", 0)
    await act(store, sid, zoe, "call", 120)  # ends Ana's 2 minutes
    await act(store, sid, zoe, "done", 180)
    await act(store, sid, c["id"], "call", 200)
    await act(store, sid, c["id"], "done", 290)
    await act(store, sid, d["id"], "skip", 300)
    await store.write(lambda db: service.withdraw(db, sid, e["id"], "pe"))


async def test_the_report_counts_interventions_by_where_and_by_group(store):
    sid = await new_session(store)
    await _demo_turns(store, sid)
    report = await store.read(lambda db: build_report(db, sid, default_registry().sections))
    section = report["sections"]["floor"]
    data = section["data"]
    assert (data["requests"], data["interventions"], data["skipped"], data["withdrawn"]) == (
        5,
        3,
        1,
        1,
    )
    assert data["remote_share"] == round(2 / 3, 3)
    assert data["by_where"] == {
        "In the room": {"count": 1, "seconds": 120.0},
        "Remote via Zoom": {"count": 1, "seconds": 60.0},
        "Hub: Nairobi hub": {"count": 1, "seconds": 90.0},
    }
    assert data["by_group"] == {
        "Government": {"count": 1, "seconds": 120.0},
        "Not given": {"count": 1, "seconds": 60.0},
        "Civil society": {"count": 1, "seconds": 90.0},
    }
    field = next(f for f in report["igf"] if f["key"] == "interventions")
    assert field["label"] == "Number of audio/video interventions"
    assert field["value"][0] == (
        "3 audio/video interventions: 1 in the room, 2 remote (67% remote voices)"
    )
    md = render(report, "md")
    assert "The floor: interventions" in md and "Hub: Nairobi hub" in md
    assert "67% remote voices" in render(report, "form")
    html = render(report, "html")
    assert "Civil society" in html and "Speaking time by stakeholder group" in html


async def test_erasure_and_purge_remove_names_everywhere_and_keep_the_counts(store):
    sid = await new_session(store)
    await _demo_turns(store, sid)
    slug = (await store.read(lambda db: db.get(LiveSession, sid))).slug
    held = await store.read(
        lambda db: export_subject(db, slug, Subject("audience", "pc"), default_registry())
    )
    assert [(r["name"], r["hub"]) for r in held["floor"]] == [("Chen", "Nairobi hub")]
    zoe = await store.read(
        lambda db: export_subject(db, slug, Subject("zoom_chat", "zoom-zoe"), default_registry())
    )
    assert [r["name"] for r in zoe["floor"]] == ["Zoe"]

    counts = await store.write(
        lambda db: erase_subject(db, slug, Subject("audience", "pc"), default_registry())
    )
    assert counts["floor"] == 1

    def logged_names(db):
        names = set()
        for ev in db.exec(select(Event).where(Event.session_id == sid)).all():
            floor = ev.data.get("floor") or {}
            for item in [floor.get("speaking"), *floor.get("queue", []), *floor.get("recent", [])]:
                if item:
                    names.add(item["name"])
        return names

    names = await store.read(logged_names)
    assert "Chen" not in names and "Ana" in names
    rows = await store.read(
        lambda db: db.exec(select(FloorRequest).where(FloorRequest.session_id == sid)).all()
    )
    chen = next(r for r in rows if r.hub == "Nairobi hub")
    assert (chen.name, chen.requester_hash, chen.state) == (None, None, "done")

    await store.write(
        lambda db: purge_session(db, db.get(LiveSession, sid), at(10**6), default_registry())
    )
    assert await store.read(logged_names) <= {None}
    report = await store.read(lambda db: build_report(db, sid, default_registry().sections))
    assert report["sections"]["floor"]["data"]["interventions"] == 3
