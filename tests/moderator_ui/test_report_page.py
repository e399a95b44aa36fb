"""The rapporteur's page on a laptop (1366x768), while the moderator edits the agenda.

- A note typed for a speaker's segment stays with that segment when the agenda is
  reordered: on the page, after a reload and in the Markdown report.
- Segments added, renamed or removed in the console appear here live, no reload.
- Simulated questions are labelled; the list filters (all, highlighted, answered, hide
  simulated) and searches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Browser, expect

from app.ingest import ingest_single
from app.sessions.service import get_by_slug
from integrations.base import IncomingMessage

from .uikit import ARTIFACTS, WATCH_CSP, RolePage

pytestmark = pytest.mark.browser
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
AGENDA = [
    {"title": "Opening", "minutes": 5, "kind": "opening"},
    {"title": "Data trusts", "minutes": 10, "kind": "speaker", "speaker": "Ana Lima"},
    {"title": "Open data in cities", "minutes": 10, "kind": "speaker", "speaker": "Ben Osei"},
    {"title": "Debate", "minutes": 20, "kind": "debate"},
]


@pytest.fixture
def laptop(browser: Browser) -> Iterator:
    contexts = []

    def _open(url: str) -> RolePage:
        context = browser.new_context(**LAPTOP)
        context.add_init_script(WATCH_CSP)
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        role = RolePage("rapporteur", page, None)
        page.on("dialog", lambda d: (role.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda exc: role.errors.append(str(exc)))
        role.response = page.goto(url)
        assert role.response is not None and role.response.ok
        return role

    yield _open
    for context in contexts:
        context.close()


def _client(server, created, role: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{server.url}/api/sessions/{created['slug']}",
        headers={"Authorization": f"Bearer {created['keys'][role]}"},
        timeout=10,
    )


def _field(page, segment_id: int):
    return page.locator(f'#segment-notes [data-segment-id="{segment_id}"]')


def _labels(page) -> list[str]:
    return page.locator("#segment-notes .note-field label").all_inner_texts()


def test_a_note_stays_with_its_segment_and_the_agenda_is_live(laptop, live_server):
    created = live_server.create_session(title="Notes that follow the speaker", agenda=AGENDA)
    mod = _client(live_server, created, "moderator")
    rap = _client(live_server, created, "rapporteur")
    ids = {s["title"]: s["id"] for s in mod.get("/timer").json()["agenda"]}
    role = laptop(created["links"]["rapporteur"])
    role.wait_live()
    page = role.page
    expect(page.locator("#segment-notes .note-field")).to_have_count(4)
    ana = _field(page, ids["Data trusts"])
    expect(ana.locator("label")).to_have_text("2. Data trusts · Ana Lima")
    ana.locator("textarea").fill("Ana: data trusts need a legal home")
    expect(ana.locator(".note-status")).to_have_text("Saved")

    # The moderator swaps the two talks: Ana's note moves with Ana.
    order = [ids["Opening"], ids["Open data in cities"], ids["Data trusts"], ids["Debate"]]
    assert mod.put("/agenda/order", json={"ids": order}).status_code == 200
    expect(ana.locator("label")).to_have_text("3. Data trusts · Ana Lima")
    expect(ana.locator("textarea")).to_have_value("Ana: data trusts need a legal home")
    ben = _field(page, ids["Open data in cities"])
    expect(ben.locator("label")).to_have_text("2. Open data in cities · Ben Osei")
    expect(ben.locator("textarea")).to_have_value("")
    assert ben.bounding_box()["y"] < ana.bounding_box()["y"]  # drawn in the new order

    # A segment added in the console appears at once, where it was put; renames too.
    r = mod.post("/agenda", json={"title": "Remote hub report", "minutes": 5, "at": 1})
    assert r.status_code == 201, r.text
    new_id = next(s["id"] for s in r.json()["agenda"] if s["title"] == "Remote hub report")
    added = _field(page, new_id)
    expect(added.locator("label")).to_have_text("2. Remote hub report")
    expect(ana.locator("label")).to_have_text("4. Data trusts · Ana Lima")
    added.locator("textarea").fill("Accra hub: 40 people")
    expect(added.locator(".note-status")).to_have_text("Saved")
    r = mod.patch(f"/agenda/{new_id}", json={"title": "Remote hubs", "speaker": "Kofi Mensah"})
    assert r.status_code == 200, r.text
    expect(added.locator("label")).to_have_text("2. Remote hubs · Kofi Mensah")
    expect(added.locator("textarea")).to_have_value("Accra hub: 40 people")
    assert mod.delete(f"/agenda/{ids['Debate']}").status_code == 200
    expect(_field(page, ids["Debate"])).to_have_count(0)
    assert _labels(page) == [
        "1. Opening",
        "2. Remote hubs · Kofi Mensah",
        "3. Open data in cities · Ben Osei",
        "4. Data trusts · Ana Lima",
    ]

    # Typing while the agenda moves: the caret and the text stay in the field.
    box = ben.locator("textarea")
    box.click()
    box.press_sequentially("Ben: open by ", delay=10)
    swap = [ids["Opening"], new_id, ids["Data trusts"], ids["Open data in cities"]]
    assert mod.put("/agenda/order", json={"ids": swap}).status_code == 200
    expect(ben.locator("label")).to_have_text("4. Open data in cities · Ben Osei")
    box.press_sequentially("default", delay=10)
    expect(box).to_have_value("Ben: open by default")
    expect(ben.locator(".note-status")).to_have_text("Saved")

    # The report files each note under its own segment, in the agenda's order now.
    md = rap.get("/report", params={"format": "md"}).text
    notes = md[md.index("## Notes") : md.index("## Key takeaways")]
    assert (
        "### 2. Remote hubs\n\nAccra hub: 40 people\n\n"
        "### 3. Data trusts\n\nAna: data trusts need a legal home\n\n"
        "### 4. Open data in cities\n\nBen: open by default\n"
    ) in notes, notes
    page.reload()
    role.wait_live()
    expect(ana.locator("label")).to_have_text("3. Data trusts · Ana Lima")
    expect(ana.locator("textarea")).to_have_value("Ana: data trusts need a legal home")
    mod.close()
    rap.close()
    role.assert_clean()


def _ingest(server, slug: str, text: str, channel: str, simulated: bool) -> int:
    """A message through the one ingest path, as the demo simulator sends it."""
    store = server.app.state.fb.store

    async def run() -> int:
        sid = await store.read(lambda db: get_by_slug(db, slug).id)
        msg = IncomingMessage(
            channel=channel,
            external_id=f"{channel}-{abs(hash(text))}",
            text=text,
            author_name="Sim Person" if simulated else "Real Person",
            author_id=f"id-{abs(hash(text))}",
            simulated=simulated,
        )
        return (await ingest_single(store, sid, msg)).question_id

    # Playwright's loop owns this thread: run the write on a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=10)


def test_simulated_are_labelled_and_the_list_filters_and_searches(laptop, live_server):
    created = live_server.create_session(
        title="Filters", agenda=AGENDA[:1], privacy={"author_display": "full"}
    )
    slug = created["slug"]
    mod = _client(live_server, created, "moderator")
    rap = _client(live_server, created, "rapporteur")
    real = _ingest(live_server, slug, "How are bus drivers consulted?", "zoom_chat", False)
    fake = _ingest(live_server, slug, "Simulated: what about trams?", "mastodon", True)
    answered = _ingest(live_server, slug, "Who pays for the bike paths?", "bluesky", False)
    for action in ("approve", "push", "answer"):
        assert mod.post(f"/questions/{answered}/actions/{action}").status_code == 200
    assert rap.put(f"/report/highlights/{real}", json={"highlighted": True}).status_code == 200

    role = laptop(created["links"]["rapporteur"])
    role.wait_live()
    page = role.page
    items = page.locator("#rep-list .rq")
    expect(items).to_have_count(3)
    sim_item = page.locator(f'#rep-list .rq[data-id="{fake}"]')
    expect(sim_item.locator(".tag-sim")).to_have_text("simulated")
    expect(page.locator(f'#rep-list .rq[data-id="{real}"] .tag-sim')).to_have_count(0)
    expect(page.locator("#rep-counts")).to_contain_text("1 simulated")

    def shown() -> list[int]:
        return [int(x) for x in items.evaluate_all("els => els.map(e => e.dataset.id)")]

    page.get_by_role("button", name="Highlighted").click()
    expect(items).to_have_count(1)
    assert shown() == [real]
    page.get_by_role("button", name="Answered").click()
    expect(items).to_have_count(1)
    assert shown() == [answered]
    page.get_by_role("button", name="All").click()
    expect(items).to_have_count(3)
    page.get_by_label("Hide simulated").check()
    expect(items).to_have_count(2)
    assert fake not in shown()
    expect(page.locator("#rep-shown")).to_have_text("2 of 3 shown")
    page.get_by_label("Hide simulated").uncheck()
    search = page.get_by_label("Search questions")
    search.fill("TRAMS")
    expect(items).to_have_count(1)
    assert shown() == [fake]
    search.fill("bike paths")
    expect(items).to_have_count(1)
    assert shown() == [answered]
    search.fill("nothing like this")
    expect(items).to_have_count(0)
    expect(page.locator("#rep-empty")).to_have_text("No question matches.")
    search.fill("")
    expect(items).to_have_count(3)
    # Live while filtered: a new highlight shows up in the highlighted view.
    page.get_by_role("button", name="Highlighted").click()
    assert rap.put(f"/report/highlights/{fake}", json={"highlighted": True}).status_code == 200
    expect(items).to_have_count(2)
    # The tools fit the laptop's width, above the list.
    tools = page.locator(".rep-tools").bounding_box()
    assert tools["x"] + tools["width"] <= 1366
    assert tools["y"] + tools["height"] <= items.first.bounding_box()["y"]
    page.get_by_role("button", name="All").click()
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "report-1366x768.png"))

    # Every report format says which questions were simulated.
    report = rap.get("/report").json()
    rows = {q["id"]: q for q in report["all_questions"]}
    assert rows[fake]["simulated"] is True and rows[real]["simulated"] is False
    assert rows[fake]["channel_label"] == "Mastodon (simulated)"
    assert report["questions"]["simulated"] == 1
    md = rap.get("/report", params={"format": "md"}).text
    assert "“Simulated: what about trams?” (Mastodon (simulated), Sim Person" in md
    # ...and leaves them out of the numbers, saying so.
    assert report["questions"]["total"] == 2 and report["questions"]["simulated_excluded"] == 1
    assert "1 simulated item excluded from the statistics" in md
    html = rap.get("/report", params={"format": "html"}).text
    assert "Mastodon (simulated)" in html and "1 simulated item excluded" in html
    csv_rows = rap.get("/report", params={"format": "csv"}).text.splitlines()
    header = csv_rows[0].split(",")
    by_id = {line.split(",")[0]: line.split(",") for line in csv_rows[1:]}
    assert by_id[str(fake)][header.index("simulated")] == "True"
    assert by_id[str(real)][header.index("simulated")] == "False"
    assert by_id[str(fake)][header.index("channel_label")] == "Mastodon (simulated)"
    mod.close()
    rap.close()
    role.assert_clean()
