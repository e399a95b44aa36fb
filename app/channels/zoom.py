"""The Zoom endpoints: the one webhook for all sessions, the console's status and Q&A import.

The app side of the Zoom channel: route, zoom id -> session routing, counters, runtime and
the Q&A polling task. Signature checking and payload parsing stay pure in
`integrations.zoom` (which imports no app code), so the CLI's `zoom send` and the demo
simulator do not import the server.

The webhook acknowledges a chat message only once the core says it is committed (Zoom then
stops retrying), never waits on sockets, and answers 503 when storing failed so Zoom
retries. Counters live in memory per process: with several workers each shows its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import select
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from app.channels.schemas import QAImportReport, ZoomStatus
from app.clock import epoch_seconds, iso, utc_now
from app.config import ZoomSettings  # a section of the one Settings
from app.core.domain import NO_INGEST_HOOKS, IngestHooks
from app.db import Store
from app.deps import AppState, ModeratorDep, SessionDep, StateDep
from app.errors import DomainError, ErrorOut
from app.hot_paths import MAX_BODY, read_body
from app.ingest import ingest, ingest_single
from app.models import LiveSession
from app.ownership import OWNERSHIP, drop_job, want_job
from app.sessions.service import ZOOM_ROUTES
from integrations.zoom import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Ignored,
    Reason,
    UrlValidation,
    ZoomChat,
    ZoomLifecycle,
    parse_event,
    parse_secrets,
    url_validation_response,
    verify_signature,
)
from integrations.zoom_qa import (
    ZoomApiError,
    ZoomQAClient,
    ZoomQuestion,
    parse_qa_csv,
)
from ports.messages import IncomingMessage, IngestResult

log = logging.getLogger("floorbridge.zoom")
router = APIRouter()

WEBHOOK_PATH = "/integrations/zoom/webhook"
_JSON = (b"content-type", b"application/json")
_SIGNATURE = SIGNATURE_HEADER.encode()
_TIMESTAMP = TIMESTAMP_HEADER.encode()
#: How long the zoom id → sessions map is trusted for ids it knows.
ROUTE_TTL = 5.0
QA_NOTE = "Zoom may return no Q&A until the webinar has ended."
#: Polling during a webinar stops after this long even without `webinar.ended`.
POLL_MAX_SECONDS = 12 * 3600.0
#: The ownership job kind of the Q&A poller (one owner per session runs it).
QA_JOB = "zoom_qa"


@dataclass
class LinkStatus:
    """What the console shows for one Zoom meeting/webinar number."""

    zoom_id: int
    kind: str | None = None
    live: bool | None = None
    changed_at: datetime | None = None
    last_event_at: datetime | None = None
    messages_received: int = 0
    duplicates: int = 0
    filtered_private: int = 0
    qa_imported_at: datetime | None = None
    qa_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "zoom_id": self.zoom_id,
            "kind": self.kind,
            "live": self.live,
            "changed_at": iso(self.changed_at),
            "last_event_at": iso(self.last_event_at),
            "messages_received": self.messages_received,
            "duplicates": self.duplicates,
            "filtered_private": self.filtered_private,
            "qa_imported_at": iso(self.qa_imported_at),
            "qa_error": self.qa_error,
        }


@dataclass
class ZoomRuntime:
    """Per-app Zoom state: secrets, routing cache, counters, background Q&A tasks."""

    secrets: tuple[str, ...]
    settings: ZoomSettings
    links: dict[int, LinkStatus] = field(default_factory=dict)
    signature_failures: int = 0
    last_signature_failure_at: datetime | None = None
    last_signature_failure: str | None = None
    _routes: dict[int, list[int]] = field(default_factory=dict)
    _routes_at: float = float("-inf")
    _routes_gen: int = 0  # bumped by `forget_routes`; a read that overlapped one is not trusted
    _routes_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _pollers: dict[int, asyncio.Task[None]] = field(default_factory=dict)

    def link(self, zoom_id: int) -> LinkStatus:
        return self.links.setdefault(zoom_id, LinkStatus(zoom_id))

    def signature_failed(self, reason: Reason) -> None:
        self.signature_failures += 1
        self.last_signature_failure_at = utc_now()
        self.last_signature_failure = reason.value

    async def sessions_for(self, store: Store, zoom_id: int | None) -> list[int]:
        """Session ids linked to a Zoom number, from a short-lived cache of `zoom_ids`.

        A hit trusts the cache for `ROUTE_TTL`; a miss re-reads unless a read started after
        this delivery arrived (concurrent misses share one read), so a session created a
        moment ago is never missed. A session newly linked to an id already routed is
        announced on the bus (`sessions.ZOOM_ROUTES`, every worker): `forget_routes`.
        The TTL is the backstop for writers that cannot tell the bus (the CLI on a
        single-process server).
        """
        if zoom_id is None:
            return []
        arrived = time.monotonic()
        if zoom_id not in self._routes or arrived - self._routes_at > ROUTE_TTL:
            async with self._routes_lock:
                if self._routes_at < arrived:
                    started, gen = time.monotonic(), self._routes_gen
                    self._routes = await store.read(_load_routes)
                    # Forgotten while reading: the read may predate the change.
                    self._routes_at = started if gen == self._routes_gen else float("-inf")
        return list(self._routes.get(zoom_id, ()))

    def forget_routes(self) -> None:
        """Sessions changed (created, zoom_ids edited): re-read on the next delivery."""
        self._routes_at = float("-inf")
        self._routes_gen += 1


def _load_routes(db: Any) -> dict[int, list[int]]:
    routes: dict[int, list[int]] = {}
    for session_id, zoom_ids in db.exec(select(LiveSession.id, LiveSession.zoom_ids)).all():
        for zid in zoom_ids or []:
            if isinstance(zid, int):
                routes.setdefault(zid, []).append(session_id)
    return routes


def configure(state: AppState, settings: ZoomSettings | None = None) -> ZoomRuntime:
    """Set up (or replace) the app's Zoom runtime; tests pass their own settings."""
    settings = settings or state.settings.zoom
    rt = ZoomRuntime(parse_secrets(state.settings.zoom_secret_token), settings)
    state.zoom = rt
    if not state.zoom_routes_watched:
        state.zoom_routes_watched = True
        state.bus.on_signal(ZOOM_ROUTES, lambda: runtime(state).forget_routes())
    return rt


