"""Mastodon hashtag connector: timeline polling, or SSE / WebSocket streaming with catch-up.

Polling walks `GET /api/v1/timelines/tag/:tag?min_id=<cursor>` forward through the
`Link: rel="prev"` pages, so nothing between two polls is skipped. Streaming has no resume
point, so each (re)connection opens the stream first, then catches up over REST from the
stored cursor, then reads live events: a dropped stream loses nothing. The cursor is the
highest status id delivered. Boosts (`reblog` not null) are passed on with
`is_repost=True` and the booster as author; they are not new questions.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field, SecretStr
from websockets.asyncio.client import connect as ws_connect

from integrations.base import (
    ConnectorError,
    ConnectorStatus,
    Cursor,
    IncomingMessage,
    Sink,
)
from integrations.html_text import html_to_text
from integrations.ratelimit import delay_from_headers, quota_exhausted, raise_for_response
from integrations.wire import (
    http_client,
    loads,
    normalise_tag,
    same_origin,
    to_ws_url,
)
from ports.clock import parse_iso

log = logging.getLogger(__name__)
CHANNEL = "mastodon"


class MastodonConfig(BaseModel):
    """Per-session settings. Streaming needs a user token on Mastodon >= 4.2."""

    instance: str = Field(description="base URL, e.g. https://mastodon.social")
    hashtags: list[str] = Field(min_length=1)
    token: SecretStr | None = None
    mode: Literal["poll", "sse", "websocket"] = "poll"
    streaming_url: str | None = Field(None, description="defaults to the instance URL")
    poll_interval: float = 10.0
    limit: int = Field(40, ge=1, le=40)
    timeout: float = Field(30.0, description="read timeout; the stream sends heartbeats")


def status_to_message(status: dict[str, Any]) -> IncomingMessage:
    """Map one Mastodon Status entity; HTML content becomes plain text here."""
    reblog = status.get("reblog")
    source = reblog if isinstance(reblog, dict) else status
    account = status.get("account") or {}
    text = html_to_text(source.get("content") or "")
    warning = (source.get("spoiler_text") or "").strip()
    if warning:
        text = f"CW: {warning}\n\n{text}"
    return IncomingMessage(
        channel=CHANNEL,
        external_id=str(status["id"]),
        text=text,
        author_name=account.get("display_name") or account.get("acct") or None,
        author_id=str(account["id"]) if account.get("id") is not None else None,
        sent_at=parse_iso(status.get("created_at")),
        url=source.get("url") or source.get("uri"),
        is_repost=reblog is not None,
    )


class MastodonConnector:
    """Hashtag posts from one Mastodon instance into one session."""

    channel = CHANNEL
    config_model = MastodonConfig

    def __init__(self, config: MastodonConfig) -> None:
        self.config = config
        self.base = config.instance.rstrip("/")
        self.tags = [normalise_tag(t) for t in config.hashtags]
        self.key = f"{CHANNEL}:{httpx.URL(self.base).host}"
        self._seen: deque[str] = deque(maxlen=2000)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MastodonConnector:
        return cls(MastodonConfig.model_validate(config))

    def _headers(self) -> dict[str, str]:
        token = self.config.token
        return {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}

    async def run(self, sink: Sink, cursor: Cursor, status: ConnectorStatus) -> None:
        async with http_client(self.config.timeout, self._headers()) as client:
            if self.config.mode == "poll":
                while True:
                    await self.catch_up(client, sink, cursor, status)
                    await asyncio.sleep(self.config.poll_interval)
            elif self.config.mode == "sse":
                await self._run_sse(client, sink, cursor, status)
            else:
                await self._run_websocket(client, sink, cursor, status)

    # -- REST --------------------------------------------------------------------------

    async def catch_up(
        self, client: httpx.AsyncClient, sink: Sink, cursor: Cursor, status: ConnectorStatus
    ) -> None:
        """Fetch everything newer than the cursor, oldest page first, storing as we go."""
        since = await cursor.get()
        first_url = url = f"{self.base}/api/v1/timelines/tag/{quote(self.tags[0])}"
        base_params: dict[str, Any] = {"limit": self.config.limit}
        if len(self.tags) > 1:
            base_params["any[]"] = self.tags[1:]
        params: dict[str, Any] | None
        params = dict(base_params)
        if since:
            params["min_id"] = since
        while True:
            response = await client.get(url, params=params)
            raise_for_response(response, "Mastodon timeline")
            page = loads(response.text, "Mastodon timeline")
            if not isinstance(page, list):
                raise ConnectorError("Mastodon timeline: expected a list of statuses")
            status.connected()
            if not page:
                return
            page.sort(key=lambda s: int(s["id"]))
            await self._deliver(page, sink, cursor)
            if since is None:
                return  # first start: take the newest page, then follow from there
            if quota_exhausted(response.headers):
                await asyncio.sleep(delay_from_headers(response.headers) or 0.0)
            prev = response.links.get("prev", {}).get("url")
            if prev and same_origin(prev, self.base):
                url, params = prev, None
            else:
                url, params = first_url, {**base_params, "min_id": page[-1]["id"]}

    async def _deliver(self, statuses: list[dict[str, Any]], sink: Sink, cursor: Cursor) -> None:
        fresh = [s for s in statuses if str(s["id"]) not in self._seen]
        if fresh:
            await sink([status_to_message(s) for s in fresh])
            self._seen.extend(str(s["id"]) for s in fresh)
        stored = await cursor.get()
        newest = max(int(s["id"]) for s in statuses)
        if stored is None or newest > int(stored):
            await cursor.set(str(newest))

    async def _on_event(self, event: str | None, payload: Any, sink: Sink, cursor: Cursor) -> None:
        """Handle one streaming event; only `update` carries a new status."""
        if event != "update":
            return  # delete, status.update (edits), notifications: not new questions
        if not isinstance(payload, dict) or "id" not in payload:
            raise ConnectorError("Mastodon stream: update without a status")
        await self._deliver([payload], sink, cursor)

    # -- SSE ---------------------------------------------------------------------------

    async def _run_sse(
        self, client: httpx.AsyncClient, sink: Sink, cursor: Cursor, status: ConnectorStatus
    ) -> None:
        if len(self.tags) != 1:
            raise ConnectorError("Mastodon SSE streams one hashtag; use websocket mode")
        base = (self.config.streaming_url or self.base).rstrip("/")
        url = f"{base}/api/v1/streaming/hashtag"
        async with client.stream("GET", url, params={"tag": self.tags[0]}) as response:
            if response.status_code != 200:
                await response.aread()
                raise_for_response(response, "Mastodon stream")
            status.connected()
            await self.catch_up(client, sink, cursor, status)
            event: str | None = None
            data: list[str] = []
            async for line in response.aiter_lines():
                if line == "":
                    if data:
                        payload = loads("\n".join(data), "Mastodon stream")
                        await self._on_event(event, payload, sink, cursor)
                    event, data = None, []
                elif line.startswith(":"):
                    continue  # heartbeat comment
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    value = line[5:]
                    data.append(value[1:] if value.startswith(" ") else value)

    # -- WebSocket ---------------------------------------------------------------------

    async def _run_websocket(
        self, client: httpx.AsyncClient, sink: Sink, cursor: Cursor, status: ConnectorStatus
    ) -> None:
        base = to_ws_url((self.config.streaming_url or self.base).rstrip("/"))
        url = f"{base}/api/v1/streaming?stream=hashtag&tag={quote(self.tags[0])}"
        async with ws_connect(
            url,
            additional_headers=self._headers(),
            open_timeout=self.config.timeout,
            proxy=None,
        ) as ws:
            for tag in self.tags[1:]:
                await ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": tag}))
            status.connected()
            await self.catch_up(client, sink, cursor, status)
            # A quiet hashtag may send nothing for minutes: websockets' pings detect a dead
            # connection, so no receive timeout here.
            async for raw in ws:
                frame = loads(raw, "Mastodon stream")
                if not isinstance(frame, dict):
                    raise ConnectorError("Mastodon stream: frame is not an object")
                payload = frame.get("payload")
                if isinstance(payload, str):
                    payload = loads(payload, "Mastodon stream payload")  # JSON inside JSON
                await self._on_event(frame.get("event"), payload, sink, cursor)

