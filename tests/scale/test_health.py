"""Health, readiness and metrics as an orchestrator and Prometheus see them; the CLI's
refusal to run several workers on what cannot be shared."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from websockets.asyncio.client import connect

from app.cli import main as cli
from tests.servers import audience_cookies


def metric(body: str, name: str, **labels: str) -> float:
    sel = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + sel + '}') if sel else ''} (\S+)$"
    found = re.search(pattern, body, re.M)
    assert found, f"{name} {labels} not in /metrics"
    return float(found.group(1))


def test_health_and_readiness_on_a_working_server(live_server):
    assert httpx.get(f"{live_server.url}/healthz").json() == {"status": "ok"}
    r = httpx.get(f"{live_server.url}/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "database": "ok", "bus": "ok", "live": "bus"}


def test_not_ready_when_redis_is_unreachable(live_server, tmp_path):
    server = type(live_server)(tmp_path / "d", bus_url="redis://127.0.0.1:9/0").start()
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 200  # alive...
        r = httpx.get(f"{server.url}/readyz", timeout=10)  # ...but not to be sent traffic
        assert r.status_code == 503
        assert r.json() == {
            "detail": "not ready: the bus cannot be reached",
            "database": "ok",
            "bus": "unreachable",
            "live": "log",  # its sockets still get every event, read from the log
        }
    finally:
        server.stop()


async def test_metrics_count_sockets_events_and_latencies(fresh_server):
    server = fresh_server
    session = server.create_session("Metrics")
    live = f"{server.ws_url}/s/{session['slug']}/live"
    sockets = [await connect(live, compression=None) for _ in range(3)]
    sockets.append(await connect(f"{live}?key={session['keys']['moderator']}", compression=None))
    for ws in sockets:
        await ws.send(json.dumps({"type": "resume", "after": None}))
        await ws.recv()
    base = f"{server.url}/api/sessions/{session['slug']}"
    before = metric(httpx.get(f"{server.url}/metrics").text, "floorbridge_events_total")
    phone = audience_cookies(server.url, session["slug"])
    qid = httpx.post(f"{base}/questions", json={"text": "Counted?"}, cookies=phone).json()["id"]
    httpx.post(
        f"{base}/questions/{qid}/actions/approve",
        headers={"Authorization": f"Bearer {session['keys']['moderator']}"},
    ).raise_for_status()
    await asyncio.sleep(0.2)
    r = httpx.get(f"{server.url}/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    body = r.text
    assert metric(body, "floorbridge_sockets", role="audience") == 3
    assert metric(body, "floorbridge_sockets", role="moderator") == 1
    assert metric(body, "floorbridge_events_total") == before + 2
    assert metric(body, "floorbridge_request_seconds_count", kind="ingest_audience") == 1
    assert metric(body, "floorbridge_request_seconds_count", kind="moderator_action") == 1
    assert metric(body, "floorbridge_fanout_seconds_count") >= 2
    assert metric(body, "floorbridge_dropped_slow_clients_total") == 0
    # The 3 audience sockets and the moderator's, idle, got both events pre-framed.
    assert metric(body, "floorbridge_frames_direct_total") >= 4
    for ws in sockets:
        await ws.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database-url", "sqlite:///x.db"], "--workers needs PostgreSQL: SQLite serves one"),
        (["--database-url", "postgresql+psycopg://u@h/db"], "--workers needs FLOORBRIDGE_BUS_URL"),
    ],
)
def test_serve_refuses_several_workers_without_postgres_and_redis(
    args, message, capsys, monkeypatch, tmp_path
):
    monkeypatch.setenv("FLOORBRIDGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FLOORBRIDGE_DATABASE_URL", "")  # the CLI sets it; restore it after
    monkeypatch.delenv("FLOORBRIDGE_BUS_URL", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli(["serve", "--workers", "2", *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("floorbridge: " + message) and err.count("\n") == 1
