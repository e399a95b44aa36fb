"""The engine in a process of its own, so it shares neither the cores' GIL nor the event
loop with ingest: one child per server process (apps in one process, as in the tests,
share it), which loads the model and holds every session's index.

The parent keeps what `TriageWorker` offers (non-blocking `submit`, a bounded queue that
sheds the oldest, `pending`, `stats`, `wait_idle`): a pump thread sends up to 32 queued
messages to the child over a pipe and waits, blocked in `recv` (no GIL held), for their
analyses, then calls the submitter's `on_result` on that thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from app.triage import DEFAULT_THRESHOLD, Analysis, Features, Link, Message
from app.triage.pump import Pump

OnResult = Callable[[str, list[Analysis]], None]


def _child(conn: Any) -> None:
    """The child: load once, then analyse batches in arrival order until told to stop."""
    from app.triage import Triage

    dies_with_parent = _die_with_the_parent()
    triage = Triage.load()  # at the server's priority: a start-up is not a burst
    _yield_the_cores()
    conn.send((triage.features, dies_with_parent))
    indexes: dict[str, Any] = {}
    while True:
        job = conn.recv()
        if job is None:
            return
        items, thresholds = job
        by_key: dict[str, list[Message | Link]] = {}
        for key, message in items:
            by_key.setdefault(key, []).append(message)
        out: list[tuple[str, Any]] = []  # the analyses, or the error that stopped them
        for key, messages in by_key.items():
            index = indexes.get(key)
            if index is None:
                index = indexes[key] = triage.new_index(thresholds.get(key, DEFAULT_THRESHOLD))
            index.threshold = thresholds.get(key, index.threshold)
            try:
                out.append((key, triage.process(index, messages)))
            except Exception as exc:  # one bad batch must not stop the child
                out.append((key, f"{type(exc).__name__}: {exc}"))
        conn.send(out)


def _yield_the_cores() -> None:
    """The child runs only on a core nothing else wants (Linux SCHED_IDLE): an
    acknowledgement may not wait, a suggestion may. Nice 10 was not enough: at 200
    messages/s on 2 cores the child still took its share of a core from ingest and the
    load, and ack p99 went from 61 to 210 ms. Under a burst it falls behind, the queue
    in front of it sheds the oldest, and it drains once the burst is over. Where
    SCHED_IDLE is missing (not Linux), the lowest nice."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(OSError):
            os.nice(19)


