"""Channel name → connector class: the one place social connectors are registered.

A session's config is `{channel: {settings}}`; `create()` validates the settings with the
connector's pydantic model (tokens are `SecretStr`, so they never show in a repr or log).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from integrations.base import Connector
from integrations.bluesky import BlueskyConnector
from integrations.mastodon import MastodonConnector
from integrations.x import XConnector
from integrations.youtube import YouTubeConnector

CONNECTORS: dict[str, type] = {
    "mastodon": MastodonConnector,
    "bluesky": BlueskyConnector,
    "youtube": YouTubeConnector,
    "x": XConnector,
}

# Channels that cost money per read: never started unless the session config names them
# and sets a read cap (their config model requires one).
OPT_IN = frozenset({"x"})


class UnknownChannel(ValueError):
    pass


def config_model(channel: str) -> type[BaseModel]:
    """The pydantic settings model of a channel (for the admin API and the docs test)."""
    return _lookup(channel).config_model


def _lookup(channel: str) -> Any:
    try:
        return CONNECTORS[channel]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS))
        raise UnknownChannel(f"no connector {channel!r} (known: {known})") from None


def create(channel: str, config: Mapping[str, Any]) -> Connector:
    """Build a connector from one session's settings; raises on unknown channel or bad
    settings (pydantic `ValidationError`, which names the field)."""
    return _lookup(channel).from_config(dict(config))
