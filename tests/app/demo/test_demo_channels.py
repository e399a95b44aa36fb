"""The demo: its social channels come in through the real connectors, from in-process fake
platforms on 127.0.0.1, marked simulated, and the console's snapshot lists them live."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx

from app.demo import ensure_demo_session, simulate_remote_audience
from app.demo.stream import remote_stream
from app.main import create_app
from tests.servers import LiveServer

SOCIAL = {"mastodon", "bluesky", "youtube", "x"}
SEED = 5  # its first dozen holds every channel and one cross-post
FIRST = list(itertools.islice(remote_stream(SEED), 12))  # what the seeded simulator sends


class DemoServer(LiveServer):
    """A LiveServer that runs what `floorbridge demo` runs at start-up, at a faster pace."""

    keys: dict[str, str] | None = None

    def make_app(self) -> Any:
        async def on_start(state: Any) -> None:
            _sid, _slug, self.keys = await state.store.write(ensure_demo_session)
            state.tasks.spawn(
                simulate_remote_audience(state, _sid, pace=(0.05, 0.15), limit=12, seed=SEED)
            )

        return create_app(self.settings(), on_start=on_start)


def test_demo_social_channels_run_through_connectors(tmp_path):
    social = sum(m.channel in SOCIAL for m in FIRST)
    assert {m.channel for m in FIRST} == SOCIAL | {"zoom_chat", "zoom_qa"}  # all in a dozen
    server = DemoServer(tmp_path / "demo").start()
    try:
        headers = {"Authorization": f"Bearer {server.keys['moderator']}"}
        api = f"{server.url}/api/sessions/data-for-good"
        deadline = time.monotonic() + 30
        while True:
            qs = httpx.get(f"{api}/questions", headers=headers).json()
            if len(qs) >= 12 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(qs) == 12, sorted(q["channel"] for q in qs)
        sent = [m.text + (" #DataForGood" if m.channel == "x" else "") for m in FIRST]
        assert sorted(q["text"] for q in qs) == sorted(sent)  # X's fake adds the tag
        assert {q["channel"] for q in qs} == SOCIAL | {"zoom_chat", "zoom_qa"}
        assert all(q["simulated"] for q in qs)
        assert all(q["url"] for q in qs if q["channel"] in SOCIAL)
        for _ in range(50):  # item counts reach the console within a second or so
            snap = httpx.get(f"{api}/snapshot", headers=headers).json()["data"]["connectors"]
            channels = {c["channel"]: c for c in snap["channels"]}
            if sum(c["status"].get("items_today", 0) for c in channels.values()) >= social:
                break
            time.sleep(0.1)
        assert set(channels) == SOCIAL
        assert all(c["simulated"] for c in channels.values())
        assert {c["status"]["state"] for c in channels.values()} == {"connected"}
        assert sum(c["status"]["items_today"] for c in channels.values()) == social
        # The simulator's cross-post (one person, two networks) is spotted as one.
        by_text = {q["text"]: q["id"] for q in qs}
        again = next(m for m in FIRST if m.kind == "crosspost")
        first = next(m for m in FIRST if m.name == again.name and m.kind != "crosspost"
                     and m.channel != again.channel)
        assert snap["crossposts"] == {str(by_text[again.text]): by_text[first.text]}
    finally:
        server.stop()
