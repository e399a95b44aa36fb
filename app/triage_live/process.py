"""The engine in a process of its own, so it shares neither the cores' GIL nor the event
loop with ingest: one child per server process (apps in one process, as in the tests,
share it), which loads the model and holds every session's index.

The parent keeps what `TriageWorker` offers (non-blocking `submit`, a bounded queue that
sheds the oldest, `pending`, `stats`, `wait_idle`): a pump thread sends up to 32 queued
messages to the child over a pipe and waits, blocked in `recv` (no GIL held), for their
analyses, then calls the submitter's `on_result` on that thread.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from app.triage import DEFAULT_THRESHOLD, Analysis, Features, Message
from app.triage.engine import WorkerStats

OnResult = Callable[[str, list[Analysis]], None]


def _child(conn: Any) -> None:
    """The child: load once, then analyse batches in arrival order until told to stop."""
    import os

    with contextlib.suppress(OSError):
        os.nice(10)  # the server's own threads come first when both want a core
    from app.triage import Triage

    triage = Triage.load()
    conn.send(triage.features)
    indexes: dict[str, Any] = {}
    while True:
        job = conn.recv()
        if job is None:
            return
        items, thresholds = job
        by_key: dict[str, list[Message]] = {}
        for key, message in items:
            by_key.setdefault(key, []).append(message)
        out = []
        for key, messages in by_key.items():
            index = indexes.get(key)
            if index is None:
                index = indexes[key] = triage.new_index(thresholds.get(key, DEFAULT_THRESHOLD))
            index.threshold = thresholds.get(key, index.threshold)
            try:
                out.append((key, triage.analyse(index, messages)))
            except Exception as exc:  # one bad batch must not stop the child
                out.append((key, f"{type(exc).__name__}: {exc}"))
        conn.send(out)


class ProcessWorker:
    """A `TriageWorker` look-alike whose analysis runs in the shared child process."""

    def __init__(self, start_child: Callable[[], _Child], on_result: OnResult,
                 max_pending: int = 2000) -> None:
        """`start_child` runs on the pump thread, so the server starts while the model
        loads; what arrives meanwhile waits in the queue."""
        self.start_child = start_child
        self.child: _Child | None = None
        self.on_result = on_result
        self.stats = WorkerStats()
        self.features: Features | None = None  # None while loading
        self.failed = ""
        self._pending: deque[tuple[str, Message]] = deque(maxlen=max_pending)
        self._thresholds: dict[str, float] = {}
        self._cond = threading.Condition()
        self._busy = False
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="triage-pump", daemon=True)
        self._thread.start()

    def set_threshold(self, session: str, threshold: float) -> None:
        self._thresholds[session] = threshold

    def submit(self, session: str, message: Message) -> None:
        with self._cond:
            if len(self._pending) == self._pending.maxlen:
                self.stats.shed += 1
            self._pending.append((session, message))
            self._cond.notify()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        prefix = f"{id(self)}:"
        try:
            self.child = self.start_child()
            self.features = self.child.features
        except Exception as exc:  # no model process: the features say why, ingest goes on
            self.failed = f"the triage process did not start: {type(exc).__name__}: {exc}"
            with self._cond:
                self._stopped = True
                self._pending.clear()
                self._cond.notify_all()
            return
        while True:
            with self._cond:
                while not self._pending and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                batch = [self._pending.popleft() for _ in range(min(32, len(self._pending)))]
                self._busy = True
            started = time.perf_counter()
            try:
                items = [(prefix + s, m) for s, m in batch]
                thresholds = {prefix + s: t for s, t in self._thresholds.items()}
                assert self.child is not None
                for key, result in self.child.analyse(items, thresholds):
                    if isinstance(result, str):
                        self.stats.errors.append(result)
                        continue
                    self.stats.analysed += len(result)
                    self.on_result(key.removeprefix(prefix), result)
            except Exception as exc:  # the child died: say so in the stats, keep the server
                self.stats.errors.append(f"{type(exc).__name__}: {exc}")
                del self.stats.errors[:-20]
            finally:
                self.stats.batches += 1
                self.stats.busy_seconds += time.perf_counter() - started
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


class _Child:
    """The child process and its pipe; one exchange at a time (a lock: several apps)."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=_child, args=(theirs,), name="floorbridge-triage",
                                daemon=True)
        self.proc.start()
        theirs.close()
        self.features: Features = self.conn.recv()
        self.lock = threading.Lock()

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
