"""The browser pages: static files from moderator_ui, a strict CSP, role links -> cookies."""

from __future__ import annotations

import functools
import io
import math
import random
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import segno
from babel import Locale
from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)

import moderator_ui
from app import i18n, landing
from app.audience_limits import client_ip, limits_of
from app.auth import AUDIENCE_COOKIE, resolve, role_cookie_name
from app.deps import CachedSessionDep, SessionDep, StateDep, set_audience_cookie
from app.models import Role
from app.sessions.service import get_by_slug

router = APIRouter()
STATIC = Path(moderator_ui.__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "form-action 'self'"
)
PAGES = {
    "console": (Role.moderator, "console.html"),
    "stage": (Role.stage, "stage.html"),
    "screen": (Role.screen, "screen.html"),
    "report": (Role.rapporteur, "report.html"),
}
ROLE_NAMES = {
    Role.moderator: "moderator",
    Role.stage: "stage (onsite moderator)",
    Role.screen: "room screen",
    Role.rapporteur: "rapporteur",
}


#: Pages whose every string comes from the catalogues (the rest follow in the next slice).
TRANSLATED = {"console.html", "stage.html", "screen.html", "index.html", "audience.html",
              "report.html"}


def page_language(request: Request, session_lang: str | None = None) -> str:
    """The language a page opens in: ?lang=, else the session's default language (set by the
    organiser), else the browser's Accept-Language, else English.

    The page itself then prefers what this role chose before (localStorage, see js/i18n.js).
    """
    asked = request.query_params.get("lang", "")
    if asked in i18n.LANGS:
        return asked
    if session_lang in i18n.LANGS:
        return session_lang
    return i18n.negotiate(request.headers.get("accept-language"))


def _localised(html: str, request: Request, session_lang: str | None = None) -> str:
    lang = page_language(request, session_lang)
    if lang == "en":
        return html  # the file as it is: English, left to right
    return html.replace('<html lang="en">', f'<html lang="{lang}" dir="{i18n.direction(lang)}">', 1)


@functools.cache
def shipped(name: str) -> str | None:
    """A page as shipped (None: not there), read once per process.

    Pages change only with a release. Read on every load, the stat and the read ran on
    the event loop, and each system call let the writer thread take the GIL: under
    bench.hostile's id-minting script (57 page loads a second) the loop stalled 10-40 ms
    at a time, most of it in this function (a sampling probe of the main thread). Edit a
    page, restart the server.
    """
    path = STATIC / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _page(name: str, request: Request, session_lang: str | None = None) -> Response:
    text = shipped(name)
    if text is None:
        return HTMLResponse("<h1>This page is not built yet</h1>", status_code=404)
    if name in TRANSLATED:
        html = _localised(text, request, session_lang)
        return HTMLResponse(html, headers={"Cache-Control": "no-store", "Vary": "Accept-Language"})
    return HTMLResponse(text, headers={"Cache-Control": "no-store"})


@router.get("/i18n/{lang}.json")
async def catalogue(lang: str, request: Request) -> Response:
    """One language's messages for the pages (cacheable: they change with a release)."""
    if lang not in i18n.LANGS:
        known = ", ".join(i18n.LANGS)
        return JSONResponse({"detail": f"No catalogue for {lang!r}; known: {known}"}, 404)
    body = i18n.catalogue(lang)
    etag = f'"{i18n.etag(lang)}"'
    headers = {"Cache-Control": "public, max-age=3600", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return JSONResponse(body, headers=headers)


def _words(request: Request, session_lang: str | None = None) -> tuple[str, dict]:
    """The page language and its messages, for the short pages the server writes itself."""
    lang = page_language(request, session_lang)
    return lang, i18n.catalogue(lang)["messages"]


def _denied(role: Role, request: Request, session_lang: str | None = None) -> HTMLResponse:
    lang, m = _words(request, session_lang)
    who = escape(m.get(f"denied.role.{role.value}", ROLE_NAMES[role]))
    body = (
        f'<!doctype html><html lang="{lang}" dir="{i18n.direction(lang)}"><meta charset=utf-8>'
        f"<title>{escape(m['denied.title'])}</title>"
        f"<h1>{escape(m['denied.heading']).replace('{role}', who)}</h1>"
        f"<p>{escape(m['denied.text'])} "
        '<code dir="ltr">floorbridge session links SLUG --new-keys</code></p>'
    )
    return HTMLResponse(body, status_code=401, headers={"Vary": "Accept-Language"})


@router.get("/", response_class=HTMLResponse)
async def landing_page(request: Request, state: StateDep) -> Response:
    """What this is; in demo mode, where the demo's pages are (role keys only for loopback)."""
    demo = state.demo
    title = ""
    if demo is not None:
        title = (await state.store.read(lambda db: get_by_slug(db, demo["slug"]))).title
    html = _localised(shipped("index.html") or "", request)
    html = html.replace(
        "<!--demo-->", landing.demo_section(request, demo, title, state.base_url(request))
    ).replace("<!--readme-->", landing.docs_link())
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "Vary": "Accept-Language"})


