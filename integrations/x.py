"""X (Twitter) hashtag connector: recent search polling, or the filtered stream. Opt-in.

Reads are paid, so the config must set `max_reads` (posts read per session, kept in the
cursor so a restart does not reset it); at the cap the connector stops with a reason.
Search polls `GET /2/tweets/search/recent` with `since_id` (the cursor) and follows
`meta.next_token`. The stream (`GET /2/tweets/search/stream`) sends one JSON object per
line and a blank keep-alive line every 20 s; its rule is created once and lines are kept
by that rule's id; each (re)connection catches up through recent search from `since_id`,
so a drop loses nothing.
Retweets are excluded in the query (they cost reads) and marked `is_repost` if they come.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from datetime import timedelta
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field, SecretStr

from integrations.base import (
    ConnectorError,
    ConnectorStatus,
    Cursor,
    FatalConnectorError,
    IncomingMessage,
    Sink,
)
from integrations.ratelimit import raise_for_response
from integrations.wire import http_client, loads, normalise_tag
from ports.clock import parse_iso, utc_now

log = logging.getLogger(__name__)
CHANNEL = "x"
FIELDS = {
    "tweet.fields": "created_at,author_id,referenced_tweets",
    "expansions": "author_id",
    "user.fields": "username,name",
}


class XConfig(BaseModel):
    hashtags: list[str] = Field(min_length=1)
    bearer_token: SecretStr
    max_reads: int = Field(gt=0, description="posts read per session; required, reads are paid")
    mode: Literal["search", "stream"] = "search"
    api_url: str = "https://api.x.com/2"
    poll_interval: float = 60.0
    backfill_minutes: float = Field(15.0, description="first start: how far back to search")
    rule_tag: str = "floorbridge"
    timeout: float = Field(30.0, description="read timeout; the stream keeps alive every 20 s")


def query_for(tags: list[str]) -> str:
    joined = " OR ".join(f"#{t}" for t in tags)
    return f"({joined}) -is:retweet" if len(tags) > 1 else f"{joined} -is:retweet"


def post_to_message(post: dict[str, Any], users: dict[str, dict[str, Any]]) -> IncomingMessage:
    """One v2 post object, its author looked up in `includes.users`."""
    user = users.get(str(post.get("author_id")), {})
    username = user.get("username")
    refs = post.get("referenced_tweets") or []
    return IncomingMessage(
        channel=CHANNEL,
        external_id=str(post["id"]),
        text=post.get("text", ""),
        author_name=user.get("name") or (f"@{username}" if username else None),
        author_id=str(post["author_id"]) if post.get("author_id") else None,
        sent_at=parse_iso(post.get("created_at")),
        url=f"https://x.com/{username or 'i/web'}/status/{post['id']}",
        is_repost=any(r.get("type") == "retweeted" for r in refs),
    )


def users_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(u["id"]): u for u in (body.get("includes") or {}).get("users") or []}


class XConnector:
    channel = CHANNEL
    config_model = XConfig

    def __init__(self, config: XConfig) -> None:
        self.config = config
        self.tags = [normalise_tag(t) for t in config.hashtags]
        self.query = query_for(self.tags)
        self.key = f"{CHANNEL}:{config.mode}"
        self._seen: deque[str] = deque(maxlen=2000)
        self.since_id: str | None = None
        self.reads = 0
        self._rule_id: str | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> XConnector:
        return cls(XConfig.model_validate(config))

    async def run(self, sink: Sink, cursor: Cursor, status: ConnectorStatus) -> None:
        stored = await cursor.get()
        if stored:
            saved = json.loads(stored)
            self.since_id, self.reads = saved.get("since_id"), int(saved.get("reads", 0))
        token = self.config.bearer_token.get_secret_value()
        async with http_client(self.config.timeout, {"Authorization": f"Bearer {token}"}) as c:
            if self.config.mode == "search":
                while True:
                    await self.search(c, sink, cursor, status)
                    await asyncio.sleep(self.config.poll_interval)
            else:
                await self._ensure_rule(c)
                await self._stream(c, sink, cursor, status)

    # -- bookkeeping -------------------------------------------------------------------

    def _check_cap(self) -> None:
        if self.reads >= self.config.max_reads:
            raise FatalConnectorError(f"X read cap reached ({self.config.max_reads} posts)")

    async def _deliver(
        self, posts: list[dict[str, Any]], users: dict[str, dict[str, Any]], sink: Sink
    ) -> None:
        fresh = [p for p in posts if str(p["id"]) not in self._seen]
        fresh.sort(key=lambda p: int(p["id"]))
        if fresh:
            await sink([post_to_message(p, users) for p in fresh])
            self._seen.extend(str(p["id"]) for p in fresh)

    async def _save(self, cursor: Cursor, newest: str | None) -> None:
        if newest and (self.since_id is None or int(newest) > int(self.since_id)):
            self.since_id = newest
        await cursor.set(json.dumps({"since_id": self.since_id, "reads": self.reads}))

    # -- recent search -----------------------------------------------------------------

    async def search(
        self, client: httpx.AsyncClient, sink: Sink, cursor: Cursor, status: ConnectorStatus
    ) -> None:
        """Everything after `since_id`, all pages; the cursor moves once all are ingested."""
        params: dict[str, Any] = {**FIELDS, "query": self.query}
        if self.since_id:
            params["since_id"] = self.since_id
        else:
            start = utc_now() - timedelta(minutes=self.config.backfill_minutes)
            params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        newest: str | None = None
        posts: list[dict[str, Any]] = []
        users: dict[str, dict[str, Any]] = {}
        while True:  # pages run newest to oldest: collect, then ingest oldest first
            self._check_cap()
            params["max_results"] = max(10, min(100, self.config.max_reads - self.reads))
            response = await client.get(f"{self.config.api_url}/tweets/search/recent",
                                        params=params)
            raise_for_response(response, "X recent search")
            body = loads(response.text, "X recent search")
            status.connected()
            meta = body.get("meta") or {}
            newest = newest or meta.get("newest_id")
            page = body.get("data") or []
            posts += page
            users |= users_of(body)
            self.reads += len(page)
            await self._save(cursor, None)  # the paid reads count even if we crash now
            if not meta.get("next_token"):
                break
            params["next_token"] = meta["next_token"]
        await self._deliver(posts, users, sink)
        await self._save(cursor, newest)

    # -- filtered stream ---------------------------------------------------------------

    async def _ensure_rule(self, client: httpx.AsyncClient) -> None:
        url = f"{self.config.api_url}/tweets/search/stream/rules"
        response = await client.get(url)
        raise_for_response(response, "X stream rules")
        rules = loads(response.text, "X stream rules").get("data") or []
        for rule in rules:
            if rule.get("value") == self.query:
                self._rule_id = str(rule["id"])
                return
        response = await client.post(
            url, json={"add": [{"value": self.query, "tag": self.config.rule_tag}]}
        )
        raise_for_response(response, "X stream rules")
        body = loads(response.text, "X stream rules")
        summary = (body.get("meta") or {}).get("summary", {})
        if summary.get("invalid") or not body.get("data"):
            raise FatalConnectorError(f"X refused the stream rule {self.query!r}")
        self._rule_id = str(body["data"][0]["id"])

    async def _stream(
        self, client: httpx.AsyncClient, sink: Sink, cursor: Cursor, status: ConnectorStatus
    ) -> None:
        self._check_cap()
        url = f"{self.config.api_url}/tweets/search/stream"
        async with client.stream("GET", url, params=FIELDS) as response:
            if response.status_code != 200:
                await response.aread()
                raise_for_response(response, "X stream")
            status.connected()
            if self.since_id:
                await self.search(client, sink, cursor, status)  # fill the gap
            async for line in response.aiter_lines():
                if not line.strip():
                    continue  # keep-alive
                body = loads(line, "X stream")
                if "data" not in body:
                    detail = (body.get("errors") or [{}])[0]
                    raise ConnectorError(f"X stream: {detail.get('title') or 'error'}")
                rule_ids = {str(r.get("id")) for r in body.get("matching_rules") or []}
                if self._rule_id not in rule_ids:
                    continue  # another session's rule on the same app
                post = body["data"]
                self.reads += 1
                await self._deliver([post], users_of(body), sink)
                await self._save(cursor, str(post["id"]))
                self._check_cap()
