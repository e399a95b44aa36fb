"""Helpers for the server-level connector tests: API calls, a socket that records frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from websockets.asyncio.client import connect


def api(server: Any, session: dict[str, Any], key: str | None = "moderator") -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {session['keys'][key]}"} if key else {}
    return httpx.AsyncClient(
        base_url=f"{server.url}/api/sessions/{session['slug']}", headers=headers, timeout=10
    )


async def configure(server: Any, session: dict[str, Any], channel: str, **settings: Any) -> dict:
    async with api(server, session) as client:
        r = await client.put(f"/connectors/{channel}", json={"settings": settings})
    assert r.status_code == 200, r.text
    return r.json()


async def remove(server: Any, session: dict[str, Any], channel: str) -> None:
    async with api(server, session) as client:
        r = await client.delete(f"/connectors/{channel}")
    assert r.status_code in (204, 404), r.text


async def questions(server: Any, session: dict[str, Any]) -> list[dict[str, Any]]:
    async with api(server, session) as client:
        r = await client.get("/questions")
    assert r.status_code == 200, r.text
    return r.json()


@contextlib.asynccontextmanager
async def recording(
    server: Any,
    session: dict[str, Any],
    role: str | None = "moderator",
) -> AsyncIterator[list[dict[str, Any]]]:
    """A live socket for `role` whose frames land in the yielded list as they arrive."""
    url = f"{server.ws_url}/s/{session['slug']}/live"
    if role:
        url += f"?key={session['keys'][role]}"
    frames: list[dict[str, Any]] = []
    async with connect(url, compression=None) as ws:
        await ws.send(json.dumps({"type": "resume", "after": None}))

        async def read() -> None:
            async for raw in ws:
                frames.append(json.loads(raw))

        task = asyncio.create_task(read())
        try:
            yield frames
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def statuses(frames: list[dict[str, Any]], channel: str) -> list[dict[str, Any]]:
    return [
        s
        for f in frames
        if f.get("type") == "connector.status"
        for s in f["data"]["statuses"]
        if s["channel"] == channel
    ]
