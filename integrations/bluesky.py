"""Bluesky hashtag connector: the Jetstream firehose, filtered on our side.

Jetstream (`/subscribe?wantedCollections=app.bsky.feed.post`) sends every new post on the
network as JSON; we keep those whose `record.facets[].features[]` carry an
`app.bsky.richtext.facet#tag` or whose `record.tags` name one of the session's hashtags.
The resume cursor is the event's `time_us` (microseconds): it is saved after each
delivered batch and every `cursor_every` seconds otherwise, and a reconnection asks for
`cursor + 1`, so the replay neither skips nor repeats. Likes and reposts are other
collections and never arrive. Jetstream carries only the author's DID, so names come from
`app.bsky.actor.getProfile` (cached; a failure leaves the name empty, never drops the post).
`app.bsky.feed.searchPosts` (often behind a login) is the polling fallback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable
from datetime import UTC
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field, SecretStr
from websockets.asyncio.client import connect as ws_connect

from integrations.base import ConnectorError, ConnectorStatus, Cursor, IncomingMessage, Sink
from integrations.ratelimit import raise_for_response
from integrations.wire import http_client, loads, normalise_tag, to_ws_url
from ports.clock import parse_iso

log = logging.getLogger(__name__)
CHANNEL = "bluesky"
POST = "app.bsky.feed.post"
TAG_FACET = "app.bsky.richtext.facet#tag"
PROFILE_RETRY_AFTER = 60.0  # seconds without name lookups after the AppView failed


class BlueskyConfig(BaseModel):
    hashtags: list[str] = Field(min_length=1)
    mode: Literal["jetstream", "search"] = "jetstream"
    jetstream_url: str = "wss://jetstream2.us-east.bsky.network"
    appview_url: str = "https://public.api.bsky.app"
    token: SecretStr | None = Field(None, description="bearer for searchPosts, if required")
    resolve_profiles: bool = True
    rewind_seconds: float = Field(0.0, description="replay this much before the cursor "
                                  "(when switching Jetstream instances); the core dedupes")
    cursor_every: float = 5.0
    poll_interval: float = 15.0
    timeout: float = 30.0


def record_tags(record: dict[str, Any]) -> set[str]:
    """Hashtags of a post record: tag facets plus the out-of-text `tags` list."""
    found = {normalise_tag(t) for t in record.get("tags") or [] if isinstance(t, str)}
    for facet in record.get("facets") or []:
        for feature in (facet or {}).get("features") or []:
            if feature.get("$type") == TAG_FACET and isinstance(feature.get("tag"), str):
                found.add(normalise_tag(feature["tag"]))
    return found


def post_url(did: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{did}/post/{rkey}"


def jetstream_post(event: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """(did, rkey, record) when the event creates a post; None for anything else."""
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict):
        return None
    if commit.get("operation") != "create" or commit.get("collection") != POST:
        return None
    record = commit.get("record")
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None
    return event["did"], commit["rkey"], record


def to_message(
    did: str, rkey: str, record: dict[str, Any], name: str | None = None
) -> IncomingMessage:
    return IncomingMessage(
        channel=CHANNEL,
        external_id=f"at://{did}/{POST}/{rkey}",
        text=record["text"],
        author_name=name,
        author_id=did,
        sent_at=parse_iso(record.get("createdAt")),
        url=post_url(did, rkey),
    )


def search_to_messages(body: dict[str, Any], tags: Iterable[str]) -> list[IncomingMessage]:
    """Parse a `searchPosts` answer (postView list); keeps posts that carry a wanted tag."""
    wanted = set(tags)
    messages = []
    for post in body.get("posts") or []:
        uri, record, author = post.get("uri", ""), post.get("record") or {}, post.get("author")
        if not uri.startswith("at://") or not isinstance(record.get("text"), str):
            continue
        if not record_tags(record) & wanted:
            continue
        did, _, rkey = uri[len("at://") :].split("/", 2)
        rkey = rkey.rsplit("/", 1)[-1]
        author = author or {}
        name = author.get("displayName") or author.get("handle")
        messages.append(to_message(did, rkey, record, name))
    return messages


def _stamp(message: IncomingMessage) -> str:
    """Sortable UTC timestamp of a post ("" when unknown)."""
    return message.sent_at.astimezone(UTC).isoformat() if message.sent_at else ""


class BlueskyConnector:
    channel = CHANNEL
    config_model = BlueskyConfig

    def __init__(self, config: BlueskyConfig) -> None:
        self.config = config
        self.tags = {normalise_tag(t) for t in config.hashtags}
        self.key = f"{CHANNEL}:{config.mode}"
        self._names: dict[str, str | None] = {}
        self._last_us: int | None = None
        self._lookup_paused_until = 0.0
        self._seen: deque[str] = deque(maxlen=2000)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> BlueskyConnector:
        return cls(BlueskyConfig.model_validate(config))

    async def run(self, sink: Sink, cursor: Cursor, status: ConnectorStatus) -> None:
        headers = {}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token.get_secret_value()}"
        async with http_client(self.config.timeout, headers) as client:
            if self.config.mode == "search":
                await self._run_search(client, sink, cursor, status)
            else:
                await self._run_jetstream(client, sink, cursor, status)

    async def _name(self, client: httpx.AsyncClient, did: str) -> str | None:
        """Display name (or handle) for a DID; cached; never raises."""
        if not self.config.resolve_profiles:
            return None
        if did in self._names:
            return self._names[did]
        if time.monotonic() < self._lookup_paused_until:
            return None  # the AppView just failed: do not stall the firehose on it
        try:
            response = await client.get(
                f"{self.config.appview_url.rstrip('/')}/xrpc/app.bsky.actor.getProfile",
                params={"actor": did},
                timeout=min(3.0, self.config.timeout),
            )
            response.raise_for_status()
            profile = response.json()
            name = profile.get("displayName") or profile.get("handle")
        except (httpx.HTTPError, ValueError, AttributeError):
            self._lookup_paused_until = time.monotonic() + PROFILE_RETRY_AFTER
            return None
        self._names[did] = name
        return name

    async def _run_jetstream(
        self, client: httpx.AsyncClient, sink: Sink, cursor: Cursor, status: ConnectorStatus
    ) -> None:
        stored = await cursor.get()
        resume = max(int(stored) if stored else 0, self._last_us or 0)
        url = f"{to_ws_url(self.config.jetstream_url.rstrip('/'))}/subscribe"
        url += f"?wantedCollections={POST}"
        if resume:
            url += f"&cursor={resume + 1 - int(self.config.rewind_seconds * 1_000_000)}"
        async with ws_connect(url, open_timeout=self.config.timeout, proxy=None,
                              max_size=2**22) as ws:
            status.connected()
            saved_at = time.monotonic()
            async for raw in ws:
                event = loads(raw, "Jetstream")
                if not isinstance(event, dict) or not isinstance(event.get("time_us"), int):
                    raise ConnectorError("Jetstream: event without time_us")
                post = jetstream_post(event)
                if post and record_tags(post[2]) & self.tags:
                    did, rkey, record = post
                    await sink([to_message(did, rkey, record, await self._name(client, did))])
                    self._last_us = event["time_us"]
                    await cursor.set(str(self._last_us))
                    saved_at = time.monotonic()
                    continue
                self._last_us = event["time_us"]
                if time.monotonic() - saved_at >= self.config.cursor_every:
                    await cursor.set(str(self._last_us))
                    saved_at = time.monotonic()

    async def _run_search(
        self, client: httpx.AsyncClient, sink: Sink, cursor: Cursor, status: ConnectorStatus
    ) -> None:
        url = f"{self.config.appview_url.rstrip('/')}/xrpc/app.bsky.feed.searchPosts"
        while True:
            since = await cursor.get()
            newest = since
            for tag in sorted(self.tags):
                params: dict[str, Any] = {"q": f"#{tag}", "sort": "latest", "limit": 100}
                if since:
                    params["since"] = since
                response = await client.get(url, params=params)
                raise_for_response(response, "Bluesky searchPosts")
                body = loads(response.text, "Bluesky searchPosts")
                status.connected()
                fresh = [m for m in search_to_messages(body, self.tags)
                         if m.external_id not in self._seen]
                fresh.sort(key=_stamp)
                if fresh:
                    await sink(fresh)
                    self._seen.extend(m.external_id for m in fresh)
                for m in fresh:
                    stamp = _stamp(m)
                    if stamp and (newest is None or stamp > newest):
                        newest = stamp
            if newest and newest != since:
                await cursor.set(newest)
            await asyncio.sleep(self.config.poll_interval)
