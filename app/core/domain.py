"""One typed registration per domain, and the registry built from the list of them.

Why: a domain used to plug in by filling six module-level registries at import time, so a
missing import made a feature work on the API and silently not on the socket, in the
report or in the purge. Now each domain declares one `Domain(...)`; `app/domains.py`
lists them; `create_app(settings, domains)` builds a `Registry` and every reader takes it
from `AppState`. A registry refuses, at start and with a message, two domains that claim
the same name, event prefix, snapshot key, report section, hot route or job kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, SQLModel
from starlette.routing import compile_path
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from fastapi import APIRouter

    from app.deps import AppState
    from app.models import LiveSession

#: How one role sees one event: (type, data) to send, or None to drop it.
EventFilter = Callable[[str, str, dict[str, Any]], "tuple[str, dict[str, Any]] | None"]
#: What a domain adds to a role's snapshot, under its key.
SnapshotPart = Callable[[Session, "LiveSession", str], Any]
#: A report section (docs/report.md): {"title", "paragraphs", "tables", "charts", "data"}.
SectionFn = Callable[[Session, "LiveSession"], "dict[str, Any] | None"]
#: Ingest: consume a message before it becomes a question (True, or what it made of the
#: message, e.g. "counted as a floor request": consumed).
#: (The message is `ports.messages.IncomingMessage`; the core names no channel type.)
InterceptFn = Callable[[Session, "LiveSession", Any], "bool | str"]
#: Ingest: act on a stored batch, (question, message) pairs in order, same transaction.
AfterStoreFn = Callable[[Session, "LiveSession", list[tuple[Any, Any]]], None]
Hook = Callable[["AppState"], Awaitable[None]]
Handler = Callable[[Scope, Receive, Send], Awaitable[None]]
PurgeFn = Callable[[Session, "LiveSession", datetime], int]
AccessFn = Callable[[Session, "LiveSession", Any], Any]
EraseFn = Callable[[Session, "LiveSession", Any], Any]
#: A periodic outside job of one session, run by the session's owner (app/ownership.py)
#: until cancelled: `job(state, session_id, arg)`, asked for by a `WorkJob` row "kind:arg".
JobFn = Callable[[Any, int, str], Awaitable[None]]


class RegistryError(ValueError):
    """Two domains claim the same thing (raised by `Registry`, so at start)."""


@dataclass(frozen=True)
class View:
    """Events whose type starts with `prefix` go through `event_filter` per role; `part`
    adds the domain's share of a role's snapshot under `key`."""

    prefix: str
    event_filter: EventFilter
    key: str
    part: SnapshotPart


@dataclass(frozen=True)
class HotRoute:
    """A bare ASGI POST handler reached below FastAPI's routing (app/hot_paths.py)."""

    path: str
    handler: Handler
    name: str | None = None


@dataclass(frozen=True)
class PrivacyHooks:
    """Personal data the domain holds: forgotten after the retention period (`purge`,
    returns a count), given to the person who asks (`access`), removed on request
    (`erase`)."""

    purge: PurgeFn | None = None
    access: AccessFn | None = None
    erase: EraseFn | None = None


@dataclass(frozen=True)
class Domain:
    name: str
    router: APIRouter | None = None
    hot_routes: Sequence[HotRoute] = ()
    views: Sequence[View] = ()
    report_section: SectionFn | None = None
    privacy: PrivacyHooks | None = None
    intercept: InterceptFn | None = None
    after_store_many: AfterStoreFn | None = None
    startup: Hook | None = None
    shutdown: Hook | None = None
    models: Sequence[type[SQLModel]] = ()
    #: Owner-run jobs by kind (the Zoom Q&A poller: "zoom_qa").
    jobs: Mapping[str, JobFn] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestHooks:
    """What ingest runs besides storing: the domains' intercepts and after-store hooks,
    in domain order. Hashable, so ingest can group deliveries that share them."""

    intercept: tuple[InterceptFn, ...] = ()
    after_store_many: tuple[AfterStoreFn, ...] = ()


NO_INGEST_HOOKS = IngestHooks()


