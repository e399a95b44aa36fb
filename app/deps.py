"""Shared state and FastAPI dependencies (`Annotated` aliases, as in the FastAPI template)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request, Response
from starlette.requests import HTTPConnection

from app import hosts
from app.auth import AUDIENCE_COOKIE, AUDIENCE_COOKIE_AGE, Principal, Signer, resolve
from app.busy import Busy
from app.config import Settings
from app.core.domain import Registry
from app.core.tasks import TaskSet
from app.db import Store
from app.errors import Forbidden, NotFound, Unauthorized
from app.live.bus import Bus
from app.live.hub import Hubs
from app.models import LiveSession, Role
from app.sessions.service import SlugCache, get_by_slug

if TYPE_CHECKING:
    from app.audience_limits import AudienceLimits
    from app.channels.zoom import ZoomRuntime
    from app.connectors.runtime import ConnectorRuntime
    from app.health import Metrics
    from app.limits_net import NetLimits
    from app.ownership import Ownership
    from app.polls.live import PollRuntime
    from app.triage_live.runtime import TriageRuntime


@dataclass
class AppState:
    settings: Settings
    store: Store
    bus: Bus
    hubs: Hubs
    sessions: SlugCache
    signer: Signer
    admin_token: str
    #: What the domains declared (app/domains.py); every reader takes it from here.
    registry: Registry = field(default_factory=lambda: Registry(()))
    #: Background work, cancelled at shut-down (create_app's lifespan).
    tasks: TaskSet = field(default_factory=TaskSet)
    #: The edge limits (app/limits_net.py), set by create_app.
    net: NetLimits | None = None
    #: Prometheus metrics (app/health.py), set by create_app.
    metrics: Metrics | None = None
    #: The connector runtime, from the connectors' start-up hook.
    connectors: ConnectorRuntime | None = None
    #: The coalescing poll runtime (app/polls/live.py), created on first use.
    polls: PollRuntime | None = None
    #: The Zoom runtime, created at the first webhook (or by a test's `configure`).
    zoom: ZoomRuntime | None = None
    #: The bus signal that drops the Zoom routing cache is subscribed once.
    zoom_routes_watched: bool = False
    #: Which sessions' outside work this worker owns (app/ownership.py), from the
    #: connectors' start-up hook.
    ownership: Ownership | None = None
    #: The triage assistant's runtime (app/triage_live), from its start-up hook.
    triage: TriageRuntime | None = None
    #: The per-id and per-address token buckets (app/audience_limits.py), on first use.
    audience_limits: AudienceLimits | None = None
    #: Requests being answered, and the gates that hold back waiting work meanwhile
    #: (app/busy.py; the triage child is one).
    busy: Busy = field(default_factory=Busy)
    #: The running demo's {"slug", "keys"} (the landing page shows its links).
    demo: dict[str, Any] | None = None

    def base_url(self, conn: HTTPConnection) -> str:
        """Of links and QR codes: never an unvetted Host header (app.hosts says why)."""
        return hosts.base_url(self.settings, conn.scope, conn.headers.get("host"))


async def get_state(conn: HTTPConnection) -> AppState:
    return conn.app.state.fb


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(slug: str, state: StateDep) -> LiveSession:
    if len(slug) > 64:
        raise NotFound("no such session")
    return await state.store.read(lambda db: get_by_slug(db, slug))


SessionDep = Annotated[LiveSession, Depends(get_session)]


async def get_cached_session(slug: str, state: StateDep) -> LiveSession:
    """The session for the audience's own calls (its page, a question, an upvote): from the
    slug cache the vote path uses (one read per slug every few seconds), not a database
    read in a thread per request. They need its id and slug only, which never change, and
    they are what an id-minting script sends by the thousand."""
    if len(slug) > 64:
        raise NotFound("no such session")
    return await state.sessions.get(slug)


CachedSessionDep = Annotated[LiveSession, Depends(get_cached_session)]


async def get_principal(request: Request, state: StateDep, session: SessionDep) -> Principal:
    principal = await resolve(request, state.store, state.signer, session)
    if principal.bad_key:
        raise Unauthorized("that key is not valid for this session (was it rotated?)")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(*roles: Role):
    allowed = {r.value for r in roles}

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role in allowed:
            return principal
        if principal.replaced:
            raise Unauthorized("this link was replaced; ask for the new one")
        if principal.role == Role.audience:
            raise Unauthorized(f"this needs the {' or '.join(sorted(allowed))} link or key")
        raise Forbidden(f"the {principal.role} role may not do this")

    return Depends(check)


ModeratorDep = Annotated[Principal, require(Role.moderator)]
ReaderDep = Annotated[Principal, require(Role.moderator, Role.rapporteur)]
StageOrModeratorDep = Annotated[Principal, require(Role.moderator, Role.stage)]


#: What a vote, upvote or question without a valid audience cookie hears (and the page).
NO_AUDIENCE_ID = "no audience id in this browser yet; reload the audience page to get one"


async def audience_id(request: Request, state: StateDep) -> str:
    """The caller's signed anonymous id. Only the audience page issues one (throttled per
    address, app.pages): an API call without it is refused and is given none."""
    aid = state.signer.read_audience(request.cookies.get(AUDIENCE_COOKIE))
    if aid is None:
        raise Unauthorized(NO_AUDIENCE_ID)
    return aid


def set_audience_cookie(response: Response, value: str, secure: bool) -> None:
    response.set_cookie(
        AUDIENCE_COOKIE,
        value,
        max_age=AUDIENCE_COOKIE_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


AudienceDep = Annotated[str, Depends(audience_id)]
