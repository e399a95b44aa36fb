"""YouTube live chat connector: `liveChat/messages` polling.

Each answer carries `nextPageToken` (the resume cursor, saved after the batch is ingested)
and `pollingIntervalMillis`, which we wait before asking again, as the API requires. The
chat id comes from the config or from `videos.list` → `activeLiveChatId`. Answers with
`part=snippet` only (no `authorDetails`) still work: the name is then unknown.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
from pydantic import BaseModel, Field, SecretStr, model_validator

from integrations.base import (
    ConnectorError,
    ConnectorStatus,
    Cursor,
    FatalConnectorError,
    IncomingMessage,
    RateLimited,
    Sink,
)
from integrations.ratelimit import delay_from_headers, raise_for_response
from integrations.wire import http_client, loads
from ports.clock import parse_iso

log = logging.getLogger(__name__)
CHANNEL = "youtube"
_ENDED = {"liveChatEnded", "liveChatDisabled", "liveChatNotFound", "forbidden"}
_SLOW_DOWN = {"rateLimitExceeded", "quotaExceeded", "userRateLimitExceeded"}


class YouTubeConfig(BaseModel):
    live_chat_id: str | None = None
    video_id: str | None = None
    api_key: SecretStr | None = None
    token: SecretStr | None = Field(None, description="OAuth bearer instead of an API key")
    api_url: str = "https://www.googleapis.com/youtube/v3"
    min_interval: float = Field(1.0, description="floor for pollingIntervalMillis, seconds")
    quota_wait: float = Field(600.0, description="wait after quotaExceeded, seconds")
    timeout: float = 30.0

    @model_validator(mode="after")
    def _needs_a_chat(self) -> YouTubeConfig:
        if not (self.live_chat_id or self.video_id):
            raise ValueError("give live_chat_id or video_id")
        return self


def item_to_message(item: dict[str, Any], video_id: str | None = None) -> IncomingMessage | None:
    """A chat message (plain or Super Chat) as an IncomingMessage; None for other events."""
    snippet = item.get("snippet") or {}
    kind = snippet.get("type")
    if kind == "textMessageEvent":
        text = (snippet.get("textMessageDetails") or {}).get("messageText")
    elif kind == "superChatEvent":
        text = (snippet.get("superChatDetails") or {}).get("userComment")
    else:
        return None  # deletions, bans, memberships, polls: not questions
    text = text or snippet.get("displayMessage")
    if not text:
        return None
    author = item.get("authorDetails") or {}
    return IncomingMessage(
        channel=CHANNEL,
        external_id=item["id"],
        text=text,
        author_name=author.get("displayName"),
        author_id=snippet.get("authorChannelId") or author.get("channelId"),
        sent_at=parse_iso(snippet.get("publishedAt")),
        url=f"https://www.youtube.com/watch?v={video_id}" if video_id else None,
    )


def _error_reason(response: httpx.Response) -> str | None:
    try:
        errors = response.json()["error"]["errors"]
        return errors[0].get("reason")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


class YouTubeConnector:
    channel = CHANNEL
    config_model = YouTubeConfig

    def __init__(self, config: YouTubeConfig) -> None:
        self.config = config
        self.key = f"{CHANNEL}:{config.live_chat_id or config.video_id}"
        self.chat_id = config.live_chat_id

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> YouTubeConnector:
        return cls(YouTubeConfig.model_validate(config))

    def _auth(self) -> tuple[dict[str, str], dict[str, str]]:
        """(headers, params) carrying the OAuth token or the API key."""
        if self.config.token:
            return {"Authorization": f"Bearer {self.config.token.get_secret_value()}"}, {}
        if self.config.api_key:
            return {}, {"key": self.config.api_key.get_secret_value()}
        return {}, {}

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code in (403, 404):
            reason = _error_reason(response)
            if reason in _SLOW_DOWN:
                wait = self.config.quota_wait if reason == "quotaExceeded" else 60.0
                delay = delay_from_headers(response.headers)
                raise RateLimited(f"{what}: {reason}", wait if delay is None else delay)
            if reason in _ENDED:
                raise FatalConnectorError(f"{what}: {reason}")
        raise_for_response(response, what)

    async def _find_chat(self, client: httpx.AsyncClient, params: dict[str, str]) -> str:
        response = await client.get(
            f"{self.config.api_url}/videos",
            params={**params, "part": "liveStreamingDetails", "id": self.config.video_id},
        )
        self._check(response, "YouTube videos.list")
        items = loads(response.text, "YouTube videos.list").get("items") or []
        chat = items[0].get("liveStreamingDetails", {}).get("activeLiveChatId") if items else None
        if not chat:
            raise FatalConnectorError("YouTube: the video has no active live chat")
        return chat

    async def run(self, sink: Sink, cursor: Cursor, status: ConnectorStatus) -> None:
        headers, auth = self._auth()
        async with http_client(self.config.timeout, headers) as client:
            if not self.chat_id:
                self.chat_id = await self._find_chat(client, auth)
            stored = await cursor.get()
            saved = json.loads(stored) if stored else {}
            page = saved.get("page") if saved.get("chat") == self.chat_id else None
            while True:
                params = {**auth, "liveChatId": self.chat_id, "maxResults": "2000",
                          "part": "id,snippet,authorDetails"}
                if page:
                    params["pageToken"] = page
                response = await client.get(f"{self.config.api_url}/liveChat/messages",
                                            params=params)
                self._check(response, "YouTube liveChat")
                body = loads(response.text, "YouTube liveChat")
                if not isinstance(body, dict):
                    raise ConnectorError("YouTube liveChat: answer is not an object")
                status.connected()
                messages = [m for item in body.get("items") or []
                            if (m := item_to_message(item, self.config.video_id))]
                if messages:
                    await sink(messages)
                if body.get("nextPageToken"):
                    page = body["nextPageToken"]
                    await cursor.set(json.dumps({"chat": self.chat_id, "page": page}))
                if body.get("offlineAt"):
                    raise FatalConnectorError("YouTube: the live chat has ended")
                interval = (body.get("pollingIntervalMillis") or 0) / 1000
                await asyncio.sleep(max(interval, self.config.min_interval))
