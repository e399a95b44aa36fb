"""A server in a subprocess (its memory measurable on its own) and a raw HTTP/1.1 client
for the network-edge tests: chunked uploads, bodies and headers that stall."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.servers import free_port

COOKIE_KEY = "net-test-cookie-key"
_SERVE = (
    "import sys; from app.cli import run_server; "
    "run_server(sys.argv[1], int(sys.argv[2]), log_level='warning')"
)


class ServerProcess:
    """`run_server` (what `floorbridge serve` runs) in a subprocess, on loopback."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_urlsafe(16)
        self.log = data_dir / "server.log"
        self.env = {
            **os.environ,
            "FLOORBRIDGE_DATA_DIR": str(data_dir),
            "FLOORBRIDGE_ADMIN_TOKEN": self.admin_token,
            "FLOORBRIDGE_SECRET_KEY": COOKIE_KEY,
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, host: str = "127.0.0.1") -> ServerProcess:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _SERVE, host, str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def create_session(self, **body: object) -> dict:
        r = httpx.post(
            f"{self.url}/api/sessions",
            json={"title": "Edge test", **body},
            headers={"Authorization": f"Bearer {self.admin_token}"},
        )
        r.raise_for_status()
        return r.json()


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_response(sock: socket.socket, timeout: float) -> tuple[int, bytes, bool]:
    """(status, raw response, whether the server closed the connection) within `timeout`."""
    sock.settimeout(timeout)
    data = b""
    closed = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
        if b"\r\n\r\n" in data:
            header, _, body = data.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in header.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                None,
            )
            if length is not None and len(body) >= length:
                sock.settimeout(max(0.05, min(1.0, deadline - time.monotonic())))
                try:
                    closed = sock.recv(1) == b""
                except TimeoutError:
                    closed = False
                except ConnectionResetError:
                    closed = True
                break
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, data, closed


def send_chunked(
    port: int, path: str, total: int, headers: dict[str, str] | None = None
) -> tuple[int, bytes, int]:
    """POST `total` bytes as 64 KiB chunks; stop when the server answers or hangs up.

    After the first MiB and a bit, it pauses to read the answer (a server that closes
    with unread data in its buffer makes the kernel reset the connection, which can drop
    an answer not yet read). Returns (status, raw answer, bytes the server accepted).
    """
    piece = b"x" * 65536
    frame = b"%x\r\n" % len(piece) + piece + b"\r\n"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            head(
                "POST",
                path,
                {
                    "Transfer-Encoding": "chunked",
                    "Content-Type": "application/json",
                    **(headers or {}),
                },
            )
        )
        sent = 0
        answer: tuple[int, bytes, bool] = (0, b"", False)
        try:
            while sent < total:
                sock.sendall(frame)
                sent += len(piece)
                if sent == 2 * 1024 * 1024:
                    answer = read_response(sock, 5.0)
                    if answer[0]:
                        break
            if not answer[0]:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not answer[0]:
            answer = read_response(sock, 10.0)
        return answer[0], answer[1], sent
