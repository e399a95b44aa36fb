"""Floor rules through the real group-commit writer, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from app.db import Store
from app.errors import Conflict, Forbidden
from app.floor import service
from app.floor.models import FloorRequest
from app.floor.service import SettingsIn
from app.floor.views import floor_filter, floor_part
from app.migrate import upgrade
from app.models import LiveSession, Question

from .support import act, ask, at, names, new_session, view, zoom_says


async def test_fifty_concurrent_requests_get_distinct_places_in_arrival_order(store):
    sid = await new_session(store)
    results = await asyncio.gather(
        *(ask(store, sid, f"phone-{i:02d}", f"Person {i:02d}") for i in range(50))
    )
    assert sorted(r["position"] for r in results) == list(range(1, 51))
    v = await view(store, sid)
    assert [i["position"] for i in v["queue"]] == list(range(1, 51))
    # The writer took them in the order they were sent: arrival order is queue order.
    assert names(v) == [f"Person {i:02d}" for i in range(50)]


async def test_two_writers_on_one_postgres_make_one_gap_free_queue(pg_url):
    """Two stores = two processes' writers; the session row lock orders them."""
    upgrade(pg_url)
    a, b = Store(pg_url), Store(pg_url)
    for s in (a, b):
        s.start()
    try:
        sid = await new_session(a)
        await asyncio.gather(
            *(ask((a, b)[i % 2], sid, f"phone-{i}", f"P{i}") for i in range(40))
        )
        v = await view(a, sid)
        assert [i["position"] for i in v["queue"]] == list(range(1, 41))
        assert len({i["id"] for i in v["queue"]}) == 40
        tickets = await a.read(
            lambda db: [
                r.ticket
                for r in db.exec(
                    select(FloorRequest)
                    .where(FloorRequest.session_id == sid)
                    .order_by(FloorRequest.position)
                ).all()
            ]
        )
        assert tickets == sorted(tickets) == list(range(1, 41))  # positions follow arrivals
    finally:
        a.stop()
        b.stop()


async def test_withdraw_and_ask_again_goes_to_the_end(store):
    sid = await new_session(store)
    ana = await ask(store, sid, "phone-ana", "Ana")
    await ask(store, sid, "phone-ben", "Ben")
    await ask(store, sid, "phone-chen", "Chen")
    again = await ask(store, sid, "phone-ana", "Ana")
    assert again == {**ana, "existing": True}  # a double tap keeps the place
    with pytest.raises(Forbidden):
        await store.write(lambda db: service.withdraw(db, sid, ana["id"], "phone-ben"))
    await store.write(lambda db: service.withdraw(db, sid, ana["id"], "phone-ana"))
    v = await view(store, sid)
    assert names(v) == ["Ben", "Chen"] and [i["position"] for i in v["queue"]] == [1, 2]
    back = await ask(store, sid, "phone-ana", "Ana")
    assert back["position"] == 3 and back["id"] != ana["id"]
    assert names(await view(store, sid)) == ["Ben", "Chen", "Ana"]
    with pytest.raises(Conflict):
        await store.write(lambda db: service.withdraw(db, sid, ana["id"], "phone-ana"))


async def test_the_same_zoom_participant_twice_is_one_request_and_no_question(store):
    sid = await new_session(store)
    first = await zoom_says(store, sid, "zoom-user-1", "✋ I would like to comment", "m1")
    second = await zoom_says(store, sid, "zoom-user-1", "✋🏽", "m2")
    third = await zoom_says(store, sid, "zoom-user-1", "raise hand", "m3")
    other = await zoom_says(store, sid, "zoom-user-2", "Lève la main", "m4", name="Éloi")
    question = await zoom_says(store, sid, "zoom-user-3", "Hand hygiene data: who holds it?", "m5")
    assert {first.error, second.error, third.error, other.error} == {"counted as a floor request"}
    assert question.question_id is not None  # not a raised hand: an ordinary question
    v = await view(store, sid)
    assert names(v) == ["Zoe", "Éloi"]
    assert {i["channel"] for i in v["queue"]} == {"zoom"} and v["queue"][0]["where"] == "remote"
    texts = await store.read(
        lambda db: [q.text for q in db.exec(select(Question).where(Question.session_id == sid))]
    )
    assert texts == ["Hand hygiene data: who holds it?"]
    # Once their turn is over, a new raised hand is a new request.
    await act(store, sid, v["queue"][0]["id"], "call", 0)
    await act(store, sid, v["queue"][0]["id"], "done", 30)
    await zoom_says(store, sid, "zoom-user-1", "✋", "m6")
    assert names(await view(store, sid)) == ["Éloi", "Zoe"]


async def test_alternation_puts_room_and_remote_in_turn(store):
    sid = await new_session(store)
    await store.write(
        lambda db: service.update_settings(db, sid, SettingsIn(policy="alternate"), "moderator")
    )
    for name, where in [("R1", "room"), ("R2", "room"), ("R3", "room"), ("Z1", "remote"),
                        ("H1", "hub"), ("Z2", "remote")]:
        await ask(store, sid, f"phone-{name}", name, where=where, hub="Nairobi")
    assert names(await view(store, sid)) == ["R1", "Z1", "R2", "H1", "R3", "Z2"]
    # The side that just spoke waits a turn: after a room speaker, remote goes first.
    first = (await view(store, sid))["queue"][0]["id"]
    await act(store, sid, first, "call", 0)
    await ask(store, sid, "phone-R4", "R4", where="room")
    assert names(await view(store, sid)) == ["Z1", "R2", "H1", "R3", "Z2", "R4"]


