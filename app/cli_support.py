"""What every `floorbridge` command shares: the one-line failure, the database URL option,
and a store whose commits reach running servers.

A module of its own so that `app/cli.py` (the parser), `app/report/cli.py` (report) and
`app/privacy/cli.py` (purge, privacy) all import it, and none imports another's functions.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from app.db import CommittedEvent, OnCommit, Store


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"floorbridge: {message}", file=sys.stderr)
    raise SystemExit(code)


def apply_db_url(url: str | None) -> None:
    if url:
        os.environ["FLOORBRIDGE_DATABASE_URL"] = url
    from app.config import get_settings

    get_settings.cache_clear()


def is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://"))


def open_store() -> Store:
    """A migrated store for one command. With `FLOORBRIDGE_BUS_URL=redis://...` what it
    commits is published as a server publishes it, so open pages see a rotation, a purge
    or an erasure at once instead of on their next gap or reconnect."""
    from app.config import get_settings
    from app.db import Store
    from app.migrate import upgrade

    settings = get_settings()
    url = settings.resolved_database_url()
    upgrade(url)
    store = Store(url)
    if is_redis(settings.bus_url):
        store.on_commit = _publisher(settings.bus_url)
    return store


def _publisher(bus_url: str) -> OnCommit:
    from redis.exceptions import RedisError

    from app.live.redis_bus import publish_now

    def publish(events: list[CommittedEvent]) -> None:
        if not events:
            return
        try:
            publish_now(bus_url, events)
        except (RedisError, OSError) as exc:  # committed all the same: the log has it
            print(
                f"floorbridge: note: could not tell running servers ({exc}); "
                "open pages see the change on their next update or reconnect",
                file=sys.stderr,
            )

    return publish
