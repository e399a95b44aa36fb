"""The timer over HTTP against a real server: roles, errors in words, the audience gate,
and a server restart mid-segment (the remaining time continues; a paused timer stays)."""

from __future__ import annotations

import httpx
import pytest

from tests.servers import audience_cookies

from .support import AGENDA


def client(server, session, role: str | None = "moderator") -> httpx.Client:
    """A role's client; role None: a phone that opened the audience page (its id cookie)."""
    headers = {"Authorization": f"Bearer {session['keys'][role]}"} if role else {}
    cookies = audience_cookies(server.url, session["slug"]) if role is None else None
    return httpx.Client(
        base_url=f"{server.url}/api/sessions/{session['slug']}",
        headers=headers,
        cookies=cookies,
        timeout=5,
    )


def remaining(t: dict) -> float:
    """Seconds left at the server's `now`, from the timestamps alone."""
    until = t["paused_at"] if t["paused_at"] is not None else t["now"]
    return t["planned"] + t["adjust"] - ((until - t["started_at"]) / 1000 - t["paused_total"])


def test_roles_and_errors_are_said_in_words(live_server):
    session = live_server.create_session("Timer roles", agenda=AGENDA)
    with (
        client(live_server, session) as mod,
        client(live_server, session, "stage") as stage,
        client(live_server, session, None) as anon,
    ):
        assert stage.post("/timer/start").status_code == 403
        assert anon.post("/timer/start").status_code == 401
        assert anon.get("/timer").status_code == 401
        assert stage.get("/timer").json()["state"] == "idle"
        r = mod.post("/timer/rewind")
        assert r.status_code == 422 and "unknown timer action" in r.json()["detail"]
        r = mod.post("/timer/jump", json={"segment": 9})
        assert r.status_code == 422 and r.json()["detail"] == "segment must be an index from 0 to 2"
        assert mod.post("/timer/pause").status_code == 409
        planned = mod.patch("/timer", json={"scheduled_start": "2030-01-01T10:00:00Z"}).json()
        assert planned["scheduled_start"] == 1893492000000
        assert mod.patch("/timer", json={"scheduled_start": None}).json()["scheduled_start"] is None
        started = mod.post("/timer/start").json()
        assert started["state"] == "running" and abs(started["now"] - started["started_at"]) < 2000
        r = mod.post("/timer/start")
        assert r.status_code == 409 and "already running" in r.json()["detail"]
        assert mod.post("/timer/adjust", json={"seconds": 30}).json()["adjust"] == 30
        seg = mod.post("/agenda", json={"title": "Break", "minutes": 5, "kind": "break"})
        assert seg.status_code == 201 and [s["title"] for s in seg.json()["agenda"]][-1] == "Break"
        assert stage.post("/notes", json={"kind": "wrap_up"}).status_code == 403
        note = mod.post("/notes", json={"kind": "speaker_ready"})
        assert note.status_code == 201
        acked = stage.post(f"/notes/{note.json()['id']}/ack")
        assert acked.status_code == 200 and acked.json()["acked_at"] is not None
        assert stage.post("/notes/99999/ack").status_code == 404


def test_audience_box_closed_outside_question_segments(live_server):
    session = live_server.create_session("Gate", agenda=AGENDA)
    with client(live_server, session) as mod, client(live_server, session, None) as aud:
        assert mod.patch("/timer", json={"questions_gate": True}).json()["questions_gate"]
        mod.post("/timer/start").raise_for_status()
        r = aud.post("/questions", json={"text": "Can I ask now?"})
        assert r.status_code == 409
        assert r.json()["detail"] == (
            "Questions are closed during “Opening”. They open again with “Ana on data” "
            "in about a minute."
        )
        mod.post("/timer/next").raise_for_status()
        r = aud.post("/questions", json={"text": "And now?"})
        assert r.status_code == 201
        q = mod.get("/questions").json()
        assert [(x["text"], x["segment"]) for x in q] == [("And now?", 1)]


def test_server_restart_mid_segment_keeps_time_running_and_pauses_paused(fresh_server):
    server = fresh_server
    running = server.create_session("Running", agenda=AGENDA)
    paused = server.create_session("Paused", agenda=AGENDA)
    with client(server, running) as a, client(server, paused) as b:
        a.post("/timer/start").raise_for_status()
        b.post("/timer/start").raise_for_status()
        b.post("/timer/adjust", json={"seconds": 45}).raise_for_status()
        b.post("/timer/pause").raise_for_status()
        before_a, before_b = a.get("/timer").json(), b.get("/timer").json()

    server.restart()

    with client(server, running) as a, client(server, paused) as b:
        after_a, after_b = a.get("/timer").json(), b.get("/timer").json()
    waited = (after_a["now"] - before_a["now"]) / 1000
    assert waited > 0.1  # the restart took real time...
    assert after_a["state"] == "running"
    assert remaining(after_a) == pytest.approx(remaining(before_a) - waited, abs=0.002)
    assert after_b["state"] == "paused"  # ...which a paused timer does not count
    assert remaining(after_b) == pytest.approx(remaining(before_b), abs=1e-6)
    assert remaining(after_b) == pytest.approx(60 + 45, abs=1)