async def test_policy_switch_resorts_and_new_first_favours_those_who_have_not_spoken(store):
    sid = await new_session(store)
    ana = await ask(store, sid, "phone-ana", "Ana")
    await act(store, sid, ana["id"], "call", 0)
    await act(store, sid, ana["id"], "done", 60)
    await ask(store, sid, "phone-ana", "Ana")  # Ana again, she has spoken
    await ask(store, sid, "phone-ben", "Ben")
    assert names(await view(store, sid)) == ["Ana", "Ben"]
    await store.write(
        lambda db: service.update_settings(db, sid, SettingsIn(policy="new_first"), "moderator")
    )
    assert names(await view(store, sid)) == ["Ben", "Ana"]
    await ask(store, sid, "phone-chen", "Chen")
    assert names(await view(store, sid)) == ["Ben", "Chen", "Ana"]


async def test_manual_moves_are_kept_and_audited(store):
    from app.models import AuditEntry

    sid = await new_session(store)
    rows = [await ask(store, sid, f"p{i}", n) for i, n in enumerate(["A", "B", "C", "D"])]
    await store.write(lambda db: service.move(db, sid, rows[3]["id"], 1, "moderator"))
    assert names(await view(store, sid)) == ["D", "A", "B", "C"]
    await ask(store, sid, "p9", "E")
    assert names(await view(store, sid)) == ["D", "A", "B", "C", "E"]
    audits = await store.read(
        lambda db: [
            (a.action, a.detail)
            for a in db.exec(select(AuditEntry).where(AuditEntry.session_id == sid))
        ]
    )
    assert ("floor.move", {"request": rows[3]["id"], "from": 4, "to": 1}) in audits


async def test_call_done_next_compute_speaking_time_across_a_restart(db_url):
    upgrade(db_url)
    store = Store(db_url)
    store.start()
    sid = await new_session(store)
    a = await ask(store, sid, "phone-a", "Ana", group="civil_society")
    b = await ask(store, sid, "phone-b", "Ben", where="room", group="government")
    called = await store.write(lambda db: service.call_next(db, sid, "stage", at(10)))
    assert called["speaking"]["id"] == a["id"] and called["speaking"]["called_at"] is not None
    store.stop()  # the server restarts while Ana speaks

    store = Store(db_url)
    store.start()
    try:
        v = await view(store, sid)
        assert v["speaking"]["id"] == a["id"]
        assert v["speaking"]["called_at"] == int(at(10).timestamp() * 1000)
        # "Next" ends Ana's turn and gives Ben the floor, both on the server's clock.
        v = await store.write(lambda db: service.call_next(db, sid, "stage", at(10 + 95.5)))
        assert v["speaking"]["id"] == b["id"] and v["recent"][0]["spoken_seconds"] == 95.5
        await act(store, sid, b["id"], "done", 10 + 95.5 + 42, role="stage")
        v = await view(store, sid)
        assert v["speaking"] is None
        assert {r["name"]: r["spoken_seconds"] for r in v["recent"]} == {"Ana": 95.5, "Ben": 42}
        with pytest.raises(Conflict, match="nobody is waiting"):
            await store.write(lambda db: service.call_next(db, sid, "stage", at(200)))
        with pytest.raises(Forbidden):
            await act(store, sid, b["id"], "skip", 200, role="stage")
    finally:
        store.stop()


async def test_skip_and_back(store):
    sid = await new_session(store)
    a = await ask(store, sid, "pa", "Ana")
    await ask(store, sid, "pb", "Ben")
    await act(store, sid, a["id"], "skip", 5)
    assert names(await view(store, sid)) == ["Ben"]
    await act(store, sid, a["id"], "back", 6)
    assert names(await view(store, sid)) == ["Ana", "Ben"]
    with pytest.raises(Conflict):
        await act(store, sid, a["id"], "done", 7)


async def test_public_views_show_names_only_with_consent_and_never_affiliations(store):
    sid = await new_session(store, privacy={"author_display": "full"})
    await ask(store, sid, "pa", "Ana Pires", affiliation="NGO X", group="civil_society",
              public=True)
    await ask(store, sid, "pb", "Ben Okoro", affiliation="Ministry Y", where="room")
    store.published.clear()
    await ask(store, sid, "pc", "Chen Li", where="hub", hub="Nairobi hub")
    (event,) = [e for e in store.published if e.type == "floor.updated"]
    _, mod = floor_filter("moderator", event.type, event.data)
    assert [i["affiliation"] for i in mod["floor"]["queue"]] == ["NGO X", "Ministry Y", None]
    for role in ("audience", "screen"):
        _, pub = floor_filter(role, event.type, event.data)
        queue = pub["floor"]["queue"]
        assert [i["name"] for i in queue] == ["Ana Pires", None, None]
        assert all("affiliation" not in i and "public" not in i for i in queue)
        assert [i["where"] for i in queue] == ["remote", "room", "hub"]
        assert queue[2]["hub"] == "Nairobi hub" and queue[0]["group"] == "civil_society"
    session = await store.read(lambda db: db.get(LiveSession, sid))
    session.author_display = "initials"
    part = await store.read(lambda db: floor_part(db, session, "audience"))
    assert [i["name"] for i in part["queue"]] == ["A. P.", None, None]