@router.get("/readme", response_class=PlainTextResponse)
async def readme() -> Response:
    if not landing.README.is_file():
        return PlainTextResponse("The README is in the source distribution.", status_code=404)
    return PlainTextResponse(landing.README.read_text(encoding="utf-8"))


@router.get("/s/{slug}", response_class=HTMLResponse)
async def audience_page(
    session: CachedSessionDep, request: Request, state: StateDep
) -> Response:
    """The audience page, and the only place an audience id is issued (signed, HttpOnly).

    New ids are throttled per address (`FLOORBRIDGE_AUDIENCE_IDS_PER_IP_MINUTE`): past it
    the phone gets a short page that says so and reloads itself, without an id.
    """
    if state.signer.read_audience(request.cookies.get(AUDIENCE_COOKIE)) is not None:
        return _page("audience.html", request, session.lang)
    wait = await limits_of(state).new_id(client_ip(request))
    if wait:
        return _busy(wait, request, session.lang)
    response = _page("audience.html", request, session.lang)
    _, value = state.signer.new_audience_id()
    set_audience_cookie(response, value, request.url.scheme == "https")
    return response


def _busy(wait: float, request: Request, session_lang: str | None = None) -> HTMLResponse:
    """503 + Retry-After; the page reloads itself a little later (spread, not all at once)."""
    seconds = math.ceil(wait) + random.randint(1, 5)
    lang, m = _words(request, session_lang)
    retry = m["busy.retry"]
    form = retry.get(Locale.parse(i18n.LANGS[lang]).plural_form(seconds)) or retry["other"]
    body = (
        f'<!doctype html><html lang="{lang}" dir="{i18n.direction(lang)}"><meta charset=utf-8>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="{seconds}">'
        f"<title>{escape(m['busy.title'])}</title>"
        f"<h1>{escape(m['busy.heading'])}</h1>"
        f"<p>{escape(form.replace('{n}', format_decimal(seconds, locale=i18n.LANGS[lang])))}</p>"
    )
    headers = {"Retry-After": str(seconds), "Cache-Control": "no-store"}
    return HTMLResponse(body, status_code=503, headers=headers)


@router.get(
    "/s/{slug}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def qr(session: SessionDep, request: Request, state: StateDep) -> Response:
    url = f"{state.base_url(request)}/s/{session.slug}"
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", xmldecl=False, scale=8, border=2,
                                    dark="#000", light="#fff")
    headers = {"Cache-Control": "max-age=300"}
    return Response(buf.getvalue(), media_type="image/svg+xml", headers=headers)


@router.get(
    "/s/{slug}/{page}",
    response_class=HTMLResponse,
    responses={303: {"description": "the link's key exchanged for a cookie"}},
)
async def role_page(page: str, session: SessionDep, request: Request, state: StateDep) -> Response:
    if page not in PAGES:
        return HTMLResponse("<h1>No such page</h1>", status_code=404)
    role, filename = PAGES[page]
    principal = await resolve(request, state.store, state.signer, session, allow_query=True)
    if principal.role != role and principal.role != Role.moderator:
        return _denied(role, request, session.lang)
    if "key" in request.query_params:
        # Exchange the link's key for a cookie and drop it from the address bar.
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "key"]
        target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            role_cookie_name(session.slug, principal.role),
            state.signer.role_cookie(session.slug, principal.role, principal.key_id or ""),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
            max_age=60 * 60 * 24 * 7,
        )
        return response
    return _page(filename, request, session.lang)
