"""The assistant in a real server: questions stored by ingest are analysed off the writer,
suggestions reach the moderator (API and socket), never the audience."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest
from websockets.asyncio.client import connect

from app.ingest import ingest
from app.triage import load_embedder
from ports.messages import IncomingMessage
from tests.servers import LiveServer, audience_cookies

pytestmark = pytest.mark.skipif(
    load_embedder().embedder is None, reason="the triage model is an install of the test extra"
)

EN = "How will the data collected by these platforms be protected from governments?"
FR = ("Comment les données collectées par ces plateformes seront-elles protégées "
      "des gouvernements ?")
OTHER = "What time does the lunch break start today?"
ON = {"triage": "on"}  # tests.servers turns it off for every other test


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("triage"), extra_env=ON).start()
    yield s
    s.stop()


def _deliver(server: LiveServer, sid: int, channel: str, ext: str, text: str) -> int:
    """Through the real ingest path, on the server's own loop (as a connector does)."""
    state = server.app.state.fb
    rt = state.triage
    msg = IncomingMessage(channel=channel, external_id=ext, text=text, author_name="P",
                          sent_at=datetime.now(UTC))
    delivery = ingest(state.store, sid, [msg], state.registry.ingest)
    fut = asyncio.run_coroutine_threadsafe(delivery, rt.loop)
    result = fut.result(10)[0]
    assert asyncio.run_coroutine_threadsafe(rt.idle(30), rt.loop).result(35)
    return result.question_id


def _session(server: LiveServer) -> tuple[dict, int, httpx.Client]:
    created = server.create_session(title="Assistant test")
    state = server.app.state.fb
    sid = state.store.read_sync(
        lambda db: __import__("app.sessions.service").sessions.service.get_by_slug(
            db, created["slug"]).id)
    mod = httpx.Client(base_url=f"{server.url}/api/sessions/{created['slug']}",
                       headers={"Authorization": f"Bearer {created['keys']['moderator']}"})
    return created, sid, mod


def test_a_french_paraphrase_from_another_channel_lists_the_english_question(server):
    created, sid, mod = _session(server)
    first = _deliver(server, sid, "mastodon", "m1", EN)
    other = _deliver(server, sid, "youtube", "y1", OTHER)
    second = _deliver(server, sid, "zoom", "z1", FR)

    got = mod.get(f"/questions/{second}/similar").json()
    assert got["analysed"] and got["lang"] == "fr" and got["kind"] == "question"
    assert [s["id"] for s in got["similar"]] == [first]
    top = got["similar"][0]
    assert top["channel"] == "mastodon" and top["lang"] == "en" and top["score"] >= 0.65
    unrelated = mod.get(f"/questions/{other}/similar").json()
    assert unrelated["analysed"] and unrelated["similar"] == []

    # Accepting is the ordinary merge (unmerge splits it back), and both are audited.
    r = mod.post(f"/questions/{second}/similar/{first}/accept")
    assert r.status_code == 200 and second in r.json()["sources"]
    assert mod.post(f"/questions/{second}/unmerge").status_code == 200
    # Rejecting takes it off the card for good.
    r = mod.post(f"/questions/{second}/similar/{first}/reject")
    assert r.status_code == 200 and r.json()["similar"] == []
    assert mod.get(f"/questions/{second}/similar").json()["similar"] == []
    actions = [a["action"] for a in mod.get("/audit").json()]
    assert "triage.accepted" in actions and "triage.rejected" in actions
    # A second rejection names a suggestion that is no longer there: a 404 that says so.
    r = mod.post(f"/questions/{second}/similar/{first}/reject")
    assert r.status_code == 404 and "not a suggestion" in r.json()["detail"]


def test_only_the_moderator_gets_triage_and_metrics_count_it(server):
    created, sid, mod = _session(server)

    async def run():
        base = f"{server.ws_url}/s/{created['slug']}/live"
        moderator = await connect(f"{base}?key={created['keys']['moderator']}", compression=None)
        audience = await connect(base, compression=None)
        for ws in (moderator, audience):
            await ws.send(json.dumps({"type": "resume", "after": None}))
            while json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] != "synced":
                pass
        qid = await asyncio.to_thread(
            _deliver, server, sid, "zoom", "z9", "Can you mail me at ana@example.org about it?")
        r = await asyncio.to_thread(mod.post, f"/questions/{qid}/actions/approve")
        assert r.status_code == 200
        seen = {"mod": [], "aud": []}
        for name, ws in (("mod", moderator), ("aud", audience)):
            try:
                while True:
                    seen[name].append(json.loads(await asyncio.wait_for(ws.recv(), 1.5)))
            except TimeoutError:
                pass
            await ws.close()
        return qid, seen

    qid, seen = asyncio.run(run())
    triaged = [f for f in seen["mod"] if f.get("type") == "triage.updated"]
    assert triaged and triaged[0]["data"]["questions"][0]["id"] == qid
    assert "personal:email" in triaged[0]["data"]["questions"][0]["flags"]
    aud = seen["aud"]
    assert not [f for f in aud if f["type"].startswith("triage")]
    shown = [f["data"]["question"] for f in aud if f["type"] == "question.updated"]
    assert [q["id"] for q in shown] == [qid]  # the audience did hear of the question...
    assert not {"lang", "kind", "flags", "similar"} & set(shown[0])  # ...not of its triage
    snap = f"{server.url}/api/sessions/{created['slug']}/snapshot"
    public = httpx.get(snap, cookies=audience_cookies(server.url, created["slug"])).json()
    assert public["data"]["triage"] is None
    assert mod.get("/snapshot").json()["data"]["triage"]["questions"][str(qid)]["lang"] == "en"
    metrics = httpx.get(f"{server.url}/metrics").text
    assert "floorbridge_triage_shed_total 0.0" in metrics
    assert "floorbridge_triage_enabled 1.0" in metrics


