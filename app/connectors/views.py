"""How connector events look to each role: only the moderator and rapporteur see them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.connectors import service
from app.models import LiveSession, Role
from app.ownership import owner_of
from app.role_views import part_for, passes_for

READERS = (Role.moderator, Role.rapporteur)


event_filter = passes_for(READERS)


@part_for(READERS)
def snapshot_part(db: Session, session: LiveSession, role: str) -> dict[str, Any] | None:
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
    return {
        "channels": channels,
        "crossposts": service.crossposts(db, session.id),
        "owner": owner_of(db, session.id),
    }


