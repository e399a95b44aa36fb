"""live.js, clock.js and store.js on their own, in the browser, loaded from the server.

The page tests show the client working; these pin down the numbers the protocol asks
for (backoff 0.5 s doubling to 10 s with full jitter, each seq applied once, the clock
offset taken from the shortest round trip).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(open_role, fb_session):
    # Any of our pages will do: modules load from /ui/js/ under the real CSP.
    role = open_role("audience", fb_session.links["audience"])
    role.wait_live()
    yield role.page
    role.assert_clean()


def test_backoff_doubles_from_half_a_second_to_ten_with_full_jitter(page):
    delays = page.evaluate(
        """async () => {
          const { LiveClient } = await import("/ui/js/live.js");
          const { Store } = await import("/ui/js/store.js");
          const client = new LiveClient({ slug: "x", store: new Store() });
          client.connect = () => {};  // only the schedule is under test
          const seen = [];
          const realTimeout = window.setTimeout, realRandom = Math.random;
          window.setTimeout = (fn, ms) => { seen.push(ms); return 0; };
          try {
            Math.random = () => 0.999999;
            for (let i = 0; i < 8; i++) client.scheduleReconnect();
            const top = seen.splice(0);
            Math.random = () => 0;
            client.scheduleReconnect();
            return { top, bottom: seen };
          } finally {
            window.setTimeout = realTimeout;
            Math.random = realRandom;
          }
        }"""
    )
    caps = [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]
    assert [round(d) for d in delays["top"]] == caps
    assert delays["bottom"] == [0]  # full jitter: anywhere from zero up to the cap


def test_each_seq_is_applied_once_and_a_snapshot_replaces_everything(page):
    result = page.evaluate(
        """async () => {
          const { LiveClient } = await import("/ui/js/live.js");
          const { Store } = await import("/ui/js/store.js");
          const store = new Store();
          const client = new LiveClient({ slug: "x", store });
          const q = (id, state, extra = {}) => ({ id, text: `q${id}`, state, ...extra });
          const applied = [];
          store.subscribe((_, change) => applied.push(change.type));
          client.handle({ type: "snapshot", seq: 5, data: { session: { title: "T" },
            questions: [q(1, "queued", { position: 1 })], on_stage: null } });
          client.handle({ seq: 5, type: "question.created", data: { question: q(9, "inbox") } });
          client.handle({ seq: 6, type: "question.created", data: { question: q(2, "queued") } });
          client.handle({ seq: 6, type: "question.created", data: { question: q(3, "queued") } });
          client.handle({ seq: 7, type: "queue.reordered", data: { ids: [2, 1] } });
          client.handle({ seq: 8, type: "question.updated", data: { question: q(2, "on_stage") } });
          client.handle({ seq: 4, type: "question.removed", data: { id: 1 } });
          const before = { seq: client.lastSeq, ids: [...store.questions.keys()].sort(),
            onStage: store.onStage, queue: store.queue.map((x) => x.id), applied: [...applied] };
          client.handle({ type: "snapshot", seq: 20, data: {
            session: { title: "T2" }, questions: [q(7, "on_stage")], on_stage: 7 } });
          return { before, after: { seq: client.lastSeq, ids: [...store.questions.keys()],
            onStage: store.onStage, title: store.session.title } };
        }"""
    )
    assert result["before"] == {
        "seq": 8,
        "ids": [1, 2],  # seq 5 (dup of the snapshot), the second 6 and the stale 4 skipped
        "onStage": 2,
        "queue": [1],
        "applied": ["snapshot", "question.created", "queue.reordered", "question.updated"],
    }
    assert result["after"] == {"seq": 20, "ids": [7], "onStage": 7, "title": "T2"}


def test_clock_offset_comes_from_the_shortest_round_trip(page):
    result = page.evaluate(
        """async () => {
          const { Clock } = await import("/ui/js/clock.js");
          const clock = new Clock();
          const offsets = [];
          // (sent, server, received): true offset 5000 ms; delays differ per sample.
          clock.addSample(1000, 6080, 1100);  // rtt 100, asymmetric: 6080 - 1050 = 5030
          offsets.push(clock.offset);
          clock.addSample(2000, 7010, 2020);  // rtt 20: 7010 - 2010 = 5000
          offsets.push(clock.offset);
          clock.addSample(3000, 8200, 3300);  // rtt 300, worse: ignored
          offsets.push(clock.offset);
          const now = clock.now() - Date.now();
          return { offsets, now, rtt: clock.bestRtt };
        }"""
    )
    assert result["offsets"] == [5030, 5000, 5000]
    assert abs(result["now"] - 5000) <= 5
    assert result["rtt"] == 20


def test_live_client_measures_the_server_clock(page):
    # Against the real server: pongs arrived, the offset is near zero on one machine.
    page.wait_for_function("() => window.__fbLive.clock.samples.length >= 5", timeout=5000)
    offset, rtt = page.evaluate("[window.__fbLive.clock.offset, window.__fbLive.clock.bestRtt]")
    assert abs(offset) < 250 and 0 <= rtt < 500, (offset, rtt)
    skew = page.evaluate("window.__fbLive.serverNow() - Date.now()")
    assert abs(skew - offset) < 50
