"""Stopping the server mid-session and starting it again changes nothing a user can see."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from tests.servers import audience_cookies


def test_restart_keeps_queue_order_stage_and_audit(fresh_server):
    server = fresh_server
    session = server.create_session("Restart")
    h = {"Authorization": f"Bearer {session['keys']['moderator']}"}
    base = f"{server.url}/api/sessions/{session['slug']}"
    slug = session["slug"]
    ids = [
        httpx.post(
            f"{base}/questions", json={"text": f"Q{i}?"}, cookies=audience_cookies(server.url, slug)
        ).json()["id"]
        for i in range(5)
    ]
    for qid in ids[:4]:
        httpx.post(f"{base}/questions/{qid}/actions/approve", headers=h).raise_for_status()
    httpx.patch(
        f"{base}/questions/{ids[3]}", json={"position": 1, "text": "Q3, edited"}, headers=h
    ).raise_for_status()
    httpx.post(f"{base}/questions/{ids[0]}/actions/push", headers=h).raise_for_status()
    httpx.post(f"{base}/questions/{ids[4]}/actions/dismiss", headers=h).raise_for_status()
    before = httpx.get(f"{base}/snapshot", headers=h).json()
    trail = httpx.get(f"{base}/audit", headers=h).json()

    server.restart()

    assert httpx.get(f"{base}/snapshot", headers=h).json() == before
    assert httpx.get(f"{base}/audit", headers=h).json() == trail
    queued = [q["id"] for q in before["data"]["questions"] if q["state"] == "queued"]
    assert queued == [ids[3], ids[1], ids[2]]
    assert before["data"]["on_stage"] == ids[0]
    # The old role link still works, and a socket resumes from where it was.
    assert httpx.get(session["links"]["stage"], follow_redirects=False).status_code == 303

    async def resume() -> list[dict]:
        url = f"{server.ws_url}/s/{session['slug']}/live?key={session['keys']['moderator']}"
        async with connect(url) as ws:
            await ws.send(json.dumps({"type": "resume", "after": before["seq"] - 2}))
            return [json.loads(await asyncio.wait_for(ws.recv(), 2)) for _ in range(3)]

    replay = asyncio.run(resume())
    assert [f["seq"] for f in replay] == [before["seq"] - 1, before["seq"], before["seq"]]
    assert replay[-1]["type"] == "synced"
