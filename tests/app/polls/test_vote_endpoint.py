"""The vote endpoint as a bare ASGI app: what FastAPI used to check, now checked by hand."""

from __future__ import annotations

import asyncio
from contextlib import closing
from types import SimpleNamespace

import httpx
import pytest

from app.auth import Signer
from app.errors import NotFound
from app.sessions.service import SlugCache

from .test_polls_api import act, base, make_poll, mod, tally, voter


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "not valid JSON"),
        (b"[0]", "JSON object"),
        (b'{"choices": [true]}', "choices"),
        (b'{"choices": [1.5]}', "choices"),
        (b'{"choices": ["1"]}', "choices"),
        (b'{"choices": [' + b",".join(b"%d" % i for i in range(21)) + b"]}", "choices"),
        (b'{"text": 5}', "text"),
        (b'{"choices": [0], "code": "' + b"x" * 65 + b'"}', "code"),
    ],
)
def test_odd_vote_bodies_get_a_clear_422_and_change_nothing(live_server, body, why):
    session = live_server.create_session("Odd bodies")
    pid = make_poll(live_server, session)
    act(live_server, session, pid, "open")
    with closing(voter(live_server, session, pid)) as device:
        r = device.post(f"/polls/{pid}/votes", content=body)
        assert r.status_code == 422 and why in r.json()["detail"], r.text
    assert tally(live_server, session, pid) == [0, 0, 0]


def test_vote_answers_keep_the_security_headers_and_paths_stay_strict(live_server):
    session = live_server.create_session("Vote answers")
    pid = make_poll(live_server, session)
    act(live_server, session, pid, "open")
    with closing(voter(live_server, session, pid)) as device:
        r = device.post(f"/polls/{pid}/votes", json={"choices": [2], "text": None})
        assert r.status_code == 201 and r.json() == {"poll_id": pid, "choices": [2]}
        assert r.headers["content-type"] == "application/json"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert device.get(f"/polls/{pid}/votes").status_code == 405
        for missing in (f"/polls/{pid + 1000}/votes", "/polls/99999999999/votes"):
            r = device.post(missing, json={"choices": [0]})
            assert r.status_code == 404 and "no poll" in r.json()["detail"]
        r = device.post(
            f"{live_server.url}/api/sessions/no-such-session/polls/{pid}/votes",
            json={"choices": [0]},
        )
        assert r.status_code == 404 and "no session" in r.json()["detail"]
    assert tally(live_server, session, pid) == [0, 0, 1]


def test_big_or_chunked_vote_bodies_are_refused_at_the_headers(live_server):
    """A vote is anonymous: over 64 KiB declared is 413, a chunked body 411 (send a
    length), both before the body is read; nothing is counted."""
    session = live_server.create_session("Big votes")
    pid = make_poll(live_server, session, kind="open", options=None)
    act(live_server, session, pid, "open")
    pad = b'{"text": "' + b"a" * (1024 * 1024) + b'"}'
    with closing(voter(live_server, session, pid)) as device:
        r = device.post(f"/polls/{pid}/votes", content=pad)
        assert r.status_code == 413
        r = device.post(f"/polls/{pid}/votes", content=pad[: 70 * 1024] + b'"}')
        assert r.status_code == 413 and "64 KiB" in r.json()["detail"]
        chunks = [b'{"text": "'] + [b"a" * 65536] * 17 + [b'"}']
        r = device.post(f"/polls/{pid}/votes", content=iter(chunks))
        assert r.status_code == 411 and "Content-Length" in r.json()["detail"]
    results = httpx.get(f"{base(live_server, session)}/polls/{pid}/results", headers=mod(session))
    assert results.json()["total"] == 0


def test_verified_audience_cookies_are_remembered_forgeries_never(monkeypatch):
    monkeypatch.setattr("app.auth.MAX_VERIFIED", 2)
    signer = Signer("k")
    ids = [signer.new_audience_id() for _ in range(3)]
    for aid, value in ids:
        assert signer.read_audience(value) == aid
    assert list(signer._verified) == [v for _, v in ids[1:]]  # the oldest went
    assert signer.read_audience(ids[0][1]) == ids[0][0]  # verified again, not lost
    forged = ids[1][1][:-2] + "xx"
    assert signer.read_audience(forged) is None and forged not in signer._verified
    assert Signer("other").read_audience(ids[1][1]) is None  # per secret


async def test_the_first_votes_of_a_burst_share_one_session_lookup():
    reads = []
    room = SimpleNamespace(id=7, slug="room")

    async def read(fn):
        reads.append(fn)
        await asyncio.sleep(0.05)
        if len(reads) > 1:
            raise NotFound("no session 'gone'")
        return room

    cache = SlugCache(SimpleNamespace(read=read))  # type: ignore[arg-type]
    found = await asyncio.gather(*(cache.get("room") for _ in range(50)))
    assert [s.id for s in found] == [7] * 50 and len(reads) == 1
    assert (await cache.get("room")).id == 7 and len(reads) == 1  # remembered
    with pytest.raises(NotFound):
        await cache.get("gone")
    with pytest.raises(NotFound):
        await cache.get("gone")  # a miss is not remembered: read again
    assert len(reads) == 3
