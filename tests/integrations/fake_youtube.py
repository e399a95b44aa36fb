"""The YouTube Data API's live chat on 127.0.0.1: `videos` (activeLiveChatId) and
`liveChat/messages` with page tokens and `pollingIntervalMillis`, items cloned from the
real payloads (with and without `authorDetails`)."""

from __future__ import annotations

import asyncio
import copy
import json
from collections import deque
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .support import payload, payload_text

CHAT = "Cg0KC2YxSFFRUDltVUY4KicKGFVDSmc5d0JQeUtNTkE1c1JEbnZ6bWtkZxILZjFIUVFQOW1VRjg"


class FakeYouTube:
    def __init__(self) -> None:
        self.full = payload("youtube-livechat.json")["items"][0]
        self.bare = payload("youtube-livechat-2018-snippet-only.json")["items"][0]
        self.doc_body = payload_text("youtube-livechat.json")
        self.doc_token = payload("youtube-livechat.json")["nextPageToken"]
        self.items: list[dict[str, Any]] = []
        self.tokens: dict[str, int] = {}
        self.faults: deque[str] = deque()
        self.requests: list[tuple[float, dict[str, str]]] = []
        self.interval_ms = 20
        self.serve_doc_first = False

    def say(self, text: str, *, with_author: bool = True, kind: str = "textMessageEvent") -> str:
        item = copy.deepcopy(self.full if with_author else self.bare)
        item["id"] = f"LCC.fake{len(self.items):05d}"
        item["snippet"].update(type=kind, displayMessage=text,
                               textMessageDetails={"messageText": text})
        self.items.append(item)
        return item["id"]

    def _token(self, position: int) -> str:
        token = f"tok{position:05d}"
        self.tokens[token] = position
        return token

    async def messages(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.requests.append((asyncio.get_running_loop().time(), query))
        fault = self.faults.popleft() if self.faults else None
        if fault == "500":
            return JSONResponse({"error": {"code": 500}}, status_code=500)
        if fault == "rate":
            return JSONResponse({"error": {"code": 403, "errors": [
                {"reason": "rateLimitExceeded", "domain": "youtube.liveChat"}]}},
                status_code=403, headers={"Retry-After": "0.3"})
        if fault == "slow":
            await asyncio.sleep(1.0)
        if fault == "malformed":
            return Response('{"items": [', media_type="application/json")
        if fault == "ended":
            return JSONResponse({"error": {"code": 403, "errors": [
                {"reason": "liveChatEnded"}]}}, status_code=403)
        if query.get("liveChatId") != CHAT:
            return JSONResponse({"error": {"code": 404, "errors": [
                {"reason": "liveChatNotFound"}]}}, status_code=404)
        if self.serve_doc_first and "pageToken" not in query:
            self.serve_doc_first = False
            self.tokens[self.doc_token] = 1
            return Response(self.doc_body, media_type="application/json")
        start = self.tokens.get(query.get("pageToken", ""), 0)
        page = self.items[start:]
        body = {"kind": "youtube#liveChatMessageListResponse", "etag": "x",
                "pollingIntervalMillis": self.interval_ms,
                "pageInfo": {"totalResults": len(page), "resultsPerPage": len(page)},
                "nextPageToken": self._token(len(self.items)), "items": page}
        return Response(json.dumps(body), media_type="application/json")

    async def videos(self, request: Request) -> Response:
        return JSONResponse({"items": [{"id": request.query_params["id"],
                                        "liveStreamingDetails": {"activeLiveChatId": CHAT}}]})

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/youtube/v3/liveChat/messages", self.messages),
            Route("/youtube/v3/videos", self.videos),
        ])
