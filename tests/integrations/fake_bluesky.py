"""A Jetstream instance (WebSocket, replay from `cursor` in microseconds) and an AppView
(`getProfile`, `searchPosts`) on 127.0.0.1, with events cloned from the real payloads."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection

from .support import payload

DROP = object()


class FakeJetstream:
    def __init__(self) -> None:
        self.post_template = payload("bluesky-jetstream-post.json")
        self.like_template = payload("bluesky-jetstream-like.json")
        self.log: list[tuple[int, str]] = []  # (time_us, frame) in order
        self.connections: list[dict[str, list[str]]] = []
        self.live: list[asyncio.Queue[Any]] = []
        self.clock = self.post_template["time_us"]
        self.n = 0
        self.profile_requests = 0
        self.profile_fails = False
        self.search_body: dict[str, Any] | None = None

    # -- events ------------------------------------------------------------------------

    def _emit(self, event: dict[str, Any]) -> dict[str, Any]:
        self.clock += 1000
        event["time_us"] = self.clock
        frame = json.dumps(event)
        self.log.append((self.clock, frame))
        for queue in self.live:
            queue.put_nowait(frame)
        return event

    def emit_raw(self, frame: str, time_us: int) -> None:
        self.log.append((time_us, frame))
        for queue in self.live:
            queue.put_nowait(frame)

    def post(self, text: str, tag: str | None = "floorbridge", *, in_tags: bool = False,
             did: str | None = None) -> str:
        """A post; the tag as a facet (like the payload) or in `record.tags`. Returns the URI."""
        event = copy.deepcopy(self.post_template)
        self.n += 1
        rkey = f"3mbifys{self.n:06d}"
        event["commit"]["rkey"] = rkey
        event["did"] = did or event["did"]
        record = event["commit"]["record"]
        body = f"#{tag} {text}" if tag and not in_tags else text
        record["text"] = body
        record["facets"] = []
        if tag and in_tags:
            record["tags"] = [tag]
        elif tag:
            end = len(f"#{tag}".encode())
            record["facets"] = [{"features": [{"$type": "app.bsky.richtext.facet#tag",
                                               "tag": tag}],
                                 "index": {"byteStart": 0, "byteEnd": end}}]
        self._emit(event)
        return f"at://{event['did']}/app.bsky.feed.post/{rkey}"

    def like(self) -> None:
        self._emit(copy.deepcopy(self.like_template))

    def drop(self) -> None:
        for queue in self.live:
            queue.put_nowait(DROP)

    def garble(self) -> None:
        for queue in self.live:
            queue.put_nowait('{"did": "did:plc:x", "time_us": ')

    # -- servers -----------------------------------------------------------------------

    async def websocket(self, ws: ServerConnection) -> None:
        request = urlsplit(ws.request.path if ws.request else "")
        query = parse_qs(request.query)
        self.connections.append(query)
        if request.path != "/subscribe":
            await ws.close(4000, "not found")
            return
        queue: asyncio.Queue[Any] = asyncio.Queue()
        if "cursor" in query:
            start = int(query["cursor"][0])
            for time_us, frame in self.log:
                if time_us >= start:
                    queue.put_nowait(frame)
        self.live.append(queue)
        closed = asyncio.ensure_future(ws.wait_closed())
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    return
                item = getter.result()
                if item is DROP:
                    ws.transport.abort()
                    return
                await ws.send(item)
        finally:
            closed.cancel()
            self.live.remove(queue)

    async def profile(self, request: Request) -> Response:
        self.profile_requests += 1
        if self.profile_fails:
            return JSONResponse({"error": "InternalServerError"}, status_code=500)
        did = request.query_params["actor"]
        return JSONResponse({"did": did, "handle": "cavs-fan.bsky.social",
                             "displayName": "Cavs Fan"})

    async def search(self, request: Request) -> Response:
        return JSONResponse(self.search_body or {"posts": []})

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/xrpc/app.bsky.actor.getProfile", self.profile),
            Route("/xrpc/app.bsky.feed.searchPosts", self.search),
        ])
