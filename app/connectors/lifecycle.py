"""Connectors start with the server (for every configured session) and stop with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.connectors.crypto import SettingsBox
from app.connectors.runtime import ConnectorRuntime
from app.ownership import Ownership

if TYPE_CHECKING:
    from app.deps import AppState


def settings_box(state: AppState) -> SettingsBox:
    """Derived from the same secret key that signs cookies (generated once if unset)."""
    secret, _ = state.settings.persistent_secret("secret_key", state.settings.secret_key)
    return SettingsBox(secret)


async def start_connectors(state: AppState) -> None:
    """One owner per session runs its connectors (app/ownership.py): the lease is shared by
    every worker through the database; the others stand by."""
    ownership = Ownership(
        state.store,
        state.bus,
        state.settings.worker_name,
        ttl=state.settings.owner_lease_seconds,
        context=state,
        jobs=state.registry.jobs,
    )
    state.ownership = ownership
    runtime = ConnectorRuntime(
        state.store, settings_box(state), ownership=ownership, hooks=state.registry.ingest
    )
    state.connectors = runtime
    await runtime.start_all()


async def stop_connectors(state: AppState) -> None:
    runtime = state.connectors
    if runtime is not None:
        await runtime.stop_all()
