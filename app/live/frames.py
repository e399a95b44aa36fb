"""Events as frames: filtered and encoded per role, framed once for every socket of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from app.core.domain import EventFilter
from app.db import CommittedEvent
from app.live.direct_write import text_frame
from app.views import NONE, event_for


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def frame_for(
    role: str, event: CommittedEvent, filters: Mapping[str, EventFilter] = NONE
) -> str | None:
    """`filters`: the domains' event filters (`Registry.filters`)."""
    shaped = event_for(role, event.type, event.data, filters)
    if shaped is None:
        return None
    return encode({"seq": event.seq, "type": shaped[0], "data": shaped[1]})


class Outgoing:
    """A role's share of a batch of events: (seq, frame) each, and all of them framed."""

    __slots__ = ("items", "wire")

    def __init__(self, items: list[tuple[int, str, bytes]]) -> None:
        self.items = items
        self.wire = items[0][2] if len(items) == 1 else b"".join(i[2] for i in items)


def outgoing(
    role: str, batch: list[CommittedEvent], filters: Mapping[str, EventFilter] = NONE
) -> Outgoing | None:
    items = []
    for event in batch:
        text = frame_for(role, event, filters)
        if text is not None:
            items.append((event.seq, text, text_frame(text)))
    return Outgoing(items) if items else None