def _die_with_the_parent() -> bool:
    """The child may be stopped (`PauseGate`) when the server is killed: a stopped
    process never reads the end of its pipe, so the kernel kills it with the parent
    (Linux PR_SET_PDEATHSIG). Without it the gate stays off (`PauseGate.usable`)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() == 1:  # the parent died before the call
        os._exit(0)
    return True


class PauseGate:
    """Stops the child (SIGSTOP) while the server answers a request, resumes it (SIGCONT)
    when nothing is being answered (app/busy.py says why).

    `hold`/`release` are called on an event loop. A resume waits for the loop's next turn,
    so back-to-back requests cost no signals. A watchdog thread never lets the child stay
    stopped more than `MAX_PAUSE`: under unbroken load it then runs for `SLICE` (at
    SCHED_IDLE, as before), so its queue still moves and sheds oldest-first; and a loop
    that dies between a hold and its release cannot leave it stopped.
    """

    MAX_PAUSE = 0.1
    SLICE = 0.05

    def __init__(self, pid: int | None, usable: bool) -> None:
        self.pid = pid
        self.usable = usable and pid is not None and hasattr(signal, "SIGSTOP")
        self.held = 0
        self.paused_at = 0.0  # 0: running
        self.free_until = 0.0
        self.pauses = 0
        self._lock = threading.Lock()
        self._resume_soon = False
        self._watchdog: threading.Thread | None = None

    def hold(self) -> None:
        self.held += 1
        if self.held == 1 and self.usable and not self.paused_at:
            now = time.monotonic()
            if now < self.free_until:
                return
            with self._lock:
                if self._signal(signal.SIGSTOP):
                    self.paused_at = now
                    self.pauses += 1
            if self._watchdog is None:
                self._watchdog = threading.Thread(target=self._watch, daemon=True,
                                                  name="triage-gate")
                self._watchdog.start()

    def release(self) -> None:
        self.held = max(0, self.held - 1)
        if self.held == 0 and self.paused_at and not self._resume_soon:
            self._resume_soon = True
            asyncio.get_running_loop().call_soon(self._resume_if_idle)

    def _resume_if_idle(self) -> None:
        self._resume_soon = False
        if self.held == 0:
            self._resume()

    def _watch(self) -> None:
        while self.usable:
            time.sleep(self.MAX_PAUSE / 2)
            paused_at = self.paused_at
            if paused_at and time.monotonic() - paused_at >= self.MAX_PAUSE:
                self._resume()
                self.free_until = time.monotonic() + self.SLICE

    def _resume(self) -> None:
        with self._lock:
            if self.paused_at:
                self.paused_at = 0.0
                self._signal(signal.SIGCONT)

    def _signal(self, sig: int) -> bool:
        try:
            os.kill(self.pid, sig)  # type: ignore[arg-type]
        except OSError:  # the child is gone: nothing to pause any more
            self.usable = False
            self.paused_at = 0.0
            return False
        return True

    def close(self) -> None:
        """Never leave the child stopped."""
        self.usable = False
        self._resume()


class ProcessWorker(Pump):
    """A `TriageWorker` look-alike whose analysis runs in the shared child process."""

    def __init__(self, start_child: Callable[[], _Child], on_result: OnResult,
                 max_pending: int = 2000) -> None:
        """`start_child` runs on the pump thread, so the server starts while the model
        loads; what arrives meanwhile waits in the queue."""
        super().__init__(max_pending, batch_size=32, name="triage-pump")
        self.start_child = start_child
        self.child: _Child | None = None
        self.on_result = on_result
        self.features: Features | None = None  # None while loading
        self.failed = ""
        self._thresholds: dict[str, float] = {}
        self._held = False
        self._start()

    # -- the gate (app/busy.py): this app's requests pause the shared child -------------
    def hold(self) -> None:
        if self.child is not None:
            self._held = True
            self.child.gate.hold()

    def release(self) -> None:
        if self.child is not None and self._held:
            self._held = False
            self.child.gate.release()

    def set_threshold(self, session: str, threshold: float) -> None:
        self._thresholds[session] = threshold

    def _prepare(self) -> bool:
        try:
            self.child = self.start_child()
            self.features = self.child.features
        except Exception as exc:  # no model process: the features say why, ingest goes on
            self.failed = f"the triage process did not start: {type(exc).__name__}: {exc}"
            self._give_up()
            return False
        return True

    def _analyse(self, batch: list[tuple[str, Message | Link]]) -> None:
        prefix = f"{id(self)}:"
        items = [(prefix + s, m) for s, m in batch]
        thresholds = {prefix + s: t for s, t in self._thresholds.items()}
        assert self.child is not None
        for key, result in self.child.analyse(items, thresholds):
            if isinstance(result, str):
                self.stats.error(result)
                continue
            self.stats.analysed += len(result)
            if result:  # a batch of links only has nothing to store
                self.on_result(key.removeprefix(prefix), result)


class _Child:
    """The child process and its pipe; one exchange at a time (a lock: several apps)."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=_child, args=(theirs,), name="floorbridge-triage",
                                daemon=True)
        self.proc.start()
        theirs.close()
        self.features, dies_with_parent = self.conn.recv()
        self.lock = threading.Lock()
        #: One gate per child: every app of this process holds it through its `Busy`.
        self.gate = PauseGate(self.proc.pid, dies_with_parent)

    def analyse(self, items: list, thresholds: dict) -> list:
        with self.lock:
            self.conn.send((items, thresholds))
            return self.conn.recv()


_CHILD: list[_Child] = []
_CHILD_LOCK = threading.Lock()


def shared_child() -> _Child:
    """Started on first use (blocks while the model loads: call it in a thread)."""
    with _CHILD_LOCK:
        if not _CHILD or not _CHILD[0].proc.is_alive():
            _CHILD[:] = [_Child()]
        return _CHILD[0]
