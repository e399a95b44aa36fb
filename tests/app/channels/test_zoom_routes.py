"""A session newly linked to a Zoom id that is already routed gets that id's next chat
message: creating it tells the routing cache at once (through the bus), instead of the
cache trusting itself for ROUTE_TTL seconds while Zoom is told `stored`."""

from __future__ import annotations

import itertools
import json
import secrets
from typing import Any

import httpx

from integrations.zoom_send import post_signed
from tests.integrations.zoom_support import ZOOM_SECRETS, ZoomServer, payload_json

HOOK = "/integrations/zoom/webhook"
_numbers = itertools.count(93_000_000_001)


def chat(zoom_id: int, text: str) -> bytes:
    body = payload_json("zoom-meeting-chat.json")
    body["payload"]["object"]["id"] = zoom_id
    body["payload"]["object"]["chat_message"]["message_id"] = secrets.token_hex(8)
    body["payload"]["object"]["chat_message"]["message_content"] = text
    return json.dumps(body).encode()


def texts(server: Any, session: dict[str, Any]) -> list[str]:
    r = httpx.get(
        f"{server.url}/api/sessions/{session['slug']}/questions",
        headers={"Authorization": f"Bearer {session['keys']['moderator']}"},
    )
    r.raise_for_status()
    return [q["text"] for q in r.json()]


def test_a_second_session_on_a_live_zoom_id_gets_the_next_chat_message(
    zoom_server: ZoomServer,
) -> None:
    zid = next(_numbers)
    first = zoom_server.create_session("Main room", zoom_ids=[zid])
    r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], chat(zid, "Before the link?"))
    assert r.json()["stored"] == 1  # the route zid -> [first] is now cached

    second = zoom_server.create_session("Overflow room", zoom_ids=[zid])
    r = post_signed(f"{zoom_server.url}{HOOK}", ZOOM_SECRETS[0], chat(zid, "After the link?"))
    assert r.json() == {"status": "stored", "stored": 2, "duplicates": 0}
    assert texts(zoom_server, second) == ["After the link?"]
    assert sorted(texts(zoom_server, first)) == ["After the link?", "Before the link?"]
