"""Mastodon: the real payloads map right, and polling / SSE / WebSocket lose nothing and
double nothing through faults and restarts."""

from __future__ import annotations

import asyncio
import copy
import json
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from websockets.asyncio.server import serve

from integrations.base import ConnectorState, MemoryCursorStore
from integrations.mastodon import MastodonConfig, MastodonConnector, status_to_message

from .fake_mastodon import FakeMastodon
from .support import RecordingSink, payload, payload_text, serve_http, supervise, wait_until


def connector(base: str, **options: object) -> MastodonConnector:
    config = {"instance": base, "hashtags": ["#FloorBridge"], "poll_interval": 0.02,
              "timeout": 0.5, **options}
    return MastodonConnector(MastodonConfig.model_validate(config))


@asynccontextmanager
async def fake_instance(tag: str = "floorbridge"):
    fake = FakeMastodon(tag)
    async with serve_http(fake.app()) as base:
        fake.base = base
        yield fake, base


def test_status_payload_becomes_plain_text_message() -> None:
    message = status_to_message(payload("mastodon-status.json"))
    assert message.channel == "mastodon"
    assert message.external_id == "103270115826048975"
    assert message.author_id == "1"
    assert message.author_name == "Eugen"
    assert message.url == "https://mastodon.social/@Gargron/103270115826048975"
    assert message.sent_at == datetime(2019, 12, 8, 3, 48, 33, 901000, tzinfo=UTC)
    assert message.text == (
        '"I lost my inheritance with one wrong digit on my sort code"\n\n'
        "https://www.theguardian.com/money/2019/dec/07/"
        "i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
    )
    assert not message.is_repost


def test_websocket_payload_is_json_inside_json() -> None:
    frame = payload("mastodon-websocket-update.json")
    message = status_to_message(json.loads(frame["payload"]))
    assert message.text == (
        "And now I can't exit the inner nvim because I mapped escape to the parent vim "
        "instance 😂"
    )
    assert message.author_name == "TobTobXX"
    assert message.url == "https://fosstodon.org/@tobtobxx/108913983628474640"


def test_boost_is_marked_as_repost_with_the_original_text() -> None:
    original = payload("mastodon-status.json")
    boost = copy.deepcopy(original)
    boost.update(id="103270115826049999", content="", reblog=original)
    message = status_to_message(boost)
    assert message.is_repost
    assert message.external_id == "103270115826049999"
    assert message.text.startswith('"I lost my inheritance')


def test_content_warning_is_kept_before_the_text() -> None:
    status = payload("mastodon-status.json")
    status.update(spoiler_text="politics", content="<p>Should we vote?</p>")
    assert status_to_message(status).text == "CW: politics\n\nShould we vote?"


