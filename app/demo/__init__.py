"""The demo session (IGF 2023 WS #499) and a simulator of remote participants.

The simulator goes through the same ingest path as every real channel, and marks every
message as simulated so no page can pass it off as real.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlmodel import Session

from app.connectors.service import put_config
from app.demo.platforms import SOCIAL, DemoPlatforms
from app.demo.stream import SimMessage, remote_stream
from app.errors import NotFound
from app.ingest import ingest
from app.models import LiveSession, require_id
from app.polls.demo import add_demo_polls
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session, get_by_slug, rotate_keys
from ports.messages import IncomingMessage

if TYPE_CHECKING:
    from app.deps import AppState

DEMO_SLUG = "data-for-good"


def _load(name: str) -> Any:
    return yaml.safe_load((Path(__file__).parent / name).read_text(encoding="utf-8"))


def demo_session_body() -> SessionCreate:
    return SessionCreate.model_validate(_load("data-for-good.yaml"))


def ensure_demo_session(db: Session) -> tuple[int, str, dict[str, str]]:
    """Create the demo session, or give the existing one fresh keys (they are only hashes)."""
    try:
        session = get_by_slug(db, DEMO_SLUG)
        return require_id(session), session.slug, rotate_keys(db, DEMO_SLUG)
    except NotFound:
        session, keys = create_session(db, demo_session_body())
        add_demo_polls(db, require_id(session))
        return require_id(session), session.slug, keys


async def open_demo(state: Any) -> tuple[int, str, dict[str, str]]:
    """What `floorbridge demo` does first: the session, fresh keys, and demo mode on, so the
    landing page can point the organiser (on this computer only) to the session's pages."""
    session_id, slug, keys = await state.store.write(ensure_demo_session)
    state.demo = {"slug": slug, "keys": dict(keys)}
    return session_id, slug, keys


def _stored(session: LiveSession | None) -> LiveSession:
    assert session is not None  # open_demo made or found it before this runs
    return session


async def start_social(state: AppState, session_id: int) -> DemoPlatforms | None:
    """Fake platforms on loopback plus the real connectors reading them (marked simulated).

    None when the server runs no connectors (then social posts go straight to ingest).
    """
    store, runtime = state.store, state.connectors
    if runtime is None:
        return None
    tags = await store.read(lambda db: _stored(db.get(LiveSession, session_id)).hashtags)
    platforms = DemoPlatforms(tags[-1] if tags else "DataForGood")
    await platforms.start()
    runtime.closers.append(platforms.stop)  # after the connectors, at shut-down
    for channel, settings in platforms.connector_settings().items():
        await store.write(
            partial(
                put_config,
                session_id=session_id,
                channel=channel,
                settings=settings,
                box=runtime.box,
                simulated=True,
            )
        )
        await runtime.apply(session_id, channel)
    for _ in range(100):  # Jetstream sends only what follows the connection: wait for it
        if platforms.listeners:
            break
        await asyncio.sleep(0.05)
    return platforms


async def simulate_remote_audience(
    state: AppState,
    session_id: int,
    *,
    pace: tuple[float, float] = (4.0, 10.0),
    limit: int = 1000,
    seed: int | None = None,
) -> None:
    """Feed a varied stream of remote messages (app.demo.stream) at a human pace; bounded
    (about two hours at the default pace), so it ends by itself.

    Social posts are published on in-process fake platforms and come in through the real
    connectors, so the console's channel strip is live; Zoom messages go to ingest.
    """
    rng = random.Random(seed)
    run = secrets.token_hex(4)  # external ids differ between runs, even with one seed
    platforms = await start_social(state, session_id)
    try:
        for n, item in zip(range(limit), remote_stream(seed), strict=False):
            await asyncio.sleep(rng.uniform(*pace))
            if platforms is not None and item.channel in SOCIAL:
                platforms.post(item.channel, item.name, item.text)
                continue
            await _ingest_direct(state, session_id, item, f"sim-{run}-{n}")
        if platforms is not None:
            await asyncio.Event().wait()  # the platforms stay up (quiet) until shut-down
    finally:
        if platforms is not None and state.connectors is None:
            await platforms.stop()


async def _ingest_direct(
    state: AppState, session_id: int, item: SimMessage, external_id: str
) -> None:
    msg = IncomingMessage(
        channel=item.channel,
        external_id=external_id,
        text=item.text,
        author_name=item.name,
        author_id=f"sim:{item.name}",
        simulated=True,
    )
    await ingest(state.store, session_id, [msg], state.registry.ingest)
