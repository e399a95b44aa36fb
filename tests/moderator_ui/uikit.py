"""Helpers for the browser tests: a role's page with its watchers, REST access to a session."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.sync_api import Page, Response, expect

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


# Devices the pages are made for.
DEVICES = {
    "console": {"viewport": {"width": 1440, "height": 900}},
    "stage": {"viewport": {"width": 1180, "height": 820}, "has_touch": True},  # tablet, landscape
    "screen": {"viewport": {"width": 1280, "height": 720}},
    "audience": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}

# Runs before any page script (CDP injection, so the page's CSP does not apply to it):
# records what the page's own CSP refused, which must be nothing.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@dataclass(eq=False)  # identity: pages are dict keys in the tests
class RolePage:
    """One role's page plus everything the watchers caught."""

    name: str
    page: Page
    response: Response | None
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def wait_live(self, timeout: float = 5000) -> None:
        """The live socket answered (snapshot or replay): the page shows server state."""
        expect(self.page.locator("html")).to_have_attribute("data-live", "live", timeout=timeout)

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], f"{self.name}: CSP violations {violations}"
        assert self.errors == [], f"{self.name}: script errors {self.errors}"
        assert self.dialogs == [], f"{self.name}: dialogs fired {self.dialogs}"

    def screenshot(self, filename: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / filename
        self.page.screenshot(path=str(path))
        return path


class SessionClient:
    """REST access to one session, as the test's own audience member or moderator."""

    def __init__(self, base_url: str, created: dict):
        self.base_url = base_url
        self.slug = created["slug"]
        self.links = created["links"]
        self.keys = created["keys"]
        self.prefix = f"/api/sessions/{self.slug}"
        self.moderator = httpx.Client(
            base_url=base_url,
            timeout=5,
            headers={"Authorization": f"Bearer {self.keys['moderator']}"},
        )

    def ask(self, text: str, name: str | None = None) -> int:
        """Post a question as a new audience member: one who opened the audience page (which
        gave it its id cookie; the API gives none), in its own cookie jar."""
        body = {"text": text} if name is None else {"text": text, "name": name}
        with httpx.Client(base_url=self.base_url, timeout=5) as audience:
            page = audience.get(f"/s/{self.slug}")
            assert page.status_code == 200 and "fb_aud" in audience.cookies, page.status_code
            response = audience.post(f"{self.prefix}/questions", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def act(self, question_id: int, action: str) -> dict:
        response = self.moderator.post(f"{self.prefix}/questions/{question_id}/actions/{action}")
        assert response.status_code == 200, response.text
        return response.json()

    def snapshot(self) -> dict:
        response = self.moderator.get(f"{self.prefix}/snapshot")
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.moderator.close()


def csp_directives(header: str) -> dict[str, str]:
    """'a b; c d' -> {'a': 'b', 'c': 'd'}."""
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value.strip()
    return directives


def tab(page: Page, label: str):
    """The console tab whose accessible name starts with `label` (it also holds counts)."""
    return page.get_by_role("tab", name=re.compile(rf"^{re.escape(label)}\b"))


def open_watched(browser, contexts: list, name: str, url: str, **context: object) -> RolePage:
    """Open `url` as role `name` in a fresh browser context (`context`: Playwright's
    new_context options), watched for dialogs, script errors and CSP violations.

    A dialog would mean injected script ran: it is recorded and dismissed so the page does
    not hang. The context goes into `contexts` for the caller to close."""
    ctx = browser.new_context(**context)
    ctx.add_init_script(WATCH_CSP)
    ctx.set_default_timeout(5000)
    contexts.append(ctx)
    page = ctx.new_page()
    role = RolePage(name, page, None)
    page.on("dialog", lambda d: (role.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: role.errors.append(str(exc)))
    role.response = page.goto(url)
    assert role.response is not None and role.response.ok, f"{name}: {url} failed"
    return role
