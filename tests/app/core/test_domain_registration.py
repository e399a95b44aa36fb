"""A domain plugs in through its `Domain(...)` alone (issue 16): a throwaway one, added to
DOMAINS for one app, reaches the socket per role, the report and the purge; and a
registry refuses domains that clash, at start, with a message."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, delete, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session
from websockets.asyncio.client import connect

from app.clock import utc_now
from app.core.domain import Domain, HotRoute, PrivacyHooks, Registry, RegistryError, View
from app.deps import AppState, ModeratorDep, SessionDep, StateDep
from app.domains import DOMAINS
from app.events import emit
from app.models import LiveSession, Role
from app.privacy.service import purge
from tests.servers import LiveServer, audience_header

# -- the throwaway domain: a table, a route, a view, a report section, a purge hook ---------

# A table of its own metadata: the app's migrations know nothing of it, and no other test's
# walk over SQLModel.metadata sees it.
METADATA = MetaData()
SCRATCH = Table(
    "scratch_note",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, index=True, nullable=False),
    Column("text", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
router = APIRouter(prefix="/api/sessions/{slug}/scratch")


class NoteIn(BaseModel):
    text: str


def add_note(db: Session, session_id: int, text: str) -> dict[str, Any]:
    db.execute(insert(SCRATCH).values(session_id=session_id, text=text, created_at=utc_now()))
    emit(db, session_id, "scratch.noted", {"text": text})
    return {"text": text}


@router.post("")
async def post_note(
    body: NoteIn, session: SessionDep, state: StateDep, _p: ModeratorDep
) -> dict[str, Any]:
    return await state.store.write(lambda db: add_note(db, session.id, body.text))


def count(db: Session, session_id: int) -> int:
    return db.execute(
        sa_select(func.count()).select_from(SCRATCH).where(SCRATCH.c.session_id == session_id)
    ).scalar_one()


def moderator_only(role: str, type_: str, data: dict[str, Any]):
    return (type_, data) if role == Role.moderator else None


def part(db: Session, session: LiveSession, role: str) -> Any:
    return {"notes": count(db, session.id)} if role == Role.moderator else None


def section(db: Session, session: LiveSession) -> dict[str, Any] | None:
    n = count(db, session.id)
    return {"title": "Scratch", "paragraphs": [f"{n} scratch notes"]} if n else None


def purge_notes(db: Session, session: LiveSession, cutoff) -> int:
    result = db.execute(
        delete(SCRATCH).where(SCRATCH.c.session_id == session.id, SCRATCH.c.created_at < cutoff)
    )
    return int(result.rowcount or 0)


class ScratchServer(LiveServer):
    """The app as served, plus the scratch domain; it keeps the server's loop for a purge."""

    loop: asyncio.AbstractEventLoop | None = None
    state: AppState | None = None

    def make_app(self) -> Any:
        from app.main import create_app

        async def start(state: AppState) -> None:
            self.loop, self.state = asyncio.get_running_loop(), state
            await state.store.write(lambda db: METADATA.create_all(db.connection()))

        scratch = Domain(
            name="scratch",
            router=router,
            views=[View("scratch.", moderator_only, "scratch", part)],
            report_section=section,
            privacy=PrivacyHooks(purge=purge_notes),
            startup=start,
        )
        # Before the pages: their catch-all route stays last.
        return create_app(self.settings(), domains=(*DOMAINS[:-1], scratch, DOMAINS[-1]))

    def run(self, fn: Any) -> Any:
        """`fn(db)` through the app's own writer, on the server's loop."""
        assert self.loop is not None and self.state is not None
        store = self.state.store
        return asyncio.run_coroutine_threadsafe(store.write(fn), self.loop).result(20)


async def _frames_until(ws, wanted, wait: float = 10.0) -> list[dict[str, Any]]:
    """Frames up to the first for which `wanted(frame)` holds (bounded by `wait` s)."""
    out: list[dict[str, Any]] = []
    async with asyncio.timeout(wait):
        while True:
            frame = json.loads(await ws.recv())
            out.append(frame)
            if wanted(frame):
                return out


