"""The same-origin rule (app/origin.py) leaves signed webhooks alone: they carry no cookie
and prove themselves by signature, whatever Origin a relay in a browser may add."""

from __future__ import annotations

import json
import secrets

import httpx

from integrations.webhook_generic import SIGNATURE_HEADER, sign
from tests.app.connectors.support import configure, questions

SECRET = "form-relay-secret"
CHANNEL = f"form-{secrets.token_hex(4)}"


async def test_a_signed_webhook_with_a_foreign_origin_still_lands(live_server):
    session = live_server.create_session("Webhook from a relay")
    await configure(live_server, session, CHANNEL, secret=SECRET)
    raw = json.dumps({"id": "f-1", "text": "Sent through a form relay?"}).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(SECRET, raw),
        "Origin": "https://forms.example.org",
        "Sec-Fetch-Site": "cross-site",
    }
    url = f"{live_server.url}/integrations/webhook/{CHANNEL}"
    r = httpx.post(url, content=raw, headers=headers)
    assert r.status_code == 201, r.text
    [q] = await questions(live_server, session)
    assert q["text"] == "Sent through a form relay?"
    # With a cookie it is a browser call like any other: refused.
    again = httpx.post(url, content=raw, headers={**headers, "Cookie": "fb_aud=x"})
    assert again.status_code == 403
