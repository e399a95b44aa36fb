"""Zoom webhook ingest benchmark: signed chat webhooks at rising rates; prints JSON.

    .venv/bin/python -m bench.ingest [--rates 100,250,500,1000,2000,3000] [--seconds 5]

Starts the real server in a subprocess (SQLite in a temporary directory, one uvicorn
worker), links one session to a Zoom number, opens the moderator's live socket, then for
each rate posts signed `meeting.chat_message_sent` webhooks open-loop (on a fixed
schedule, so a slow server cannot slow the sender down and hide its own latency).

Reported per rate: acknowledged requests/s, acknowledgement latency p50/p99 (from the
scheduled send time), webhook-to-socket latency p50/p99 (until the moderator's socket
delivers `question.created`), and whether every 2xx was stored (counted in the database
after the server is killed with SIGKILL, so nothing could be flushed late).
`sustained_rps` is the highest rate with no errors, every message stored and
acknowledgement p99 under the target. Written to bench/results/ingest.json too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-zoom-secret"
ADMIN = "bench-admin-token"
ZOOM_ID = 85746065432
P99_TARGET_MS = 50.0


# ---------------------------------------------------------------- server (subprocess)


def serve(port: int, data_dir: str) -> None:
    """The app as deployed, plus the Zoom router if the app does not include it yet."""
    import uvicorn

    from app.config import Settings
    from app.main import create_app
    from integrations import zoom_webhook

    settings = Settings(
        data_dir=Path(data_dir),
        admin_token=ADMIN,
        secret_key="bench-cookie-key",
        zoom_secret_token=SECRET,
        client_buffer=100_000,
    )
    app = create_app(settings)
    if not any(getattr(r, "path", None) == "/integrations/zoom/webhook" for r in app.routes):
        app.include_router(zoom_webhook.router)
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )


# ---------------------------------------------------------------- a lean HTTP/1.1 client


class Conn:
    """One keep-alive connection; fast enough that the client is not the bottleneck."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Conn:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> int:
        head = f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if length:
            await self.reader.readexactly(length)
        return int(status_line.split()[1])


# ---------------------------------------------------------------- the run


@dataclass
class Step:
    rate: int
    seconds: float
    sent: int = 0
    ok: int = 0
    errors: int = 0
    ack_ms: list[float] = field(default_factory=list)
    socket_ms: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "target_rps": self.rate,
            "sent": self.sent,
            "acked_2xx": self.ok,
            "errors": self.errors,
            "acked_rps": round(self.ok / self.elapsed, 1) if self.elapsed else 0.0,
            "ack_p50_ms": _pct(self.ack_ms, 50),
            "ack_p99_ms": _pct(self.ack_ms, 99),
            "socket_received": len(self.socket_ms),
            "socket_p50_ms": _pct(self.socket_ms, 50),
            "socket_p99_ms": _pct(self.socket_ms, 99),
        }


def _pct(values: list[float], p: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 2)


_TEMPLATE: dict[str, Any] | None = None


