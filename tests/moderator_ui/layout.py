"""Geometry for the room-ready page tests (issue 13): pages at the sizes they are used at,
boxes read from the real layout, and a screenshot of every page at every size."""

from __future__ import annotations

from collections.abc import Iterable

import httpx
from playwright.sync_api import Browser, Page

from .uikit import ARTIFACTS, DEVICES, open_watched

SCREENSHOTS = ARTIFACTS / "screenshots"

# The stage tablet in both orientations (iPad 10th gen and iPad mini class), the room
# screen and OBS overlay at 720p, 1080p and 4K.
STAGE_SIZES = [(1024, 768), (1180, 820), (820, 1180), (768, 1024)]
SCREEN_SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]


def device(name: str, width: int, height: int) -> dict:
    """DEVICES[name] with another viewport (same touch, scale and mobile flags)."""
    return {**DEVICES[name], "viewport": {"width": width, "height": height}}


def open_sized(browser: Browser, contexts: list, name: str, url: str, size: tuple[int, int]):
    """Open `url` as role `name` at `size`, watched for script errors and CSP violations."""
    return open_watched(browser, contexts, name, url, **device(name, *size))


def shoot(page: Page, name: str) -> None:
    """test-artifacts/screenshots/<page>-<w>x<h>.png: what the room would see."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"))


# Boxes of the elements matching each selector that are rendered (not display:none,
# not zero-sized, not visibility:hidden), as {selector: [{x, y, w, h}, ...]}.
BOXES_JS = """
(selectors) => {
  const out = {};
  for (const sel of selectors) {
    out[sel] = [...document.querySelectorAll(sel)].filter((el) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== "hidden" && cs.opacity !== "0";
    }).map((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left, y: r.top, w: r.width, h: r.height };
    });
  }
  return out;
}
"""


def boxes(page: Page, selectors: Iterable[str]) -> dict[str, list[dict]]:
    return page.evaluate(BOXES_JS, list(selectors))


def box(page: Page, selector: str) -> dict:
    """The one rendered box of `selector`; fails when it is not rendered."""
    found = boxes(page, [selector])[selector]
    assert len(found) == 1, f"{selector}: {len(found)} rendered boxes"
    return found[0]


def intersect(a: dict, b: dict, tolerance: float = 0.5) -> bool:
    """True when two boxes overlap by more than `tolerance` px in both directions."""
    dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return dx > tolerance and dy > tolerance


def inside(inner: dict, outer: dict, tolerance: float = 0.5) -> bool:
    return (
        inner["x"] >= outer["x"] - tolerance
        and inner["y"] >= outer["y"] - tolerance
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + tolerance
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + tolerance
    )


def viewport_box(page: Page) -> dict:
    size = page.viewport_size
    return {"x": 0, "y": 0, "w": size["width"], "h": size["height"]}


def overlaps(named: dict[str, dict]) -> list[tuple[str, str]]:
    """Every pair of the named boxes that intersect."""
    names = list(named)
    return [
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if intersect(named[a], named[b])
    ]


def page_scroll(page: Page) -> dict:
    return page.evaluate(
        "({sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth,"
        " bh: document.body.scrollHeight, vh: innerHeight, vw: innerWidth})"
    )


class Moderator:
    """REST calls the tests need beyond SessionClient: agenda, timer, notes, polls."""

    def __init__(self, base_url: str, slug: str, key: str):
        self.http = httpx.Client(
            base_url=f"{base_url}/api/sessions/{slug}",
            timeout=5,
            headers={"Authorization": f"Bearer {key}"},
        )

    def post(self, path: str, body: dict | None = None, status: int = 200) -> dict:
        response = self.http.post(path, json=body)
        assert response.status_code in (status, 201), response.text
        return response.json()

    def join_code(self, code: str | None) -> None:
        response = self.http.put("/poll-access", json={"join_code": code})
        assert response.status_code == 200, response.text

    def poll(self, question: str, kind: str, options: list[str] | None, *actions: str) -> int:
        body = {"question": question, "kind": kind}
        if options is not None:
            body["options"] = options
        pid = self.post("/polls", body, status=201)["id"]
        for action in actions:
            self.post(f"/polls/{pid}/actions/{action}")
        return pid

    def close(self) -> None:
        self.http.close()


def long_question(length: int = 2000) -> str:
    """A real-looking question of exactly `length` characters (words, not one blob)."""
    sentence = (
        "How will the city make sure that the data collected by street sensors, "
        "delivery apps and public transport cards is shared with residents "
        "before decisions about car-free school streets are taken? "
    )
    return (sentence * (length // len(sentence) + 1))[: length - 1] + "?"
