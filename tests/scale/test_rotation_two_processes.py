"""Key rotation across two real workers (PostgreSQL + Redis): a rotation made on one, or by
the CLI in a process of its own, closes the old keys' sockets on both within a second;
neither worker's log ever shows a key."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.rotation_kit import (
    REPLACED,
    cli_rotate,
    closed_within,
    open_live,
    role_cookie,
    still_open,
)

pytestmark = [pytest.mark.postgres]


async def test_a_rotation_through_the_api_of_a_closes_old_sockets_on_b(cluster) -> None:
    session = cluster.create_session("Rotate across workers")
    slug = session["slug"]
    cookie = role_cookie(cluster.b.url, session)
    by_key = await open_live(cluster.b.ws_url, slug, key=session["keys"]["moderator"])
    by_cookie = await open_live(cluster.b.ws_url, slug, cookie=cookie, as_="moderator")
    phone = await open_live(cluster.b.ws_url, slug)

    r = httpx.post(
        f"{cluster.a.url}/api/sessions/{slug}/keys/rotate",
        headers={"Authorization": f"Bearer {cluster.admin_token}"},
    )
    assert r.status_code == 200, r.text
    for ws in (by_key, by_cookie):
        assert (await closed_within(ws, 1.0))[0] == REPLACED
    assert await still_open(phone)
    await phone.close()
    for worker in (cluster.a, cluster.b):
        old = httpx.get(f"{worker.url}/api/sessions/{slug}/questions", headers={"Cookie": cookie})
        assert old.status_code == 401


async def test_the_cli_rotation_closes_old_sockets_on_both_workers(
    cluster, pg_schema_url: str, tmp_path: Path
) -> None:
    session = cluster.create_session("Rotate by CLI across workers")
    slug = session["slug"]
    sockets = [
        await open_live(worker.ws_url, slug, key=session["keys"][role])
        for worker in (cluster.a, cluster.b)
        for role in ("moderator", "stage")
    ]
    out = cli_rotate(slug, pg_schema_url, tmp_path)
    for ws in sockets:
        assert (await closed_within(ws, 1.0))[0] == REPLACED
    fresh = await open_live(cluster.b.ws_url, slug, key=out["keys"]["moderator"])
    assert await still_open(fresh)
    await fresh.close()


async def test_no_key_reaches_either_workers_log(cluster) -> None:
    session = cluster.create_session("Quiet workers")
    slug = session["slug"]
    for worker in (cluster.a, cluster.b):
        role_cookie(worker.url, session, "stage")
        ws = await open_live(worker.ws_url, slug, key=session["keys"]["screen"])
        await ws.close()
    logs = cluster.a.log.read_text() + cluster.b.log.read_text()
    assert f'"WebSocket /s/{slug}/live?key=REDACTED" [accepted]' in logs
    for key in session["keys"].values():
        assert key not in logs
