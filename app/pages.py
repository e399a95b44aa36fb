"""The browser pages: static files from moderator_ui, a strict CSP, role links -> cookies."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

import moderator_ui
from app.auth import resolve, role_cookie_name
from app.deps import SessionDep, StateDep
from app.models import Role

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


def _page(name: str) -> Response:
    path = STATIC / name
    if not path.exists():
        return HTMLResponse("<h1>This page is not built yet</h1>", status_code=404)
    return FileResponse(path, media_type="text/html", headers={"Cache-Control": "no-store"})


def _denied(role: Role) -> HTMLResponse:
    body = (
        "<!doctype html><meta charset=utf-8><title>Link needed</title>"
        f"<h1>This page needs the {ROLE_NAMES[role]} link</h1>"
        "<p>Open the link the organiser gave you (it carries a key), or ask for a new one: "
        "<code>floorbridge session links SLUG --new-keys</code>.</p>"
    )
    return HTMLResponse(body, status_code=401)


@router.get("/s/{slug}", response_class=HTMLResponse)
async def audience_page(session: SessionDep) -> Response:
    return _page("audience.html")


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
        return _denied(role)
    if "key" in request.query_params:
        # Exchange the link's key for a cookie and drop it from the address bar.
        rest = [(k, v) for k, v in request.query_params.multi_items() if k != "key"]
        target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            role_cookie_name(session.slug, principal.role),
            state.signer.role_cookie(session.slug, principal.role, principal.key_id or 0),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
            max_age=60 * 60 * 24 * 7,
        )
        return response
    return _page(filename)