async def test_a_throwaway_domain_plugs_in_through_its_registration_alone(tmp_path: Path):
    server = ScratchServer(tmp_path / "data").start()
    try:
        session = server.create_session("Scratch")
        slug, keys = session["slug"], session["keys"]
        mod_headers = {"Authorization": f"Bearer {keys['moderator']}"}
        live = f"{server.ws_url}/s/{slug}/live"
        async with (
            connect(f"{live}?key={keys['moderator']}", compression=None) as mod,
            connect(live, compression=None) as phone,
        ):
            for ws in (mod, phone):
                await ws.send(json.dumps({"type": "resume", "after": None}))
            mod_snap = (await _frames_until(mod, lambda f: f["type"] == "snapshot"))[-1]
            phone_snap = (await _frames_until(phone, lambda f: f["type"] == "snapshot"))[-1]
            assert mod_snap["data"]["scratch"] == {"notes": 0}
            assert phone_snap["data"]["scratch"] is None  # its snapshot part, per role

            async with httpx.AsyncClient(base_url=server.url) as c:
                r = await c.post(f"/api/sessions/{slug}/scratch", json={"text": "mic 2 is off"})
                assert r.status_code == 401  # the route sits behind the core's auth
                r = await c.post(
                    f"/api/sessions/{slug}/scratch", json={"text": "mic 2 is off"},
                    headers=mod_headers,
                )
                assert r.status_code == 200, r.text
                # Then something the audience does see: a question approved onto the queue.
                r = await c.post(
                    f"/api/sessions/{slug}/questions", json={"text": "Who pays?"},
                    headers=audience_header(server.url, slug),
                )
                qid = r.json()["id"]
                r = await c.post(
                    f"/api/sessions/{slug}/questions/{qid}/actions/approve", headers=mod_headers
                )
                assert r.status_code == 200, r.text

            def approved(f: dict[str, Any]) -> bool:
                return f["type"] == "question.updated" and f["data"]["question"]["id"] == qid

            mod_seen = await _frames_until(mod, approved)
            phone_seen = await _frames_until(phone, approved)
        assert {"type": "scratch.noted", "data": {"text": "mic 2 is off"}}.items() <= next(
            f for f in mod_seen if f["type"] == "scratch.noted"
        ).items()
        assert [f for f in phone_seen if f["type"].startswith("scratch.")] == []
        assert "mic 2 is off" not in json.dumps(phone_seen)

        r = httpx.get(
            f"{server.url}/api/sessions/{slug}/report", params={"format": "json"},
            headers=mod_headers,
        )
        assert r.status_code == 200, r.text
        assert r.json()["sections"]["scratch"]["paragraphs"] == ["1 scratch notes"]

        assert server.state is not None
        registry = server.state.registry
        later = utc_now() + timedelta(days=1)
        totals = server.run(
            lambda db: purge(db, older_than=timedelta(hours=1), now=later, registry=registry)
        )
        assert totals["scratch"] == 1
        left = server.run(
            lambda db: db.execute(sa_select(func.count()).select_from(SCRATCH)).scalar_one()
        )
        assert left == 0
    finally:
        server.stop()


# -- a registry refuses what clashes, at start --------------------------------------------


def _view(prefix: str, key: str) -> View:
    return View(prefix, moderator_only, key, part)


def test_two_domains_with_one_name_are_refused():
    with pytest.raises(RegistryError, match="name 'polls' is claimed by both"):
        Registry((*DOMAINS, Domain(name="polls")))


def test_two_domains_with_one_event_prefix_or_snapshot_key_are_refused():
    with pytest.raises(RegistryError, match="event prefix 'poll.' is claimed by both"):
        Registry((*DOMAINS, Domain(name="other", views=[_view("poll.", "other")])))
    with pytest.raises(RegistryError, match="snapshot key 'timer' is claimed by both"):
        Registry((*DOMAINS, Domain(name="other", views=[_view("other.", "timer")])))


def test_a_prefix_inside_another_or_the_cores_is_refused():
    with pytest.raises(RegistryError, match="'poll.extra.' of 'other' starts with 'poll.'"):
        Registry((*DOMAINS, Domain(name="other", views=[_view("poll.extra.", "x")])))
    with pytest.raises(RegistryError, match="starts with 'question.' of 'the core'"):
        Registry((*DOMAINS, Domain(name="other", views=[_view("question.mine.", "x")])))


def test_two_hot_routes_on_one_path_are_refused():
    async def handler(scope, receive, send) -> None:  # pragma: no cover - never called
        return None

    path = "/api/sessions/{slug}/polls/{poll_id:int}/votes"
    with pytest.raises(RegistryError, match="hot route"):
        Registry((*DOMAINS, Domain(name="other", hot_routes=[HotRoute(path, handler)])))


def test_owner_run_jobs_come_from_the_domains_and_one_kind_has_one_owner():
    """The Zoom Q&A poller is declared, not registered by an import (app/channels/domain.py)."""
    from app.channels.zoom import QA_JOB, qa_job

    assert Registry(DOMAINS).jobs == {QA_JOB: qa_job}

    async def job(state, session_id, arg) -> None:  # pragma: no cover - never called
        return None

    with pytest.raises(RegistryError, match="job kind 'zoom_qa' is claimed by both"):
        Registry((*DOMAINS, Domain(name="other", jobs={"zoom_qa": job})))


def test_the_app_refuses_to_build_with_clashing_domains(tmp_path: Path):
    from app.main import create_app

    server = LiveServer(tmp_path / "data")
    with pytest.raises(RegistryError, match="domains clash"):
        create_app(server.settings(), domains=(*DOMAINS, Domain(name="agenda")))
