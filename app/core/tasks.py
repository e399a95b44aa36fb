"""One set of background tasks per app, cancelled (and awaited, briefly) at shut-down.

Why a set of our own rather than an `anyio` task group: the tasks are started from request
handlers and hooks long after the lifespan began (a Zoom Q&A poller, the demo's
simulator), and one failing must not cancel the others, which a task group would do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any


class TaskSet:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` in the background until it ends or the app shuts down."""
        task = asyncio.get_running_loop().create_task(coro)
        self.add(task)
        return task

    def add(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)  # a strong reference: the loop keeps only weak ones
        task.add_done_callback(self._tasks.discard)

    def __iter__(self) -> Iterator[asyncio.Task[Any]]:
        return iter(list(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)

    async def cancel_all(self, wait: float = 5.0) -> None:
        """Cancel every task; wait (up to `wait` s) so a read they had in a thread
        finishes before the engines go away."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=wait)