def runtime(state: AppState) -> ZoomRuntime:
    rt = state.zoom
    return rt if rt is not None else configure(state)


Answer = tuple[int, dict[str, Any]]


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _refuse(status: int, detail: str) -> Answer:
    return status, {"detail": detail}


def _ack(status: str, **extra: Any) -> Answer:
    return 200, {"status": status, **extra}


# ---------------------------------------------------------------- webhook


async def webhook_app(scope: Scope, receive: Receive, send: Send) -> None:
    """`POST /integrations/zoom/webhook`; see the module docstring for what each answer
    means. Bare ASGI: headers are read from the scope, the body from `receive`."""
    try:
        status, answer = await _webhook(scope, receive)
    except ClientDisconnect:  # gone before its body arrived: nobody to answer
        return
    body = orjson.dumps(answer)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [_JSON, (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _webhook(scope: Scope, receive: Receive) -> Answer:
    state: AppState = scope["app"].state.fb
    rt = runtime(state)
    if not rt.secrets:
        return _refuse(404, "the Zoom integration is not enabled on this server")
    raw = await read_body(receive, MAX_BODY)
    if raw is None:
        return _refuse(413, "request body too large (1 MiB at most)")
    timestamp = signature = None
    for name, value in scope["headers"]:
        if name == _SIGNATURE and signature is None:
            signature = value.decode("latin-1")
        elif name == _TIMESTAMP and timestamp is None:
            timestamp = value.decode("latin-1")
    check = verify_signature(rt.secrets, timestamp, signature, raw, epoch_seconds())
    if not check:
        rt.signature_failed(check.reason)
        log.warning("zoom webhook refused: %s", check.reason.value)
        return _refuse(401, f"invalid Zoom signature: {check.reason.value}")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _refuse(400, "the body is not valid JSON")
    event = parse_event(body)
    try:
        return await _dispatch(state, rt, event, check.secret or "")
    except Exception:  # noqa: BLE001 - Zoom retries a 503; a 500 tells nobody anything
        log.exception("zoom webhook: %s not handled", getattr(event, "event", "event"))
        return _refuse(503, "could not store the event now; Zoom will retry")


# The webhook's hot route (WEBHOOK_PATH -> webhook_app) is declared in app/domains.py.


async def _dispatch(state: AppState, rt: ZoomRuntime, event: Any, secret: str) -> Answer:
    if isinstance(event, UrlValidation):
        return 200, url_validation_response(secret, event.plain_token)
    if isinstance(event, Ignored):
        log.info("zoom webhook ignored %s: %s", event.event, event.reason)
        return _ack("ignored", reason=event.reason)
    if isinstance(event, ZoomChat):
        return await _chat(state, rt, event)
    if isinstance(event, ZoomLifecycle):
        return await _lifecycle(state, rt, event)
    return _ack("ignored", reason="event not handled")


async def _chat(state: AppState, rt: ZoomRuntime, chat: ZoomChat) -> Answer:
    sessions = await rt.sessions_for(state.store, chat.zoom_id)
    if not sessions:
        return _ack("ignored", reason="no session is linked to this Zoom meeting or webinar")
    link = rt.link(chat.zoom_id or 0)
    link.last_event_at = utc_now()
    if rt.settings.public_only and not chat.is_public():
        link.filtered_private += 1
        return _ack("ignored", reason="not a message to everyone (public messages only)")
    message = chat.to_incoming()
    if len(sessions) == 1:
        results = [await _store_chat(state, sessions[0], message)]
    else:
        results = await asyncio.gather(*(_store_chat(state, s, message) for s in sessions))
    stored, duplicates, errors = _tally(results)
    link.messages_received += stored
    link.duplicates += duplicates
    if errors and not stored and not duplicates:
        # Retrying cannot fix a message the core refuses (e.g. empty after cleaning).
        return _ack("ignored", reason=errors[0])
    return _ack("stored", stored=stored, duplicates=duplicates)


async def _store_chat(state: AppState, session_id: int, message: IncomingMessage) -> IngestResult:
    """Deliveries waiting for the writer together are stored in bulk (`ingest_single`)."""
    try:
        return await ingest_single(state.store, session_id, message, state.registry.ingest)
    except DomainError as exc:  # refused for good (empty after cleaning): no retry helps
        return IngestResult(message.external_id, None, duplicate=False, error=exc.detail)


def _tally(results: Any) -> tuple[int, int, list[str]]:
    stored = duplicates = 0
    errors: list[str] = []
    for result in results:
        if result.error:
            errors.append(result.error)
        elif result.duplicate:
            duplicates += 1
        else:
            stored += 1
    return stored, duplicates, errors


async def _lifecycle(state: AppState, rt: ZoomRuntime, event: ZoomLifecycle) -> Answer:
    sessions = await rt.sessions_for(state.store, event.zoom_id)
    if event.zoom_id is None or not sessions:
        return _ack("ignored", reason="no session is linked to this Zoom meeting or webinar")
    link = rt.link(event.zoom_id)
    link.kind = event.kind
    link.live = event.state == "started"
    link.changed_at = link.last_event_at = utc_now()
    if event.kind == "webinar" and rt.settings.credentials() is not None:
        if event.state == "ended":
            _stop_poller(rt, event.zoom_id)
            await _poll_jobs(state, event.zoom_id, sessions, on=False)
            _spawn(state, _import_after_end(state, rt, event.zoom_id, sessions))
        elif rt.settings.qa_poll_seconds > 0 and not await _poll_jobs(
            state, event.zoom_id, sessions, on=True
        ):
            _start_poller(state, rt, event.zoom_id)  # no ownership: this worker polls
    return _ack("ok", live=link.live)


async def _poll_jobs(state: AppState, zoom_id: int, sessions: list[int], *, on: bool) -> bool:
    """With several workers, each session's owner polls (app/ownership.py): the wish is
    stored as a job, so a new owner picks it up after a failover. False: no ownership."""
    ownership = state.ownership
    if ownership is None:
        return False
    name, until = f"{QA_JOB}:{zoom_id}", epoch_seconds() + POLL_MAX_SECONDS

    def change(db: Any) -> None:
        for sid in sessions:
            (want_job(db, sid, name, until) if on else drop_job(db, sid, name))

    await state.store.write(change)
    await ownership.tick()
    state.bus.signal(OWNERSHIP)
    return True


async def qa_job(state: AppState, session_id: int, zoom_id: str) -> None:
    """Run by the session's owner while the webinar is live: import its Q&A every N s
    (declared as the `QA_JOB` kind in app/channels/domain.py)."""
    rt = runtime(state)
    while True:
        await asyncio.sleep(rt.settings.qa_poll_seconds or 60.0)
        await import_qa(state, [session_id], [int(zoom_id)])


# ---------------------------------------------------------------- Q&A import


@dataclass
class ImportReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    answered: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "answered": self.answered,
            "errors": self.errors,
            "note": QA_NOTE,
        }


async def store_questions(
    store: Store,
    session_ids: Sequence[int],
    questions: Sequence[ZoomQuestion],
    hooks: IngestHooks = NO_INGEST_HOOKS,
) -> ImportReport:
    """Hand Q&A questions to the core; re-imports are absorbed by its dedupe."""
    report = ImportReport(fetched=len(questions))
    report.answered = sum(1 for q in questions if q.answered)
    messages: list[IncomingMessage] = [q.message for q in questions]
    if not messages:
        return report
    for sid in session_ids:
        results: Sequence[IngestResult] = await ingest(store, sid, messages, hooks)
        stored, duplicates, errors = _tally(results)
        report.stored += stored
        report.duplicates += duplicates
        report.errors.extend(errors)
    return report


async def import_qa(
    state: AppState, session_ids: Sequence[int], zoom_ids: Sequence[int]
) -> ImportReport:
    """Fetch each webinar's Q&A report from Zoom and store it in the given sessions."""
    rt = runtime(state)
    creds = rt.settings.credentials()
    total = ImportReport()
    if creds is None:
        total.errors.append("Zoom API credentials are not configured (FLOORBRIDGE_ZOOM_*)")
        return total
    async with httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0)) as http:
        client = ZoomQAClient(
            creds, http=http, oauth_base=rt.settings.oauth_base, api_base=rt.settings.api_base
        )
        for zid in zoom_ids:
            link = rt.link(zid)
            try:
                questions = await client.fetch_questions(zid)
            except ZoomApiError as exc:
                link.qa_error = str(exc)
                total.errors.append(f"{zid}: {exc}")
                continue
            part = await store_questions(state.store, session_ids, questions, state.registry.ingest)
            link.qa_imported_at = utc_now()
            link.qa_error = None
            link.messages_received += part.stored
            total.fetched += part.fetched
            total.stored += part.stored
            total.duplicates += part.duplicates
            total.answered += part.answered
            total.errors.extend(part.errors)
    return total


