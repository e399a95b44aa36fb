"""The triage child holds back while the server answers (app/busy.py): measured at 20
webhooks/s, ack p99 on/off was 1.26 with the model computing beside the server and 1.02
with it only sleeping as long. These tests pin the mechanism: stopped while a request
is answered, never stopped for longer than the watchdog allows, never while a request
only waits for its client, and never left stopped when the server dies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.busy import Busy, BusyWhileAnswering
from app.triage_live.process import PauseGate

ROOT = Path(__file__).resolve().parents[3]


def _state(pid: int) -> str:
    """The process's scheduler state letter (T: stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _until(pid: int, want: str, seconds: float = 2.0) -> str:
    deadline = time.monotonic() + seconds
    state = _state(pid)
    while (state == "T") != (want == "T") and time.monotonic() < deadline:
        time.sleep(0.005)
        state = _state(pid)
    return state


@pytest.fixture
def sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


async def test_the_child_is_stopped_while_a_request_is_answered(sleeper):
    gate = PauseGate(sleeper.pid, usable=True)
    try:
        gate.hold()
        assert _until(sleeper.pid, "T") == "T"
        gate.release()
        assert _state(sleeper.pid) == "T"  # resumed on the loop's next turn, not at once
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert _until(sleeper.pid, "S") != "T"
        assert gate.pauses == 1
    finally:
        gate.close()


async def test_a_request_that_never_ends_cannot_keep_the_child_stopped(sleeper):
    gate = PauseGate(sleeper.pid, usable=True)
    try:
        gate.hold()
        assert _until(sleeper.pid, "T") == "T"
        began = time.monotonic()
        assert _until(sleeper.pid, "S", seconds=1.0) != "T"  # the watchdog resumed it
        assert time.monotonic() - began < PauseGate.MAX_PAUSE * 3
        gate.release()
        gate.hold()  # inside its slice: it runs on
        assert _state(sleeper.pid) != "T"
        gate.release()
    finally:
        gate.close()


async def test_a_gone_child_turns_the_gate_off():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    gate = PauseGate(proc.pid, usable=True)
    gate.hold()  # no error: the server goes on answering
    gate.release()
    assert not gate.usable


class _Recorder:
    def __init__(self, busy: Busy) -> None:
        self.busy = busy
        self.log: list[str] = []

    def hold(self) -> None:
        self.log.append("hold")

    def release(self) -> None:
        self.log.append("release")


async def test_waiting_for_the_clients_body_is_not_busy():
    """A stalled upload must not hold the assistant back: only the handler's own work."""
    busy = Busy()
    gate = _Recorder(busy)
    busy.add(gate)
    body_arrives = asyncio.Event()
    seen: dict[str, int] = {}

    async def handler(scope, receive, send):
        seen["working"] = busy.count
        message = await receive()  # the client is slow: nothing to do meanwhile
        seen["after_body"] = busy.count
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": message["body"]})

    async def receive():
        seen["waiting"] = busy.count
        await body_arrives.wait()
        return {"type": "http.request", "body": b"x", "more_body": False}

    sent = []

    async def send(message):
        sent.append(message)

    app = BusyWhileAnswering(handler, busy=busy)
    task = asyncio.create_task(app({"type": "http", "method": "POST", "path": "/"}, receive,
                                   send))
    await asyncio.sleep(0.01)
    assert seen == {"working": 1, "waiting": 0}
    body_arrives.set()
    await task
    assert seen["after_body"] == 1 and busy.count == 0
    assert gate.log == ["hold", "release", "hold", "release"]
    assert sent[0]["status"] == 200


async def test_sockets_are_not_counted():
    busy = Busy()
    busy.add(_Recorder(busy))
    counts = []

    async def handler(scope, receive, send):
        counts.append(busy.count)

    await BusyWhileAnswering(handler, busy=busy)({"type": "websocket"}, None, None)
    assert counts == [0]


def test_a_stopped_child_dies_with_a_killed_server(tmp_path):
    """kill -9 of the server while its child is stopped: the kernel kills the child too
    (a stopped child would never read the end of its pipe)."""
    script = textwrap.dedent(f"""
        import multiprocessing as mp, os, signal, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from app.triage_live.process import _die_with_the_parent

        def child(conn):
            conn.send(_die_with_the_parent())
            time.sleep(60)

        if __name__ == "__main__":
            ctx = mp.get_context("spawn")
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=child, args=(theirs,), daemon=True)
            proc.start()
            assert mine.recv() is True
            os.kill(proc.pid, signal.SIGSTOP)
            print(proc.pid, flush=True)
            time.sleep(60)
    """)
    path = tmp_path / "server.py"
    path.write_text(script)
    parent = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(parent.stdout.readline())
        assert _until(pid, "T") == "T"
        parent.send_signal(signal.SIGKILL)
        parent.wait(5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if _state(pid) == "Z":  # killed, awaiting its reaper
                    break
            except FileNotFoundError:
                break
            time.sleep(0.02)
        else:
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the stopped child outlived its server")
    finally:
        parent.kill()
        parent.wait(5)
        parent.stdout.close()
