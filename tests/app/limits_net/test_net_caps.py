"""Per-address caps: concurrent HTTP connections and new live sockets, against a real
server process; and the bucket's arithmetic at the sizes a venue has."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.limits_net import NetLimits, WsOpens, _exempt
from tests.net_support import ServerProcess, read_response
from tests.servers import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {
        "FLOORBRIDGE_MAX_CONNECTIONS_PER_IP": "20",
        "FLOORBRIDGE_WS_CONNECTS_PER_IP_MINUTE": "12",
        # Loopback is uvicorn's default trusted proxy, whose address is never capped;
        # trust another one so this test's loopback client counts as one address.
        "FORWARDED_ALLOW_IPS": "10.9.9.9",
    }
    proc = ServerProcess(tmp_path_factory.mktemp("caps"), env).start()
    try:
        yield proc
    finally:
        proc.stop()


def test_one_address_cannot_hold_more_than_its_connections(server):
    held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    try:
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", server.port)) as extra:
            status, raw, closed = read_response(extra, 5)
        assert status == 503 and closed
        assert orjson.loads(raw.partition(b"\r\n\r\n")[2])["detail"] == (
            "too many connections from your address"
        )
    finally:
        for sock in held[:5]:
            sock.close()
    time.sleep(0.2)
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 200  # a slot came back
    finally:
        for sock in held[5:]:
            sock.close()


async def test_new_live_sockets_per_address_are_rate_limited(server):
    session = server.create_session()
    url = f"ws://127.0.0.1:{server.port}/s/{session['slug']}/live"
    opened = []
    try:
        for _ in range(12):
            opened.append(await connect(url, compression=None, ping_interval=None))
        with pytest.raises(InvalidStatus) as refused:
            await connect(url, compression=None, ping_interval=None)
        assert refused.value.response.status_code == 429
        assert b"too many new live connections" in refused.value.response.body
    finally:
        for ws in opened:
            await ws.close()
    # Open sockets stay open; ordinary HTTP from the same address is not affected.
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_a_room_of_2000_phones_behind_one_nat_gets_in_at_once_and_again_after_a_drop():
    bucket = WsOpens(3000)  # the default
    assert all(bucket.allow("203.0.113.7", now=100.0) for _ in range(2000))
    # Wi-Fi drops 20 s later and every phone reconnects within a few seconds.
    assert sum(bucket.allow("203.0.113.7", now=120.0 + i / 500) for i in range(2000)) == 2000
    # A script opening sockets in a loop from one address is held to 50 a second.
    allowed = sum(bucket.allow("198.51.100.9", now=200.0 + i / 10_000) for i in range(20_000))
    assert 3000 <= allowed <= 3000 + 2 * 50


def test_only_proxies_trusted_for_forwarded_headers_are_exempt():
    config = SimpleNamespace(proxy_headers=True, forwarded_allow_ips="127.0.0.1, 10.0.0.0/24")
    exempt = _exempt(config)
    assert "127.0.0.1" in exempt and "10.0.0.77" in exempt and "10.0.1.1" not in exempt
    off = _exempt(SimpleNamespace(proxy_headers=False, forwarded_allow_ips="127.0.0.1"))
    assert "127.0.0.1" not in off
    # Behind a proxy that uvicorn trusts wholesale (`*`, as in docker-compose.yml), each
    # forwarded client still has its own live-socket bucket.
    limits = NetLimits(ws_opens=WsOpens(2))
    limits.exempt = _exempt(SimpleNamespace(proxy_headers=True, forwarded_allow_ips="*"))
    assert [limits.ws_open_allowed("203.0.113.9") for _ in range(3)] == [True, True, False]


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(tmp_path):
    """Loopback is uvicorn's default trusted proxy: its own address is never capped (a
    proxy carries every phone), the address it forwards is."""
    server = LiveServer(tmp_path, extra_env={"ws_connects_per_ip_minute": 5}).start()
    opened = []
    try:
        session = server.create_session()
        url = f"{server.ws_url}/s/{session['slug']}/live"
        for _ in range(8):  # the proxy itself
            opened.append(await connect(url, compression=None, ping_interval=None))
        phone = {"X-Forwarded-For": "203.0.113.9"}
        for _ in range(5):
            opened.append(
                await connect(url, compression=None, ping_interval=None, additional_headers=phone)
            )
        with pytest.raises(InvalidStatus) as refused:
            await connect(url, compression=None, ping_interval=None, additional_headers=phone)
        assert refused.value.response.status_code == 429
        other = {"X-Forwarded-For": "203.0.113.10"}
        opened.append(
            await connect(url, compression=None, ping_interval=None, additional_headers=other)
        )
    finally:
        for ws in opened:
            await ws.close()
        server.stop()


@pytest.fixture(scope="module")
def venue_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Default limits; loopback not a trusted proxy, so this machine is one NAT address."""
    env = {"FORWARDED_ALLOW_IPS": "10.9.9.9"}
    proc = ServerProcess(tmp_path_factory.mktemp("venue"), env).start()
    try:
        yield proc
    finally:
        proc.stop()


async def test_2000_phones_behind_one_nat_all_open_their_live_socket_at_defaults(venue_server):
    session = venue_server.create_session()
    request = (
        f"GET /s/{session['slug']}/live HTTP/1.1\r\nHost: 127.0.0.1:{venue_server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    ).encode()
    gate = asyncio.Semaphore(200)  # phones scanning the QR code, not one SYN flood
    held: list[asyncio.StreamWriter] = []

    async def phone() -> bytes:
        async with gate:
            reader, writer = await asyncio.open_connection("127.0.0.1", venue_server.port)
            held.append(writer)
            writer.write(request)
            return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)

    started = time.monotonic()
    try:
        answers = await asyncio.gather(*(phone() for _ in range(2000)))
        took = time.monotonic() - started
        statuses = {a.split(b" ", 2)[1] for a in answers}
        assert statuses == {b"101"}, statuses
        assert took < 60
        async with httpx.AsyncClient() as client:  # and the room can still load pages
            assert (await client.get(f"{venue_server.url}/s/{session['slug']}")).status_code == 200
    finally:
        for writer in held:
            writer.close()