def chat_body(message_id: str) -> bytes:
    """The shared chat payload with a unique message id and text (template read once)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        path = ROOT.parent / "shared" / "payloads" / "zoom-meeting-chat.json"
        _TEMPLATE = json.loads(path.read_text())
        _TEMPLATE["payload"]["object"]["id"] = ZOOM_ID
    chat = _TEMPLATE["payload"]["object"]["chat_message"]
    chat["message_id"] = message_id
    chat["message_content"] = f"Bench question {message_id}?"
    return json.dumps(_TEMPLATE, separators=(",", ":")).encode()


async def run_step(port: int, step: Step, sent_at: dict[str, float], conns: list[Conn]) -> None:
    from integrations.zoom_send import signed_headers

    interval = 1.0 / step.rate
    total = int(step.rate * step.seconds)
    idle: asyncio.Queue[Conn] = asyncio.Queue()
    for conn in conns:
        idle.put_nowait(conn)
    tasks: list[asyncio.Task[None]] = []

    async def one(i: int, scheduled: float) -> None:
        mid = f"r{step.rate}-{i}"
        body = chat_body(mid)
        headers = signed_headers(SECRET, body)
        conn = await idle.get()
        sent_at[mid] = scheduled
        try:
            status = await conn.post("/integrations/zoom/webhook", headers, body)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            step.errors += 1
            conn = await Conn.open(port)
        else:
            if 200 <= status < 300:
                step.ok += 1
                step.ack_ms.append((time.perf_counter() - scheduled) * 1000)
            else:
                step.errors += 1
        idle.put_nowait(conn)

    start = time.perf_counter()
    for i in range(total):
        scheduled = start + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
        step.sent += 1
    await asyncio.gather(*tasks)
    step.elapsed = time.perf_counter() - start


async def read_socket(url: str, sent_at: dict[str, float], steps: dict[str, Step]) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, compression=None, max_queue=None) as ws:
        await ws.send(json.dumps({"type": "resume", "after": None}))
        async for raw in ws:
            now = time.perf_counter()
            frame = json.loads(raw)
            if frame.get("type") != "question.created":
                continue
            text = frame["data"]["question"]["text"]
            mid = text.removeprefix("Bench question ").removesuffix("?")
            if mid in sent_at:
                steps[mid.split("-")[0]].socket_ms.append((now - sent_at[mid]) * 1000)


async def bench(port: int, rates: list[int], seconds: float, connections: int) -> list[Step]:
    import httpx

    await _wait_up(port)
    async with httpx.AsyncClient() as client:
        r = await client.post(
            f"http://127.0.0.1:{port}/api/sessions",
            json={"title": "Ingest bench", "zoom_ids": [ZOOM_ID]},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        r.raise_for_status()
        session = r.json()
    sent_at: dict[str, float] = {}
    steps = {f"r{rate}": Step(rate, seconds) for rate in rates}
    key = session["keys"]["moderator"]
    ws_url = f"ws://127.0.0.1:{port}/s/{session['slug']}/live?key={key}"
    reader = asyncio.create_task(read_socket(ws_url, sent_at, steps))
    await asyncio.sleep(0.5)
    conns = [await Conn.open(port) for _ in range(connections)]
    for rate in rates:
        await run_step(port, steps[f"r{rate}"], sent_at, conns)
        await asyncio.sleep(1.0)  # let the socket drain before the next rate
    reader.cancel()
    for conn in conns:
        conn.writer.close()
    return list(steps.values())


def report(steps: list[Step], stored: int, seconds: float, connections: int) -> dict[str, Any]:
    results = [s.summary() for s in steps]
    acked = sum(s.ok for s in steps)
    all_stored = stored == acked
    sustained = max(
        (
            r["acked_rps"]
            for r in results
            if r["errors"] == 0 and r["ack_p99_ms"] is not None and r["ack_p99_ms"] < P99_TARGET_MS
        ),
        default=0.0,
    )
    return {
        "what": "signed Zoom chat webhooks, one session, moderator socket open",
        "seconds_per_rate": seconds,
        "connections": connections,
        "steps": results,
        "acked_total": acked,
        "stored_total": stored,
        "every_ack_stored": all_stored,
        "sustained_rps": sustained if all_stored else 0.0,
        "target": {"rps": 2000, "ack_p99_ms": P99_TARGET_MS},
    }


def _count_stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM message WHERE channel = 'zoom_chat'"
        ).fetchone()
    return int(count)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _wait_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError("server did not start")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="100,250,500,1000,2000,3000")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=128)
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",") if r.strip()]
    with tempfile.TemporaryDirectory() as data_dir:
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), data_dir],
            cwd=str(ROOT),
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            steps = asyncio.run(bench(port, rates, args.seconds, args.connections))
        finally:
            # SIGKILL, not a clean shutdown: whatever was acknowledged must already be on disk.
            server.kill()
            server.wait(timeout=20)
        stored = _count_stored(Path(data_dir) / "floorbridge.db")
    from bench.common import emit

    emit("ingest", report(steps, stored, args.seconds, args.connections))


if __name__ == "__main__":
    main()