async def _import_after_end(
    state: AppState, rt: ZoomRuntime, zoom_id: int, sessions: list[int]
) -> None:
    report = await import_qa(state, sessions, [zoom_id])
    log.info(
        "zoom qa import for %s: %d fetched, %d new, %d errors",
        zoom_id,
        report.fetched,
        report.stored,
        len(report.errors),
    )


def _spawn(state: AppState, coro: Any) -> asyncio.Task[None]:
    """Background work the app's shutdown cancels (see `create_app`'s lifespan)."""
    return state.tasks.spawn(coro)


def _start_poller(state: AppState, rt: ZoomRuntime, zoom_id: int) -> None:
    if zoom_id in rt._pollers and not rt._pollers[zoom_id].done():
        return

    async def poll() -> None:
        # Bounded, in case `webinar.ended` never arrives (missed, or the app unsubscribed).
        deadline = time.monotonic() + POLL_MAX_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(rt.settings.qa_poll_seconds)
            sessions = await rt.sessions_for(state.store, zoom_id)
            await import_qa(state, sessions, [zoom_id])

    rt._pollers[zoom_id] = _spawn(state, poll())


def _stop_poller(rt: ZoomRuntime, zoom_id: int) -> None:
    task = rt._pollers.pop(zoom_id, None)
    if task is not None:
        task.cancel()


