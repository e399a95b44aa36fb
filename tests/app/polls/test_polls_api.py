"""Polls over HTTP and the live socket, on a real server."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from contextlib import closing

import httpx
from websockets.asyncio.client import connect

from tests.servers import audience_async

OPTIONS = ["Health", "Climate", "Education"]


def mod(session):
    return {"Authorization": f"Bearer {session['keys']['moderator']}"}


def base(server, session):
    return f"{server.url}/api/sessions/{session['slug']}"


def make_poll(server, session, **body):
    body = {
        "question": "Which area could benefit most?",
        "kind": "single",
        "options": OPTIONS,
        **body,
    }
    r = httpx.post(f"{base(server, session)}/polls", json=body, headers=mod(session))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def act(server, session, pid, action, status=200):
    r = httpx.post(f"{base(server, session)}/polls/{pid}/actions/{action}", headers=mod(session))
    assert r.status_code == status, r.text
    return r.json()


def voter(server, session, pid):
    """An audience browser: it opened the audience page, which set its signed id cookie."""
    client = httpx.Client(base_url=base(server, session))
    assert client.get(f"{server.url}/s/{session['slug']}").status_code == 200
    assert "fb_aud" in client.cookies
    return client


def tally(server, session, pid):
    r = httpx.get(f"{base(server, session)}/polls/{pid}/results", headers=mod(session))
    assert r.status_code == 200, r.text
    return [o["count"] for o in r.json()["options"]]


def test_vote_change_close_and_export(live_server):
    session = live_server.create_session("Poll flow")
    pid = make_poll(live_server, session)
    anon = httpx.post(f"{base(live_server, session)}/polls", json={"question": "x", "kind": "open"})
    assert anon.status_code == 401
    ana = voter(live_server, session, pid)
    assert ana.post(f"/polls/{pid}/votes", json={"choices": [1]}).status_code == 409  # draft
    act(live_server, session, pid, "open")
    assert ana.post(f"/polls/{pid}/votes", json={"choices": [1]}).status_code == 201
    r = ana.post(f"/polls/{pid}/votes", json={"choices": [2]})  # changed her mind
    assert r.status_code == 201 and r.json()["choices"] == [2]
    assert tally(live_server, session, pid) == [0, 0, 1]
    # The audience sees results only once they are shown to it.
    hidden = ana.get(f"/polls/{pid}/results")
    assert hidden.status_code == 403 and "not shown" in hidden.json()["detail"]
    act(live_server, session, pid, "show_audience")
    assert [o["count"] for o in ana.get(f"/polls/{pid}/results").json()["options"]] == [0, 0, 1]
    act(live_server, session, pid, "close")
    late = ana.post(f"/polls/{pid}/votes", json={"choices": [0]})
    assert late.status_code == 409 and "closed" in late.json()["detail"]
    assert tally(live_server, session, pid) == [0, 0, 1]
    r = httpx.get(
        f"{base(live_server, session)}/polls/{pid}/results?format=csv", headers=mod(session)
    )
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    edu = [x for x in rows if x["label"] == "Education" and x["channel"] == "all"]
    assert edu[0]["count"] == "1" and edu[0]["percent"] == "100.0"
    assert {x["channel"] for x in rows if x["row"] == "turnout"} == {"all", "audience", "zoom_chat"}
    dup = act(live_server, session, pid, "duplicate")
    assert dup["state"] == "draft" and dup["id"] != pid and dup["options"] == OPTIONS
    ana.close()


def test_bad_votes_get_a_clear_4xx_and_change_nothing(live_server):
    session = live_server.create_session("Bad votes")
    pid = make_poll(live_server, session, kind="multiple", max_choices=2)
    wid = make_poll(live_server, session, kind="wordcloud", options=None)
    act(live_server, session, pid, "open")
    act(live_server, session, wid, "open")
    ok = voter(live_server, session, pid)
    assert ok.post(f"/polls/{pid}/votes", json={"choices": [0, 1]}).status_code == 201
    before = tally(live_server, session, pid)
    forged = httpx.post(
        f"{base(live_server, session)}/polls/{pid}/votes",
        json={"choices": [2]},
        cookies={"fb_aud": "bm90LXNpZ25lZA.forged"},
    )
    assert forged.status_code == 401 and "reload the audience page" in forged.json()["detail"]
    assert "fb_aud" not in forged.cookies  # a refused vote is given no id
    cases = [
        (pid, {"choices": [9]}, 422, "does not exist"),
        (pid, {"choices": [0, 1, 2]}, 422, "at most 2"),
        (pid, {"choices": "all"}, 422, "choices"),
        (wid, {"text": "   "}, 422, "empty"),
        (wid, {"text": "w" * 10_240}, 422, "at most 40 characters"),
        (pid, b"{not json", 422, "JSON"),
    ]
    for poll, body, status, why in cases:
        kw = {"content": body} if isinstance(body, bytes) else {"json": body}
        r = ok.post(f"/polls/{poll}/votes", **kw)
        assert r.status_code == status and why in r.json()["detail"], (body, r.text)
    assert tally(live_server, session, pid) == before
    words = httpx.get(f"{base(live_server, session)}/polls/{wid}/results", headers=mod(session))
    assert words.json()["total"] == 0
    ok.close()


def test_rate_limits_per_device_and_per_address(make_server):
    server = make_server(poll_votes_per_voter_minute=6, poll_votes_per_ip_minute=12)
    session = server.create_session("Limits")
    pid = make_poll(server, session)
    act(server, session, pid, "open")
    with closing(voter(server, session, pid)) as eager:
        codes = [
            eager.post(f"/polls/{pid}/votes", json={"choices": [1]}).status_code for _ in range(5)
        ]
    assert codes == [201, 201, 201, 429, 429]  # bursts of 3 for one device
    # The address allows bursts of 10: other devices behind it run out too.
    statuses = []
    for _ in range(12):
        with closing(voter(server, session, pid)) as device:
            r = device.post(f"/polls/{pid}/votes", json={"choices": [0]})
            statuses.append(r.status_code)
            if r.status_code == 429:
                assert "network" in r.json()["detail"]
    assert statuses[:5] == [201] * 5 and statuses[-1] == 429
    assert tally(server, session, pid) == [statuses.count(201), 1, 0]


def test_join_code(live_server):
    session = live_server.create_session("Join code")
    pid = make_poll(live_server, session)
    act(live_server, session, pid, "open")
    r = httpx.put(
        f"{base(live_server, session)}/poll-access",
        json={"join_code": "WS499"},
        headers=mod(session),
    )
    assert r.status_code == 200
    with closing(voter(live_server, session, pid)) as device:
        r = device.post(f"/polls/{pid}/votes", json={"choices": [0]})
        assert r.status_code == 403 and "join code" in r.json()["detail"]
        r = device.post(f"/polls/{pid}/votes", json={"choices": [0], "code": "ws499"})
        assert r.status_code == 201, r.text
    assert tally(live_server, session, pid) == [1, 0, 0]


async def test_screen_gets_coalesced_results_and_the_exact_final_tally(live_server):
    session = live_server.create_session("Screen results")
    pid = make_poll(live_server, session)
    act(live_server, session, pid, "show_screen")
    url = f"{live_server.ws_url}/s/{session['slug']}/live?key={session['keys']['screen']}"
    async with connect(url, compression=None) as ws:
        await ws.send(json.dumps({"type": "resume", "after": None}))
        snap = json.loads(await ws.recv())
        assert [p["id"] for p in snap["data"]["polls"]] == []  # a draft: not on screen yet
        act(live_server, session, pid, "open")

        async def one(n: int) -> None:
            async with await audience_async(live_server.url, session["slug"]) as c:
                r = await c.post(f"{base(live_server, session)}/polls/{pid}/votes",
                                 json={"choices": [n % 3]})
                assert r.status_code == 201

        await asyncio.gather(*(one(n) for n in range(60)))
        act(live_server, session, pid, "close")
        frames = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 8))
            frames.append(frame)
            if frame.get("type") == "poll.results" and frame["data"]["results"]["final"]:
                break
    results = [f for f in frames if f.get("type") == "poll.results"]
    assert results[-1]["data"]["results"]["final"] is True
    assert [o["count"] for o in results[-1]["data"]["results"]["options"]] == [20, 20, 20]
    assert len(results) <= 10  # coalesced: not one frame per vote
    assert tally(live_server, session, pid) == [20, 20, 20]


def test_a_poll_closes_itself_after_its_time(live_server):
    session = live_server.create_session("Auto-close")
    pid = make_poll(live_server, session, auto_close_seconds=1)
    opened = act(live_server, session, pid, "open")
    assert opened["closes_at"] is not None
    deadline = time.monotonic() + 10
    state = "open"
    while state == "open" and time.monotonic() < deadline:
        time.sleep(0.2)
        polls = httpx.get(f"{base(live_server, session)}/polls", headers=mod(session)).json()
        state = next(p for p in polls if p["id"] == pid)["state"]
    assert state == "closed"


EMAIL, PHONE = "ana@example.org", "+41 79 123 45 67"


async def test_a_typed_email_or_phone_never_reaches_the_screen_or_the_phones(live_server):
    session = live_server.create_session("Cloud with personal data")
    wid = make_poll(live_server, session, kind="wordcloud", options=None)
    act(live_server, session, wid, "show_screen")
    act(live_server, session, wid, "show_audience")
    screen = f"{live_server.ws_url}/s/{session['slug']}/live?key={session['keys']['screen']}"
    audience = f"{live_server.ws_url}/s/{session['slug']}/live"
    raw: list[str] = []
    async with connect(screen, compression=None) as s, connect(audience, compression=None) as a:
        for ws in (s, a):
            await ws.send(json.dumps({"type": "resume", "after": None}))
            raw.append(await ws.recv())
        act(live_server, session, wid, "open")
        answers = ["Data", "data", "privacy", EMAIL, f"mail {EMAIL}", PHONE]
        for text in answers:
            async with await audience_async(live_server.url, session["slug"]) as c:
                r = await c.post(f"{base(live_server, session)}/polls/{wid}/votes",
                                 json={"text": text})
                assert r.status_code == 201, r.text
        act(live_server, session, wid, "close")
        for ws in (s, a):
            while True:
                frame = await asyncio.wait_for(ws.recv(), 8)
                raw.append(frame)
                data = json.loads(frame)
                if data.get("type") == "poll.results" and data["data"]["results"]["final"]:
                    final = data["data"]["results"]["words"]
                    break
            assert {"word": "data", "count": 2} in final
            assert {"word": "privacy", "count": 1} in final
    with closing(voter(live_server, session, wid)) as phone:
        shown = phone.get(f"/polls/{wid}/results")
        csv_text = phone.get(f"/polls/{wid}/results?format=csv").text
        listed = phone.get("/polls").text
    assert shown.status_code == 200 and {"word": "data", "count": 2} in shown.json()["words"]
    for text in [*raw, shown.text, csv_text, listed]:
        assert "example.org" not in text and "123 45" not in text
    # The moderator is told there were some, masked and flagged; the count is kept.
    words = httpx.get(f"{base(live_server, session)}/polls/{wid}/results",
                      headers=mod(session)).json()["words"]
    flagged = {w["word"]: w["count"] for w in words if w.get("personal")}
    assert flagged == {"[e-mail]": 1, "mail [e-mail]": 1, "[phone]": 1}
    assert sum(w["count"] for w in words) == len(answers)
