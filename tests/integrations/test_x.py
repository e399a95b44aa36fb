"""X: recent search with since_id and next_token, the filtered stream with keep-alives,
rate limits and faults survived, and a read cap that holds across restarts."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from integrations.base import ConnectorState, MemoryCursorStore
from integrations.x import XConfig, XConnector, post_to_message, users_of

from .fake_x import DROP, SILENCE, FakeX
from .support import RecordingSink, payload, payload_text, serve_http, supervise, wait_until


@asynccontextmanager
async def fake_api():
    fake = FakeX()
    async with serve_http(fake.app()) as base:
        yield fake, f"{base}/2"


def connector(api: str, **options: object) -> XConnector:
    config = {"hashtags": ["#FloorBridge"], "bearer_token": "t", "max_reads": 1000,
              "api_url": api, "poll_interval": 0.02, "timeout": 0.5, **options}
    return XConnector(XConfig.model_validate(config))


def test_stream_payload_maps_with_the_included_user() -> None:
    line = payload("x-filtered-stream.json")
    message = post_to_message(line["data"], users_of(line))
    assert message.channel == "x"
    assert message.external_id == "1234567890"
    assert message.text == "Look at this cute cat! 🐱"
    assert message.author_id == "9876543210"
    assert message.author_name == "@catperson"
    assert message.url == "https://x.com/catperson/status/1234567890"
    assert message.sent_at == datetime(2024, 1, 15, 10, 35, tzinfo=UTC)
    assert not message.is_repost


def test_search_payload_and_retweet_flag() -> None:
    body = payload("x-recent-search.json")
    post = body["data"][0]
    assert post_to_message(post, users_of(body)).url == (
        "https://x.com/pythondev/status/1234567890123456789")
    post["referenced_tweets"] = [{"type": "retweeted", "id": "1"}]
    assert post_to_message(post, users_of(body)).is_repost


async def test_search_pages_with_since_id_through_faults(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        before = fake.post("before the session")
        await cursors.set("s1", "x:search", json.dumps({"since_id": before, "reads": 0}))
        expected = [fake.post(f"q{i}") for i in range(25)]  # three pages of 10
        fake.faults.extend(["429", "500", "slow", "malformed"])
        async with supervise(connector(api), sink, cursors) as (supervisor, log):
            await wait_until(lambda: len(sink.stored) == 25)
            expected += [fake.post(f"late {i}") for i in range(3)]
            await wait_until(lambda: len(sink.stored) == 28)
            await wait_until(lambda: supervisor.status.state is ConnectorState.CONNECTED)
        assert sink.ids == expected
        assert len(sink.delivered_ids) == len(set(sink.delivered_ids))
        reasons = log.reasons()
        assert any("HTTP 429" in r for r in reasons)
        assert any("HTTP 500" in r for r in reasons)
        assert any("ReadTimeout" in r for r in reasons)
        assert any("malformed JSON" in r for r in reasons)
        refused = next(t for t, _, q in fake.requests if q.get("since_id") == before)
        retried = [t for t, _, q in fake.requests if t > refused][0]
        assert retried >= fake.sent_reset - 0.02  # waited until x-rate-limit-reset (epoch)
        assert any("next_token" in q for _, _, q in fake.requests)


async def test_restart_resumes_from_since_id(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        first = [fake.post(f"a{i}") for i in range(4)]
        async with supervise(connector(api), sink, cursors):
            await wait_until(lambda: len(sink.stored) == 4)
        second = [fake.post(f"b{i}") for i in range(12)]
        async with supervise(connector(api), sink, cursors):
            await wait_until(lambda: len(sink.stored) == 16)
        assert sink.ids == first + second
        assert len(sink.delivered_ids) == 16


async def test_read_cap_stops_the_connector_and_survives_restart(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        for i in range(30):
            fake.post(f"q{i}")
        async with supervise(connector(api, max_reads=15), sink, cursors) as (supervisor, _):
            await wait_until(lambda: supervisor.done)
            assert supervisor.status.state is ConnectorState.ERROR
            assert "read cap reached" in supervisor.status.reason
        assert json.loads(cursors.values[("s1", "x:search")])["reads"] >= 15
        calls = len(fake.requests)
        async with supervise(connector(api, max_reads=15), sink, cursors) as (supervisor, _):
            await wait_until(lambda: supervisor.done)
        assert len(fake.requests) == calls  # no paid read after a restart either


async def test_filtered_stream_with_keepalives_drop_garbage_and_silence(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_api() as (fake, api):
        start = fake.post("before the session")
        await cursors.set("s1", "x:stream", json.dumps({"since_id": start, "reads": 0}))
        async with supervise(connector(api, mode="stream"), sink, cursors) as (supervisor, log):
            await wait_until(lambda: bool(fake.live)
                             and supervisor.status.state is ConnectorState.CONNECTED)
            fake.send(payload_text("x-filtered-stream.json").replace("\n", "") + "\r\n")
            await wait_until(lambda: len(sink.stored) == 1)
            fake.send("\r\n")  # keep-alive
            expected = [fake.post(f"live {i}") for i in range(3)]
            fake.post("another session's rule", other_rule=True)
            await wait_until(lambda: len(sink.stored) == 4)
            fake.send(DROP)
            expected += [fake.post(f"during the drop {i}") for i in range(2)]
            await wait_until(lambda: len(sink.stored) == 6)
            await wait_until(lambda: len(fake.live) == 1)
            fake.send('{"data": {"id": \r\n')
            expected.append(fake.post("after garbage"))
            await wait_until(lambda: len(sink.stored) == 7)
            await wait_until(lambda: len(fake.live) == 1)
            fake.send(SILENCE)  # no keep-alive: the read timeout must notice
            expected.append(fake.post("after silence"))
            await wait_until(lambda: len(sink.stored) == 8)
        assert sink.delivered_ids == ["1234567890", *expected]
        assert fake.rule_posts == [{"add": [{"value": "#floorbridge -is:retweet",
                                             "tag": "floorbridge"}]}]
        reasons = log.reasons()
        assert any("malformed JSON" in r for r in reasons)
        assert any("ReadTimeout" in r for r in reasons)
