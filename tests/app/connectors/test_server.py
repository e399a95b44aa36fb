"""Connectors inside a real server: settings over the API, posts from a fake Mastodon on
127.0.0.1 into the queue, status and pause on the moderator's socket, restarts."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from sqlalchemy import create_engine, text

from tests.integrations.fake_mastodon import FakeMastodon
from tests.integrations.support import serve_http, wait_until

from .support import api, configure, questions, recording, remove, statuses

TOKEN = "secret-user-token-0123456789"


async def test_posts_arrive_status_shows_and_pause_holds_them(live_server):
    session = live_server.create_session("Connector flow", hashtags=["floorbridge"])
    fake = FakeMastodon()
    async with (
        serve_http(fake.app()) as base,
        recording(live_server, session) as mod,
        recording(live_server, session, role=None) as audience,
    ):
        fake.base = base
        shown = await configure(
            live_server,
            session,
            "mastodon",
            instance=base,
            hashtags=["floorbridge"],
            token=TOKEN,
            poll_interval=0.1,
        )
        assert shown["settings"]["token"] == "********"
        await wait_until(lambda: any(s["state"] == "connected" for s in statuses(mod, "mastodon")))
        first = [fake.make(f"Question {n} about <b>funding</b>?") for n in range(5)]
        await wait_until(lambda: sum(f.get("type") == "question.created" for f in mod) >= 5)
        await wait_until(lambda: any(s["items_today"] == 5 for s in statuses(mod, "mastodon")))

        async with api(live_server, session) as client:
            assert (await client.post("/connectors/mastodon/pause")).status_code == 200
            await wait_until(lambda: statuses(mod, "mastodon")[-1]["state"] == "paused")
            held = [fake.make(f"Held {n}?") for n in range(3)]
            await asyncio.sleep(0.6)  # six poll intervals: nothing may come in while paused
            assert len(await questions(live_server, session)) == 5
            assert (await client.post("/connectors/mastodon/resume")).status_code == 200
            await wait_until(lambda: any(s["items_today"] == 8 for s in statuses(mod, "mastodon")))
            listed = (await client.get("/connectors")).json()
            snapshot = (await client.get("/snapshot")).json()["data"]["connectors"]
            audit = (await client.get("/audit")).json()

        qs = await questions(live_server, session)
        assert sorted(q["url"] for q in qs) == sorted(s["url"] for s in first + held)
        assert all(q["channel"] == "mastodon" and "<b>" not in q["text"] for q in qs)
        assert listed[0]["settings"]["token"] == "********" and TOKEN not in str(listed)
        assert snapshot["channels"][0]["status"]["items_today"] == 8
        assert [a["action"] for a in audit][-2:] == ["connector.pause", "connector.resume"]
        assert not [f for f in audience if f.get("type", "").startswith("connector.")]
        await remove(live_server, session, "mastodon")


async def test_an_outage_shows_its_reason_then_recovers(live_server):
    session = live_server.create_session("Connector faults", hashtags=["floorbridge"])
    fake = FakeMastodon()
    async with serve_http(fake.app()) as base, recording(live_server, session) as mod:
        fake.base = base
        fake.faults.extend(["500"] * 50)
        await configure(
            live_server,
            session,
            "mastodon",
            instance=base,
            hashtags=["floorbridge"],
            poll_interval=0.1,
        )
        await wait_until(
            lambda: any(
                s["state"] == "error" and "500" in (s["reason"] or "")
                for s in statuses(mod, "mastodon")
            )
        )
        fake.faults.clear()
        fake.make("After the outage?")
        await wait_until(lambda: any(f.get("type") == "question.created" for f in mod), 15)
        await wait_until(lambda: statuses(mod, "mastodon")[-1]["state"] == "connected")
        await remove(live_server, session, "mastodon")


async def test_only_organisers_set_up_channels(live_server):
    session = live_server.create_session("Connector auth")
    body = {"settings": {"instance": "https://m.example", "hashtags": ["a"]}}
    async with api(live_server, session, key="stage") as client:
        r = await client.put("/connectors/mastodon", json=body)
        assert r.status_code == 403
    async with api(live_server, session, key=None) as client:
        assert (await client.put("/connectors/mastodon", json=body)).status_code == 401
        assert (await client.get("/connectors")).status_code == 401
    async with api(live_server, session) as client:
        r = await client.put("/connectors/mastodon", json={"settings": {"instance": "x"}})
        assert r.status_code == 422 and "hashtags" in r.json()["detail"]
        assert (await client.post("/connectors/bluesky/pause")).status_code == 404
    admin = {"Authorization": f"Bearer {live_server.admin_token}"}
    async with httpx.AsyncClient(base_url=live_server.url, headers=admin) as client:
        r = await client.put(
            f"/api/sessions/{session['slug']}/connectors/form-bridge",
            json={"settings": {"secret": "s" * 20}},
        )
        assert r.status_code == 200 and r.json()["settings"]["secret"] == "********"


async def test_restart_mid_stream_resumes_from_the_stored_cursor(fresh_server):
    """Posts keep coming while the server is down: after the restart every one is in the
    queue exactly once, and the cursor in the database is the newest post."""
    server = fresh_server
    session = server.create_session("Restart", hashtags=["floorbridge"])
    fake = FakeMastodon()
    posted: list[dict] = []

    async def keep_posting() -> None:
        for n in range(60):
            posted.append(fake.make(f"Streamed question {n}?"))
            await asyncio.sleep(0.03)

    async with serve_http(fake.app()) as base:
        fake.base = base
        await configure(
            server,
            session,
            "mastodon",
            instance=base,
            hashtags=["floorbridge"],
            poll_interval=0.05,
            limit=5,
        )
        writer = asyncio.create_task(keep_posting())
        await wait_until(lambda: len(posted) >= 15)
        await asyncio.to_thread(server.stop)
        stopped_at = len(posted)
        await wait_until(lambda: len(posted) >= stopped_at + 10)  # posted while down
        await asyncio.to_thread(server.start)
        await writer
        urls = {s["url"] for s in posted}

        async def all_in() -> bool:
            return {q["url"] for q in await questions(server, session)} == urls

        for _ in range(200):
            if await all_in():
                break
            await asyncio.sleep(0.05)
        qs = await questions(server, session)
        assert len(qs) == len(posted) == 60
        assert {q["url"] for q in qs} == urls
        await remove(server, session, "mastodon")

    engine = create_engine(server.settings().resolved_database_url())
    with contextlib.closing(engine.connect()) as conn:
        cursor = conn.execute(text("SELECT value FROM connector_cursor")).scalar_one()
        messages = conn.execute(text("SELECT count(*) FROM message")).scalar_one()
    engine.dispose()
    assert cursor == posted[-1]["id"] and messages == 60
