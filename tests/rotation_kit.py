"""What the key-rotation tests share: role cookies as a browser gets them, live sockets
opened with a cookie or a key, and "closed within N s, with which code"."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
REPLACED = 4410


def role_cookie(base: str, session: dict[str, Any], role: str = "moderator") -> str:
    """`name=value` of the cookie a role link sets (what the browser keeps)."""
    page = {"moderator": "console", "stage": "stage", "screen": "screen"}[role]
    r = httpx.get(f"{base}/s/{session['slug']}/{page}?key={session['keys'][role]}")
    assert r.status_code == 303, r.text
    return r.headers["set-cookie"].split(";")[0]


async def open_live(
    ws_base: str,
    slug: str,
    *,
    key: str | None = None,
    cookie: str | None = None,
    as_: str | None = None,
    wait_synced: bool = True,
) -> ClientConnection:
    query = [f"key={key}"] if key else []
    query += [f"as={as_}"] if as_ else []
    url = f"{ws_base}/s/{slug}/live" + (f"?{'&'.join(query)}" if query else "")
    headers = {"Cookie": cookie} if cookie else None
    ws = await connect(url, additional_headers=headers, compression=None, ping_interval=None)
    try:
        await ws.send(json.dumps({"type": "resume", "after": None}))
    except ConnectionClosed:
        if wait_synced:
            raise
        return ws  # closed by the server at once: closed_within() reads the code
    if wait_synced:
        while json.loads(await asyncio.wait_for(ws.recv(), 10)).get("type") != "synced":
            pass
    return ws


async def closed_within(ws: ClientConnection, seconds: float) -> tuple[int | None, str, float]:
    """(close code, reason, seconds taken) once the server closes it; TimeoutError if it
    is still open after `seconds`. Frames that arrive meanwhile are read and dropped."""
    started = time.monotonic()
    deadline = started + seconds
    try:
        while True:
            await asyncio.wait_for(ws.recv(), max(0.0, deadline - time.monotonic()))
    except ConnectionClosed as exc:
        rcvd = exc.rcvd
        return (rcvd.code if rcvd else None), (rcvd.reason if rcvd else ""), (
            time.monotonic() - started
        )


async def still_open(ws: ClientConnection) -> bool:
    """A ping answered by a pong: the socket is alive and served."""
    await ws.send(json.dumps({"type": "ping", "t": 7}))
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame.get("type") == "pong":
            return frame.get("t") == 7


def cli_rotate(slug: str, database_url: str, data_dir: Path) -> dict[str, Any]:
    """`floorbridge session rotate-keys` in a process of its own, as an organiser runs it."""
    env = {**os.environ, "FLOORBRIDGE_DATA_DIR": str(data_dir)}
    env.pop("FLOORBRIDGE_BUS_URL", None)
    r = subprocess.run(
        [sys.executable, "-m", "app.cli", "session", "rotate-keys", slug,
         "--database-url", database_url],
        capture_output=True, text=True, env=env, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)
