"""A forged Host header never reaches links, `audience_url` or the QR code; the organiser
vouches for names (FLOORBRIDGE_ALLOWED_HOSTS) or the public URL; `serve` warns when
exposed without either; the demo bound to the network prints links a phone can open."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import segno

from app.config import Settings
from app.hosts import exposure_warning, host_allowed, lan_address
from tests.servers import LiveServer, free_port

EVIL = "evil.example.net"


def _qr(url: str) -> bytes:
    """The SVG the server makes for `url` (same parameters as app/pages.py)."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(
        buf, kind="svg", xmldecl=False, scale=8, border=2, dark="#000", light="#fff"
    )
    return buf.getvalue()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    s = LiveServer(tmp_path).start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def vouched(tmp_path: Path) -> Iterator[LiveServer]:
    s = LiveServer(tmp_path, extra_env={"allowed_hosts": "floor.example.org, *.igf.example"})
    s.start()
    try:
        yield s
    finally:
        s.stop()


def _create(server: LiveServer, host: str) -> dict:
    r = httpx.post(
        f"{server.url}/api/sessions",
        json={"title": "Host test"},
        headers={"Authorization": f"Bearer {server.admin_token}", "Host": host},
    )
    r.raise_for_status()
    return r.json()


def test_a_forged_host_reaches_no_link_no_audience_url_and_no_qr_code(server):
    own = f"http://127.0.0.1:{server.port}"
    created = _create(server, EVIL)
    assert all(url.startswith(f"{own}/s/") for url in created["links"].values()), created
    slug = created["slug"]
    info = httpx.get(f"{server.url}/api/sessions/{slug}", headers={"Host": EVIL}).json()
    assert info["audience_url"] == f"{own}/s/{slug}"
    snap = httpx.get(
        f"{server.url}/api/sessions/{slug}/snapshot",
        headers={"Host": f"{EVIL}:443", "Authorization": f"Bearer {created['keys']['screen']}"},
    ).json()
    assert EVIL not in str(snap)
    qr = httpx.get(f"{server.url}/s/{slug}/qr.svg", headers={"Host": EVIL})
    assert qr.status_code == 200
    assert qr.content == _qr(f"{own}/s/{slug}")
    assert qr.content != _qr(f"http://{EVIL}/s/{slug}")


def test_hosts_the_organiser_allows_are_used_and_no_others(vouched):
    created = _create(vouched, "floor.example.org")
    assert created["links"]["audience"] == f"http://floor.example.org/s/{created['slug']}"
    slug = created["slug"]
    sub = httpx.get(f"{vouched.url}/api/sessions/{slug}", headers={"Host": "ws.igf.example:8443"})
    assert sub.json()["audience_url"] == f"http://ws.igf.example:8443/s/{slug}"
    for forged in (EVIL, "igf.example.evil.net", "eviligf.example", "floor.example.org.evil.net"):
        info = httpx.get(f"{vouched.url}/api/sessions/{slug}", headers={"Host": forged}).json()
        assert info["audience_url"] == f"http://127.0.0.1:{vouched.port}/s/{slug}", forged
    qr = httpx.get(f"{vouched.url}/s/{slug}/qr.svg", headers={"Host": EVIL}).content
    assert qr == _qr(f"http://127.0.0.1:{vouched.port}/s/{slug}")


def test_the_public_url_wins_over_any_host(tmp_path: Path):
    s = LiveServer(tmp_path, extra_env={"public_url": "https://floor.example.org/"}).start()
    try:
        created = _create(s, EVIL)
        assert created["links"]["audience"] == f"https://floor.example.org/s/{created['slug']}"
    finally:
        s.stop()


def test_host_matching_rules():
    allowed = ["floor.example.org", "*.igf.example", "10.0.0.5:8000"]
    assert host_allowed("FLOOR.example.org:9000", allowed)
    assert host_allowed("a.b.igf.example", allowed)
    assert host_allowed("10.0.0.5:8000", allowed)
    assert not host_allowed("10.0.0.5:8001", allowed)
    assert not host_allowed("igf.example", allowed)
    assert not host_allowed("", allowed)
    assert not host_allowed("floor.example.org@evil", allowed)
    # A wildcard never lets a path or user part ride along into a link.
    assert not host_allowed("evil.net/x?.igf.example", allowed)
    assert not host_allowed("evil.net#.igf.example", allowed)
    assert not host_allowed("a b.igf.example", allowed)
    assert host_allowed("[::1]:8000", ["::1"])


def _until(proc: subprocess.Popen, stream, needle: str, seconds: float) -> str:
    seen = ""
    deadline = time.monotonic() + seconds
    os.set_blocking(stream.fileno(), False)
    while time.monotonic() < deadline and needle not in seen:
        chunk = stream.read()
        if chunk:
            seen += chunk.decode(errors="replace")
        elif proc.poll() is not None:
            break
        else:
            time.sleep(0.05)
    return seen


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        env={**os.environ, "FLOORBRIDGE_DATA_DIR": str(tmp_path), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).parents[3],
    )


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def test_serve_on_all_interfaces_without_a_public_url_warns_at_start(tmp_path: Path):
    proc = _run(["serve", "--host", "0.0.0.0", "--port", str(free_port())], tmp_path)
    try:
        err = _until(proc, proc.stderr, "FLOORBRIDGE_PUBLIC_URL", 20)
    finally:
        _stop(proc)
    assert "WARNING: serving on 0.0.0.0" in err and "FLOORBRIDGE_ALLOWED_HOSTS" in err, err


def test_no_warning_on_loopback_or_with_a_public_url_or_allowed_hosts():
    assert exposure_warning("127.0.0.1", Settings()) is None
    assert exposure_warning("::1", Settings()) is None
    assert exposure_warning("0.0.0.0", Settings(public_url="https://floor.example.org")) is None
    assert exposure_warning("0.0.0.0", Settings(allowed_hosts="floor.example.org")) is None
    assert exposure_warning("192.0.2.10", Settings()) is not None


def test_the_demo_on_all_interfaces_prints_links_a_phone_on_the_lan_can_open(tmp_path: Path):
    lan = lan_address()
    port = free_port()
    proc = _run(
        ["demo", "--host", "0.0.0.0", "--port", str(port), "--no-simulator"],
        tmp_path,
        FLOORBRIDGE_PUBLIC_URL="",
    )
    try:
        out = _until(proc, proc.stdout, "Remote messages are simulated", 30)
        audience = next(line.split()[-1] for line in out.splitlines() if "audience" in line)
        assert audience == f"http://{lan}:{port}/s/data-for-good", out
        # The QR code on the console and screen carries the same address, whatever the
        # browser's own address bar says (here: loopback).
        qr = httpx.get(f"http://127.0.0.1:{port}/s/data-for-good/qr.svg").content
        assert qr == _qr(audience)
        assert httpx.get(audience).status_code == 200  # the address really is this server
    finally:
        _stop(proc)
