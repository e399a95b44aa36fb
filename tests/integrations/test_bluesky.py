"""Bluesky: Jetstream frames shaped like the real ones, hashtag filtering on our side,
resume by `time_us` cursor without gap or repeat, searchPosts as a fallback."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from websockets.asyncio.server import serve

from integrations.base import ConnectorState, MemoryCursorStore
from integrations.bluesky import (
    BlueskyConfig,
    BlueskyConnector,
    jetstream_post,
    record_tags,
    search_to_messages,
    to_message,
)

from .fake_bluesky import FakeJetstream
from .support import RecordingSink, payload, payload_text, serve_http, supervise, wait_until

DOC_URI = "at://did:plc:g6ifxgrzi22eaemi4lc5pyr2/app.bsky.feed.post/3mbifys26vc2z"


@asynccontextmanager
async def fake_network():
    fake = FakeJetstream()
    async with serve_http(fake.app()) as appview, serve(fake.websocket, "127.0.0.1", 0) as ws:
        yield fake, appview, f"ws://127.0.0.1:{ws.sockets[0].getsockname()[1]}"


def connector(appview: str, jetstream: str, **options: object) -> BlueskyConnector:
    config = {"hashtags": ["#FloorBridge", "cavs"], "jetstream_url": jetstream,
              "appview_url": appview, "timeout": 1.0, "cursor_every": 0.0, **options}
    return BlueskyConnector(BlueskyConfig.model_validate(config))


def test_jetstream_post_payload_maps_to_message() -> None:
    event = payload("bluesky-jetstream-post.json")
    did, rkey, record = jetstream_post(event)
    assert record_tags(record) == {"cavs"}
    message = to_message(did, rkey, record, "Cavs Fan")
    assert message.channel == "bluesky"
    assert message.external_id == DOC_URI
    assert message.author_id == "did:plc:g6ifxgrzi22eaemi4lc5pyr2"
    assert message.url == "https://bsky.app/profile/did:plc:g6ifxgrzi22eaemi4lc5pyr2/post/3mbifys26vc2z"
    assert message.text.startswith("#Cavs beat the Nuggets 113-108")
    assert message.sent_at == datetime(2026, 1, 3, 2, 57, 45, 138000, tzinfo=UTC)


def test_like_is_not_a_post() -> None:
    assert jetstream_post(payload("bluesky-jetstream-like.json")) is None


def test_search_fallback_parses_the_same_post_with_its_author() -> None:
    messages = search_to_messages(payload("bluesky-searchposts.json"), {"cavs"})
    assert [m.external_id for m in messages] == [DOC_URI]  # same dedupe key as Jetstream
    assert messages[0].author_name == "DISPLAY_NAME_PLACEHOLDER"
    assert search_to_messages(payload("bluesky-searchposts.json"), {"other"}) == []


async def test_jetstream_filters_tags_and_recovers_from_drop_and_garbage(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_network() as (fake, appview, jetstream):
        conn = connector(appview, jetstream)
        async with supervise(conn, sink, cursors) as (supervisor, log):
            await wait_until(lambda: bool(fake.live))
            verbatim = payload_text("bluesky-jetstream-post.json")
            fake.emit_raw(verbatim, payload("bluesky-jetstream-post.json")["time_us"])
            expected = [DOC_URI]
            expected.append(fake.post("facet tag"))
            fake.post("untagged", tag=None)
            fake.like()
            fake.post("other topic", tag="cats")
            expected.append(fake.post("tag in record.tags only", in_tags=True))
            expected.append(fake.post("upper case tag", tag="FloorBridge"))
            await wait_until(lambda: len(sink.stored) == 4)
            fake.drop()
            expected += [fake.post(f"while down {i}") for i in range(3)]
            fake.like()
            await wait_until(lambda: len(sink.stored) == 7)
            await wait_until(lambda: len(fake.live) == 1)
            fake.garble()
            expected.append(fake.post("after garbage"))
            await wait_until(lambda: len(sink.stored) == 8)
            await wait_until(lambda: supervisor.status.state is ConnectorState.CONNECTED)
        assert sink.delivered_ids == expected  # each once, in order
        assert {m.author_name for m in sink.deliveries} == {"Cavs Fan"}
        assert fake.profile_requests == 1  # one DID, resolved once
        assert any("malformed JSON" in r for r in log.reasons())
        assert len(log.reasons()) >= 2


async def test_restart_resumes_after_the_stored_time_us(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_network() as (fake, appview, jetstream):
        async with supervise(connector(appview, jetstream), sink, cursors):
            await wait_until(lambda: bool(fake.live))
            first = [fake.post(f"a{i}") for i in range(5)]
            fake.post("noise", tag=None)
            await wait_until(lambda: len(sink.stored) == 5)
            await wait_until(lambda: cursors.values.get(("s1", "bluesky:jetstream"))
                             == str(fake.clock))
        stopped_at = fake.clock
        second = [fake.post(f"b{i}") for i in range(5)]  # while the server was down
        async with supervise(connector(appview, jetstream), sink, cursors):
            await wait_until(lambda: len(sink.stored) == 10)
            third = [fake.post(f"c{i}") for i in range(2)]
            await wait_until(lambda: len(sink.stored) == 12)
        assert fake.connections[-1]["cursor"] == [str(stopped_at + 1)]
        assert sink.delivered_ids == first + second + third


async def test_profile_lookup_failure_keeps_the_post(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_network() as (fake, appview, jetstream):
        fake.profile_fails = True
        async with supervise(connector(appview, jetstream), sink, cursors):
            await wait_until(lambda: bool(fake.live))
            uri = fake.post("no name available")
            await wait_until(lambda: len(sink.stored) == 1)
        assert sink.deliveries[0].external_id == uri
        assert sink.deliveries[0].author_name is None


async def test_search_mode_polls_search_posts(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_network() as (fake, appview, jetstream):
        fake.search_body = payload("bluesky-searchposts.json")
        conn = connector(appview, jetstream, mode="search", poll_interval=0.02)
        async with supervise(conn, sink, cursors):
            await wait_until(lambda: len(sink.stored) == 1)
            await asyncio.sleep(0.1)  # several more polls return the same post
        assert sink.delivered_ids == [DOC_URI]
        assert cursors.values[("s1", "bluesky:search")] == "2026-01-03T02:57:45.138000+00:00"
