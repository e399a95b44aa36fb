"""Two real server processes on PostgreSQL + Redis, no sticky sessions: floor requests sent
through both at once form one queue with no duplicate position, and a moderator socket on
either worker sees the final queue."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from tests.servers import audience_cookies

pytestmark = [__import__("pytest").mark.postgres]


async def test_requests_through_both_workers_form_one_queue(cluster):
    session = cluster.create_session("Floor across workers")
    slug = session["slug"]
    mod = {"Authorization": f"Bearer {session['keys']['moderator']}"}
    phones = [audience_cookies((cluster.a, cluster.b)[i % 2].url, slug) for i in range(30)]
    ws = await connect(
        f"{cluster.b.ws_url}/s/{slug}/live?key={session['keys']['moderator']}",
        compression=None,
        ping_interval=None,
    )
    await ws.send(json.dumps({"type": "resume", "after": None}))

    async def ask(i: int, client: httpx.AsyncClient) -> dict:
        url = f"{(cluster.a, cluster.b)[i % 2].url}/api/sessions/{slug}/floor"
        cookie = {"cookie": f"fb_aud={phones[i]['fb_aud']}"}
        r = await client.post(url, json={"name": f"P{i:02d}"}, headers=cookie)
        assert r.status_code == 201, r.text
        return r.json()

    async with httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(*(ask(i, client) for i in range(30)))
        listed_r = await client.get(f"{cluster.a.url}/api/sessions/{slug}/floor", headers=mod)
        listed = listed_r.json()
    assert sorted(a["position"] for a in answers) == list(range(1, 31))
    assert [i["position"] for i in listed["queue"]] == list(range(1, 31))
    assert len({i["id"] for i in listed["queue"]}) == 30
    # Each answer's place is the place it still has (nobody left): no two got the same.
    assert {a["id"]: a["position"] for a in answers} == {
        i["id"]: i["position"] for i in listed["queue"]
    }

    async def last_queue() -> list[int]:
        while True:
            frame = json.loads(await ws.recv())
            data = frame.get("data") or {}
            floor = data.get("floor")
            if floor and len(floor["queue"]) == 30:
                return [i["position"] for i in floor["queue"]]

    assert await asyncio.wait_for(last_queue(), 10) == list(range(1, 31))
    await ws.close()
