"""Two real workers on PostgreSQL and a Redis of this test's own, stopped for 15 s while the
moderator pushes a question to the stage once a second through worker A: the screen and
the audience sockets on worker B get every push within 1.5 s of it during the outage (B's
hub reads the shared log while its bus subscription is lost), and nothing twice once
Redis is back. The machine's Redis, shared with others, is never touched."""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.servers import audience_header, free_port

from .conftest import Cluster, Proc

pytestmark = [pytest.mark.postgres]
OUTAGE = 15.0
LATE = 1.5


class OwnRedis:
    """`redis-server` on a free port, in memory only, killable and restartable."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--daemonize", "no"],
                stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    log = self.log.read_text()
                    raise RuntimeError(f"redis-server did not start: {log}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def redis_own(tmp_path: Path) -> Iterator[OwnRedis]:
    import shutil

    if shutil.which("redis-server") is None:
        from tests.servers import missing

        missing("redis-server", "apt-get install redis-server")
    own = OwnRedis(tmp_path / "redis.log")
    own.start()
    try:
        yield own
    finally:
        own.stop()


@pytest.fixture
def pair_on_own_redis(pg_url: str, redis_own: OwnRedis, tmp_path: Path) -> Iterator[Cluster]:
    admin = secrets.token_urlsafe(16)
    env = {
        "FLOORBRIDGE_DATABASE_URL": pg_url,
        "FLOORBRIDGE_BUS_URL": redis_own.url,
        "FLOORBRIDGE_ADMIN_TOKEN": admin,
        "FLOORBRIDGE_SECRET_KEY": "outage-test-cookie-key",
    }
    a = Proc("a", tmp_path, env).start()
    b = Proc("b", tmp_path, env)
    try:
        b.start()
        yield Cluster(a, b, admin)
    finally:
        a.stop()
        b.stop()


class Watcher:
    """A socket on B: when each question reached the stage, and every seq it got."""

    def __init__(self) -> None:
        self.on_stage: dict[int, float] = {}
        self.seqs: list[int] = []

    async def run(self, url: str, ready: asyncio.Event) -> None:
        async with connect(url, compression=None, ping_interval=None) as ws:
            await ws.send(json.dumps({"type": "resume", "after": None}))
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "synced":
                    ready.set()
                    continue
                if frame.get("type") == "snapshot":
                    continue
                if "seq" in frame:
                    self.seqs.append(frame["seq"])
                q = (frame.get("data") or {}).get("question") or {}
                if q.get("state") == "on_stage" and q.get("id") not in self.on_stage:
                    self.on_stage[q["id"]] = time.monotonic()


async def readyz(proc: Proc) -> dict:
    async with httpx.AsyncClient(timeout=10) as http:
        return (await http.get(f"{proc.url}/readyz")).json()


async def test_screens_on_the_other_worker_keep_moving_while_redis_is_down(
    pair_on_own_redis, redis_own
):
    pair = pair_on_own_redis
    session = pair.create_session("Redis outage")
    mod = {"Authorization": f"Bearer {session['keys']['moderator']}"}
    base = f"{pair.a.url}/api/sessions/{session['slug']}"
    phones = [audience_header(pair.a.url, session["slug"]) for _ in range(int(OUTAGE) + 6)]
    pushes = int(OUTAGE) + 6
    async with httpx.AsyncClient(timeout=10) as http:
        ids = []
        for n in range(pushes):
            r = await http.post(f"{base}/questions", json={"text": f"Question {n}?"},
                                headers=phones[n])  # one phone each: 6 a minute per id
            assert r.status_code in (200, 201), r.text
            ids.append(r.json()["id"])
        for qid in ids:
            (await http.post(f"{base}/questions/{qid}/actions/approve", headers=mod)
             ).raise_for_status()

        live = f"{pair.b.ws_url}/s/{session['slug']}/live"
        watchers = {"screen": Watcher(), "audience": Watcher()}
        readies = {name: asyncio.Event() for name in watchers}
        tasks = [
            asyncio.create_task(watchers["screen"].run(f"{live}?key={session['keys']['screen']}",
                                                       readies["screen"])),
            asyncio.create_task(watchers["audience"].run(live, readies["audience"])),
        ]
        for ready in readies.values():
            await asyncio.wait_for(ready.wait(), 10)
        pushed: dict[int, float] = {}
        outage: set[int] = set()

        async def push(_: object) -> int:
            """The console's "next": the one on stage is answered, the next one goes up."""
            r = await http.post(f"{base}/stage/next", headers=mod)
            r.raise_for_status()
            qid = r.json()["on_stage"]["id"]
            pushed[qid] = time.monotonic()
            return qid

        try:
            for qid in ids[:2]:  # with Redis
                await push(qid)
                await asyncio.sleep(1.0)
            redis_own.stop()
            stopped = time.monotonic()
            for k in range(int(OUTAGE)):  # once a second, on the second
                await asyncio.sleep(max(0.0, stopped + k - time.monotonic()))
                outage.add(await push(0))
                if k == 3:
                    during = asyncio.create_task(readyz(pair.b))
            await asyncio.sleep(max(0.0, stopped + OUTAGE - time.monotonic()))
            redis_own.start()
            for _ in range(3):  # Redis back
                await asyncio.sleep(1.0)
                await push(0)
            await asyncio.sleep(3.0)
            after = await readyz(pair.b)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    assert len(outage) == int(OUTAGE)
    for name, watcher in watchers.items():
        late = {
            qid: round(watcher.on_stage[qid] - at, 2) if qid in watcher.on_stage else None
            for qid, at in pushed.items()
        }
        missed = [qid for qid, d in late.items() if d is None]
        assert not missed, f"{name} never saw pushes {missed}"
        slow = {qid: d for qid, d in late.items() if qid in outage and d > LATE}
        assert not slow, f"{name}: pushes seen late during the outage: {slow}"
        assert len(watcher.seqs) == len(set(watcher.seqs)), f"{name} got an event twice"
        assert watcher.seqs == sorted(watcher.seqs)
    during = during.result()
    assert during["live"] == "log" and during["bus"] == "unreachable"
    assert after["live"] == "bus" and after["bus"] == "ok"
