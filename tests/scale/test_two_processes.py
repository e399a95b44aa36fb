"""Two real server processes on the machine's PostgreSQL and Redis, as behind a proxy with
no sticky sessions: a change made on one reaches sockets on the other; a killed worker's
clients resume on the other with no gap and no duplicate; votes on both add up exactly."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.servers import audience_cookies, audience_header

pytestmark = [__import__("pytest").mark.postgres]


async def open_live(proc, session, key=None, after=None):
    url = f"{proc.ws_url}/s/{session['slug']}/live" + (f"?key={key}" if key else "")
    ws = await connect(url, compression=None, ping_interval=None)
    await ws.send(json.dumps({"type": "resume", "after": after}))
    return ws


async def until(ws, pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if pred(frame):
            return frame


def mod(session):
    return {"Authorization": f"Bearer {session['keys']['moderator']}"}


async def test_a_push_made_on_a_reaches_sockets_on_b(cluster):
    session = cluster.create_session("Across workers")
    audience_b = await open_live(cluster.b, session)
    screen_b = await open_live(cluster.b, session, session["keys"]["screen"])
    for ws in (audience_b, screen_b):
        await until(ws, lambda f: f.get("type") == "synced")
    base = f"{cluster.a.url}/api/sessions/{session['slug']}"
    phone = audience_cookies(cluster.a.url, session["slug"])
    qid = httpx.post(
        f"{base}/questions", json={"text": "Who funds the data commons?"}, cookies=phone
    ).json()["id"]
    httpx.post(f"{base}/questions/{qid}/actions/approve", headers=mod(session)).raise_for_status()
    started = time.monotonic()
    httpx.post(f"{base}/questions/{qid}/actions/push", headers=mod(session)).raise_for_status()

    def on_stage(frame):
        q = (frame.get("data") or {}).get("question") or {}
        return q.get("id") == qid and q.get("state") == "on_stage"

    for ws in (audience_b, screen_b):
        frame = await until(ws, on_stage)
        assert frame["data"]["question"]["text"] == "Who funds the data commons?"
    assert time.monotonic() - started < 2
    for ws in (audience_b, screen_b):
        await ws.close()


async def test_upvotes_cast_on_both_processes_add_up_exactly(cluster):
    session = cluster.create_session("Votes")
    base_a = f"{cluster.a.url}/api/sessions/{session['slug']}"
    phone = audience_cookies(cluster.a.url, session["slug"])
    qid = httpx.post(f"{base_a}/questions", json={"text": "Vote for me?"}, cookies=phone).json()[
        "id"
    ]
    httpx.post(f"{base_a}/questions/{qid}/actions/approve", headers=mod(session)).raise_for_status()
    watch_a = await open_live(cluster.a, session, session["keys"]["moderator"])
    watch_b = await open_live(cluster.b, session, session["keys"]["moderator"])
    voters = 60
    phones = [httpx.AsyncHTTPTransport() for _ in range(2)]  # no cookie jar: a fresh phone

    async def vote(i: int) -> None:
        here = (cluster.a, cluster.b)[i % 2].url
        page = await phones[i % 2].handle_async_request(
            httpx.Request("GET", f"{here}/s/{session['slug']}")
        )
        await page.aread()
        cookie = page.headers["set-cookie"].split(";")[0]  # the audience page's id
        url = f"{here}/api/sessions/{session['slug']}/questions/{qid}/upvote"
        first = await phones[i % 2].handle_async_request(
            httpx.Request("POST", url, headers={"cookie": cookie})
        )
        await first.aread()
        assert first.status_code == 200
        # A second tap from the same phone (its cookie, the other worker) is not a second vote.
        again = await phones[(i + 1) % 2].handle_async_request(
            httpx.Request("POST", url.replace((cluster.a, cluster.b)[i % 2].url,
                                              (cluster.a, cluster.b)[(i + 1) % 2].url),
                          headers={"cookie": cookie})
        )
        await again.aread()
        assert again.status_code == 200

    await asyncio.gather(*(vote(i) for i in range(voters)))
    for phone in phones:
        await phone.aclose()
    for proc in (cluster.a, cluster.b):
        listed = httpx.get(f"{proc.url}/api/sessions/{session['slug']}/questions",
                           headers=mod(session)).json()
        assert [q["votes"] for q in listed if q["id"] == qid] == [voters]
    for ws in (watch_a, watch_b):
        await until(ws, lambda f: ((f.get("data") or {}).get("question") or {}).get("votes")
                    == voters)
        await ws.close()


async def test_poll_votes_cast_on_both_processes_total_exactly(cluster):
    """Each phone votes on one worker, then changes its mind on the other: one ballot each."""
    session = cluster.create_session("Poll votes")
    r = httpx.post(f"{cluster.a.url}/api/sessions/{session['slug']}/polls", headers=mod(session),
                   json={"question": "Who should fund it?", "kind": "single",
                         "options": ["States", "Companies", "Foundations"]})
    assert r.status_code == 201, r.text
    poll = r.json()["id"]
    path = f"/api/sessions/{session['slug']}/polls/{poll}"
    httpx.post(f"{cluster.b.url}{path}/actions/open", headers=mod(session)).raise_for_status()
    phones = [httpx.AsyncHTTPTransport() for _ in range(2)]  # no cookie jars
    voters = 60

    async def ballot(worker: int, cookie: str | None, choice: int) -> httpx.Response:
        url = f"{(cluster.a, cluster.b)[worker].url}{path}/votes"
        headers = {"content-type": "application/json"} | ({"cookie": cookie} if cookie else {})
        body = json.dumps({"choices": [choice]}).encode()
        r = await phones[worker].handle_async_request(
            httpx.Request("POST", url, headers=headers, content=body)
        )
        await r.aread()
        return r

    async def phone(i: int) -> None:
        here, there = i % 2, (i + 1) % 2
        page = await phones[here].handle_async_request(
            httpx.Request("GET", f"{(cluster.a, cluster.b)[here].url}/s/{session['slug']}")
        )
        await page.aread()
        cookie = page.headers["set-cookie"].split(";")[0]  # the audience page gives the id
        first = await ballot(here, cookie, i % 3)
        assert first.status_code == 201, first.text
        again = await ballot(there, cookie, (i + 1) % 3)
        assert again.status_code == 201, again.text

    await asyncio.gather(*(phone(i) for i in range(voters)))
    for p in phones:
        await p.aclose()
    for proc in (cluster.a, cluster.b):
        res = httpx.get(f"{proc.url}{path}/results", headers=mod(session)).json()
        assert res["total"] == voters
        assert [o["count"] for o in res["options"]] == [20, 20, 20]


class Follower:
    """A moderator console: remembers every seq, and on a lost connection resumes on the
    other worker (what the proxy does when one upstream dies)."""

    def __init__(self, session, proc) -> None:
        self.session = session
        self.proc = proc
        self.seqs: list[int] = []
        self.reconnects = 0

    async def run(self, fallback, stop: asyncio.Event) -> None:
        key = self.session["keys"]["moderator"]
        ws = await open_live(self.proc, self.session, key)
        while not stop.is_set():
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 0.2))
            except TimeoutError:
                continue
            except ConnectionClosed:
                self.reconnects += 1
                self.proc = fallback
                ws = await open_live(fallback, self.session, key, after=self.seqs[-1])
                continue
            if frame.get("type") != "synced" and "seq" in frame:
                self.seqs.append(frame["seq"])
        await ws.close()


async def test_killing_a_worker_its_clients_resume_on_the_other_without_gap_or_duplicate(
    cluster,
):
    session = cluster.create_session("Failover")
    # 40 phones that opened the audience page, before any socket (these calls block).
    askers = [audience_header(cluster.b.url, session["slug"]) for _ in range(40)]
    on_a = [Follower(session, cluster.a) for _ in range(20)]
    on_b = [Follower(session, cluster.b) for _ in range(5)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(f.run(cluster.b, stop)) for f in on_a + on_b]
    base_b = f"{cluster.b.url}/api/sessions/{session['slug']}"
    head = 0
    async with httpx.AsyncClient() as http:
        for i in range(40):
            if i == 15:
                cluster.a.kill()
            r = await http.post(
                f"{base_b}/questions", json={"text": f"Question {i} for B?"}, headers=askers[i]
            )
            r.raise_for_status()
            await asyncio.sleep(0.02)
        snap = (await http.get(f"{base_b}/snapshot", headers=mod(session))).json()
        head = snap["seq"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        not f.seqs or f.seqs[-1] < head for f in on_a + on_b
    ):
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*tasks)
    try:
        for f in on_a + on_b:
            first = f.seqs[0]  # the snapshot the console opened with
            assert f.seqs == list(range(first, head + 1)), "a gap or a duplicate"
        assert all(f.reconnects == 1 for f in on_a)
        assert all(f.reconnects == 0 for f in on_b)
    finally:
        cluster.a.start()  # leave the pair as found


async def test_a_limit_per_id_holds_across_workers(cluster):
    """One id votes as fast as it can, alternating workers: the 30-a-minute limit (bursts
    of 5) is one limit for both, not one each, and says when to come back."""
    session = cluster.create_session("One id, two workers")
    r = httpx.post(f"{cluster.a.url}/api/sessions/{session['slug']}/polls", headers=mod(session),
                   json={"question": "Again?", "kind": "single", "options": ["Yes", "No"]})
    poll = r.json()["id"]
    path = f"/api/sessions/{session['slug']}/polls/{poll}"
    httpx.post(f"{cluster.a.url}{path}/actions/open", headers=mod(session)).raise_for_status()
    cookies = audience_cookies(cluster.a.url, session["slug"])
    started = time.monotonic()
    answers = [
        httpx.post(f"{(cluster.a, cluster.b)[i % 2].url}{path}/votes", json={"choices": [i % 2]},
                   cookies=cookies)
        for i in range(16)
    ]
    refill = (time.monotonic() - started) * 30 / 60
    taken = sum(a.status_code == 201 for a in answers)
    assert 5 <= taken <= 5 + refill + 1, [a.status_code for a in answers]
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == 16 - taken
    assert {a.headers["retry-after"] for a in refused} <= {"1", "2"}
    assert "too many votes" in refused[0].json()["detail"]
