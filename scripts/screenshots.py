#!/usr/bin/env python3
"""Screenshots of every page at the sizes the crew uses, from a live demo session.

    .venv/bin/python scripts/screenshots.py            # docs/screenshots/*.png + README image
    .venv/bin/python scripts/screenshots.py --quick --out /tmp/shots
    .venv/bin/python scripts/screenshots.py --lang ar,zh   # docs/screenshots/<page>-ar-….png

Starts the demo in this process (SQLite in a temporary data dir, the same `open_demo` and
simulator as `floorbridge demo`, faster and seeded), lets the simulator fill the inbox,
approves a few questions and puts one on stage, then drives Debian's Chromium through
Playwright to each page. Writes `<page>-<width>x<height>.png` and `screenshot-console.png`
(the README's picture; in docs/ unless --out is given). Under a minute. With --lang, each
page again in each language (`?lang=`, the browser's locale to match, so Intl formats the
same way): `<page>-<lang>-<width>x<height>.png`; English keeps the plain names.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # as in tests/conftest.py
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MOBILE = {"is_mobile": True, "has_touch": True}
#: (file name, page, width, height, context options). Page: a role page, "audience" or "/".
SHOTS = [
    ("landing", "/", 1366, 768, {}),
    ("console", "console", 1366, 768, {}),
    ("stage", "stage", 1024, 768, {"has_touch": True}),
    ("stage", "stage", 820, 1180, {"has_touch": True}),
    ("screen", "screen", 1920, 1080, {}),
    ("audience", "audience", 390, 844, MOBILE),
    ("report", "report", 1366, 768, {}),
]
README_SHOT = "console-1366x768.png"
ROLE_OF = {"console": "moderator", "stage": "stage", "screen": "screen", "report": "rapporteur"}


class DemoServer:
    """uvicorn in a thread, serving the demo with a fast, seeded simulator."""

    def __init__(self, data_dir: Path, pace: tuple[float, float]) -> None:
        self.data_dir = data_dir
        self.pace = pace
        self.slug = ""
        self.keys: dict[str, str] = {}
        self.url = ""
        self._server: Any = None

    def start(self) -> DemoServer:
        import uvicorn

        from app.config import Settings
        from app.demo import open_demo, simulate_remote_audience
        from app.main import create_app

        async def on_start(state: Any) -> None:
            session_id, self.slug, self.keys = await open_demo(state)
            state.tasks.spawn(
                simulate_remote_audience(state, session_id, pace=self.pace, seed=2023)
            )

        settings = Settings(
            data_dir=self.data_dir,
            database_url="",  # SQLite in the data dir, whatever the environment says
            bus_url="memory://",
            public_url="",
            admin_token=secrets.token_urlsafe(16),
            secret_key=secrets.token_urlsafe(16),
        )
        app = create_app(settings, on_start=on_start)
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        self._server = uvicorn.Server(config)
        thread = threading.Thread(target=self._server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise SystemExit("screenshots: the demo server did not start")
            time.sleep(0.05)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._thread = thread
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)

    def page_url(self, page: str, lang: str = "en") -> str:
        if page == "/":
            return f"{self.url}/?lang={lang}"
        if page == "audience":
            return f"{self.url}/s/{self.slug}?lang={lang}"
        return f"{self.url}/s/{self.slug}/{page}?key={self.keys[ROLE_OF[page]]}&lang={lang}"


def stage_the_room(server: DemoServer, fill_seconds: float) -> None:
    """Let the inbox fill, then do what a moderator does first: approve, push one live."""
    import httpx

    api = f"{server.url}/api/sessions/{server.slug}"
    mod = httpx.Client(headers={"Authorization": f"Bearer {server.keys['moderator']}"}, timeout=5)
    deadline = time.monotonic() + fill_seconds
    inbox: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        time.sleep(0.2)
    for _ in range(50):  # at least a handful, however slow the machine
        inbox = mod.get(f"{api}/questions", params={"state": "inbox"}).json()
        if len(inbox) >= 8:
            break
        time.sleep(0.2)
    questions = [q for q in inbox if any(m in q["text"] for m in "?？؟")]
    # The one on stage first: one most readers of the README can read (the rest stay mixed).
    questions.sort(key=lambda q: not q["text"].isascii())
    for q in questions[:5]:
        mod.post(f"{api}/questions/{q['id']}/actions/approve")
    for q in questions[1:3]:  # a few people in the room's audience agree
        for _ in range(1 + q["id"] % 3):
            with httpx.Client(timeout=5) as phone:
                phone.post(f"{api}/questions/{q['id']}/upvote")
    if questions:
        mod.post(f"{api}/stage/next")
    mod.close()


#: The browser locale per page language (Accept-Language and Intl's formats).
LOCALES = {"en": "en-GB", "ar": "ar-EG", "zh": "zh-CN", "fr": "fr-FR", "ru": "ru-RU", "es": "es-ES"}


def shoot(server: DemoServer, out: Path, settle: float,
          langs: tuple[str, ...] = ("en",)) -> tuple[list[Path], list[str]]:
    """Every shot it can take; a page that fails is reported and the others still shot."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    written, failed = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for lang, (name, page_name, width, height, options) in (
                (lang, shot) for lang in langs for shot in SHOTS
            ):
                tag = "" if lang == "en" else f"-{lang}"
                path = out / f"{name}{tag}-{width}x{height}.png"
                context = browser.new_context(
                    viewport={"width": width, "height": height}, device_scale_factor=1,
                    locale=LOCALES.get(lang, lang), **options,
                )
                context.set_default_timeout(15_000)
                try:
                    page = context.new_page()
                    response = page.goto(server.page_url(page_name, lang))
                    if response is None or not response.ok:
                        status = response.status if response else "nothing"
                        failed.append(f"{path.name}: the page answered {status}")
                        continue
                    if page_name != "/":
                        try:  # the page has its snapshot from the live socket
                            page.wait_for_selector("html[data-live='live']", timeout=8000)
                        except PlaywrightTimeout:
                            print(f"screenshots: {page_name} never went live; shot anyway",
                                  file=sys.stderr)
                    page.wait_for_timeout(settle * 1000)  # fonts, the last few frames
                    page.screenshot(path=str(path))
                    written.append(path)
                except PlaywrightError as exc:
                    failed.append(f"{path.name}: {exc}".splitlines()[0])
                finally:
                    context.close()
        finally:
            browser.close()
    return written, failed


