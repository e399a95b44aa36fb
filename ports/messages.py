"""The port types: what every channel hands to the core, and the one interface every
connector implements. Here, not in `integrations/`, so the core imports no channel code
and the channels import no app code (issue 16).

A connector never touches the database: it turns the outside world's payloads into
`IncomingMessage`s and gives them to a `Sink`. The core's ingest path does the rest
(dedupe, plain text, pseudonymisation, one transaction, publish).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One remote question or comment, as a channel saw it.

    `external_id` is unique within `channel` (Zoom message_id, Mastodon status id, ...);
    together with the session it is the dedupe key, so a retried delivery is a no-op.
    `author_id` is the channel's stable id for the person (e-mail, handle, DID); the core
    keeps only an HMAC of it. `text` is plain text: connectors convert HTML first.
    """

    channel: str
    external_id: str
    text: str
    author_name: str | None = None
    author_id: str | None = None
    sent_at: datetime | None = None
    url: str | None = None
    simulated: bool = False
    # Set by connectors that know: a boost/repost/quote is not a new question.
    is_repost: bool = False
    #: Already answered where it was asked (Zoom's webinar Q&A), with the answer if any.
    answered: bool = False
    answer: str | None = None
    #: The person said they are in the room (the audience page's toggle); remote otherwise.
    in_room: bool = False


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What the core did with one message: stored as a new question, or a duplicate."""

    external_id: str
    question_id: int | None
    duplicate: bool
    #: Why the message was not stored (empty text, ...); None when stored or a duplicate.
    error: str | None = None


# The core's ingest entry point as a connector sees it: a batch for one session.
Sink = Callable[[Sequence[IncomingMessage]], Awaitable[Sequence[IngestResult]]]


# --- Connector interface (added for the social channels, issue 4) -------------------------


class ConnectorState(StrEnum):
    """What the console shows for one channel of one session."""

    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    ERROR = "error"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(slots=True)
class ConnectorStatus:
    """Live health of one connector, owned by its supervisor, read by the console.

    `items_today` counts new (non-duplicate) items since UTC midnight; `reason` says why
    the connector is not simply connected (an error, a rate limit, a pause).
    """

    channel: str
    state: ConnectorState = ConnectorState.STOPPED
    reason: str | None = None
    last_item_at: datetime | None = None
    items_today: int = 0
    errors: int = 0
    retry_at: datetime | None = None
    # Called after every change, e.g. to publish the status to the console.
    listener: Callable[[ConnectorStatus], None] | None = field(default=None, repr=False)
    _day: date | None = field(default=None, repr=False)

    def _changed(self) -> None:
        if self.listener is not None:
            self.listener(self)

    def connected(self) -> None:
        """Called by a connector once its stream is open or a poll succeeded."""
        if self.state is ConnectorState.CONNECTED and self.reason is None:
            return
        self.state = ConnectorState.CONNECTED
        self.reason = None
        self.retry_at = None
        self._changed()

    def failed(self, reason: str, retry_at: datetime | None = None) -> None:
        self.state = ConnectorState.ERROR
        self.reason = reason
        self.retry_at = retry_at
        self.errors += 1
        self._changed()

    def set(self, state: ConnectorState, reason: str | None = None) -> None:
        self.state = state
        self.reason = reason
        self._changed()

    def count_items(self, n: int, now: datetime) -> None:
        """Record `n` new items at `now`; the daily count restarts at UTC midnight."""
        today = now.astimezone(UTC).date()
        if self._day != today:
            self._day = today
            self.items_today = 0
        if n:
            self.items_today += n
            self.last_item_at = now
            self._changed()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view for the console."""
        return {
            "channel": self.channel,
            "state": self.state.value,
            "reason": self.reason,
            "last_item_at": self.last_item_at.isoformat() if self.last_item_at else None,
            "items_today": self.items_today,
            "errors": self.errors,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


class CursorStore(Protocol):
    """Where resume cursors live, one opaque string per (session, connector key).

    The core provides a DB-backed one; `MemoryCursorStore` is for tests and the demo.
    """

    async def get(self, session: str, key: str) -> str | None: ...

    async def set(self, session: str, key: str, value: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Cursor:
    """One connector's cursor slot, so a connector never needs to know its session."""

    store: CursorStore
    session: str
    key: str

    async def get(self) -> str | None:
        return await self.store.get(self.session, self.key)

    async def set(self, value: str) -> None:
        await self.store.set(self.session, self.key, value)


class Connector(Protocol):
    """One channel feeding one session.

    `run` connects (or polls), hands batches to `sink`, stores its resume position in
    `cursor` only after the sink accepted the batch (so a crash repeats, never skips, and
    the core's dedupe absorbs the repeat), calls `status.connected()` once healthy, and
    returns or raises when the connection ends. It runs until cancelled; the supervisor
    restarts it. Raise `RateLimited` to ask for a specific wait, `FatalConnectorError`
    when retrying cannot help.
    """

    channel: str
    key: str  # cursor key, unique per session (e.g. "mastodon:mastodon.social")

    async def run(self, sink: Sink, cursor: Cursor, status: ConnectorStatus) -> None: ...
