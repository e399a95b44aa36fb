"""`GET /api/sessions/{slug}/my-questions`: each phone sees its own questions' fate, and
only its own: another audience id, a forged cookie or no cookie sees none of them, and no
answer names an author or shows another person's pending item."""

from __future__ import annotations

import httpx
import pytest

from app.auth import AUDIENCE_COOKIE
from tests.servers import audience_cookies


@pytest.fixture
def sess(live_server):
    created = live_server.create_session(
        title="My questions", privacy={"author_display": "full"}
    )
    base = f"{live_server.url}/api/sessions/{created['slug']}"
    mod = httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {created['keys']['moderator']}"}
    )
    yield base, mod, lambda: audience_cookies(live_server.url, created["slug"])
    mod.close()


def _ask(phone: httpx.Client, text: str, name: str | None = None) -> int:
    body = {"text": text, **({"name": name} if name else {})}
    r = phone.post("/questions", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _mine(phone: httpx.Client) -> dict[int, dict]:
    r = phone.get("/my-questions")
    assert r.status_code == 200, r.text
    return {q["id"]: q for q in r.json()}


def test_each_phone_sees_only_its_own_questions_and_their_states(sess):
    base, mod, page = sess
    with (
        httpx.Client(base_url=base, cookies=page()) as alice,
        httpx.Client(base_url=base, cookies=page()) as bob,
    ):
        a1 = _ask(alice, "Who funds the remote hubs?", "Alice Archer")
        a2 = _ask(alice, "Buy my course", "Alice Archer")
        a3 = _ask(alice, "Slides please?", "Alice Archer")
        b1 = _ask(bob, "Who pays for the remote hubs?", "Bob Brown")
        b2 = _ask(bob, "A question still pending", "Bob Brown")

        mine = _mine(alice)
        assert list(mine) == [a3, a2, a1]  # newest first
        assert {q["status"] for q in mine.values()} == {"pending"}
        assert set(_mine(bob)) == {b1, b2}
        for q in (*mine.values(), *_mine(bob).values()):
            assert set(q) == {"id", "text", "status", "votes", "created_at", "merged_into"}
        assert "Alice" not in alice.get("/my-questions").text
        assert "Bob" not in bob.get("/my-questions").text

        assert mod.post(f"/questions/{a1}/actions/approve").status_code == 200
        assert mod.post(f"/questions/{a2}/actions/dismiss").status_code == 200
        # Bob's duplicate joins Alice's approved question; Alice's third joins Bob's
        # pending one, which the audience may not see, so it is not pointed to.
        assert mod.post(f"/questions/{b1}/merge", json={"into": a1}).status_code == 200
        assert mod.post(f"/questions/{a3}/merge", json={"into": b2}).status_code == 200

        mine = _mine(alice)
        assert mine[a1]["status"] == "approved"
        assert mine[a2]["status"] == "not_selected"  # never "dismissed"
        assert mine[a3]["status"] == "merged" and mine[a3]["merged_into"] is None
        bobs = _mine(bob)
        assert bobs[b1]["status"] == "merged" and bobs[b1]["merged_into"] == a1
        assert bobs[b2]["status"] == "pending"
        assert b2 not in mine and a3 not in bobs

        for action, status in (("push", "on_stage"), ("answer", "answered")):
            assert mod.post(f"/questions/{a1}/actions/{action}").status_code == 200
            assert _mine(alice)[a1]["status"] == status

        # A stranger, or someone with a forged cookie, sees nothing of either.
        with httpx.Client(base_url=base, cookies=page()) as stranger:
            assert _mine(stranger) == {}
        # Without an id from the page (none, or forged): 401, and no id is handed out.
        with httpx.Client(base_url=base) as nobody:
            r = nobody.get("/my-questions")
            assert r.status_code == 401 and AUDIENCE_COOKIE not in r.cookies
        with httpx.Client(base_url=base, cookies={AUDIENCE_COOKIE: "forged.value"}) as forger:
            assert forger.get("/my-questions").status_code == 401
        # The id is the signed cookie: a copy of Bob's cookie is Bob, whoever holds it.
        bob_cookie = bob.cookies[AUDIENCE_COOKIE]
        with httpx.Client(base_url=base, cookies={AUDIENCE_COOKIE: bob_cookie}) as copy:
            assert set(_mine(copy)) == {b1, b2}


def test_my_questions_of_an_unknown_session_is_404(live_server):
    r = httpx.get(f"{live_server.url}/api/sessions/no-such-session/my-questions")
    assert r.status_code == 404 and r.json()["detail"]
