"""The X API v2 on 127.0.0.1: recent search (`since_id`, `next_token`, `x-rate-limit-*`),
stream rules, and the filtered stream (one JSON object per line, blank keep-alive lines),
with posts cloned from the real payload files."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections import deque
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .support import payload, payload_text

DROP, SILENCE = object(), object()


class StreamDropped(Exception):
    pass


class FakeX:
    def __init__(self) -> None:
        self.stream_template = payload("x-filtered-stream.json")
        self.search_template = payload("x-recent-search.json")
        self.rule_id = payload("x-filtered-stream-add-rules-response.json")["data"][0]["id"]
        self.posts: list[dict[str, Any]] = []
        self.rule_list: list[dict[str, Any]] = []
        self.rule_posts: list[Any] = []
        self.faults: deque[str] = deque()
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self.live: list[asyncio.Queue[Any]] = []
        self.page_size = 10
        self.next_id = 1_234_567_890_123_456_789
        self.sent_reset = 0

    def post(self, text: str, *, other_rule: bool = False) -> str:
        self.next_id += 1
        item = copy.deepcopy(self.stream_template["data"])
        item.update(id=str(self.next_id), text=text, edit_history_tweet_ids=[str(self.next_id)])
        if not other_rule:
            self.posts.append(item)
        line = copy.deepcopy(self.stream_template)
        line["data"] = item
        if other_rule:
            line["matching_rules"] = [{"id": "999", "tag": "someone else"}]
        for queue in self.live:
            queue.put_nowait(json.dumps(line) + "\r\n")
        return item["id"]

    def send(self, item: Any) -> None:
        for queue in self.live:
            queue.put_nowait(item)

    def _log(self, request: Request) -> str | None:
        self.requests.append((time.time(), request.url.path, dict(request.query_params)))
        return self.faults.popleft() if self.faults else None

    async def search(self, request: Request) -> Response:
        fault = self._log(request)
        if fault == "429":
            reset = int(time.time()) + 1
            self.sent_reset = reset
            return JSONResponse({"title": "Too Many Requests"}, status_code=429, headers={
                "x-rate-limit-limit": "450", "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset)})
        if fault == "500":
            return JSONResponse({"title": "Internal Error"}, status_code=500)
        if fault == "slow":
            await asyncio.sleep(1.0)
        if fault == "malformed":
            return Response('{"data": [{"id": ', media_type="application/json")
        query = request.query_params
        since = int(query.get("since_id", 0))
        size = min(int(query.get("max_results", 10)), self.page_size)
        newest_first = [p for p in reversed(self.posts) if int(p["id"]) > since]
        offset = int(query.get("next_token", "p0")[1:])
        page = newest_first[offset : offset + size]
        body = copy.deepcopy(self.search_template)
        body["data"] = page
        body["meta"] = {"result_count": len(page)}
        if page:
            body["meta"].update(newest_id=newest_first[0]["id"], oldest_id=page[-1]["id"])
        else:
            del body["data"]
        if offset + size < len(newest_first):
            body["meta"]["next_token"] = f"p{offset + size}"
        return JSONResponse(body, headers={"x-rate-limit-remaining": "449"})

    async def rules(self, request: Request) -> Response:
        self._log(request)
        if request.method == "POST":
            body = await request.json()
            self.rule_posts.append(body)
            self.rule_list.append({"id": self.rule_id, **body["add"][0]})
            return Response(payload_text("x-filtered-stream-add-rules-response.json"),
                            media_type="application/json")
        return JSONResponse({"data": self.rule_list, "meta": {"result_count": len(self.rule_list)}}
                            if self.rule_list else {"meta": {"result_count": 0}})

    async def stream(self, request: Request) -> Response:
        self._log(request)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self.live.append(queue)

        async def lines() -> Any:
            try:
                yield "\r\n"
                while True:
                    item = await queue.get()
                    if item is DROP:
                        raise StreamDropped
                    if item is SILENCE:
                        await asyncio.sleep(3600)
                    yield item
            finally:
                self.live.remove(queue)

        return StreamingResponse(lines(), media_type="application/json")

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/2/tweets/search/recent", self.search),
            Route("/2/tweets/search/stream/rules", self.rules, methods=["GET", "POST"]),
            Route("/2/tweets/search/stream", self.stream),
        ])