@dataclass(frozen=True)
class Registry:
    """Everything the domains declared, indexed for the readers. Built once at start."""

    domains: tuple[Domain, ...]
    filters: Mapping[str, EventFilter] = field(init=False)
    parts: Mapping[str, SnapshotPart] = field(init=False)
    sections: Mapping[str, SectionFn] = field(init=False)
    ingest: IngestHooks = field(init=False)
    jobs: Mapping[str, JobFn] = field(init=False)

    def __post_init__(self) -> None:
        _refuse_duplicates(self.domains)
        views = [v for d in self.domains for v in d.views]
        object.__setattr__(self, "filters", {v.prefix: v.event_filter for v in views})
        object.__setattr__(self, "parts", {v.key: v.part for v in views})
        sections = {d.name: d.report_section for d in self.domains if d.report_section}
        object.__setattr__(self, "sections", sections)
        hooks = IngestHooks(
            tuple(d.intercept for d in self.domains if d.intercept),
            tuple(d.after_store_many for d in self.domains if d.after_store_many),
        )
        object.__setattr__(self, "ingest", hooks)
        jobs = {kind: job for d in self.domains for kind, job in d.jobs.items()}
        object.__setattr__(self, "jobs", jobs)

    def event_for(self, role: str, type_: str, data: dict[str, Any]):
        """One event as `role` sees it (app.views.event_for with these domains' filters)."""
        from app.views import event_for

        return event_for(role, type_, data, self.filters)

    def filter_of(self, type_: str) -> str | None:
        """The declared prefix an event type reaches, None for the core's own handling."""
        return next((p for p in self.filters if type_.startswith(p)), None)

    @property
    def routers(self) -> list[APIRouter]:
        return [d.router for d in self.domains if d.router is not None]

    @property
    def hot_routes(self) -> list[HotRoute]:
        return [r for d in self.domains for r in d.hot_routes]

    @property
    def startup(self) -> list[Hook]:
        return [d.startup for d in self.domains if d.startup]

    @property
    def shutdown(self) -> list[Hook]:
        """In reverse domain order: the last started stops first."""
        return [d.shutdown for d in reversed(self.domains) if d.shutdown]

    @property
    def models(self) -> list[type[SQLModel]]:
        return [m for d in self.domains for m in d.models]

    def privacy(self, kind: str) -> list[tuple[str, Callable[..., Any]]]:
        """(domain name, hook) for `kind` in "purge", "access", "erase", in domain order."""
        out = []
        for d in self.domains:
            fn = getattr(d.privacy, kind, None) if d.privacy else None
            if fn is not None:
                out.append((d.name, fn))
        return out


#: Event types the core shapes itself (app.views.event_for): no domain may take them over.
CORE_PREFIXES = ("question.", "queue.", "session.")


def _refuse_duplicates(domains: Sequence[Domain]) -> None:
    claims: dict[tuple[str, str], tuple[int, str]] = {}
    problems: list[str] = []

    def claim(kind: str, value: str, owner: tuple[int, str]) -> None:
        held = claims.setdefault((kind, value), owner)
        if held != owner:
            problems.append(f"{kind} {value!r} is claimed by both {held[1]!r} and {owner[1]!r}")

    for i, d in enumerate(domains):
        owner = (i, d.name)
        claim("name", d.name, owner)
        for v in d.views:
            claim("event prefix", v.prefix, owner)
            claim("snapshot key", v.key, owner)
        for r in d.hot_routes:
            claim("hot route", compile_path(r.path)[0].pattern, owner)
        for kind in d.jobs:
            claim("job kind", kind, owner)
    # A prefix inside another ("poll." and "poll.results.") would let the first declared
    # take the other's events; a core prefix would take the questions' own shaping.
    owners = [(v.prefix, d.name) for d in domains for v in d.views]
    owners += [(p, "the core") for p in CORE_PREFIXES]
    for a, owner_a in owners:
        for b, owner_b in owners:
            if a != b and b.startswith(a):
                problems.append(
                    f"event prefix {b!r} of {owner_b!r} starts with {a!r} of {owner_a!r}"
                )
    if problems:
        raise RegistryError("domains clash: " + "; ".join(problems))


#: No domain at all: the core alone (a caller that passes no registry gets no domain hooks).
NO_DOMAINS = Registry(())