# ---------------------------------------------------------------- console


@router.get("/api/sessions/{slug}/zoom", response_model=ZoomStatus)
async def zoom_status(session: SessionDep, state: StateDep, _: ModeratorDep) -> dict[str, Any]:
    """Zoom's status for the console: linked ids, live or not, counters, Q&A settings."""
    rt = runtime(state)
    return {
        "enabled": bool(rt.secrets),
        "public_only": rt.settings.public_only,
        "qa_api": rt.settings.credentials() is not None,
        "qa_poll_seconds": rt.settings.qa_poll_seconds,
        "qa_note": QA_NOTE,
        "links": [rt.link(zid).as_dict() for zid in session.zoom_ids],
        "signature_failures": rt.signature_failures,
        "last_signature_failure_at": iso(rt.last_signature_failure_at),
        "last_signature_failure": rt.last_signature_failure,
    }


@router.post("/api/sessions/{slug}/zoom/qa/import", response_model=QAImportReport)
async def zoom_qa_import(session: SessionDep, state: StateDep, _: ModeratorDep) -> JSONResponse:
    """The console's "Import Zoom Q&A" button."""
    if not session.zoom_ids:
        return _error(409, "this session has no Zoom webinar linked (zoom_ids)")
    if runtime(state).settings.credentials() is None:
        return _error(409, "Zoom API credentials are not configured on this server")
    report = await import_qa(state, [session.id or 0], session.zoom_ids)
    return JSONResponse(report.as_dict())


