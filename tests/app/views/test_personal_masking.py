"""Personal data typed into a question is for the moderator, not for the room: the stage,
the screen and the audience page (snapshots, 'my questions' and every live
event) show the text with phone numbers and e-mail addresses masked; the moderator sees it
as typed, and the published report masks it too. The server here runs without the triage
assistant: masking is plain rules, never the model."""

from __future__ import annotations

import json

import httpx
import pytest

from ports.personal import find_personal_data, mask_personal_data
from tests.app.live.test_live import act, frames, open_live
from tests.servers import audience_cookies

TYPED = "Could you send the slides? mail me at jane.doe@example.org or +33 6 12 34 56 78"
#: Any of these on a public wire means the number or the address got through.
LEAKS = ("jane.doe", "example.org", "12 34 56 78", "+33 6")


def _no_leak(wire: str, who: str) -> None:
    for leak in LEAKS:
        assert leak not in wire, f"{who} was sent {leak!r}"


async def test_stage_screen_and_audience_never_get_the_phone_or_the_e_mail(live_server):
    session = live_server.create_session("Masking", privacy={"author_display": "full"})
    slug, keys = session["slug"], session["keys"]
    api = f"{live_server.url}/api/sessions/{slug}"
    mod = {"Authorization": f"Bearer {keys['moderator']}"}
    phone = audience_cookies(live_server.url, slug)
    sockets = {
        "audience": await open_live(live_server, session),
        "stage": await open_live(live_server, session, keys["stage"]),
        "screen": await open_live(live_server, session, keys["screen"]),
        "moderator": await open_live(live_server, session, keys["moderator"]),
    }
    for ws in sockets.values():
        await frames(ws)  # the (empty) snapshot: what follows are live events

    r = httpx.post(f"{api}/questions", json={"text": TYPED, "name": "Jane Doe"}, cookies=phone)
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    act(live_server, session, qid, "approve")
    act(live_server, session, qid, "push")

    wires = {}
    for role, ws in sockets.items():
        got = await frames(ws, until="question.updated")
        wires[role] = json.dumps(got, ensure_ascii=False)
        await ws.close()
    for role in ("audience", "stage", "screen"):
        _no_leak(wires[role], f"the {role} socket")
        assert "mail me at" in wires[role] and "[phone]" in wires[role], role
    # The moderator needs the number to write back; the address was never stored at all.
    assert "+33 6 12 34 56 78" in wires["moderator"]
    assert "jane.doe" not in wires["moderator"] and "[e-mail removed]" in wires["moderator"]

    # Snapshots: over a fresh socket and over REST, per role.
    keyed = {"stage": keys["stage"], "screen": keys["screen"]}
    for role, key in keyed.items():
        ws = await open_live(live_server, session, key)
        (snap,) = await frames(ws)
        await ws.close()
        (shown,) = snap["data"]["questions"]
        assert shown["id"] == qid and "[phone]" in shown["text"]
        _no_leak(json.dumps(snap), f"the {role} snapshot")
        rest = httpx.get(f"{api}/snapshot", headers={"Authorization": f"Bearer {key}"})
        _no_leak(rest.text, f"the {role} REST snapshot")
    public = httpx.get(f"{api}/snapshot", cookies=audience_cookies(live_server.url, slug))
    assert "[phone]" in public.text
    _no_leak(public.text, "the audience REST snapshot")
    mine = httpx.get(f"{api}/my-questions", cookies=phone).json()
    assert [q["id"] for q in mine] == [qid] and "[phone]" in mine[0]["text"]
    _no_leak(json.dumps(mine), "the asker's own list")

    moderator = httpx.get(f"{api}/snapshot", headers=mod).json()
    (full,) = moderator["data"]["questions"]
    assert "+33 6 12 34 56 78" in full["text"]
    # The report is published: masked there too.
    report = httpx.get(f"{api}/report", headers=mod)
    assert report.status_code == 200 and "[phone]" in report.text
    _no_leak(report.text, "the report")


async def test_ordinary_numbers_reach_the_room_unchanged(live_server):
    session = live_server.create_session("No false positives")
    text = ("In 2025, how far are we on SDG 16 and Article 19? Session 3 of WS #123 said 45% "
            "of 1,200 people, up from 12.5% in 2019-2024 (report of 2025-06-23 at 14:05).")
    r = httpx.post(
        f"{live_server.url}/api/sessions/{session['slug']}/questions",
        json={"text": text},
        cookies=audience_cookies(live_server.url, session["slug"]),
    )
    qid = r.json()["id"]
    act(live_server, session, qid, "approve")
    act(live_server, session, qid, "push")
    for key in (session["keys"]["stage"], session["keys"]["screen"], None):
        ws = await open_live(live_server, session, key)
        (snap,) = await frames(ws)
        await ws.close()
        assert [q["text"] for q in snap["data"]["questions"]] == [text]


@pytest.mark.parametrize(
    "text",
    [
        "What happened in 2025?",
        "Progress on SDG 16 and SDG 16.10?",
        "Does Article 19 cover this?",
        "Session 12, workshop #345, room 4",
        "Up 45% (from 12.5% to 57.5%)",
        "Between 2019 and 2024, or 2019-2024, or 2019 – 2024",
        "2024 2025 2026 targets",
        "1,000,000 people; 1.000.000.000 devices; 2 500 000 users",
        "On 2025-06-23 14:05 and 23.06.2025 at 09:30-10:30",
        "ISO 27001, RFC 9110, Resolution 2758",
    ],
)
def test_numbers_that_are_not_phones_are_left_alone(text):
    assert find_personal_data(text) == []
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call +33 6 12 34 56 78", "call [phone]"),
        ("call 06 12 34 56 78 today", "call [phone] today"),
        ("tel. 0044 20 7946 0958", "tel. [phone]"),
        ("(555) 123-4567 please", "[phone] please"),
        ("+1-202-555-0143", "[phone]"),
        ("write to a.b@example.org", "write to [e-mail]"),
    ],
)
def test_phones_and_addresses_are_masked(text, masked):
    assert mask_personal_data(text) == masked
    assert find_personal_data(text)
