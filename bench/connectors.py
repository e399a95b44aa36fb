"""Connectors: how fast one connector pushes posts through the core ingest path, and how
long a post takes from the platform to the event the console receives.

    python -m bench.connectors [--items 2000] [--samples 200]

A fake Mastodon (tag timeline with `Link` paging, and the SSE hashtag stream) runs on
loopback in this process; the real `MastodonConnector`, `Supervisor` and `app.ingest` write
to a fresh SQLite. Prints JSON: `items_per_s` (polling a backlog of `--items` posts, 40 per
page) and `post_to_event_ms` p50/p99/max (SSE: from the fake publishing a post to the
committed `question.created` event being handed to the bus, i.e. what sockets send next).

`post_to_console_ms` is end to end through a real server process (`floorbridge serve`,
fresh SQLite): the connector is configured over the API (`PUT .../connectors/mastodon`,
SSE mode) and runs inside the server; the clock stops when the moderator's live socket
receives the post's `question.created` frame.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from websockets.asyncio.client import connect as ws_connect

from app.db import Store
from app.ingest import ingest
from app.migrate import upgrade
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from bench.common import Server, emit, percentiles
from integrations.base import Cursor, MemoryCursorStore
from integrations.mastodon import MastodonConfig, MastodonConnector
from integrations.supervisor import Supervisor

TAG = "bench"
TIME_LIMIT = 120.0
PAYLOAD = Path(__file__).resolve().parents[1] / "tests" / "payloads"


def _template() -> dict[str, Any]:
    path = PAYLOAD / "mastodon-status.json"
    if path.exists():
        return json.loads(path.read_text())
    return {"account": {"id": "1", "display_name": "Bench"}, "created_at": None}


class Fake:
    def __init__(self) -> None:
        self.template = _template()
        self.statuses: list[dict[str, Any]] = []
        self.streams: list[asyncio.Queue[str]] = []
        self.base = ""

    def add(self, n: int) -> dict[str, Any]:
        status = {**self.template, "id": str(10**17 + n), "reblog": None,
                  "url": f"https://bench.example/@b/{10**17 + n}",
                  "content": f"<p>Question number {n} about the #{TAG} session?</p>"}
        self.statuses.append(status)
        return status

    async def timeline(self, request: Request) -> Response:
        q = request.query_params
        limit = int(q.get("limit", 20))
        after = int(q.get("min_id", 0))
        page = [s for s in self.statuses if int(s["id"]) > after][:limit]
        page.reverse()
        headers = {}
        if page:
            url = f"{self.base}/api/v1/timelines/tag/{TAG}"
            headers["Link"] = (f'<{url}?max_id={page[-1]["id"]}>; rel="next", '
                               f'<{url}?min_id={page[0]["id"]}&limit={limit}>; rel="prev"')
        return JSONResponse(page, headers=headers)

    async def sse(self, request: Request) -> Response:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self.streams.append(queue)

        async def events() -> Any:
            try:
                yield ":)\n"
                while True:
                    yield await queue.get()
            finally:
                self.streams.remove(queue)

        return StreamingResponse(events(), media_type="text/event-stream")

    def publish(self, status: dict[str, Any]) -> None:
        for queue in self.streams:
            queue.put_nowait(f"event: update\ndata: {json.dumps(status)}\n\n")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/v1/timelines/tag/{tag}", self.timeline),
                                 Route("/api/v1/streaming/hashtag", self.sse)])


async def _wait(predicate: Any, limit: float = TIME_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("benchmark did not finish in time")
        await asyncio.sleep(0.002)


async def run(items: int, samples: int) -> dict[str, Any]:
    tmp = tempfile.TemporaryDirectory(prefix="fb-bench-")
    url = f"sqlite:///{tmp.name}/fb.db"
    upgrade(url)
    store = Store(url)
    published: dict[str, float] = {}

    def on_commit(events: list[Any]) -> None:
        now = time.perf_counter()
        for event in events:
            if event.type == "question.created":
                published[event.data["question"]["url"]] = now

    store.on_commit = on_commit
    store.start()
    session, _ = await store.write(
        lambda db: create_session(db, SessionCreate(title="Bench", hashtags=[TAG])))

    async def sink(batch: Any) -> Any:
        return await ingest(store, session.id, batch)

    fake = Fake()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=0,
                                           log_level="critical", lifespan="off", ws="none"))
    serving = asyncio.create_task(server.serve())
    await _wait(lambda: server.started, 10)
    fake.base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    cursors = MemoryCursorStore()
    try:
        # 1. throughput: a backlog, polled and paged
        await cursors.set("bench", "mastodon:127.0.0.1", str(10**17))
        for n in range(1, items + 1):
            fake.add(n)
        config = MastodonConfig(instance=fake.base, hashtags=[TAG], poll_interval=0.05)
        poller = Supervisor(MastodonConnector(config), sink,
                            Cursor(cursors, "bench", "mastodon:127.0.0.1"))
        started = time.perf_counter()
        poller.start()
        await _wait(lambda: poller.status.items_today >= items)
        elapsed = time.perf_counter() - started
        await poller.stop()

        # 2. latency: one post at a time over SSE
        sse = MastodonConfig(instance=fake.base, hashtags=[TAG], mode="sse")
        streamer = Supervisor(MastodonConnector(sse), sink,
                              Cursor(cursors, "bench", "mastodon:127.0.0.1"))
        streamer.start()
        await _wait(lambda: bool(fake.streams) and streamer.status.state.value == "connected")
        latencies = []
        for n in range(items + 1, items + 1 + samples):
            status = fake.add(n)
            sent = time.perf_counter()
            fake.publish(status)
            await _wait(lambda s=status: s["url"] in published, 10)
            latencies.append((published[status["url"]] - sent) * 1000)
        await streamer.stop()

        # 3. end to end: a server process runs the connector; the console's socket hears it
        console = await _through_server(fake, items + 1 + samples, samples)
    finally:
        server.should_exit = True
        server.force_exit = True
        await serving
        store.stop()
        tmp.cleanup()
    return {
        "connector": "mastodon",
        "database": "sqlite",
        "items": items,
        "items_per_s": round(items / elapsed, 1),
        "post_to_event_ms": percentiles(latencies),
        "post_to_console_ms": percentiles(console),
        "samples": samples,
    }


async def _through_server(fake: Fake, first: int, samples: int) -> list[float]:
    proc = await asyncio.to_thread(lambda: Server().start())
    try:
        session = await asyncio.to_thread(proc.create_session, "Bench console", hashtags=[TAG])
        key = session["keys"]["moderator"]
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.put(
                f"{proc.url}/api/sessions/{session['slug']}/connectors/mastodon",
                json={"settings": {"instance": fake.base, "hashtags": [TAG], "mode": "sse"}},
                headers={"Authorization": f"Bearer {key}"},
            )
            r.raise_for_status()
        url = f"{proc.ws_url}/s/{session['slug']}/live?key={key}"
        async with ws_connect(url, compression=None, max_size=2**24) as ws:
            await ws.send(json.dumps({"type": "resume", "after": None}))
            await _wait(lambda: bool(fake.streams), 30)
            await asyncio.sleep(0.5)  # the REST catch-up after connecting is done
            latencies = []
            for n in range(first, first + samples):
                status = fake.add(n)
                sent = time.perf_counter()
                fake.publish(status)
                async with asyncio.timeout(10):
                    while True:
                        frame = json.loads(await ws.recv())
                        q = (frame.get("data") or {}).get("question") or {}
                        if frame.get("type") == "question.created" and q["url"] == status["url"]:
                            break
                latencies.append((time.perf_counter() - sent) * 1000)
        return latencies
    finally:
        await asyncio.to_thread(proc.stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    emit("connectors", asyncio.run(run(args.items, args.samples)))


if __name__ == "__main__":
    main()
