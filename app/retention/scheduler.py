"""The daily purge inside the server (FLOORBRIDGE_PURGE_DAILY=true), as a start-up hook."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from app import lifecycle
from app.retention.service import purge

log = logging.getLogger(__name__)


async def purge_forever(store: Any, interval: float, *, runs: int | None = None) -> None:
    """Purge now, then every `interval` seconds; a failed run is logged, never fatal."""
    done = 0
    while runs is None or done < runs:
        try:
            totals = await store.write(lambda db: purge(db))
            log.info("retention purge: %s", totals)
        except Exception:  # noqa: BLE001 - tomorrow's run must still happen
            log.exception("retention purge failed")
        done += 1
        if runs is None or done < runs:
            await asyncio.sleep(interval)


@lifecycle.on_startup
async def start_daily_purge(state: Any) -> None:
    settings = state.settings.retention  # read once, at start, with the rest
    if not settings.purge_daily:
        return
    task = asyncio.create_task(purge_forever(state.store, settings.purge_interval))
    state.extras.setdefault("tasks", []).append(task)
