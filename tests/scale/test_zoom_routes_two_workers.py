"""Bus signals (`Bus.signal`) reach every process once; and on two real workers
(PostgreSQL + Redis) a session linked on one to a Zoom id the other already routes gets
the next chat message Zoom delivers to the other."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from app.cli import main as cli
from app.config import get_settings
from app.sessions.service import ZOOM_ROUTES
from integrations.zoom_send import post_signed

from .conftest import REDIS_URL, Proc, _redis_up

SECRET = "two-worker-zoom-secret"


async def test_a_signal_runs_callbacks_on_every_bus_once(make_bus, bus_kind):
    a, b = await make_bus(), await make_bus()
    heard: list[str] = []
    a.on_signal(ZOOM_ROUTES, lambda: heard.append("a"))
    if bus_kind == "redis":
        b.on_signal(ZOOM_ROUTES, lambda: heard.append("b"))
    b.on_signal("other.topic", lambda: heard.append("wrong topic"))
    a.signal(ZOOM_ROUTES)
    assert heard == ["a"]  # this process at once, before any round trip
    deadline = time.monotonic() + 3
    while bus_kind == "redis" and "b" not in heard and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # an echo of a's own signal would show up by now
    assert sorted(heard) == (["a", "b"] if bus_kind == "redis" else ["a"])


@pytest.fixture(scope="module")
def workers(pg_schema_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    _redis_up()
    data = tmp_path_factory.mktemp("zoomcluster")
    admin = secrets.token_urlsafe(16)
    sep = "&" if "?" in REDIS_URL else "?"
    env = {
        "FLOORBRIDGE_DATABASE_URL": pg_schema_url,
        "FLOORBRIDGE_BUS_URL": f"{REDIS_URL}{sep}prefix=fbzoom{secrets.token_hex(4)}",
        "FLOORBRIDGE_ADMIN_TOKEN": admin,
        "FLOORBRIDGE_SECRET_KEY": "zoom-scale-cookie-key",
        "FLOORBRIDGE_ZOOM_SECRET_TOKEN": SECRET,
    }
    a = Proc("a", data, env).start()
    b = Proc("b", data, env)
    try:
        b.start()
        yield a, b, admin, env
    finally:
        a.stop()
        b.stop()


def _chat(zoom_id: int, text: str) -> bytes:
    return json.dumps(
        {
            "event": "meeting.chat_message_sent",
            "event_ts": int(time.time() * 1000),
            "payload": {
                "account_id": "acct",
                "object": {
                    "id": zoom_id,
                    "uuid": "two-worker-meeting==",
                    "chat_message": {
                        "date_time": "2023-10-09T10:00:00Z",
                        "sender_name": "Remote Participant",
                        "message_id": secrets.token_hex(8),
                        "message_content": text,
                    },
                },
            },
        }
    ).encode()


def _create(proc: Proc, admin: str, zoom_id: int) -> dict:
    r = httpx.post(
        f"{proc.url}/api/sessions",
        json={"title": "Linked to Zoom", "zoom_ids": [zoom_id]},
        headers={"Authorization": f"Bearer {admin}"},
    )
    r.raise_for_status()
    return r.json()


def _texts(proc: Proc, session: dict) -> list[str]:
    r = httpx.get(
        f"{proc.url}/api/sessions/{session['slug']}/questions",
        headers={"Authorization": f"Bearer {session['keys']['moderator']}"},
    )
    r.raise_for_status()
    return [q["text"] for q in r.json()]


@pytest.mark.postgres
def test_a_session_linked_on_one_worker_gets_the_next_chat_on_the_other(workers):
    a, b, admin, _ = workers
    zoom_id = 94_000_000_000 + secrets.randbelow(10**6)
    hook = f"{b.url}/integrations/zoom/webhook"
    first = _create(a, admin, zoom_id)
    r = post_signed(hook, SECRET, _chat(zoom_id, "Heard in the main room?"))
    assert r.json()["stored"] == 1, r.text  # worker b has cached zoom_id -> [first]

    second = _create(a, admin, zoom_id)
    # Redis carries the signal in about a millisecond; without it b would trust its
    # cache for ROUTE_TTL (5 s) and store this in the first session only.
    time.sleep(0.3)
    r = post_signed(hook, SECRET, _chat(zoom_id, "Heard in the overflow room too?"))
    assert r.json() == {"status": "stored", "stored": 2, "duplicates": 0}, r.text
    assert _texts(a, second) == ["Heard in the overflow room too?"]
    assert sorted(_texts(b, first)) == [
        "Heard in the main room?",
        "Heard in the overflow room too?",
    ]


@pytest.mark.postgres
def test_a_session_created_by_the_cli_reaches_the_running_workers_routing(
    workers, monkeypatch, capsys
):
    a, b, admin, env = workers
    zoom_id = 95_000_000_000 + secrets.randbelow(10**6)
    hook = f"{b.url}/integrations/zoom/webhook"
    _create(a, admin, zoom_id)
    assert post_signed(hook, SECRET, _chat(zoom_id, "First?")).json()["stored"] == 1
    for name in ("FLOORBRIDGE_DATABASE_URL", "FLOORBRIDGE_BUS_URL"):
        monkeypatch.setenv(name, env[name])
    try:
        cli(["session", "create", "--title", "Made at the terminal", "--zoom-id", str(zoom_id)])
    finally:
        get_settings.cache_clear()  # the CLI cached the cluster's settings
    created = json.loads(capsys.readouterr().out)
    time.sleep(0.3)
    r = post_signed(hook, SECRET, _chat(zoom_id, "Second?"))
    assert r.json() == {"status": "stored", "stored": 2, "duplicates": 0}, r.text
    assert _texts(b, created) == ["Second?"]
