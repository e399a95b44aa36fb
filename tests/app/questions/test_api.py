"""The HTTP API against a real server: access, bad input, concurrency, page headers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.servers import audience, audience_async, audience_cookies


@pytest.fixture
def session(live_server):
    return live_server.create_session(
        "API test", agenda=[{"title": "Debate", "minutes": 30, "kind": "debate"}]
    )


def mod(session):
    return {"Authorization": f"Bearer {session['keys']['moderator']}"}


def api(live_server, session, path=""):
    return f"{live_server.url}/api/sessions/{session['slug']}{path}"


def ask(live_server, session, text="What about privacy?", **kw):
    """A question from a new phone: it opened the audience page first (its id is from there)."""
    with audience(live_server.url, session["slug"]) as phone:
        return phone.post(api(live_server, session, "/questions"), json={"text": text, **kw})


def test_create_session_needs_the_admin_token(live_server):
    r = httpx.post(f"{live_server.url}/api/sessions", json={"title": "x"})
    assert r.status_code == 401 and "admin token" in r.json()["detail"]
    r = httpx.post(
        f"{live_server.url}/api/sessions",
        json={"title": "x"},
        headers={"Authorization": "Bearer wrong"},
    )
    assert r.status_code == 401


def test_create_session_returns_links_and_keys(live_server, session):
    assert set(session["links"]) == {"moderator", "stage", "screen", "rapporteur", "audience"}
    assert session["links"]["moderator"].endswith(f"/console?key={session['keys']['moderator']}")
    info = httpx.get(api(live_server, session)).json()
    assert info["title"] == "API test" and info["agenda"][0]["title"] == "Debate"


def test_bad_session_bodies(live_server):
    h = {"Authorization": f"Bearer {live_server.admin_token}"}
    for body, status in (
        ({"title": ""}, 422),
        ({"title": "x", "slug": "Bad Slug!"}, 422),
        ({"title": "x", "agenda": [{"title": "a", "minutes": -1}]}, 422),
    ):
        r = httpx.post(f"{live_server.url}/api/sessions", json=body, headers=h)
        assert r.status_code == status and isinstance(r.json()["detail"], str)
    httpx.post(f"{live_server.url}/api/sessions", json={"title": "x", "slug": "taken"}, headers=h)
    r = httpx.post(
        f"{live_server.url}/api/sessions", json={"title": "x", "slug": "taken"}, headers=h
    )
    assert r.status_code == 409 and "exists" in r.json()["detail"]


def test_audience_asks_and_moderator_moderates(live_server, session):
    r = ask(live_server, session, name="Ana Pérez")
    assert r.status_code == 201 and r.json()["state"] == "inbox"
    assert "fb_aud" not in r.cookies  # the page gave the id; the API gives none
    qid = r.json()["id"]
    inbox = httpx.get(api(live_server, session, "/questions?state=inbox"), headers=mod(session))
    assert [q["id"] for q in inbox.json()] == [qid]
    assert inbox.json()[0]["author"] == "A. P."
    for action in ("approve", "push"):
        r = httpx.post(
            api(live_server, session, f"/questions/{qid}/actions/{action}"), headers=mod(session)
        )
        assert r.status_code == 200, r.text
    stage = {"Authorization": f"Bearer {session['keys']['stage']}"}
    r = httpx.post(api(live_server, session, f"/questions/{qid}/actions/dismiss"), headers=stage)
    assert r.status_code == 403
    r = httpx.post(api(live_server, session, f"/questions/{qid}/actions/answer"), headers=stage)
    assert r.json()["state"] == "answered"
    r = httpx.post(
        api(live_server, session, f"/questions/{qid}/actions/answer"), headers=mod(session)
    )
    assert r.status_code == 409 and "answered already" in r.json()["detail"]
    trail = httpx.get(api(live_server, session, "/audit"), headers=mod(session)).json()
    assert [(t["action"], t["role"]) for t in trail] == [
        ("approve", "moderator"),
        ("push", "moderator"),
        ("answer", "stage"),
    ]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"text": ""}, 422, "empty"),
        ({"text": "   \n "}, 422, "empty"),
        ({"text": "x" * 9000}, 422, "text"),
        ({"name": "no text"}, 422, "text"),
        ([1, 2], 422, ""),
    ],
)
def test_bad_questions_are_4xx_and_store_nothing(live_server, session, body, status, words):
    cookies = audience_cookies(live_server.url, session["slug"])
    r = httpx.post(api(live_server, session, "/questions"), json=body, cookies=cookies)
    assert r.status_code == status and words in r.json()["detail"]
    assert httpx.get(api(live_server, session, "/questions"), headers=mod(session)).json() == []


def test_malformed_json_unknown_session_wrong_key(live_server, session):
    cookies = audience_cookies(live_server.url, session["slug"])
    r = httpx.post(
        api(live_server, session, "/questions"),
        content=b"{bad",
        headers={"content-type": "application/json"},
        cookies=cookies,
    )
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    r = httpx.get(f"{live_server.url}/api/sessions/nope-nope")
    assert r.status_code == 404 and "nope-nope" in r.json()["detail"]
    r = httpx.get(api(live_server, session, "/questions"), headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and "not valid" in r.json()["detail"]
    r = httpx.get(api(live_server, session, "/questions"))
    assert r.status_code == 401
    r = httpx.get(
        api(live_server, session, "/questions"),
        headers={"Authorization": f"Bearer {session['keys']['screen']}"},
    )
    assert r.status_code == 403
    r = httpx.post(
        api(live_server, session, "/questions/999999/actions/approve"), headers=mod(session)
    )
    assert r.status_code == 404
    r = httpx.post(api(live_server, session, "/questions/1/actions/explode"), headers=mod(session))
    assert r.status_code == 404 and "unknown action" in r.json()["detail"]
    big = b'{"text": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    r = httpx.post(
        api(live_server, session, "/questions"),
        content=big,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    assert httpx.get(f"{live_server.url}/healthz").status_code == 200


def test_keys_from_another_session_do_not_work(live_server, session):
    other = live_server.create_session("Other")
    r = httpx.get(
        api(live_server, session, "/questions"),
        headers={"Authorization": f"Bearer {other['keys']['moderator']}"},
    )
    assert r.status_code == 401


async def test_two_moderators_push_at_the_same_instant(live_server, session):
    ids = [ask(live_server, session, f"Question {i}?").json()["id"] for i in range(2)]
    async with httpx.AsyncClient(headers=mod(session)) as c:
        for qid in ids:
            await c.post(api(live_server, session, f"/questions/{qid}/actions/approve"))
        results = await asyncio.gather(
            *(c.post(api(live_server, session, f"/questions/{q}/actions/push")) for q in ids)
        )
    assert sorted(r.status_code for r in results) == [200, 409]
    assert "on stage" in next(r for r in results if r.status_code == 409).json()["detail"]


async def test_200_audience_ids_upvote_at_once(live_server, session):
    qid = ask(live_server, session).json()["id"]
    httpx.post(api(live_server, session, f"/questions/{qid}/actions/approve"), headers=mod(session))
    # Exact counting is the point here, not latency: a loaded CI machine may be slow.
    page = session["slug"]
    clients = await asyncio.gather(
        *(audience_async(live_server.url, page, timeout=60) for _ in range(200))
    )
    try:
        results = await asyncio.gather(
            *(c.post(api(live_server, session, f"/questions/{qid}/upvote")) for c in clients)
        )
        assert all(r.status_code == 200 for r in results)
        again = await clients[0].post(api(live_server, session, f"/questions/{qid}/upvote"))
        assert again.json()["votes"] == 200
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    q = httpx.get(api(live_server, session, "/questions"), headers=mod(session)).json()[0]
    assert q["votes"] == 200


def test_forged_audience_cookie_is_refused_and_gets_no_new_id(live_server, session):
    qid = ask(live_server, session).json()["id"]
    httpx.post(api(live_server, session, f"/questions/{qid}/actions/approve"), headers=mod(session))
    for cookies in ({"fb_aud": "forged.value"}, {}):
        r = httpx.post(api(live_server, session, f"/questions/{qid}/upvote"), cookies=cookies)
        assert r.status_code == 401 and "reload the audience page" in r.json()["detail"]
        assert "fb_aud" not in r.cookies
        r = httpx.post(
            api(live_server, session, "/questions"), json={"text": "Hi?"}, cookies=cookies
        )
        assert r.status_code == 401 and "fb_aud" not in r.cookies
    q = httpx.get(api(live_server, session, "/questions"), headers=mod(session)).json()
    assert [x["votes"] for x in q] == [0] and len(q) == 1


def test_role_link_sets_cookie_and_drops_key(live_server, session):
    link = session["links"]["moderator"]
    with httpx.Client() as c:
        r = c.get(link, follow_redirects=False)
        assert r.status_code == 303 and "key=" not in r.headers["location"]
        assert f"fb_moderator_{session['slug']}" in r.cookies
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        page = c.get(live_server.url + r.headers["location"])
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src and "'self'" in script_src
        assert c.get(api(live_server, session, "/me")).json()["role"] == "moderator"
        assert c.get(api(live_server, session, "/questions")).status_code == 200
    r = httpx.get(f"{live_server.url}/s/{session['slug']}/console")
    assert r.status_code == 401 and "moderator link" in r.text
    r = httpx.get(f"{live_server.url}/s/{session['slug']}/stage?key=wrong")
    assert r.status_code == 401


def test_qr_code_of_the_audience_page(live_server, session):
    r = httpx.get(f"{live_server.url}/s/{session['slug']}/qr.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.lstrip().startswith("<svg")


def test_one_browser_holds_several_roles(live_server, session):
    with httpx.Client() as c:
        c.get(session["links"]["moderator"], follow_redirects=False)
        c.get(session["links"]["stage"], follow_redirects=False)
        # The widest role wins for API calls; the console keeps working after opening the stage.
        assert c.get(api(live_server, session, "/me")).json()["role"] == "moderator"
        assert c.get(f"{live_server.url}/s/{session['slug']}/console").status_code == 200
        assert c.get(f"{live_server.url}/s/{session['slug']}/stage").status_code == 200
