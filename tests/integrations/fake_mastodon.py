"""A Mastodon instance on 127.0.0.1 as far as the hashtag connector can tell.

Speaks the tag timeline (`min_id`/`max_id`/`limit`, newest first, `Link` next/prev,
`X-RateLimit-*` headers), the SSE hashtag stream and the WebSocket streaming API, with
statuses cloned from the real payload files. `faults` makes the next timeline requests
misbehave; `drop()`/`garble()` break the live streams.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection

from .support import payload

DROP = object()


class StreamDropped(Exception):
    """Raised inside the SSE generator: uvicorn cuts the connection mid-body."""


class FakeMastodon:
    def __init__(self, tag: str = "floorbridge") -> None:
        self.tag = tag
        self.template = payload("mastodon-status.json")
        self.statuses: list[dict[str, Any]] = []  # ascending id
        self.tags: dict[str, set[str]] = {}
        self.faults: deque[str] = deque()
        self.requests: list[tuple[float, str]] = []
        self.clients: list[int] = []  # each request's source port: a connection each
        self.remaining = 300
        self.base = ""
        self.subscribers: list[asyncio.Queue[Any]] = []
        self.next_id = 110_000_000_000_000_000
        self.slow_seconds = 1.0
        self.reset_after = 0.3
        self.send_link = True

    # -- content -----------------------------------------------------------------------

    def make(self, text: str, tags: set[str] | None = None, **fields: Any) -> dict[str, Any]:
        status = copy.deepcopy(self.template)
        self.next_id += 1
        status["id"] = str(self.next_id)
        status["url"] = f"https://mastodon.example/@Gargron/{self.next_id}"
        status["content"] = f"<p>{text}</p>"
        status.update(fields)
        return self.add(status, tags)

    def add(self, status: dict[str, Any], tags: set[str] | None = None) -> dict[str, Any]:
        self.statuses.append(status)
        self.statuses.sort(key=lambda s: int(s["id"]))
        self.tags[status["id"]] = tags if tags is not None else {self.tag}
        return status

    def publish(self, status: dict[str, Any]) -> None:
        """Send an already-added status to the live streams."""
        for queue in self.subscribers:
            queue.put_nowait(status)

    def drop(self) -> None:
        for queue in self.subscribers:
            queue.put_nowait(DROP)

    def garble(self) -> None:
        for queue in self.subscribers:
            queue.put_nowait("{not json")

    # -- HTTP --------------------------------------------------------------------------

    def _rate_headers(self) -> dict[str, str]:
        reset = datetime.now(UTC) + timedelta(seconds=self.reset_after)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z"),
        }

    async def timeline(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        self.requests.append((loop.time(), str(request.url)))
        self.clients.append(request.client.port if request.client else 0)
        fault = self.faults.popleft() if self.faults else None
        if fault == "429":
            return JSONResponse(
                {"error": "Too many requests"}, status_code=429, headers=self._rate_headers()
            )
        if fault == "500":
            return JSONResponse({"error": "boom"}, status_code=500)
        if fault == "slow":
            await asyncio.sleep(self.slow_seconds)
        if fault == "malformed":
            return Response('[{"id": "1", "content": ', media_type="application/json")
        tag = request.path_params["tag"].lower()
        wanted = {tag, *[t.lower() for t in request.query_params.getlist("any[]")]}
        limit = min(int(request.query_params.get("limit", 20)), 40)
        matching = [s for s in self.statuses if self.tags[s["id"]] & wanted]
        min_id = request.query_params.get("min_id")
        max_id = request.query_params.get("max_id")
        if min_id:
            page = [s for s in matching if int(s["id"]) > int(min_id)][:limit]
        elif max_id:
            page = [s for s in matching if int(s["id"]) < int(max_id)][-limit:]
        else:
            page = matching[-limit:]
        page.reverse()
        headers = self._rate_headers()
        if page and self.send_link:
            url = f"{self.base}/api/v1/timelines/tag/{tag}"
            headers["Link"] = (
                f'<{url}?max_id={page[-1]["id"]}>; rel="next", '
                f'<{url}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return JSONResponse(page, headers=headers)

    async def sse(self, request: Request) -> Response:
        if request.query_params.get("tag", "").lower() != self.tag:
            return JSONResponse({"error": "wrong tag"}, status_code=400)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self.subscribers.append(queue)

        async def events() -> Any:
            try:
                yield ":)\n"
                while True:
                    item = await queue.get()
                    if item is DROP:
                        raise StreamDropped
                    if isinstance(item, str):
                        yield f"event: update\ndata: {item}\n\n"
                    elif "raw" in item:
                        yield item["raw"]
                    else:
                        yield f"event: update\ndata: {json.dumps(item)}\n\n"
                        yield ":thump\n"
            finally:
                self.subscribers.remove(queue)

        return StreamingResponse(events(), media_type="text/event-stream")

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v1/timelines/tag/{tag}", self.timeline),
                Route("/api/v1/streaming/hashtag", self.sse),
            ]
        )

    # -- WebSocket ---------------------------------------------------------------------

    async def websocket(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request else ""
        if "stream=hashtag" not in path:
            await ws.close(4000, "wrong stream")
            return
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self.subscribers.append(queue)
        closed = asyncio.ensure_future(ws.wait_closed())
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    return  # the client went away
                item = getter.result()
                if item is DROP:
                    ws.transport.abort()  # the network goes away, no close frame
                    return
                if isinstance(item, str):
                    await ws.send(item)
                elif "raw" in item:
                    await ws.send(item["raw"])
                else:
                    frame = {"stream": ["hashtag", self.tag], "event": "update",
                             "payload": json.dumps(item)}
                    await ws.send(json.dumps(frame))
        finally:
            closed.cancel()
            self.subscribers.remove(queue)
