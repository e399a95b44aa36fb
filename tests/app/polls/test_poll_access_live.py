"""The join code reaches the pages that show it in the room (screen, stage), live and in
the snapshot, and never the phones: the code is what proves a voter sees the room."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect


async def snapshot(ws) -> dict:
    await ws.send(json.dumps({"type": "resume", "after": None}))
    frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert frame["type"] == "snapshot", frame
    return frame["data"]


async def next_of(ws, type_: str, timeout: float = 3) -> dict | None:
    """The next frame of `type_`, or None when none comes within `timeout` s."""
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            if frame.get("type") == type_:
                return frame
    except TimeoutError:
        return None


async def test_screen_and_stage_get_the_join_code_and_phones_do_not(live_server):
    session = live_server.create_session("Join code on screen")
    slug = session["slug"]
    live = f"{live_server.ws_url}/s/{slug}/live"
    urls = {
        "screen": f"{live}?key={session['keys']['screen']}",
        "stage": f"{live}?key={session['keys']['stage']}",
        "audience": live,
    }
    put = f"{live_server.url}/api/sessions/{slug}/poll-access"
    auth = {"Authorization": f"Bearer {session['keys']['moderator']}"}
    sockets = {role: await connect(url, compression=None) for role, url in urls.items()}
    try:
        for role, ws in sockets.items():
            part = (await snapshot(ws))["poll_access"]
            assert part == (None if role == "audience" else {"join_code": None}), role

        r = httpx.put(put, json={"join_code": "WS499"}, headers=auth)
        assert r.status_code == 200, r.text
        for role in ("screen", "stage"):
            frame = await next_of(sockets[role], "poll_access.updated")
            assert frame is not None and frame["data"] == {"join_code": "WS499"}, role
        assert await next_of(sockets["audience"], "poll_access.updated", timeout=1) is None

        # A page that connects later finds it in its snapshot; the phone still does not.
        async with connect(urls["screen"], compression=None) as late:
            assert (await snapshot(late))["poll_access"] == {"join_code": "WS499"}
        async with connect(urls["audience"], compression=None) as phone:
            data = await snapshot(phone)
            assert data["poll_access"] is None
            assert "WS499" not in json.dumps(data)

        r = httpx.put(put, json={"join_code": None}, headers=auth)
        assert r.status_code == 200, r.text
        frame = await next_of(sockets["screen"], "poll_access.updated")
        assert frame is not None and frame["data"] == {"join_code": None}
    finally:
        for ws in sockets.values():
            await ws.close()
