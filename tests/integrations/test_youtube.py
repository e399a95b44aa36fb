"""YouTube live chat: both real payload shapes, page tokens as the cursor,
pollingIntervalMillis honoured, faults survived, chat end stops the connector."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from integrations.base import ConnectorState, MemoryCursorStore
from integrations.youtube import YouTubeConfig, YouTubeConnector, item_to_message

from .fake_youtube import CHAT, FakeYouTube
from .support import RecordingSink, payload, serve_http, supervise, wait_until


@asynccontextmanager
async def fake_api():
    fake = FakeYouTube()
    async with serve_http(fake.app()) as base:
        yield fake, f"{base}/youtube/v3"


def connector(api: str, **options: object) -> YouTubeConnector:
    config = {"video_id": "f1HQQP9mUF8", "api_key": "k", "api_url": api,
              "min_interval": 0.0, "timeout": 0.5, **options}
    return YouTubeConnector(YouTubeConfig.model_validate(config))


def test_full_payload_item_maps_with_author() -> None:
    item = payload("youtube-livechat.json")["items"][0]
    message = item_to_message(item, "f1HQQP9mUF8")
    assert message.external_id == "LCC.EhwKGkNMN3F2X2FiNTRzREZma3UxZ0Fkb3VrclNB"
    assert message.author_name == "dains"
    assert message.author_id == "UCsTPa0itY-DXLwf0ioT7Dtw"
    assert message.text.startswith("I am very sad and angry")
    assert message.sent_at == datetime(2025, 2, 28, 20, 35, 21, 208241, tzinfo=UTC)
    assert message.url == "https://www.youtube.com/watch?v=f1HQQP9mUF8"


def test_snippet_only_payload_has_no_name_but_an_author_id() -> None:
    item = payload("youtube-livechat-2018-snippet-only.json")["items"][0]
    message = item_to_message(item)
    assert (message.text, message.author_name) == ("test", None)
    assert message.author_id == "UCG7yIWtVwcENg_ZS-nahg5g"
    assert message.sent_at == datetime(2018, 3, 3, 22, 45, 18, 656000, tzinfo=UTC)


def test_non_message_events_are_skipped() -> None:
    item = payload("youtube-livechat.json")["items"][0]
    item["snippet"]["type"] = "messageDeletedEvent"
    assert item_to_message(item) is None


async def test_captured_answer_is_ingested_and_its_page_token_stored(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        fake.serve_doc_first = True  # the first answer is the real captured body, verbatim
        async with supervise(connector(api), sink, cursors):
            await wait_until(lambda: len(sink.stored) == 1)
            await wait_until(lambda: bool(cursors.values))
        assert sink.delivered_ids == ["LCC.EhwKGkNMN3F2X2FiNTRzREZma3UxZ0Fkb3VrclNB"]
        assert sink.deliveries[0].author_name == "dains"
        saved = json.loads(cursors.values[("s1", "youtube:f1HQQP9mUF8")])
        assert saved == {"chat": CHAT, "page": "GIGsrc6c54sDIKGX6tGc54sD"}


async def test_polls_with_page_tokens_through_faults(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        expected = [fake.say(f"q{i}", with_author=i % 2 == 0) for i in range(4)]
        fake.faults.extend(["500", "rate", "slow", "malformed"])
        async with supervise(connector(api), sink, cursors) as (supervisor, log):
            await wait_until(lambda: len(sink.stored) == 4)
            expected += [fake.say(f"late {i}") for i in range(3)]
            await wait_until(lambda: len(sink.stored) == 7)
            await wait_until(lambda: supervisor.status.state is ConnectorState.CONNECTED)
        assert sink.delivered_ids == expected
        assert sink.deliveries[0].author_name == "dains"
        assert sink.deliveries[1].author_name is None  # snippet-only item
        reasons = log.reasons()
        assert any("HTTP 500" in r for r in reasons)
        assert any("rateLimitExceeded" in r for r in reasons)
        assert any("ReadTimeout" in r for r in reasons)
        assert any("malformed JSON" in r for r in reasons)
        assert all(q["liveChatId"] == CHAT for _, q in fake.requests)


async def test_waits_polling_interval_between_calls(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        fake.interval_ms = 150
        async with supervise(connector(api), sink, cursors):
            await wait_until(lambda: len(fake.requests) >= 3)
        times = [t for t, _ in fake.requests]
        assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.14


async def test_restart_resumes_from_page_token(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        first = [fake.say(f"a{i}") for i in range(3)]
        async with supervise(connector(api), sink, cursors):
            await wait_until(lambda: len(sink.stored) == 3)
        second = [fake.say(f"b{i}") for i in range(3)]
        async with supervise(connector(api), sink, cursors):
            await wait_until(lambda: len(sink.stored) == 6)
        assert sink.delivered_ids == first + second
        assert fake.requests[-1][1]["pageToken"].startswith("tok")


async def test_chat_end_stops_with_a_reason(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        fake.faults.append("ended")
        async with supervise(connector(api), sink, cursors) as (supervisor, _):
            await wait_until(lambda: supervisor.done)
            assert supervisor.status.state is ConnectorState.ERROR
            assert "liveChatEnded" in supervisor.status.reason
