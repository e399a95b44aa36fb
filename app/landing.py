"""The page at `/`: what Floorbridge is and, in demo mode, where the demo session's pages are.

The role links carry keys, so they are shown only to the organiser's own computer: a
request from loopback, naming a loopback host, that came through no proxy. Anyone else
(a phone on the Wi-Fi, a visitor through a tunnel or a reverse proxy, a page doing DNS
rebinding) sees the audience link and is told the organiser has the rest in the terminal.
"""

from __future__ import annotations

import ipaddress
from html import escape
from pathlib import Path

from starlette.requests import Request

from app.sessions.service import ROLE_PAGES, links

LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}
#: A request carrying any of these (or any X-Forwarded-*) came through a proxy or tunnel.
PROXY_HEADERS = {"forwarded", "x-real-ip", "cf-connecting-ip", "true-client-ip", "via"}
#: README next to the package (a checkout or an editable install), linked when there.
README = Path(__file__).resolve().parents[1] / "README.md"

#: Who opens which page, on which device (the README's table, short).
ROLES = {
    "moderator": ("Console", "online moderator", "laptop"),
    "stage": ("Stage", "onsite moderator", "tablet"),
    "screen": ("Room screen", "projector or stream overlay", "big screen"),
    "rapporteur": ("Report", "rapporteur", "laptop"),
}


#: The catalogue key (app/i18n) of each role's name, for the page's translations.
I18N_NAMES = {
    "moderator": "landing.console",
    "stage": "landing.stage",
    "screen": "landing.screen",
    "rapporteur": "landing.report",
}


def is_local_browser(request: Request) -> bool:
    """True only for a browser on this computer talking to us directly."""
    client = request.client.host if request.client else ""
    try:
        if not ipaddress.ip_address(client).is_loopback:
            return False
    except ValueError:  # a unix socket, a test client with no address
        return False
    if any(n in PROXY_HEADERS or n.startswith("x-forwarded-") for n in request.headers):
        return False
    host = (request.url.hostname or "").lower()
    return host in LOCAL_NAMES or host.endswith(".localhost")


def demo_section(request: Request, demo: dict | None, title: str, audience_base: str) -> str:
    """The demo's part of the page (HTML, every value escaped); empty outside demo mode."""
    if demo is None:
        return ""
    slug = demo["slug"]
    audience = f"{audience_base}/s/{slug}"
    parts = [
        '<section class="demo" aria-labelledby="demo-h">',
        '<h2 id="demo-h" data-i18n="demo.running">The demo is running</h2>',
        f'<p class="demo-title" dir="auto">{escape(title)}</p>',
        '<p data-i18n="demo.about">IGF 2023 workshop, a 90-minute round table. Remote messages are '
        '<strong data-slot="simulated" data-i18n="demo.simulated">simulated</strong> and labelled '
        "so on every page.</p>",
    ]
    if is_local_browser(request):
        origin = f"{request.url.scheme}://{request.url.netloc}"
        role_links = links(origin, slug, demo["keys"])
        parts.append('<ul class="role-links">')
        for role in ROLE_PAGES:
            name, who, device = ROLES[role.value]
            parts.append(
                f'<li><a class="role-link" href="{escape(role_links[role.value])}">'
                f'<span class="role-name" data-i18n="{I18N_NAMES[role.value]}">'
                f"{escape(name)}</span>"
                f'<span class="role-who" data-i18n="demo.who.{role.value}">'
                f"{escape(who)} · {escape(device)}</span></a></li>"
            )
        parts.append(
            f'<li><a class="role-link" href="{escape(role_links["audience"])}">'
            '<span class="role-name" data-i18n="landing.audience">Audience</span>'
            '<span class="role-who" data-i18n="demo.who.audience">remote audience · phone</span>'
            "</a></li></ul>"
            '<p class="note" data-i18n="demo.note_local">These links carry the role keys. '
            "They are shown because this page was opened on the computer running the demo; "
            "anyone else sees only the audience link. Open each on its device: a link sets that "
            "role's cookie.</p>"
        )
    else:
        parts.append(
            '<div class="audience-join">'
            f'<img class="qr" src="/s/{escape(slug)}/qr.svg" alt="QR code of the audience page"'
            ' data-i18n-attr="alt:common.qr_alt"'
            ' width="160" height="160">'
            f'<p><a class="role-link" href="{escape(audience)}"><span class="role-name">'
            '<span data-i18n="demo.join">Join as audience</span></span>'
            f'<span class="role-who" dir="ltr">{escape(audience)}</span></a></p></div>'
            '<p class="note" data-i18n="demo.note_remote">The console, stage, screen and report '
            "links carry keys, so this page does not show them here. The organiser has them in "
            "the terminal where "
            '<code data-slot="cmd" dir="ltr">floorbridge demo</code> runs, or sees them by '
            "opening this page on that computer.</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def docs_link() -> str:
    if README.is_file():
        return '<a href="/readme">README</a>'
    return "README.md (in the source)"