#: What /openapi.json says the CSV upload takes (the handler reads the form itself, so
#: FastAPI cannot infer it) and the 415 it answers to any other body.
QA_CSV_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    },
}


@router.post(
    "/api/sessions/{slug}/zoom/qa/csv",
    response_model=QAImportReport,
    openapi_extra=QA_CSV_OPENAPI,
    responses={415: {"model": ErrorOut, "description": "The body is not multipart/form-data"}},
)
async def zoom_qa_csv(
    request: Request, session: SessionDep, state: StateDep, _: ModeratorDep
) -> JSONResponse:
    """Upload of Zoom's Q&A report CSV, for accounts without API access: the multipart
    form field `file`, as the console's upload control sends it.

    Only multipart/form-data (415 otherwise): a `text/plain` body is what a form on any
    page may post without asking, so it is no way in (app/origin.py checks where it
    came from too).
    """
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return _error(415, "send the CSV as multipart/form-data, in the form field 'file'")
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _error(422, "send the CSV as the form field 'file'")
        data = await upload.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        return _error(413, "request body too large (1 MiB at most)")
    try:
        questions = parse_qa_csv(data)
    except ValueError as exc:
        return _error(422, str(exc))
    report = await store_questions(
        state.store, [session.id or 0], questions, state.registry.ingest
    )
    return JSONResponse(report.as_dict())
