"""A page on another origin (another port of the same host: same *site*, so the moderator's
SameSite=Lax cookie rides along) can neither act nor read the live socket; the console,
the audience pages and scripts with a bearer key keep working."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.origin import origin_of
from tests.rotation_kit import role_cookie
from tests.servers import LiveServer, audience_cookies, free_port

PLAIN = "text/plain"  # what a <form enctype=text/plain> posts without asking
CSV = "Question and Answer Report\r\n#,Question,Asker Name\r\n1,Injected?,Mallory\r\n"


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['keys']['moderator']}"}


def setup(server: LiveServer, title: str) -> tuple[dict[str, Any], str, int, int]:
    """A session with one question in the inbox and one draft poll; the moderator's cookie."""
    session = server.create_session(title)
    base = f"{server.url}/api/sessions/{session['slug']}"
    phone = audience_cookies(server.url, session["slug"])
    asked = httpx.post(
        f"{base}/questions", json={"text": "Who pays?", "name": "Ana Pérez"}, cookies=phone
    )
    assert asked.status_code == 201, asked.text
    qid = asked.json()["id"]
    poll = httpx.post(
        f"{base}/polls",
        json={"question": "Which area?", "kind": "single", "options": ["Health", "Climate"]},
        headers=bearer(session),
    )
    assert poll.status_code == 201, poll.text
    return session, role_cookie(server.url, session), qid, poll.json()["id"]


def attempts(base: str, qid: int, pid: int) -> list[tuple[str, str, dict[str, Any]]]:
    """What the attacker's page did, as (method, url, httpx keyword arguments)."""
    return [
        ("POST", f"{base}/polls/{pid}/actions/open", {}),
        ("POST", f"{base}/stage/next", {}),
        ("POST", f"{base}/questions/{qid}/actions/approve", {}),
        ("POST", f"{base}/zoom/qa/csv", {"content": CSV, "headers": {"content-type": PLAIN}}),
        ("POST", f"{base}/questions", {"json": {"text": "Injected by a page elsewhere"}}),
        ("POST", f"{base}/questions/{qid}/upvote", {}),
        ("POST", f"{base}/polls/{pid}/votes", {"json": {"choices": [0]}}),
        ("PUT", f"{base}/poll-access", {"json": {"join_code": "X"}}),
    ]


def state_of(server: LiveServer, session: dict[str, Any], pid: int) -> tuple[list, str]:
    base = f"{server.url}/api/sessions/{session['slug']}"
    qs = httpx.get(f"{base}/questions", headers=bearer(session)).json()
    polls = httpx.get(f"{base}/polls", headers=bearer(session)).json()
    return [(q["text"], q["state"], q["votes"]) for q in qs], next(
        p["state"] for p in polls if p["id"] == pid
    )


@pytest.mark.parametrize(
    "browser_says",
    [
        pytest.param({"Sec-Fetch-Site": "same-site"}, id="same-site"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="cross-site"),
        pytest.param({}, id="origin-only"),  # an older browser: Origin alone decides
    ],
)
def test_a_page_on_another_port_cannot_act_with_the_moderators_cookie(
    live_server: LiveServer, browser_says: dict[str, str]
) -> None:
    session, cookie, qid, pid = setup(live_server, "Hostile neighbour")
    before = state_of(live_server, session, pid)
    base = f"{live_server.url}/api/sessions/{session['slug']}"
    evil = {"Origin": f"http://127.0.0.1:{free_port()}", "Cookie": cookie, **browser_says}
    for method, url, kw in attempts(base, qid, pid):
        headers = {**evil, **kw.pop("headers", {})}
        r = httpx.request(method, url, headers=headers, **kw)
        assert r.status_code == 403, (url, r.text)
        assert "cross-origin" in r.json()["detail"]
    assert state_of(live_server, session, pid) == before  # nothing happened