def test_threshold_is_per_session_and_checked(server):
    _created, _sid, mod = _session(server)
    assert mod.get("/triage").json()["threshold"] == 0.65
    r = mod.put("/triage", json={"threshold": 2})
    assert r.status_code == 422 and "threshold" in r.json()["detail"]
    assert mod.put("/triage", json={"threshold": 0.8}).json()["threshold"] == 0.8
    assert mod.get("/triage").json()["features"]["enabled"] is True


def test_off_says_so(tmp_path):
    s = LiveServer(tmp_path / "d", extra_env={"triage": "off"}).start()
    try:
        created = s.create_session(title="Off")
        r = httpx.get(f"{s.url}/api/sessions/{created['slug']}/triage",
                      headers={"Authorization": f"Bearer {created['keys']['moderator']}"})
        features = r.json()["features"]
        assert features["enabled"] is False and "FLOORBRIDGE_TRIAGE=off" in features["reasons"][0]
    finally:
        s.stop()


def test_after_a_restart_earlier_questions_are_still_found(tmp_path):
    s = LiveServer(tmp_path / "r", extra_env=ON).start()
    try:
        _created, sid, mod = _session(s)
        first = _deliver(s, sid, "mastodon", "m1", EN)
        s.restart()  # the index was in memory only
        second = _deliver(s, sid, "zoom_chat", "z1", FR)
        got = mod.get(f"/questions/{second}/similar").json()
        assert [x["id"] for x in got["similar"]] == [first]
        # The earlier one was indexed again, not stored (nor announced) a second time.
        assert mod.get(f"/questions/{first}/similar").json()["similar"] == []
        events = [a for a in mod.get("/audit").json() if a["action"].startswith("triage")]
        assert events == []
    finally:
        s.stop()


# Related to EN, not suggested for it by the model: only a moderator can say they are one.
SEIZE = "Can a government force these platforms to hand over what they store about us?"
SEIZE_ES = ("¿Puede un gobierno obligar a estas plataformas a entregar lo que guardan "
            "sobre nosotros?")
SEIZE_FR = ("Un gouvernement peut-il obliger ces plateformes à livrer ce qu'elles "
            "stockent sur nous ?")
FR_CLOSER = ("Comment les données que ces plateformes collectent seront-elles protégées "
             "des gouvernements ?")
FR_OTHER = ("De quelle manière les données collectées par ces plateformes seront-elles "
            "protégées face aux gouvernements ?")


def _similar(mod: httpx.Client, qid: int) -> list[int]:
    got = mod.get(f"/questions/{qid}/similar").json()
    assert got["analysed"]
    return [s["id"] for s in got["similar"]]


def test_a_moderators_merge_joins_the_clusters_and_unmerge_splits_them(server):
    _created, sid, mod = _session(server)
    a = _deliver(server, sid, "mastodon", "m1", EN)
    b = _deliver(server, sid, "youtube", "y1", SEIZE)
    assert _similar(mod, b) == []
    r = mod.post(f"/questions/{b}/merge", json={"into": a})
    assert r.status_code == 200 and b in r.json()["sources"]
    # A paraphrase of B is offered A, the card that holds B: one suggestion, not two.
    c = _deliver(server, sid, "zoom", "z1", SEIZE_ES)
    assert _similar(mod, c) == [a]
    assert mod.post(f"/questions/{b}/unmerge").status_code == 200
    d = _deliver(server, sid, "zoom", "z2", SEIZE_FR)
    found = _similar(mod, d)
    assert b in found and len(found) == len(set(found))  # B is its own card again


def test_an_accepted_suggestion_names_the_question_it_went_into(server):
    _created, sid, mod = _session(server)
    a = _deliver(server, sid, "mastodon", "m1", EN)
    x = _deliver(server, sid, "zoom", "z1", FR)
    assert _similar(mod, x) == [a]
    assert mod.post(f"/questions/{x}/similar/{a}/accept").status_code == 200
    # Closer to X than to A: before the merge reached the index it named X, merged by now.
    y = _deliver(server, sid, "zoom", "z2", FR_CLOSER)
    assert _similar(mod, y) == [a]
    assert mod.post(f"/questions/{y}/similar/{a}/accept").status_code == 200
    assert mod.post(f"/questions/{x}/unmerge").status_code == 200
    z = _deliver(server, sid, "zoom", "z3", FR_OTHER)
    assert x in _similar(mod, z)


def test_after_a_restart_the_merges_made_before_still_hold(tmp_path):
    s = LiveServer(tmp_path / "m", extra_env=ON).start()
    try:
        _created, sid, mod = _session(s)
        a = _deliver(s, sid, "mastodon", "m1", EN)
        b = _deliver(s, sid, "youtube", "y1", SEIZE)
        assert mod.post(f"/questions/{b}/merge", json={"into": a}).status_code == 200
        s.restart()  # the index is seeded again from the database, merges included
        c = _deliver(s, sid, "zoom", "z1", SEIZE_ES)
        assert _similar(mod, c) == [a]
    finally:
        s.stop()


def test_the_model_process_gets_a_core_only_when_ingest_leaves_one_idle(server):
    """At 200 messages/s on 2 cores a nice-10 child still took its share of a core from
    ingest (ack p99 61 -> 210 ms): the served child runs under SCHED_IDLE, and still
    answers (the first test's suggestion came from it)."""
    import os

    from app.triage_live.process import shared_child

    child = shared_child()
    assert child.proc.is_alive()
    assert os.sched_getscheduler(child.proc.pid) == os.SCHED_IDLE
