"""The supervisor: backoff with full jitter, rate-limit waits, fatal stops, pause/resume,
and the status the console shows. Connectors here are scripted stand-ins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from integrations.base import (
    ConnectorError,
    ConnectorState,
    ConnectorStatus,
    Cursor,
    FatalConnectorError,
    IncomingMessage,
    IngestResult,
    MemoryCursorStore,
    RateLimited,
)
from integrations.registry import UnknownChannel
from integrations.supervisor import SessionConnectors, Supervisor, SupervisorSettings

from .support import RecordingSink, wait_until


class Scripted:
    """Runs the next step each time it is started: an exception, 'item', or 'hang'."""

    channel = "scripted"
    key = "scripted:1"

    def __init__(self, steps: list[object]) -> None:
        self.steps = list(steps)
        self.starts = 0

    async def run(self, sink, cursor, status) -> None:  # noqa: ANN001 - protocol shape
        self.starts += 1
        step = self.steps.pop(0) if self.steps else "hang"
        status.connected()
        if step == "item":
            await sink([IncomingMessage("scripted", f"m{self.starts}", "hi")])
            raise ConnectorError("dropped after an item")
        if step == "hang":
            await asyncio.sleep(3600)
        if isinstance(step, BaseException):
            raise step


def supervisor(connector: Scripted, **settings: float) -> tuple[Supervisor, list[float]]:
    delays: list[float] = []

    def listen(status: ConnectorStatus) -> None:
        if status.state is ConnectorState.ERROR and status.retry_at:
            delays.append((status.retry_at - datetime.now(UTC)).total_seconds())

    sup = Supervisor(
        connector, RecordingSink(), Cursor(MemoryCursorStore(), "s1", connector.key),
        settings=SupervisorSettings(**{"backoff_initial": 0.01, "backoff_max": 0.04,
                                       **settings}),
        status=ConnectorStatus("scripted", listener=listen), rand=lambda: 1.0,
    )
    return sup, delays


async def test_backoff_doubles_up_to_the_ceiling() -> None:
    conn = Scripted([ConnectorError("boom")] * 5)
    sup, delays = supervisor(conn)
    sup.start()
    await wait_until(lambda: conn.starts == 6)
    await sup.stop()
    assert [round(d, 2) for d in delays] == [0.01, 0.02, 0.04, 0.04, 0.04]
    assert sup.status.state is ConnectorState.STOPPED


async def test_full_jitter_draws_below_the_ceiling() -> None:
    conn = Scripted([ConnectorError("boom")] * 3)
    sup, delays = supervisor(conn, backoff_initial=10.0, backoff_max=10.0)
    sup.rand = lambda: 0.0  # the random draw decides: here no wait at all
    sup.start()
    await wait_until(lambda: conn.starts == 4, within=2)
    await sup.stop()
    assert max(delays) < 0.01


async def test_a_run_that_brought_items_resets_the_backoff() -> None:
    conn = Scripted(["item"] * 4)
    sup, delays = supervisor(conn)
    sup.start()
    await wait_until(lambda: conn.starts == 5)
    await sup.stop()
    assert [round(d, 2) for d in delays] == [0.01] * 4
    assert sup.status.items_today == 4
    assert sup.status.last_item_at is not None


async def test_rate_limit_waits_the_asked_time_capped() -> None:
    conn = Scripted([RateLimited("429", 0.2), RateLimited("429", 99.0)])
    sup, delays = supervisor(conn, max_rate_limit_wait=0.3)
    sup.start()
    await wait_until(lambda: conn.starts == 3)
    await sup.stop()
    assert [round(d, 1) for d in delays] == [0.2, 0.3]


async def test_fatal_error_stops_and_shows_the_reason() -> None:
    conn = Scripted([FatalConnectorError("HTTP 401, check the token")])
    sup, _ = supervisor(conn)
    sup.start()
    await wait_until(lambda: sup.done)
    assert conn.starts == 1
    assert sup.status.as_dict()["state"] == "error"
    assert sup.status.as_dict()["reason"] == "HTTP 401, check the token"


async def test_server_closing_the_stream_counts_as_a_failure() -> None:
    conn = Scripted([None])
    sup, _ = supervisor(conn)
    sup.start()
    await wait_until(lambda: conn.starts == 2)
    await sup.stop()
    assert sup.status.errors == 1


async def test_pause_cancels_the_run_and_resume_restarts_it() -> None:
    conn = Scripted(["hang"])
    sup, _ = supervisor(conn)
    sup.start()
    await wait_until(lambda: sup.status.state is ConnectorState.CONNECTED)
    sup.pause()
    await asyncio.sleep(0.05)
    assert sup.status.as_dict()["state"] == "paused"
    assert conn.starts == 1 and sup.status.errors == 0
    sup.resume()
    await wait_until(lambda: conn.starts == 2 and sup.status.state is ConnectorState.CONNECTED)
    await sup.stop()


async def test_only_stored_questions_count_as_items() -> None:
    async def core(batch):  # noqa: ANN001 - a core that refuses reposts, as app.ingest does
        return [IngestResult(m.external_id, None if m.is_repost else 7, False,
                             error="repost" if m.is_repost else None) for m in batch]

    conn = Scripted([])
    sup = Supervisor(conn, core, Cursor(MemoryCursorStore(), "s1", conn.key))
    results = await sup._count([IncomingMessage("x", "1", "q"),
                                IncomingMessage("x", "2", "q", is_repost=True)])
    assert [r.question_id for r in results] == [7, None]
    assert sup.status.items_today == 1


def test_items_today_restarts_at_utc_midnight() -> None:
    status = ConnectorStatus("mastodon")
    evening = datetime(2026, 11, 23, 23, 59, tzinfo=UTC)
    status.count_items(3, evening)
    status.count_items(0, evening)
    assert status.items_today == 3
    status.count_items(2, evening + timedelta(minutes=2))
    assert status.items_today == 2
    assert status.last_item_at == evening + timedelta(minutes=2)


async def test_session_connectors_build_from_config_and_report_status() -> None:
    configs = {
        "mastodon": {"instance": "http://127.0.0.1:9", "hashtags": ["fb"]},
        "youtube": {"live_chat_id": "abc", "api_key": "secret-key"},
    }
    group = SessionConnectors("s1", configs, RecordingSink(), MemoryCursorStore(),
                              settings=SupervisorSettings(backoff_initial=5.0))
    assert [s["channel"] for s in group.statuses()] == ["mastodon", "youtube"]
    assert "secret-key" not in repr(group.supervisors["youtube"].connector.config)
    group.start()
    await wait_until(lambda: group.statuses()[0]["state"] == "error")  # nothing listens on :9
    group.pause("mastodon")
    assert group.statuses()[0]["state"] == "paused"
    await group.stop()
    assert {s["state"] for s in group.statuses()} == {"stopped"}


def test_unknown_channel_and_bad_settings_are_refused() -> None:
    with pytest.raises(UnknownChannel):
        SessionConnectors("s1", {"myspace": {}}, RecordingSink(), MemoryCursorStore())
    with pytest.raises(ValidationError, match="max_reads"):  # X needs an explicit read cap
        SessionConnectors("s1", {"x": {"hashtags": ["fb"], "bearer_token": "t"}},
                          RecordingSink(), MemoryCursorStore())
