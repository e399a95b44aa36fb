"""The queue both triage workers share: a thread that takes batches, sheds oldest-first.

`submit()` never blocks the writer thread that calls it: when `max_pending` messages wait,
the oldest is dropped (a stale suggestion is worth less than a fresh one) and counted in
`stats.shed`; an item marked `never_shed` (a moderator's merge) is kept. A subclass says
what a batch is worth in `_analyse(batch)`; one that fails is counted in `stats.errors`
and the pump goes on.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

Item = tuple[str, Any]  # (session key, message)


@dataclass
class WorkerStats:
    analysed: int = 0
    shed: int = 0
    batches: int = 0
    busy_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        self.errors.append(text)
        del self.errors[:-20]


class Pump:
    def __init__(self, max_pending: int, batch_size: int, name: str) -> None:
        self.batch_size = batch_size
        self.max_pending = max_pending
        self.stats = WorkerStats()
        self._pending: deque[Item] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _start(self) -> None:
        """Called by the subclass once its own fields are set."""
        self._thread.start()

    def submit(self, session: str, message: Any) -> None:
        with self._cond:
            if len(self._pending) >= self.max_pending:
                self._shed_oldest()
            self._pending.append((session, message))
            self._cond.notify()

    def _shed_oldest(self) -> None:
        for i, (_, item) in enumerate(self._pending):
            if not getattr(item, "never_shed", False):
                del self._pending[i]
                self.stats.shed += 1
                return

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def wait_idle(self, timeout: float) -> bool:
        """True once the queue is empty and nothing is being analysed (for tests, shutdown)."""
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

    def _give_up(self) -> None:
        """Stop taking work and drop what waits (the analysis cannot run at all)."""
        with self._cond:
            self._stopped = True
            self._pending.clear()
            self._cond.notify_all()

    def _prepare(self) -> bool:
        """Runs first on the pump thread; False: nothing can be analysed (see `_give_up`)."""
        return True

    def _analyse(self, batch: list[Item]) -> None:
        raise NotImplementedError

    def _take(self) -> list[Item] | None:
        with self._cond:
            while not self._pending and not self._stopped:
                self._cond.wait()
            if self._stopped:
                return None
            batch = [self._pending.popleft()
                     for _ in range(min(self.batch_size, len(self._pending)))]
            self._busy = True
            return batch

    def _run(self) -> None:
        if not self._prepare():
            return
        while (batch := self._take()) is not None:
            started = time.perf_counter()
            try:
                self._analyse(batch)
            except Exception as exc:  # one bad batch must not stop the worker
                self.stats.error(f"{type(exc).__name__}: {exc}")
            finally:
                self.stats.batches += 1
                self.stats.busy_seconds += time.perf_counter() - started
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
