"""Connector helpers beside the port types, which moved to `ports.messages` (issue 16).

The port types (`IncomingMessage`, `IngestResult`, `Sink`, `Connector`, `ConnectorStatus`,
`Cursor`, ...) and the clock (`utc_now`) are re-exported here for one release, so
`from integrations.base import IncomingMessage` keeps working; new code imports `ports`.
"""

from __future__ import annotations

from ports.clock import utc_now
from ports.messages import (
    Connector,
    ConnectorState,
    ConnectorStatus,
    Cursor,
    CursorStore,
    IncomingMessage,
    IngestResult,
    Sink,
)

__all__ = [
    "Connector",
    "ConnectorError",
    "ConnectorState",
    "ConnectorStatus",
    "Cursor",
    "CursorStore",
    "FatalConnectorError",
    "IncomingMessage",
    "IngestResult",
    "MemoryCursorStore",
    "RateLimited",
    "Sink",
    "utc_now",
]


class MemoryCursorStore:
    """A `CursorStore` in a dict; `writes` lets tests see how often cursors were saved."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}
        self.writes = 0

    async def get(self, session: str, key: str) -> str | None:
        return self.values.get((session, key))

    async def set(self, session: str, key: str, value: str) -> None:
        self.values[(session, key)] = value
        self.writes += 1


class ConnectorError(Exception):
    """A failure worth retrying; the message is what the console shows."""


class RateLimited(ConnectorError):
    """The platform said to wait `delay` seconds before asking again."""

    def __init__(self, reason: str, delay: float) -> None:
        super().__init__(reason)
        self.delay = delay


class FatalConnectorError(ConnectorError):
    """Retrying cannot help (bad token, chat ended, read cap reached): stop and show why."""
