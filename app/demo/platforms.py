"""In-process stand-ins for Mastodon, Bluesky (Jetstream), YouTube live chat and X, on
127.0.0.1, so the demo's social channels run through the real connectors.

Only what the connectors read is served: the Mastodon tag timeline (`min_id`), the
YouTube `liveChat/messages` poll (`pageToken`), X recent search (`since_id`) and the
Jetstream WebSocket (`cursor` replay) with `getProfile` for names. Ids grow with the
clock, so cursors stored by an earlier demo run stay valid.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.clock import epoch_seconds, utc_now

SOCIAL = ("mastodon", "bluesky", "youtube", "x")


def _now_iso() -> str:
    return utc_now().isoformat().replace("+00:00", "Z")


class DemoPlatforms:
    """Four fake platforms in one small ASGI app; `post()` publishes on one of them."""

    def __init__(self, hashtag: str) -> None:
        self.tag = hashtag.lstrip("#")
        self.mastodon: list[dict[str, Any]] = []
        self.youtube: list[dict[str, Any]] = []
        self.x: list[dict[str, Any]] = []
        self.jetstream: list[tuple[int, str]] = []
        self.names: dict[str, str] = {}
        self.listeners: list[asyncio.Queue[str | None]] = []
        self.chat_id = f"demo-chat-{int(epoch_seconds())}"
        self._last = 0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.base = ""

    def _next_id(self) -> int:
        """Unique, increasing across runs: microseconds since the epoch."""
        self._last = max(self._last + 1, int(epoch_seconds() * 1_000_000))
        return self._last

    # -- publishing --------------------------------------------------------------------

    def post(self, channel: str, name: str, text: str) -> None:
        n = self._next_id()
        person = "".join(c for c in name.lower() if c.isalnum())
        if channel == "mastodon":
            self.mastodon.append(
                {
                    "id": str(n),
                    "created_at": _now_iso(),
                    "reblog": None,
                    "spoiler_text": "",
                    "content": f"<p>{html.escape(text, quote=False)}</p>",  # as Mastodon serves it
                    "url": f"https://mastodon.example/@{person}/{n}",
                    "account": {"id": person, "display_name": name, "acct": person},
                }
            )
        elif channel == "youtube":
            self.youtube.append(
                {
                    "id": f"yt{n}",
                    "snippet": {
                        "type": "textMessageEvent",
                        "publishedAt": _now_iso(),
                        "textMessageDetails": {"messageText": text},
                        "authorChannelId": f"UC{person}",
                    },
                    "authorDetails": {"displayName": name, "channelId": f"UC{person}"},
                }
            )
        elif channel == "x":
            self.x.append(
                {
                    "id": str(n),
                    "text": f"{text} #{self.tag}",
                    "author_id": person,
                    "created_at": _now_iso(),
                    "_user": {"id": person, "name": name, "username": person},
                }
            )
        elif channel == "bluesky":
            did = f"did:plc:{person}"
            self.names[did] = name
            record = {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": _now_iso(),
                "tags": [self.tag],
            }
            frame = json.dumps(
                {
                    "did": did,
                    "time_us": n,
                    "kind": "commit",
                    "commit": {
                        "rev": str(n),
                        "operation": "create",
                        "collection": "app.bsky.feed.post",
                        "rkey": f"demo{n}",
                        "record": record,
                    },
                }
            )
            self.jetstream.append((n, frame))
            for queue in self.listeners:
                queue.put_nowait(frame)
        else:
            raise ValueError(f"not a social channel: {channel}")

    # -- HTTP and WebSocket ------------------------------------------------------------

    async def _timeline(self, request: Request) -> Response:
        after = int(request.query_params.get("min_id") or 0)
        limit = int(request.query_params.get("limit") or 20)
        page = [s for s in self.mastodon if int(s["id"]) > after]
        page = page[:limit] if after else page[-limit:]
        return JSONResponse(list(reversed(page)))

    async def _chat(self, request: Request) -> Response:
        if request.query_params.get("liveChatId") != self.chat_id:
            return JSONResponse({"error": {"errors": [{"reason": "liveChatNotFound"}]}}, 404)
        start = int(request.query_params.get("pageToken") or 0)
        return JSONResponse(
            {
                "items": self.youtube[start:],
                "pollingIntervalMillis": 1000,
                "nextPageToken": str(len(self.youtube)),
            }
        )

    async def _search(self, request: Request) -> Response:
        since = int(request.query_params.get("since_id") or 0)
        posts = [p for p in self.x if int(p["id"]) > since][::-1]
        users = [p["_user"] for p in posts]
        data = [{k: v for k, v in p.items() if k != "_user"} for p in posts]
        meta = {"result_count": len(data), **({"newest_id": data[0]["id"]} if data else {})}
        return JSONResponse({"data": data, "includes": {"users": users}, "meta": meta})

    async def _profile(self, request: Request) -> Response:
        did = request.query_params.get("actor", "")
        return JSONResponse(
            {"did": did, "handle": f"{did[8:]}.bsky.social", "displayName": self.names.get(did)}
        )

    async def _subscribe(self, ws: WebSocket) -> None:
        await ws.accept()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        cursor = ws.query_params.get("cursor")
        if cursor:
            for time_us, frame in self.jetstream:
                if time_us >= int(cursor):
                    queue.put_nowait(frame)
        self.listeners.append(queue)
        try:
            while (item := await queue.get()) is not None:
                await ws.send_text(item)
            await ws.close()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.listeners.remove(queue)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v1/timelines/tag/{tag}", self._timeline),
                Route("/youtube/v3/liveChat/messages", self._chat),
                Route("/2/tweets/search/recent", self._search),
                Route("/xrpc/app.bsky.actor.getProfile", self._profile),
                WebSocketRoute("/subscribe", self._subscribe),
            ]
        )

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app(),
            host="127.0.0.1",
            port=0,
            log_config=None,  # leave the real server's logging as it is
            lifespan="off",
            access_log=False,
            ws="auto",
        )
        self._server = uvicorn.Server(config)
        # Ctrl-C belongs to the real server; this one stops when the demo task ends.
        # (Replacing a method: uvicorn types it as its own generator context manager.)
        self._server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(500):
            if self._server.started or self._task.done():
                break
            await asyncio.sleep(0.01)
        if not self._server.started:
            if self._task.done() and self._task.exception() is not None:
                raise RuntimeError("demo platforms did not start") from self._task.exception()
            raise RuntimeError("demo platforms did not start")
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        server, task, self._server, self._task = self._server, self._task, None, None
        if server is None or task is None:
            return
        for queue in self.listeners:
            queue.put_nowait(None)  # let the Jetstream sockets close cleanly
        await asyncio.sleep(0.05)
        server.should_exit = True
        server.force_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def connector_settings(self) -> dict[str, dict[str, Any]]:
        """The connectors' settings pointing here; short intervals so the demo feels live."""
        return {
            "mastodon": {"instance": self.base, "hashtags": [self.tag], "poll_interval": 2},
            "bluesky": {
                "hashtags": [self.tag],
                "jetstream_url": self.base.replace("http", "ws"),
                "appview_url": self.base,
            },
            "youtube": {
                "live_chat_id": self.chat_id,
                "video_id": "demo-video",
                "api_key": "demo-key",
                "api_url": f"{self.base}/youtube/v3",
                "min_interval": 1,
            },
            "x": {
                "hashtags": [self.tag],
                "bearer_token": "demo-token",
                "max_reads": 100_000,
                "api_url": f"{self.base}/2",
                "poll_interval": 3,
            },
        }
