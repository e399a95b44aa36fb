"""A whole simulated session: every number in the JSON report is checked against the tables
by a query of its own, and the Markdown and HTML renderings show the same numbers."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime
from html import escape

from sqlalchemy import text as sql

from app.domains import default_registry
from app.report.builder import build_report, is_remote
from app.report.html import to_html
from app.report.render import to_csv, to_markdown

from .report_support import HAS_AGENDA, HAS_POLLS, MESSAGES, simulate_session


def _rows(db, query, **params):
    return db.execute(sql(query), params).all()


def _when(value):
    """Raw SQL gives SQLite's text or PostgreSQL's datetime: one aware datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _share(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0


async def test_every_number_in_the_report_matches_the_database(store):
    sim = await simulate_session(store)
    report = await store.read(
        lambda db: build_report(db, sim.session_id, default_registry().sections)
    )
    sid = sim.session_id

    def facts(db):
        states = dict(
            _rows(
                db, "select state, count(*) from question where session_id=:s group by state", s=sid
            )
        )
        per = _rows(
            db,
            "select channel, state, count(*) from question where session_id=:s "
            "group by channel, state",
            s=sid,
        )
        votes = _rows(
            db, "select coalesce(sum(votes), 0) from question where session_id=:s", s=sid
        )[0][0]
        audit = _rows(
            db,
            "select action, count(*) from audit_entry where session_id=:s "
            "and action != 'merged_in' group by action",
            s=sid,
        )
        roles = _rows(
            db,
            "select role, count(*) from audit_entry where session_id=:s "
            "and action != 'merged_in' group by role",
            s=sid,
        )
        pushes = _rows(
            db,
            "select q.channel, a.at from audit_entry a join question q on "
            "q.id = a.question_id where a.session_id=:s and a.action='push'",
            s=sid,
        )
        segs = dict(
            _rows(
                db,
                "select segment, count(*) from question where session_id=:s "
                "and segment is not null group by segment",
                s=sid,
            )
        )
        stars = [
            r[0]
            for r in _rows(
                db,
                "select question_id from report_highlight where session_id=:s order by id",
                s=sid,
            )
        ]
        return states, per, votes, audit, roles, pushes, segs, stars

    states, per, votes, audit, roles, pushes, segs, stars = await store.read(facts)
    total = sum(states.values())
    q = report["questions"]
    assert q["total"] == total == len(MESSAGES)
    assert {k: v for k, v in q["by_state"].items() if v} == states
    assert q["votes"] == votes == 4  # three on a2 (a3's merge adds none), one on z1

    # Per channel: received, answered, dismissed, merged, open and both shares.
    table: dict[str, Counter] = {}
    for channel, state, n in per:
        table.setdefault(channel, Counter())[state] += n
    answered_all = states.get("answered", 0)
    assert [r["channel"] for r in q["by_channel"]] == sorted(table)
    for row in q["by_channel"]:
        c = table[row["channel"]]
        assert row["received"] == sum(c.values())
        assert row["answered"] == c["answered"]
        assert row["dismissed"] == c["dismissed"]
        assert row["merged"] == c["merged"]
        assert row["open"] == c["inbox"] + c["queued"] + c["on_stage"]
        assert row["share_received"] == _share(sum(c.values()), total)
        assert row["share_answered"] == _share(c["answered"], answered_all)

    # Remote (Zoom, social) vs onsite (the audience page in the room).
    b = report["balance"]
    for side, remote in (("remote", True), ("onsite", False)):
        mine = [c for ch, c in table.items() if is_remote(ch) == remote]
        received = sum(sum(c.values()) for c in mine)
        answered = sum(c["answered"] for c in mine)
        assert b[side]["received"] == received
        assert b[side]["answered"] == answered
        assert b[side]["share_received"] == _share(received, total)
        assert b[side]["share_answered"] == _share(answered, answered_all)
    # The audience page is remote too: nothing says the person is in the room.
    assert b["remote"]["received"] == 9 and b["onsite"]["received"] == 0
    last_remote = max(_when(at) for ch, at in pushes if is_remote(ch))
    assert b["last_remote_taken_at"].startswith(last_remote.isoformat()[:19])
    assert b["seconds_since_last_remote_taken"] >= 0

    # Audit trail summary.
    m = report["moderation"]
    assert m["by_action"] == dict(audit)
    assert m["by_role"] == dict(roles)
    assert m["actions"] == sum(dict(audit).values())

    # Agenda, notes, takeaways, highlights.
    assert [a["title"] for a in report["agenda"]] == ["Opening", "Data stewardship", "Open debate"]
    assert [a["planned_minutes"] for a in report["agenda"]] == [5, 15, 30]
    assert [a["questions"] for a in report["agenda"]] == [segs.get(i, 0) for i in range(3)]
    assert report["key_takeaways"] == [
        "Data stewards need stable funding",
        "Small NGOs need templates",
    ]
    assert report["calls_to_action"] == ["Publish a template data-sharing agreement"]
    assert report["agenda"][0]["notes"].startswith("Welcome by the chair.")
    assert [h["id"] for h in report["highlights"]] == stars == [sim.ids["q1"], sim.ids["a2"]]
    assert report["highlights"][0]["channel"] == "zoom_qa"
    if HAS_AGENDA:
        runs = await store.read(
            lambda db: _rows(
                db,
                "select started_at, ended_at from segment_run where session_id=:s order by id",
                s=sid,
            )
        )
        first = (_when(runs[0][1]) - _when(runs[0][0])).total_seconds() / 60
        assert report["agenda"][0]["actual_minutes"] == round(first, 1) == 5.0
        assert "agenda" in report["sections"]
    if HAS_POLLS:
        ballots = await store.read(
            lambda db: _rows(
                db,
                "select mask, count(*) from poll_ballot where poll_id=:p group by mask",
                p=sim.poll_id,
            )
        )
        counts = {mask: n for mask, n in ballots}
        poll = report["sections"]["polls"]["data"]["polls"][0]
        assert poll["results"]["total"] == sum(counts.values()) == 4
        assert [o["count"] for o in poll["results"]["options"]] == [
            counts.get(1 << i, 0) for i in range(3)
        ]

    # The same numbers in Markdown and HTML, row by row.
    md, html = to_markdown(report), to_html(report)
    for row in q["by_channel"]:
        cells = [
            row["label"],
            "yes" if row["remote"] else "no",
            row["received"],
            row["forwarded"],
            row["answered"],
            row["dismissed"],
            row["merged"],
            row["open"],
            f"{row['share_received']}%",
            f"{row['share_answered']}%",
        ]
        assert "| " + " | ".join(str(c) for c in cells) + " |" in md
        html_cells = "".join(
            f'<td class="n">{c}</td>' if isinstance(c, int) else f"<td>{escape(c)}</td>"
            for c in cells
        )
        assert f"<tr>{html_cells}</tr>" in html
    s = q["by_state"]
    fwd = sum(r["forwarded"] for r in q["by_channel"])
    total_row = (
        f"| Total |  | {total} | {fwd} | {s['answered']} | {s['dismissed']} | {s['merged']} |"
    )
    assert total_row in md
    for side, word in (("remote", "Remote"), ("onsite", "Onsite")):
        x = b[side]
        line = (
            f"{word}: {x['received']} questions ({x['share_received']}% of all), "
            f"{x['answered']} answered ({x['share_answered']}% of answered)."
        )
        assert line in md and line in html
    for row in m["by_action_words"]:
        label, n = row["label"], row["count"]
        assert f"| {label} | {n} |" in md
        assert f'<tr><td>{escape(label)}</td><td class="n">{n}</td></tr>' in html
    assert (
        f"{m['actions']} moderation actions." in md
        and f"{m['actions']} moderation actions." in html
    )
    for text in (*report["key_takeaways"], *report["calls_to_action"]):
        assert text in md and text in html
    assert "Who pays for the data stewards?" in md and "Who pays for the data stewards?" in html
    assert f"Upvotes in total: {votes}." in md and f"Upvotes in total: {votes}." in html
    if HAS_POLLS:
        assert "Is open data enough?" in md and "Is open data enough?" in html
    assert html.count("<svg") >= 3

    # CSV: one row per question, same states as the table.
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert len(rows) == total
    assert Counter(r["state"] for r in rows) == Counter(states)


async def test_no_email_and_the_name_policy_is_kept(store):
    sim = await simulate_session(store, privacy="initials")
    report = await store.read(
        lambda db: build_report(db, sim.session_id, default_registry().sections)
    )
    outputs = [str(report), to_markdown(report), to_html(report), to_csv(report)]
    for out in outputs:
        assert "@example.org" not in out and "rapporteur@example.com" not in out
        assert "Zoe Quinn" not in out and "Kofi Mensah" not in out
    assert "e-mail removed" in to_markdown(report)
    assert {r["author"] for r in report["all_questions"]} >= {"Z. Q.", "K. M."}

    # Tightened to anonymous after the session: names vanish from the report too.
    await store.write(
        lambda db: db.execute(
            sql("update live_session set author_display='anonymous' where id=:s"),
            {"s": sim.session_id},
        )
    )
    report = await store.read(
        lambda db: build_report(db, sim.session_id, default_registry().sections)
    )
    assert {r["author"] for r in report["all_questions"]} == {None}
    assert "Z. Q." not in to_html(report) and "Z. Q." not in to_markdown(report)