def _has_cjk_font() -> bool:
    try:
        found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    except OSError:
        return True  # no fontconfig tools to ask: say nothing
    return bool(found.stdout.strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the PNGs (default docs/screenshots)")
    parser.add_argument("--quick", action="store_true",
                        help="a short fill (for the test): a few messages, less settling")
    parser.add_argument("--lang", default="en",
                        help="comma-separated page languages, e.g. en,ar,zh (default en)")
    args = parser.parse_args(argv)
    from app.i18n import LANGS

    langs = tuple(x.strip() for x in args.lang.split(",") if x.strip())
    if not langs or any(x not in LANGS for x in langs):
        raise SystemExit(f"screenshots: --lang takes some of {', '.join(LANGS)}")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"screenshots: needs Debian's chromium at {CHROMIUM}")
    if not _has_cjk_font():
        print("screenshots: no Chinese font, Chinese messages will show as boxes "
              "(apt-get install fonts-wqy-zenhei)", file=sys.stderr)
    out = args.out or ROOT / "docs" / "screenshots"
    readme = (args.out or ROOT / "docs") / "screenshot-console.png"
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    fill, pace, settle = (1.5, (0.02, 0.08), 0.3) if args.quick else (3.0, (0.05, 0.25), 0.5)
    with tempfile.TemporaryDirectory(prefix="floorbridge-shots-") as data:
        server = DemoServer(Path(data), pace).start()
        try:
            stage_the_room(server, fill)
            written, failed = shoot(server, out, settle, langs)
        finally:
            server.stop()
    if (out / README_SHOT) in written:
        shutil.copyfile(out / README_SHOT, readme)
        written.append(readme)
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    print(f"{len(written)} screenshots in {time.monotonic() - started:.1f} s")
    if failed:
        raise SystemExit("screenshots: not taken:\n  " + "\n  ".join(failed))


if __name__ == "__main__":
    main()
