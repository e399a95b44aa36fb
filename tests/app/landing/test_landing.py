"""The page at `/`: says what Floorbridge is; in demo mode it hands the organiser the demo's
pages, but only on the demo's own computer: a role key must never reach anyone else."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.demo import open_demo
from app.main import create_app
from app.pages import PAGES, STATIC
from tests.servers import LiveServer

FILES = {page: filename for page, (_role, filename) in PAGES.items()}


def _app(tmp_path: Path, demo: bool) -> tuple[Any, dict]:
    opened: dict = {}

    async def on_start(state: Any) -> None:
        _sid, opened["slug"], opened["keys"] = await open_demo(state)

    settings = Settings(data_dir=tmp_path, admin_token="admin-token", secret_key="cookie-key")
    return create_app(settings, on_start=on_start if demo else None), opened


def _client(app: Any, ip: str, base: str = "http://127.0.0.1:8000") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app, client=(ip, 50123)), base_url=base)


def _hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


async def test_outside_demo_mode_it_says_what_this_is_and_links_the_readme(tmp_path):
    app, _ = _app(tmp_path, demo=False)
    async with app.router.lifespan_context(app), _client(app, "127.0.0.1") as c:
        r = await c.get("/")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "<h1>Floorbridge</h1>" in r.text and "one queue for the room" in r.text
        assert "demo is running" not in r.text and "/s/data-for-good" not in r.text
        assert "/readme" in _hrefs(r.text)
        readme = await c.get("/readme")
        assert readme.status_code == 200 and readme.text.startswith("# Floorbridge")
        for css in re.findall(r'href="(/ui/[^"]+)"', r.text):  # its stylesheet and icon exist
            assert (await c.get(css)).status_code == 200, css


@pytest.mark.parametrize(
    ("ip", "base"),
    [("127.0.0.1", "http://127.0.0.1:8000"), ("::1", "http://[::1]:8000"),
     ("127.0.0.1", "http://localhost:8000")],
)
async def test_in_demo_mode_the_local_browser_gets_working_role_links(tmp_path, ip, base):
    app, opened = _app(tmp_path, demo=True)
    async with app.router.lifespan_context(app), _client(app, ip, base) as c:
        r = await c.get("/")
        assert r.status_code == 200 and "The demo is running" in r.text
        assert "Data for Good" in r.text and "simulated" in r.text
        assert r.headers["cache-control"] == "no-store"  # keys: never in a shared cache
        links = [h for h in _hrefs(r.text) if "/s/" in h]
        slug = opened["slug"]
        for page, role in (("console", "moderator"), ("stage", "stage"), ("screen", "screen"),
                           ("report", "rapporteur")):
            url = f"{base}/s/{slug}/{page}?key={opened['keys'][role]}"
            assert url in links, (page, links)
        assert f"{base}/s/{slug}" in links
        for link in links:  # each opens its page (the key becomes that role's cookie)
            async with _client(app, ip, base) as browser:
                page = await browser.get(link, follow_redirects=True)
                assert page.status_code == 200, link
                assert "key=" not in str(page.url)
                name = str(page.url).rsplit("/", 1)[-1]
                filename = FILES.get(name, "audience.html")  # the role's own page
                assert page.text == (STATIC / filename).read_text(encoding="utf-8"), link


@pytest.mark.parametrize(
    ("ip", "base", "headers"),
    [
        ("203.0.113.5", "http://127.0.0.1:8000", {}),  # someone on the internet
        ("192.168.1.20", "http://192.168.1.10:8000", {}),  # a phone on the venue Wi-Fi
        ("127.0.0.1", "https://demo.example.org", {}),  # a tunnel, or DNS rebinding
        ("127.0.0.1", "http://127.0.0.1:8000", {"X-Forwarded-For": "203.0.113.5"}),  # proxy
        ("127.0.0.1", "http://localhost:8000", {"X-Forwarded-Proto": "https"}),  # a tunnel
        ("::1", "http://[::1]:8000", {"Forwarded": "for=203.0.113.5"}),
    ],
    ids=["internet", "lan", "tunnel-host", "local-proxy", "tunnel-proto", "forwarded-v6"],
)
async def test_no_role_key_reaches_any_other_client(tmp_path, ip, base, headers):
    app, opened = _app(tmp_path, demo=True)
    async with app.router.lifespan_context(app), _client(app, ip, base) as c:
        r = await c.get("/", headers=headers)
        assert r.status_code == 200 and "The demo is running" in r.text
        assert not any(key in r.text for key in opened["keys"].values())
        assert "key=" not in r.text
        assert f"{base}/s/{opened['slug']}" in _hrefs(r.text)  # the audience may join
        assert "in the terminal" in r.text
        qr = await c.get(f"/s/{opened['slug']}/qr.svg")
        assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"


class DemoServer(LiveServer):
    """A real uvicorn server in demo mode (no simulator), as `floorbridge demo` starts it."""

    opened: tuple | None = None

    def make_app(self) -> Any:
        async def on_start(state: Any) -> None:
            self.opened = await open_demo(state)

        return create_app(self.settings(), on_start=on_start)


def test_behind_a_reverse_proxy_on_the_same_host_the_keys_stay_hidden(tmp_path):
    """uvicorn trusts X-Forwarded-For from 127.0.0.1: the client is the proxy's visitor."""
    server = DemoServer(tmp_path / "data").start()
    try:
        keys = server.opened[2]
        local = httpx.get(f"{server.url}/")
        assert keys["moderator"] in local.text  # the organiser's own browser
        proxied = httpx.get(f"{server.url}/", headers={"X-Forwarded-For": "198.51.100.7"})
        assert proxied.status_code == 200
        assert not any(k in proxied.text for k in keys.values())
    finally:
        server.stop()
