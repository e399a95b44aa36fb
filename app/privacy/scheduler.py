"""The daily purge inside the server (FLOORBRIDGE_PURGE_DAILY=true), as a start-up hook."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from app.core.domain import Registry
from app.privacy.service import purge

if TYPE_CHECKING:
    from app.deps import AppState

log = logging.getLogger(__name__)


async def purge_forever(
    store: Any, interval: float, registry: Registry, *, runs: int | None = None
) -> None:
    """Purge now, then every `interval` seconds; a failed run is logged, never fatal."""
    done = 0
    while runs is None or done < runs:
        try:
            totals = await store.write(lambda db: purge(db, registry=registry))
            log.info("retention purge: %s", totals)
        except Exception:  # noqa: BLE001 - tomorrow's run must still happen
            log.exception("retention purge failed")
        done += 1
        if runs is None or done < runs:
            await asyncio.sleep(interval)


async def start_daily_purge(state: AppState) -> None:
    """Start-up hook (declared in app/privacy/domain.py)."""
    settings = state.settings.retention  # read once, at start, with the rest
    if not settings.purge_daily:
        return
    state.tasks.spawn(purge_forever(state.store, settings.purge_interval, state.registry))
