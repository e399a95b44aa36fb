"""What every benchmark shares: a real server in a subprocess, RSS, percentiles, output.

All traffic stays on loopback; every loop is bounded in count and time.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

#: Where each benchmark writes its JSON (BENCH_RESULTS_DIR: elsewhere, e.g. for tests).
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or Path(__file__).parent / "results")


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`floorbridge serve` as its own process, on a fresh SQLite (or the given URL)."""

    def __init__(self, database_url: str = "", env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_urlsafe(16)
        self.tmp = tempfile.TemporaryDirectory(prefix="fb-bench-")
        self.env = {
            **os.environ,
            "FLOORBRIDGE_DATA_DIR": self.tmp.name,
            "FLOORBRIDGE_ADMIN_TOKEN": self.admin_token,
            "FLOORBRIDGE_DATABASE_URL": database_url,
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    #: Seconds to wait after the first healthy answer (several workers start one by one).
    settle = 0.0

    def command(self) -> list[str]:
        return [sys.executable, "-c", _SERVE, str(self.port)]

    def start(self) -> Server:
        # The log goes to a file: an unread pipe would fill up and stall the server.
        self.log_path = Path(self.tmp.name) / "server.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command(),
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log_path.read_text()[-2000:])
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    time.sleep(self.settle)
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()
        self.tmp.cleanup()

    def rss_bytes(self) -> int:
        assert self.proc is not None
        return rss_of(self.proc.pid)

    def create_session(self, title: str = "Benchmark", **body: Any) -> dict[str, Any]:
        r = httpx.post(f"{self.url}/api/sessions", json={"title": title, **body},
                       headers={"Authorization": f"Bearer {self.admin_token}"}, timeout=10)
        r.raise_for_status()
        return r.json()


# The server process raises its own fd limit, then runs uvicorn as `floorbridge serve` does.
_SERVE = """
import resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
from app.cli import run_server
run_server("127.0.0.1", int(sys.argv[1]), log_level="warning")
"""


@contextmanager
def server(**kw: Any):
    s = Server(**kw).start()
    try:
        yield s
    finally:
        s.stop()


def audience_cookie(url: str, slug: str) -> str:
    """A new phone's audience id, from the audience page as a browser gets it (the API
    issues none), as a `Cookie` header value."""
    r = httpx.get(f"{url}/s/{slug}", timeout=30)
    r.raise_for_status()
    return f"fb_aud={r.cookies['fb_aud']}"


def rss_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": at(0.50), "p99": at(0.99), "max": round(ordered[-1], 2)}


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    return [round(x, 2) for x in os.getloadavg()]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


#: Read when the benchmark module is imported, i.e. before it loads the machine.
LOAD_BEFORE = load_average()


def machine() -> dict[str, Any]:
    """What ran the benchmark, so figures from two machines can be compared line by line."""
    return {
        "arch": platform.machine(),
        "cores": os.cpu_count(),
        "model": cpu_model(),
        "python": platform.python_version(),
        "load_before": LOAD_BEFORE,
        "load_after": load_average(),
        "note": "load generator on the same machine, loopback only",
    }


def emit(name: str, result: dict[str, Any]) -> dict[str, Any]:
    result = {"benchmark": name, "machine": machine(), **result}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2), flush=True)
    return result
