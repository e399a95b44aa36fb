"""The demo session (IGF 2023 WS #499) and a simulator of remote participants.

The simulator goes through the same ingest path as every real channel, and marks every
message as simulated so no page can pass it off as real.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from app.db import Store
from app.errors import NotFound
from app.ingest import ingest
from app.sessions import SessionCreate, create_session, get_by_slug, rotate_keys
from integrations.base import IncomingMessage

DEMO_SLUG = "data-for-good"


def _load(name: str) -> Any:
    return yaml.safe_load((Path(__file__).parent / name).read_text(encoding="utf-8"))


def demo_session_body() -> SessionCreate:
    return SessionCreate.model_validate(_load("data-for-good.yaml"))


def ensure_demo_session(db: Session) -> tuple[int, str, dict[str, str]]:
    """Create the demo session, or give the existing one fresh keys (they are only hashes)."""
    try:
        session = get_by_slug(db, DEMO_SLUG)
        return session.id, session.slug, rotate_keys(db, DEMO_SLUG)
    except NotFound:
        session, keys = create_session(db, demo_session_body())
        return session.id, session.slug, keys


async def simulate_remote_audience(
    store: Store, session_id: int, *, pace: tuple[float, float] = (4.0, 10.0), limit: int = 200
) -> None:
    """Feed the demo's remote messages at a human pace; bounded, so it ends by itself."""
    messages = _load("remote-messages.yaml")
    rng = random.Random()
    run = rng.randrange(1 << 30)
    for n, item in zip(range(limit), itertools.cycle(messages), strict=False):
        await asyncio.sleep(rng.uniform(*pace))
        msg = IncomingMessage(
            channel=item["channel"],
            external_id=f"sim-{run}-{n}",
            text=item["text"],
            author_name=item["name"],
            author_id=f"sim:{item['name']}",
            simulated=True,
        )
        await ingest(store, session_id, [msg])
