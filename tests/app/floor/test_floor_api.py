"""The floor's REST contract on a real server: statuses, roles, clear 4xx on bad input."""

from __future__ import annotations

import httpx

from tests.servers import audience


def _auth(session, role):
    return {"Authorization": f"Bearer {session['keys'][role]}"}


def test_ask_withdraw_call_and_roles(live_server):
    session = live_server.create_session("Floor API")
    base = f"{live_server.url}/api/sessions/{session['slug']}/floor"
    mod, stage, screen = (_auth(session, r) for r in ("moderator", "stage", "screen"))
    with audience(live_server.url, session["slug"]) as ana, audience(
        live_server.url, session["slug"]
    ) as ben:
        r = ana.post(base, json={"name": "Ana", "group": "civil_society", "where": "remote"})
        assert r.status_code == 201 and r.json()["position"] == 1 and r.json()["state"] == "waiting"
        ana_id = r.json()["id"]
        r = ben.post(base, json={"name": "Ben", "where": "hub", "hub": "Dhaka hub"})
        assert r.status_code == 201 and r.json()["position"] == 2
        assert ben.get(f"{base}/mine").json()["request"]["position"] == 2
        # Bad input: a clear 4xx, never a 500.
        with audience(live_server.url, session["slug"]) as new:
            assert new.post(base, json={"name": "X", "group": "aliens"}).status_code == 422
            no_hub = new.post(base, json={"name": "X", "where": "hub"})
            assert no_hub.status_code == 422 and "hub" in no_hub.json()["detail"]
            assert new.post(base, json={"name": "  "}).status_code == 422
            assert new.get(f"{base}/mine").json()["request"] is None
        assert ben.delete(f"{base}/{ana_id}").status_code == 403
        assert httpx.get(base).status_code == 401  # the list needs a role key
        assert httpx.post(base, json={"name": "No id"}).status_code == 401
        listed = httpx.get(base, headers=stage).json()
        assert [i["name"] for i in listed["queue"]] == ["Ana", "Ben"]
        hidden = httpx.get(base, headers=screen).json()
        assert [i["name"] for i in hidden["queue"]] == [None, None]
        assert httpx.post(f"{base}/add", json={"name": "Carla", "where": "room"},
                          headers=stage).status_code == 201
        r = httpx.post(f"{base}/next", headers=stage)
        assert r.status_code == 200 and r.json()["speaking"]["name"] == "Ana"
        assert httpx.post(f"{base}/{ana_id}/actions/skip", headers=stage).status_code == 403
        assert httpx.post(f"{base}/{ana_id}/actions/fly", headers=mod).status_code == 404
        assert httpx.post(f"{base}/{ana_id}/actions/call", headers=mod).status_code == 409
        carla = httpx.get(base, headers=mod).json()["queue"][1]["id"]
        r = httpx.post(f"{base}/{carla}/move", json={"position": 1}, headers=mod)
        assert [i["name"] for i in r.json()["queue"]] == ["Carla", "Ben"]
        assert httpx.post(f"{base}/{carla}/move", json={"position": 0},
                          headers=mod).status_code == 422
        r = httpx.patch(f"{base}/settings", json={"intervention_seconds": 120,
                                                  "warning_seconds": 20}, headers=mod)
        assert r.status_code == 200 and r.json()["settings"]["intervention_seconds"] == 120
        assert httpx.patch(f"{base}/settings", json={"warning_seconds": 500},
                           headers=mod).status_code == 422
        assert httpx.patch(f"{base}/settings", json={"policy": "x"}, headers=mod).status_code == 422
        assert httpx.patch(f"{base}/settings", json={}, headers=stage).status_code == 403
        ben_id = ben.get(f"{base}/mine").json()["request"]["id"]
        assert ben.delete(f"{base}/{ben_id}").json()["state"] == "withdrawn"
        assert ben.get(f"{base}/mine").json()["request"]["state"] == "withdrawn"
