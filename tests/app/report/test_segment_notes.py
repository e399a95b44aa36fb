"""A rapporteur's segment notes belong to the segment, not to its place in the agenda.

Moving, adding or removing segments in the console never files a note under another
speaker: not in the snapshot, not in the report (JSON, Markdown, `floorbridge report`).
Notes saved before this (keyed by position) are re-filed by the 0007 migration.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import sqlalchemy as sa
from alembic import command

from app.migrate import alembic_config, upgrade
from tests.servers import audience_cookies

REPO = Path(__file__).resolve().parents[3]
AGENDA = [
    {"title": "Opening", "minutes": 5, "kind": "opening"},
    {"title": "Data trusts", "minutes": 10, "kind": "speaker", "speaker": "Ana Lima"},
    {"title": "Open data in cities", "minutes": 10, "kind": "speaker", "speaker": "Ben Osei"},
    {"title": "Debate", "minutes": 20, "kind": "debate"},
]


def _clients(server, created):
    base = f"{server.url}/api/sessions/{created['slug']}"

    def client(role: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {created['keys'][role]}"}
        return httpx.Client(base_url=base, headers=headers, timeout=10)

    return client("moderator"), client("rapporteur")


def _section_after(md: str, heading: str) -> str:
    """The text between a '### ' heading and the next heading."""
    start = md.index(heading) + len(heading)
    rest = md[start:]
    ends = [i for i in (rest.find("\n### "), rest.find("\n## ")) if i >= 0]
    return rest[: min(ends)] if ends else rest


def test_notes_stay_with_their_segment_when_the_agenda_moves(fresh_server):
    created = fresh_server.create_session(title="Notes follow segments", agenda=AGENDA)
    mod, rap = _clients(fresh_server, created)
    with mod, rap:
        agenda = mod.get("/timer").json()["agenda"]
        ids = {seg["title"]: seg["id"] for seg in agenda}
        r = rap.put(f"/report/notes/seg:{ids['Data trusts']}", json={"text": "Ana: trusts work"})
        assert r.status_code == 200 and r.json()["section"] == f"seg:{ids['Data trusts']}"
        # The older position key still works: filed under the segment there now (Ben's).
        r = rap.put("/report/notes/segment:2", json={"text": "Ben: open by default"})
        assert r.status_code == 200 and r.json()["section"] == f"seg:{ids['Open data in cities']}"

        # The moderator swaps the two talks and puts a new segment first.
        order = [ids["Opening"], ids["Open data in cities"], ids["Data trusts"], ids["Debate"]]
        assert mod.put("/agenda/order", json={"ids": order}).status_code == 200
        r = mod.post("/agenda", json={"title": "Housekeeping", "minutes": 2, "at": 0})
        assert r.status_code == 201, r.text

        report = rap.get("/report").json()
        rows = {row["title"]: row for row in report["agenda"]}
        assert rows["Data trusts"]["notes"] == "Ana: trusts work"
        assert rows["Data trusts"]["index"] == 3 and rows["Data trusts"]["id"] == ids["Data trusts"]
        assert rows["Open data in cities"]["notes"] == "Ben: open by default"
        assert rows["Housekeeping"]["notes"] == "" and rows["Opening"]["notes"] == ""
        notes = rap.get("/snapshot").json()["data"]["report"]["notes"]
        assert notes[f"seg:{ids['Data trusts']}"]["text"] == "Ana: trusts work"

        md = rap.get("/report", params={"format": "md"}).text
        assert _section_after(md, "### 4. Data trusts").strip() == "Ana: trusts work"
        assert _section_after(md, "### 3. Open data in cities").strip() == "Ben: open by default"

    # The organiser's CLI reads the same database and says the same.
    env = {**os.environ, "FLOORBRIDGE_DATA_DIR": str(fresh_server.data_dir)}
    env.pop("FLOORBRIDGE_DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "report", created["slug"], "--format", "md"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    assert _section_after(out.stdout, "### 4. Data trusts").strip() == "Ana: trusts work"


def test_a_removed_segment_keeps_its_notes_in_the_report(fresh_server):
    created = fresh_server.create_session(title="Removed segment", agenda=AGENDA)
    mod, rap = _clients(fresh_server, created)
    with mod, rap:
        gone = mod.get("/timer").json()["agenda"][1]["id"]
        r = rap.put(f"/report/notes/seg:{gone}", json={"text": "Ana spoke after all"})
        assert r.status_code == 200
        assert mod.delete(f"/agenda/{gone}").status_code == 200
        report = rap.get("/report").json()
        titles = [row["title"] for row in report["agenda"]]
        assert titles == ["Opening", "Open data in cities", "Debate"]
        assert report["removed_segment_notes"] == [
            {"title": "Data trusts", "notes": "Ana spoke after all"}
        ]
        md = rap.get("/report", params={"format": "md"}).text
        heading = "### Removed from the agenda: Data trusts"
        assert _section_after(md, heading).strip() == "Ana spoke after all"
        html = rap.get("/report", params={"format": "html"}).text
        assert "<h3>Removed from the agenda: Data trusts</h3>" in html
        # Writing to it now is refused, and says why.
        r = rap.put(f"/report/notes/seg:{gone}", json={"text": "too late"})
        assert r.status_code == 404 and "was it removed" in r.json()["detail"]
        r = rap.put("/report/notes/seg:abc", json={"text": "x"})
        assert r.status_code == 422 and "seg:ID" in r.json()["detail"]


def test_migration_refiles_position_keyed_notes_by_segment_id(db_url):
    """A database from before 0007: its `segment:N` notes end up under the segment ids."""
    cfg = alembic_config(db_url)
    command.upgrade(cfg, "0004_report_privacy")
    engine = sa.create_engine(db_url)
    meta = sa.MetaData()
    meta.reflect(engine, only=["live_session", "segment", "report_note"])
    live, seg, note = (meta.tables[t] for t in ("live_session", "segment", "report_note"))
    now = sa.func.now()
    with engine.begin() as conn:
        sid = conn.execute(
            sa.insert(live)
            .values(
                slug="old",
                title="Old notes",
                author_display="initials",
                hmac_secret="s",
                last_seq=0,
                zoom_ids=[],
                hashtags=[],
                created_at=now,
            )
            .returning(live.c.id)
        ).scalar_one()
        seg_ids = [
            conn.execute(
                sa.insert(seg)
                .values(
                    session_id=sid,
                    position=i,
                    title=title,
                    kind="speaker",
                    minutes=10,
                    questions_open=True,
                )
                .returning(seg.c.id)
            ).scalar_one()
            for i, title in enumerate(["Opening", "Talk", "Debate"])
        ]
        for section, text in (
            ("segment:1", "about the talk"),
            ("segment:9", "a segment long gone"),
            ("general", "general notes"),
        ):
            conn.execute(
                sa.insert(note).values(
                    session_id=sid, section=section, text=text, rev=1, updated_at=now
                )
            )
    upgrade(db_url)  # every head, 0007 included
    with engine.connect() as conn:
        held = dict(conn.execute(sa.select(note.c.section, note.c.text)).all())
    assert held == {
        f"seg:{seg_ids[1]}": "about the talk",
        "segment:9": "a segment long gone",  # nothing to re-file it under: kept as it was
        "general": "general notes",
    }
    command.downgrade(cfg, "0007_audience@-1")
    with engine.connect() as conn:
        held = dict(conn.execute(sa.select(note.c.section, note.c.text)).all())
    assert held["segment:1"] == "about the talk"
    engine.dispose()


def test_questions_per_segment_follow_the_segment_too(fresh_server):
    """Questions are counted for the segment that was running when they came in."""
    created = fresh_server.create_session(title="Questions follow segments", agenda=AGENDA)
    mod, rap = _clients(fresh_server, created)
    with mod, rap, httpx.Client(
        base_url=mod.base_url, timeout=10,
        cookies=audience_cookies(fresh_server.url, created["slug"]),
    ) as phone:
        ids = {s["title"]: s["id"] for s in mod.get("/timer").json()["agenda"]}
        assert mod.post("/timer/start").status_code == 200  # Opening runs
        assert phone.post("/questions", json={"text": "During the opening?"}).status_code == 201
        assert mod.post("/timer/next").status_code == 200  # Data trusts (Ana) runs
        for text in ("Who holds the data?", "Who audits the trust?"):
            assert phone.post("/questions", json={"text": text}).status_code == 201
        order = [ids["Data trusts"], ids["Debate"], ids["Opening"], ids["Open data in cities"]]
        assert mod.put("/agenda/order", json={"ids": order}).status_code == 200
        report = rap.get("/report").json()
        counts = {row["title"]: row["questions"] for row in report["agenda"]}
        assert counts == {"Data trusts": 2, "Debate": 0, "Opening": 1, "Open data in cities": 0}
        arrived = {q["text"]: q["segment_id"] for q in report["all_questions"]}
        assert arrived["Who holds the data?"] == ids["Data trusts"]
        assert arrived["During the opening?"] == ids["Opening"]
        md = rap.get("/report", params={"format": "md"}).text
        assert "| 1 | Data trusts | speaker | Ana Lima |  | 10 |" in md
        row = next(line for line in md.splitlines() if line.startswith("| 1 | Data trusts"))
        assert row.endswith("| 2 |"), row
