"""Connectors start with the server (for every configured session) and stop with it."""

from __future__ import annotations

from typing import Any

from app.connectors.crypto import SettingsBox
from app.connectors.runtime import ConnectorRuntime
from app.lifecycle import on_shutdown, on_startup
from app.ownership import Ownership


def settings_box(state: Any) -> SettingsBox:
    """Derived from the same secret key that signs cookies (generated once if unset)."""
    secret, _ = state.settings.persistent_secret("secret_key", state.settings.secret_key)
    return SettingsBox(secret)


@on_startup
async def start_connectors(state: Any) -> None:
    """One owner per session runs its connectors (app/ownership.py): the lease is shared by
    every worker through the database; the others stand by."""
    ownership = Ownership(
        state.store,
        state.bus,
        state.settings.worker_name,
        ttl=state.settings.owner_lease_seconds,
        context=state,
    )
    state.extras["ownership"] = ownership
    runtime = ConnectorRuntime(state.store, settings_box(state), ownership=ownership)
    state.extras["connectors"] = runtime
    await runtime.start_all()


@on_shutdown
async def stop_connectors(state: Any) -> None:
    runtime = state.extras.get("connectors")
    if runtime is not None:
        await runtime.stop_all()