async def test_polling_follows_link_pages_through_faults_without_loss_or_repeat(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_instance() as (fake, base):
        before = fake.make("before the session")
        await cursors.set("s1", "mastodon:127.0.0.1", before["id"])
        expected = [fake.make(f"question {i}")["id"] for i in range(95)]
        fake.make("other topic", tags={"cats"})
        hostile = fake.make('Why?<script>alert("x")</script><style>p{}</style> &amp; how?')
        expected.append(hostile["id"])
        fake.faults.extend(["429", "500", "slow", "malformed"])
        async with supervise(connector(base), sink, cursors) as (supervisor, log):
            await wait_until(lambda: len(sink.stored) == len(expected))
            late = [fake.make(f"late {i}")["id"] for i in range(3)]
            await wait_until(lambda: len(sink.stored) == len(expected) + 3)
            await wait_until(lambda: supervisor.status.state is ConnectorState.CONNECTED)
        assert sink.ids == expected + late  # oldest first, nothing from another tag
        assert sink.delivered_ids == sink.ids  # nothing delivered twice
        assert sink.stored[("mastodon", hostile["id"])].text == "Why? & how?"
        reasons = log.reasons()
        assert any("HTTP 429" in r for r in reasons)
        assert any("HTTP 500" in r for r in reasons)
        assert any("ReadTimeout" in r for r in reasons)
        assert any("malformed JSON" in r for r in reasons)
        assert supervisor.status.items_today == len(expected) + 3
        # The Link header was followed: later pages asked with min_id from rel="prev".
        assert any("min_id" in url and "limit" not in url for _, url in fake.requests)


async def test_several_hashtags_and_no_link_header(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_instance() as (fake, base):
        fake.send_link = False  # some servers/proxies drop it: page on by min_id ourselves
        start = fake.make("before")
        await cursors.set("s1", "mastodon:127.0.0.1", start["id"])
        expected = []
        for i in range(50):
            expected.append(fake.make(f"q{i}", tags={"floorbridge" if i % 2 else "fb2026"})["id"])
        fake.make("unrelated", tags={"cats"})
        conn = connector(base, hashtags=["FloorBridge", "#fb2026"], limit=20)
        async with supervise(conn, sink, cursors):
            await wait_until(lambda: len(sink.stored) == 50)
        assert sink.delivered_ids == expected
        assert all("any%5B%5D=fb2026" in url and "limit=20" in url for _, url in fake.requests)


async def test_stream_deletes_and_edits_are_not_new_questions(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_instance() as (fake, base):
        start = fake.make("before")
        await cursors.set("s1", "mastodon:127.0.0.1", start["id"])
        async with supervise(connector(base, mode="sse"), sink, cursors) as (supervisor, _):
            await wait_until(lambda: bool(fake.subscribers))
            edited = fake.make("edited later")
            fake.publish(edited)
            fake.publish({"raw": f"event: delete\ndata: {edited['id']}\n\n"})
            fake.publish({"raw": f"event: status.update\ndata: {json.dumps(edited)}\n\n"})
            last = fake.make("last")
            fake.publish(last)
            await wait_until(lambda: len(sink.stored) == 2)
            await asyncio.sleep(0.05)
            assert supervisor.status.errors == 0
        assert sink.delivered_ids == [edited["id"], last["id"]]


async def test_rate_limit_reset_header_is_waited_out(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_instance() as (fake, base):
        fake.make("first")
        fake.reset_after = 0.5
        fake.faults.append("429")
        async with supervise(connector(base), sink, cursors) as (supervisor, _):
            await wait_until(lambda: len(sink.stored) == 1)
        (refused, _), (retried, _) = fake.requests[:2]
        assert retried - refused >= 0.4  # waited for X-RateLimit-Reset, not the 20 ms backoff


async def test_restart_resumes_from_stored_cursor(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_instance() as (fake, base):
        first = [fake.make(f"a{i}")["id"] for i in range(30)]
        async with supervise(connector(base), sink, cursors):
            await wait_until(lambda: len(sink.stored) == 30)
        second = [fake.make(f"b{i}")["id"] for i in range(45)]  # posted while we were down
        async with supervise(connector(base), sink, cursors):
            await wait_until(lambda: len(sink.stored) == 75)
            more = [fake.make(f"c{i}")["id"] for i in range(5)]
            await wait_until(lambda: len(sink.stored) == 80)
        assert sink.delivered_ids == first + second + more


async def test_pause_stops_reading_and_resume_catches_up(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_instance() as (fake, base):
        fake.make("one")
        async with supervise(connector(base), sink, cursors) as (supervisor, _):
            await wait_until(lambda: len(sink.stored) == 1)
            supervisor.pause()
            assert supervisor.status.state is ConnectorState.PAUSED
            fake.make("two")
            requests = len(fake.requests)
            await asyncio.sleep(0.2)
            assert len(sink.stored) == 1 and len(fake.requests) <= requests + 1
            supervisor.resume()
            await wait_until(lambda: len(sink.stored) == 2)
            await wait_until(lambda: supervisor.status.state is ConnectorState.CONNECTED)


async def test_sse_stream_survives_drop_and_garbage_without_loss(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_instance(tag="test") as (fake, base):
        documented = payload_text("mastodon-streaming-hashtag-sse.txt")
        doc_status = json.loads(documented.split("data: ", 1)[1])
        fake.next_id = int(doc_status["id"]) - 10  # ids grow from the documented one
        start = fake.make("before", tags={"test"})
        await cursors.set("s1", "mastodon:127.0.0.1", start["id"])
        fake.next_id = int(doc_status["id"])
        conn = connector(base, hashtags=["test"], mode="sse")
        async with supervise(conn, sink, cursors) as (supervisor, log):
            await wait_until(lambda: fake.subscribers and supervisor.status.state
                             is ConnectorState.CONNECTED)
            fake.add(doc_status, {"test"})
            fake.publish({"raw": documented.rstrip("\n") + "\n\n"})  # the file, verbatim
            await wait_until(lambda: len(sink.stored) == 1)
            live = []
            for i in range(5):
                status = fake.make(f"live {i}", tags={"test"})
                live.append(status["id"])
                fake.publish(status)
            await wait_until(lambda: len(sink.stored) == 6)
            fake.drop()
            missed = [fake.make(f"missed {i}", tags={"test"})["id"] for i in range(4)]
            await wait_until(lambda: len(sink.stored) == 10)
            await wait_until(lambda: len(fake.subscribers) == 1)
            fake.garble()
            garbled = fake.make("sent as garbage", tags={"test"})
            await wait_until(lambda: len(sink.stored) == 11)
        assert sink.delivered_ids == [doc_status["id"], *live, *missed, garbled["id"]]
        assert sink.stored[("mastodon", doc_status["id"])].text == "#test"
        assert sink.stored[("mastodon", doc_status["id"])].author_name == "infinite love ⴳ"
        assert any("malformed JSON" in r for r in log.reasons())
        assert any("RemoteProtocolError" in r or "closed" in r for r in log.reasons())


async def test_websocket_stream_parses_payload_twice_and_recovers_from_drop(
    sink: RecordingSink, cursors: MemoryCursorStore
) -> None:
    async with fake_instance() as (fake, base):
        async with serve(fake.websocket, "127.0.0.1", 0) as ws_server:
            port = ws_server.sockets[0].getsockname()[1]
            conn = connector(base, mode="websocket", streaming_url=f"ws://127.0.0.1:{port}")
            documented = payload_text("mastodon-websocket-update.json")
            doc_status = json.loads(json.loads(documented)["payload"])
            fake.next_id = int(doc_status["id"]) - 10
            start = fake.make("before")
            await cursors.set("s1", "mastodon:127.0.0.1", start["id"])
            fake.next_id = int(doc_status["id"])
            async with supervise(conn, sink, cursors) as (supervisor, log):
                await wait_until(lambda: bool(fake.subscribers))
                fake.add(doc_status)
                fake.publish({"raw": documented})  # the documented frame, verbatim
                live = []
                for i in range(3):
                    status = fake.make(f"live {i}")
                    live.append(status["id"])
                    fake.publish(status)
                await wait_until(lambda: len(sink.stored) == 4)
                fake.drop()
                missed = [fake.make(f"missed {i}")["id"] for i in range(3)]
                await wait_until(lambda: len(sink.stored) == 7)
                await wait_until(lambda: len(fake.subscribers) == 1)
                fake.garble()
                garbled = fake.make("garbled")
                await wait_until(lambda: len(sink.stored) == 8)
                # The catch-up can store the item a moment before the stream is back up.
                await wait_until(lambda: supervisor.status.state is ConnectorState.CONNECTED)
        assert sink.delivered_ids == [doc_status["id"], *live, *missed, garbled["id"]]
        assert any("malformed JSON" in r for r in log.reasons())
