"""The landing page in Chromium: on a phone and a laptop nothing is cut off or overlapping,
the long role links wrap instead of widening the page, and the CSP refuses nothing."""

from __future__ import annotations

from typing import Any

import pytest

from app.demo import open_demo
from app.main import create_app
from tests.servers import LiveServer

from .uikit import WATCH_CSP

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1366, 768)}


class DemoServer(LiveServer):
    def make_app(self) -> Any:
        async def on_start(state: Any) -> None:
            await open_demo(state)

        return create_app(self.settings(), on_start=on_start)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    server = DemoServer(tmp_path_factory.mktemp("landing")).start()
    yield server
    server.stop()


@pytest.mark.parametrize("size", SIZES)
def test_landing_fits_and_links_do_not_overlap(browser, demo_server, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(WATCH_CSP)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{demo_server.url}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        boxes = [a.bounding_box() for a in page.locator(".role-link").all()]
        assert len(boxes) == 5  # console, stage, screen, report, audience
        for box in boxes:
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
            assert box["height"] >= 44  # a finger's worth
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                apart = (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                         or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
                assert apart, (a, b)
        assert boxes[0]["y"] < height  # the first link is on the first screen
        assert page.evaluate("window.__cspViolations") == [] and errors == []
    finally:
        context.close()


def test_a_phone_elsewhere_sees_the_audience_link_and_qr_within_the_screen(browser, demo_server):
    """Through a proxy (as on a public deployment): no role links, the join link and QR fit."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        extra_http_headers={"X-Forwarded-For": "203.0.113.5"},
        is_mobile=True, has_touch=True,
    )
    try:
        page = context.new_page()
        page.goto(f"{demo_server.url}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        links = page.locator(".role-link")
        assert links.count() == 1 and "/s/data-for-good" in links.get_attribute("href")
        qr = page.locator("img.qr")
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the SVG loaded
        for box in (qr.bounding_box(), links.bounding_box()):
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
            assert box["y"] + box["height"] <= 844  # both on the first screen
    finally:
        context.close()
