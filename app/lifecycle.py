"""Start-up and shut-down hooks, so a domain can run background work (auto-closing polls,
connector supervisors, the daily purge) without main.py knowing about it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Hook = Callable[[Any], Awaitable[None]]  # receives the AppState

STARTUP: list[Hook] = []
SHUTDOWN: list[Hook] = []


def on_startup(hook: Hook) -> Hook:
    STARTUP.append(hook)
    return hook


def on_shutdown(hook: Hook) -> Hook:
    SHUTDOWN.append(hook)
    return hook
