"""One rule for the organiser's routes (app/admin.py): no valid credentials is 401, a
valid key of a role that may not act is 403, and admin-only routes take nothing but the
admin token (docs/protocol.md)."""

from __future__ import annotations

import httpx

from tests.servers import LiveServer


def test_admin_and_organiser_routes_agree_on_401_and_403(live_server: LiveServer) -> None:
    session = live_server.create_session("Who may do this")
    base = f"{live_server.url}/api/sessions/{session['slug']}"
    keys = session["keys"]
    bearer = {role: {"Authorization": f"Bearer {key}"} for role, key in keys.items()}
    admin = {"Authorization": f"Bearer {live_server.admin_token}"}
    retention = {"retention_days": 9}

    # Admin or moderator.
    assert httpx.put(f"{base}/privacy", json=retention).status_code == 401
    wrong = httpx.put(f"{base}/privacy", json=retention, headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    r = httpx.put(f"{base}/privacy", json=retention, headers=bearer["stage"])
    assert r.status_code == 403 and "stage" in r.json()["detail"]
    assert httpx.put(f"{base}/privacy", json=retention, headers=bearer["moderator"]).is_success
    assert httpx.put(f"{base}/privacy", json=retention, headers=admin).is_success
    r = httpx.put(f"{base}/connectors/mastodon", json={}, headers=bearer["screen"])
    assert r.status_code == 403
    r = httpx.put(f"{base}/connectors/mastodon", json={}, headers={"Authorization": "Bearer x"})
    assert r.status_code == 401
    # The session's language settings: the same dependency, the same answers.
    lang = {"lang": "fr"}
    assert httpx.put(f"{base}/settings", json=lang).status_code == 401
    r = httpx.put(f"{base}/settings", json=lang, headers=bearer["stage"])
    assert r.status_code == 403 and "stage" in r.json()["detail"]
    assert httpx.put(f"{base}/settings", json=lang, headers=bearer["moderator"]).is_success
    assert httpx.put(f"{base}/settings", json=lang, headers=admin).is_success

    # Admin alone: a role key, even the moderator's, is not the admin token.
    who = {"channel": "audience", "handle": "nobody-at-all"}
    for headers in ({}, bearer["moderator"], bearer["stage"]):
        r = httpx.post(f"{base}/privacy/export", json=who, headers=headers)
        assert r.status_code == 401 and "admin token" in r.json()["detail"]
        r = httpx.post(f"{live_server.url}/api/sessions", json={"title": "x"}, headers=headers)
        assert r.status_code == 401 and "admin token" in r.json()["detail"]
    assert httpx.post(f"{base}/privacy/export", json=who, headers=admin).is_success