def test_null_origin_and_a_browser_verdict_without_origin_are_refused(
    live_server: LiveServer,
) -> None:
    session, cookie, qid, _ = setup(live_server, "Sandboxed frame")
    url = f"{live_server.url}/api/sessions/{session['slug']}/questions/{qid}/actions/approve"
    for headers in ({"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        assert httpx.post(url, headers={"Cookie": cookie, **headers}).status_code == 403


def test_the_console_on_its_own_origin_keeps_working(live_server: LiveServer) -> None:
    session, cookie, qid, pid = setup(live_server, "Own origin")
    base = f"{live_server.url}/api/sessions/{session['slug']}"
    for action, browser_says in (
        ("dismiss", {"Origin": live_server.url, "Sec-Fetch-Site": "same-origin"}),
        ("restore", {"Origin": live_server.url}),
        ("dismiss", {"Sec-Fetch-Site": "same-origin"}),
        ("restore", {}),  # no browser headers at all
    ):
        headers = {"Cookie": cookie, **browser_says}
        r = httpx.post(f"{base}/questions/{qid}/actions/{action}", headers=headers)
        assert r.status_code == 200, r.text
    own = {"Cookie": cookie, "Origin": live_server.url, "Sec-Fetch-Site": "same-origin"}
    assert httpx.post(f"{base}/polls/{pid}/actions/open", headers=own).status_code == 200
    phone = httpx.Client(headers={"Origin": live_server.url, "Sec-Fetch-Site": "same-origin"})
    assert phone.post(f"{base}/polls/{pid}/votes", json={"choices": [1]}).status_code == 401
    # The 401 says "reload the audience page": that page load gives this phone its id.
    assert phone.get(f"{live_server.url}/s/{session['slug']}").status_code == 200
    assert phone.post(f"{base}/polls/{pid}/votes", json={"choices": [1]}).status_code == 201
    assert phone.post(f"{base}/questions", json={"text": "From the room?"}).status_code == 201


def test_scripts_with_a_bearer_key_keep_working(live_server: LiveServer) -> None:
    session, cookie, qid, _ = setup(live_server, "Scripts")
    url = f"{live_server.url}/api/sessions/{session['slug']}/questions/{qid}/actions/approve"
    assert httpx.post(url, headers=bearer(session)).status_code == 200
    # A bearer and no cookie is no ambient credential, whatever Origin says...
    elsewhere = {"Origin": "http://127.0.0.1:9", **bearer(session)}
    assert httpx.post(url.replace("approve", "queue"), headers=elsewhere).status_code != 403
    # ...but with the cookie too, the browser's word counts.
    r = httpx.post(url.replace("approve", "push"), headers={**elsewhere, "Cookie": cookie})
    assert r.status_code == 403


async def test_a_foreign_origin_socket_is_refused_and_the_console_socket_is_not(
    live_server: LiveServer,
) -> None:
    session, cookie, _, _ = setup(live_server, "Socket origin")
    url = f"{live_server.ws_url}/s/{session['slug']}/live?as=moderator"
    other = f"http://127.0.0.1:{free_port()}"
    for headers in ({"Cookie": cookie}, {}):
        with pytest.raises(InvalidStatus) as refused:
            await connect(url, origin=other, additional_headers=headers)  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403
    ws = await connect(
        url, origin=live_server.url, additional_headers={"Cookie": cookie}  # type: ignore[arg-type]
    )
    await ws.send(json.dumps({"type": "resume", "after": None}))
    snap = json.loads(await ws.recv())
    # The moderator's view: the inbox item, with its author (the audience sees neither).
    assert [(q["text"], q["state"]) for q in snap["data"]["questions"]] == [("Who pays?", "inbox")]
    assert snap["data"]["questions"][0]["author"]
    await ws.close()


def test_the_public_url_is_the_servers_own_origin(make_server: Any) -> None:
    server = make_server(public_url="https://floor.example.org")
    session, cookie, qid, _ = setup(server, "Behind a proxy")
    url = f"{server.url}/api/sessions/{session['slug']}/questions/{qid}/actions/approve"
    refused = httpx.post(url, headers={"Cookie": cookie, "Origin": "https://evil.example.org"})
    assert refused.status_code == 403
    ok = httpx.post(url, headers={"Cookie": cookie, "Origin": "https://floor.example.org"})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("HTTP://Floor.Example.org:80/s/x", "http://floor.example.org"),
        ("https://floor.example.org:443", "https://floor.example.org"),
        ("https://floor.example.org:8443/", "https://floor.example.org:8443"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("ftp://floor.example.org", None),
        ("http://", None),
        ("http://host:notaport", None),
    ],
)
def test_origins_compare_as_browsers_write_them(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin
