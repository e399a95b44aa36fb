"""How connector events look to each role: only the moderator and rapporteur see them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.connectors import service
from app.models import LiveSession, Role

READERS = (Role.moderator, Role.rapporteur)


def event_filter(role: str, type_: str, data: dict[str, Any]) -> tuple[str, dict] | None:
    return (type_, data) if role in READERS else None


def snapshot_part(db: Session, session: LiveSession, role: str) -> dict[str, Any] | None:
    if role not in READERS:
        return None
    channels = [
        {
            "channel": row.channel,
            "kind": row.kind,
            "paused": row.paused,
            "simulated": row.simulated,
            "status": row.status or {"channel": row.channel, "state": "stopped"},
        }
        for row in service.list_configs(db, session.id)
    ]
    return {"channels": channels, "crossposts": service.crossposts(db, session.id)}


