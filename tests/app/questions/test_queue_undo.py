"""Undo on the queue: reopen, unapprove, unmerge, push-with-swap.

Through a real server on SQLite and on PostgreSQL (the `db_url` fixture), because the
console calls exactly these routes; the events are checked as each role receives them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, create_engine, select

from app.domains import default_registry
from app.models import Event
from tests.servers import LiveServer, audience, audience_cookies

#: The app's domains: their event filters and snapshot parts, as the server uses them.
REGISTRY = default_registry()


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    srv = LiveServer(tmp_path / "data", database_url=db_url).start()
    try:
        yield srv
    finally:
        srv.stop()


class Console:
    """The moderator's calls, plus an audience member who asks and votes."""

    def __init__(self, server: LiveServer):
        created = server.create_session("Undo test", privacy={"author_display": "full"})
        self.slug = created["slug"]
        self.server_url = server.url
        self.keys = created["keys"]
        self.base = f"{server.url}/api/sessions/{self.slug}"
        self.http = httpx.Client(
            timeout=10, headers={"Authorization": f"Bearer {self.keys['moderator']}"}
        )

    def ask(self, text: str) -> int:
        r = httpx.post(
            f"{self.base}/questions",
            json={"text": text, "name": "Ana Pereira"},
            cookies=audience_cookies(self.server_url, self.slug),
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def vote(self, qid: int, voters: int) -> None:
        for _ in range(voters):
            with audience(self.server_url, self.slug) as voter:  # each its own audience id
                assert voter.post(f"{self.base}/questions/{qid}/upvote").status_code == 200

    def post(self, path: str, body: dict | None = None, key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys[key]}"} if key else None
        return self.http.post(f"{self.base}{path}", json=body, headers=headers)

    def act(self, qid: int, action: str, body: dict | None = None) -> dict:
        r = self.post(f"/questions/{qid}/actions/{action}", body)
        assert r.status_code == 200, r.text
        return r.json()

    def questions(self) -> dict[int, dict]:
        r = self.http.get(f"{self.base}/questions")
        assert r.status_code == 200, r.text
        return {q["id"]: q for q in r.json()}


@pytest.fixture
def console(server: LiveServer) -> Iterator[Console]:
    c = Console(server)
    yield c
    c.http.close()


def events(db_url: str, slug: str) -> list[Event]:
    engine = create_engine(db_url)
    try:
        with Session(engine) as db:
            from app.models import LiveSession

            sid = db.exec(select(LiveSession.id).where(LiveSession.slug == slug)).one()
            return list(db.exec(select(Event).where(Event.session_id == sid).order_by(Event.seq)))
    finally:
        engine.dispose()


def test_answered_is_not_final(console):
    a, b = console.ask("Who funds the data trusts?"), console.ask("And who audits them?")
    for q in (a, b):
        console.act(q, "approve")
    console.act(a, "push")
    r = console.post(f"/questions/{a}/actions/answer", key="stage")  # the mis-tap
    assert r.status_code == 200 and r.json()["state"] == "answered"
    # The stage may only answer: undoing is the console's call.
    r = console.post(f"/questions/{a}/actions/reopen", key="stage")
    assert r.status_code == 403
    back = console.act(a, "reopen")
    assert back["state"] == "queued" and back["position"] == 1  # front: it was just live
    assert console.questions()[b]["position"] == 2
    assert console.act(a, "push")["state"] == "on_stage"
    r = console.post(f"/questions/{b}/actions/reopen")
    assert r.status_code == 409 and "queue" in r.json()["detail"]


def test_approve_is_undone_back_to_the_inbox(console):
    a, b, c = (console.ask(t) for t in ("One?", "Two?", "Three?"))
    for q in (a, b, c):
        console.act(q, "approve")
    assert console.act(b, "unapprove")["state"] == "inbox"
    qs = console.questions()
    assert qs[b]["position"] is None and (qs[a]["position"], qs[c]["position"]) == (1, 2)
    r = console.post(f"/questions/{b}/actions/unapprove")
    assert r.status_code == 409 and "inbox" in r.json()["detail"]


def test_unmerge_puts_both_sides_back_votes_included(console, db_url):
    a = console.ask("How is consent recorded for health data?")
    b = console.ask("Consent for medical data: who keeps the record?")
    other = console.ask("A third question in the queue")
    last = console.ask("A fourth one, after B")
    for q in (a, other, b, last):
        console.act(q, "approve")
    console.vote(a, 2)
    console.vote(b, 3)
    before = console.questions()
    assert (before[a]["votes"], before[b]["votes"], before[b]["position"]) == (2, 3, 3)
    r = console.post(f"/questions/{b}/merge", {"into": a})
    assert r.status_code == 200 and r.json()["votes"] == 5 and r.json()["sources"] == [b]
    console.act(other, "unapprove")  # the queue changes while B is merged: a, last, other
    console.act(other, "approve")
    console.vote(a, 1)  # and A gets a vote of its own meanwhile

    r = console.post(f"/questions/{b}/unmerge")
    assert r.status_code == 200, r.text
    after = console.questions()
    assert after[b]["state"] == "queued" and after[b]["merged_into"] is None
    assert after[b]["votes"] == 3 and after[a]["votes"] == 3  # 2 + the one cast while merged
    assert after[a]["sources"] == [] and after[a]["text"] == before[a]["text"]
    assert after[b]["text"] == before[b]["text"]
    queue = sorted((q for q in after.values() if q["position"]), key=lambda q: q["position"])
    assert [q["id"] for q in queue] == [a, last, b, other]  # back in its third place

    # Twice is a conflict, not a silent no-op; an unknown id is a 404.
    r = console.post(f"/questions/{b}/unmerge")
    assert r.status_code == 409 and "not merged" in r.json()["detail"]
    assert console.post("/questions/999999/unmerge").status_code == 404
    # Merge again and unmerge again: a fresh record, same result.
    console.post(f"/questions/{b}/merge", {"into": a})
    assert console.post(f"/questions/{b}/unmerge").status_code == 200
    again = console.questions()
    assert (again[a]["votes"], again[b]["votes"], again[b]["state"]) == (3, 3, "queued")

    # The audience saw B leave and come back, never an author; the audit says who did it.
    seen = [REGISTRY.event_for("audience", e.type, e.data) for e in events(db_url, console.slug)]
    shown = [s for s in seen if s is not None]
    assert ("question.removed", {"id": b}) in shown
    back = [d for t, d in shown if t == "question.updated" and d.get("action") == "unmerge"]
    assert back and all("author" not in d["question"] for d in back)
    trail = console.http.get(f"{console.base}/audit").json()
    assert [e["action"] for e in trail].count("unmerge") == 2


def test_unmerge_of_an_inbox_item_stays_out_of_public_views(console, db_url):
    a, b = console.ask("Open data licences?"), console.ask("Which licence for open data?")
    console.act(a, "approve")
    console.post(f"/questions/{b}/merge", {"into": a})
    assert console.post(f"/questions/{b}/unmerge").json()["state"] == "inbox"
    for role in ("audience", "screen", "stage"):
        for e in events(db_url, console.slug):
            shown = REGISTRY.event_for(role, e.type, e.data)
            if shown and shown[0] == "question.updated":
                assert shown[1]["question"]["id"] != b, (role, e.type, shown)


def test_push_while_live_swaps_only_when_asked(console, db_url):
    a, b, c = (console.ask(t) for t in ("Live one?", "Next one?", "Later one?"))
    for q in (a, b, c):
        console.act(q, "approve")
    console.act(a, "push")
    r = console.post(f"/questions/{b}/actions/push")
    assert r.status_code == 409 and "swap" in r.json()["detail"]
    swapped = console.act(b, "push", {"swap": True})
    assert swapped["state"] == "on_stage"
    qs = console.questions()
    assert qs[a]["state"] == "queued" and qs[a]["position"] == 1  # back to the front
    assert qs[c]["position"] == 2
    r = console.post(f"/questions/{c}/actions/push", {"swap": "please"})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
    # The room screen heard A leave before B arrived: never two live items.
    screen = [
        shown
        for e in events(db_url, console.slug)
        if (shown := REGISTRY.event_for("screen", e.type, e.data)) is not None
        and shown[0].startswith("question.")
    ]
    assert screen[-2:] == [
        ("question.removed", {"id": a}),
        ("question.updated", screen[-1][1]),
    ] and screen[-1][1]["question"]["id"] == b
    trail = console.http.get(f"{console.base}/audit").json()
    assert trail[-1]["action"] == "push" and trail[-1]["detail"] == {"swapped": a}


def test_unmerge_waits_for_a_merge_made_on_top_of_it(console):
    a, b, c = (console.ask(t) for t in ("Base question?", "Duplicate of it?", "Wider one?"))
    for q in (a, b, c):
        console.act(q, "approve")
    console.vote(b, 2)
    assert console.post(f"/questions/{b}/merge", {"into": a}).status_code == 200
    assert console.post(f"/questions/{a}/merge", {"into": c}).json()["votes"] == 2
    r = console.post(f"/questions/{b}/unmerge")
    assert r.status_code == 409 and f"unmerge {a} first" in r.json()["detail"]
    # In reverse order both come apart, and the votes go back where they were cast.
    assert console.post(f"/questions/{a}/unmerge").status_code == 200
    assert console.post(f"/questions/{b}/unmerge").status_code == 200
    qs = console.questions()
    assert [qs[q]["votes"] for q in (a, b, c)] == [0, 2, 0]
    assert [qs[q]["position"] for q in (a, b, c)] == [1, 2, 3]
