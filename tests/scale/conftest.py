"""Fixtures for the scale-out tests: the machine's Redis, one key prefix per test."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.live.bus import Bus, MemoryBus
from app.live.redis_bus import RedisBus
from tests.servers import REDIS_URL, missing

__all__ = ["REDIS_URL", "missing"]


def _redis_up() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError) as exc:
        how = f"apt-get install redis-server ({exc.__class__.__name__})"
        missing("Redis on 127.0.0.1:6379", how)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The machine's Redis with a prefix of this test's own (pub/sub ignores db numbers)."""
    _redis_up()
    sep = "&" if "?" in REDIS_URL else "?"
    yield f"{REDIS_URL}{sep}prefix=fbtest{secrets.token_hex(4)}"


@pytest.fixture(params=["memory", "redis"])
def bus_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def make_bus(bus_kind: str, request: pytest.FixtureRequest) -> AsyncIterator:
    """`await make_bus()` gives a connected bus; several Redis buses share one prefix, as
    several processes would. Every memory bus is the same one (there is one process)."""
    buses: list[Bus] = []
    url = request.getfixturevalue("redis_url") if bus_kind == "redis" else ""
    memory = MemoryBus()

    async def make() -> Bus:
        bus: Bus = RedisBus(url) if bus_kind == "redis" else memory
        await bus.connect()
        buses.append(bus)
        return bus

    try:
        yield make
    finally:
        for bus in buses:
            await bus.disconnect()


# -- real server processes on PostgreSQL + Redis ---------------------------------------

_SERVE = "import sys; from app.cli import run_server; run_server('127.0.0.1', int(sys.argv[1]))"


class Proc:
    """`floorbridge serve` in a subprocess: a worker as deployed, killable for real."""

    def __init__(self, name: str, data_dir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.log = data_dir / f"{name}.log"
        self.env = {**os.environ, "FLOORBRIDGE_DATA_DIR": str(data_dir), **env}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _SERVE, str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready in 30 s")

    def kill(self) -> None:
        """SIGKILL: no goodbye frames, no flushing; the clients just lose the connection."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    a: Proc
    b: Proc
    admin_token: str

    def create_session(self, title: str) -> dict[str, Any]:
        r = httpx.post(
            f"{self.a.url}/api/sessions",
            json={"title": title},
            headers={"Authorization": f"Bearer {self.admin_token}"},
        )
        r.raise_for_status()
        return r.json()


@pytest.fixture(scope="module")
def cluster(pg_schema_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two workers, one PostgreSQL schema, one Redis prefix; no sticky anything."""
    _redis_up()
    data = tmp_path_factory.mktemp("cluster")
    admin = secrets.token_urlsafe(16)
    sep = "&" if "?" in REDIS_URL else "?"
    env = {
        "FLOORBRIDGE_DATABASE_URL": pg_schema_url,
        "FLOORBRIDGE_BUS_URL": f"{REDIS_URL}{sep}prefix=fbscale{secrets.token_hex(4)}",
        "FLOORBRIDGE_ADMIN_TOKEN": admin,
        "FLOORBRIDGE_SECRET_KEY": "scale-test-cookie-key",
    }
    a = Proc("a", data, env).start()  # migrates first, alone
    b = Proc("b", data, env)
    try:
        b.start()
        yield Cluster(a, b, admin)
    finally:
        a.stop()
        b.stop()
