"""The generic signed webhook, mounted in a real server: the signature picks the session."""

from __future__ import annotations

import json
import secrets

import httpx

from integrations.webhook_generic import SIGNATURE_HEADER, sign
from tests.app.connectors.support import configure, questions

SECRET_A = "slack-secret-of-session-a"
SECRET_B = "slack-secret-of-session-b"
#: The server is shared by the run: a channel name of this test's own.
CHANNEL = f"slack-{secrets.token_hex(4)}"


def deliver(server, channel: str, secret: str, body: dict) -> httpx.Response:
    raw = json.dumps(body).encode()
    return httpx.post(
        f"{server.url}/integrations/webhook/{channel}",
        content=raw,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, raw)},
    )


async def test_signed_posts_land_in_the_session_whose_secret_signed_them(live_server):
    a = live_server.create_session("Webhook A")
    b = live_server.create_session("Webhook B")
    body = {
        "id": "msg-42",
        "text": "How will the pilot be funded?",
        "author": "Ana P.",
        "url": "https://chat.example/msg-42",
    }
    assert deliver(live_server, CHANNEL, SECRET_A, body).status_code == 404  # no secret
    await configure(live_server, a, CHANNEL, secret=SECRET_A)
    await configure(live_server, b, CHANNEL, secret=SECRET_B)

    first = deliver(live_server, CHANNEL, SECRET_B, body)
    assert first.status_code == 201, first.text
    assert deliver(live_server, CHANNEL, SECRET_B, body).status_code == 200  # replay
    wrong = deliver(live_server, CHANNEL, "not-the-secret-at-all", body)
    assert wrong.status_code == 401 and "signature" in wrong.json()["detail"]
    bad = deliver(live_server, CHANNEL, SECRET_A, {"id": "x"})
    assert bad.status_code == 422 and "text" in bad.json()["detail"]
    assert deliver(live_server, "mastodon", SECRET_A, body).status_code == 404  # built-in

    [q] = await questions(live_server, b)
    assert (q["channel"], q["text"], q["url"]) == (CHANNEL, body["text"], body["url"])
    assert await questions(live_server, a) == []
