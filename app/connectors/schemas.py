"""The connectors API's bodies and answers, in the SQLModel Base/Update/Public style.

Field order is the order of the JSON the routes always produced (`service.public`,
`service.set_paused`). Settings and status differ per channel (each connector's own
model, `integrations.registry.config_model`), so they stay dicts; secrets in them read
as "********"."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.inputs import CleanJson


class ConnectorIn(BaseModel):
    """`PUT .../connectors/{channel}`: the channel's settings, checked by its own model."""

    settings: CleanJson = Field(default_factory=dict)


class ConnectorPublic(BaseModel):
    channel: str
    kind: str
    paused: bool
    simulated: bool
    settings: dict[str, Any]
    status: dict[str, Any]
    updated_at: str | None


class ConnectorPaused(BaseModel):
    channel: str
    paused: bool
