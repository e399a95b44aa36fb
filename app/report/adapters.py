"""Fit other domains' report data into the generic section shape (see sections.py).

The agenda domain returns its own dict (`segments` with planned and actual seconds); the
polls domain offers `session_polls`. Both are read here, so neither needs to know the
report's rendering, and a domain that is absent simply adds nothing.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import LiveSession, require_id
from app.report.words import plural


def _minutes(seconds: Any) -> float | str:
    return round(seconds / 60, 1) if isinstance(seconds, int | float) else "–"


def _delta(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return "–"
    sign = "+" if seconds >= 0 else "−"
    return f"{sign}{abs(round(seconds / 60, 1))}"


def agenda_section(raw: dict[str, Any]) -> dict[str, Any]:
    """The agenda domain's planned-vs-actual rows as a table, actual minutes by index."""
    rows = raw.get("segments") or []
    table = {
        "caption": "Timing per segment (minutes; a pause counts as time used)",
        "columns": [
            "Segment",
            "Planned start",
            "Actual start",
            "Planned",
            "Actual",
            "Over (+) / under (−)",
            "Paused",
        ],
        "rows": [
            [
                r.get("title"),
                r.get("planned_start") or "–",
                r.get("actual_start") or "–",
                _minutes(r.get("planned_seconds")),
                _minutes(r.get("actual_seconds")),
                _delta(r.get("delta_seconds")),
                _minutes(r.get("paused_seconds")),
            ]
            for r in rows
        ],
    }
    actual = {
        str(r["index"]): round(r["actual_seconds"] / 60, 1)
        for r in rows
        if r.get("index") is not None and isinstance(r.get("actual_seconds"), int | float)
    }
    total = raw.get("actual_seconds")
    paragraphs = (
        [
            f"Planned {_minutes(raw.get('planned_seconds'))} min in total; "
            f"used {_minutes(total)} min."
        ]
        if total is not None
        else []
    )
    return {
        "title": raw.get("title") or "Agenda timing",
        "paragraphs": paragraphs,
        "tables": [table],
        "data": {**raw, "actual_minutes": actual},
    }


KIND_WORDS = {
    "single": "single choice",
    "multiple": "multiple choice",
    "rating": "rating",
    "wordcloud": "word cloud",
    "open": "open text",
}


def polls_section(db: Session, session: LiveSession) -> dict[str, Any] | None:
    """Every poll with its results: a table and a bar chart per poll."""
    from app.polls.service import session_polls  # declared by the polls domain, so present
    from app.polls.tally import open_answers  # masked as every published view is

    everything = session_polls(db, require_id(session))
    # A poll still in draft never ran: nobody saw it, so it is not part of the session.
    polls = [p for p in everything if p["state"] != "draft"]
    drafts = len(everything) - len(polls)
    if not polls:
        return None
    tables, charts, paragraphs = [], [], []
    if drafts:
        paragraphs.append(f"{plural(drafts, 'draft poll')} that never opened left out.")
    answers_of: dict[int, list[str]] = {}
    for p in polls:
        r = p.get("results") or {}
        total = r.get("total", 0)
        state = "still open" if p["state"] == "open" else p["state"]
        caption = f"{p['question']} ({KIND_WORDS.get(p['kind'], p['kind'])}, {state}, "
        caption += f"{plural(total, 'answer' if p['kind'] in ('open', 'wordcloud') else 'vote')})"
        if p["kind"] == "open":
            answers = open_answers(db, p["id"])
            answers_of[p["id"]] = answers
            tables.append(
                {"caption": caption, "columns": ["Answer"], "rows": [[a] for a in answers]}
            )
            continue
        if p["kind"] == "wordcloud":
            words = r.get("words", [])
            tables.append(
                {
                    "caption": caption,
                    "columns": ["Word", "Count"],
                    "rows": [[w["word"], w["count"]] for w in words],
                }
            )
            charts.append(
                {
                    "caption": p["question"],
                    "bars": [{"label": w["word"], "value": w["count"]} for w in words],
                }
            )
            continue
        options = r.get("options", [])
        tables.append(
            {
                "caption": caption,
                "columns": ["Option", "Votes", "Share"],
                "rows": [[o["label"], o["count"], f"{o.get('percent', 0)}%"] for o in options],
            }
        )
        charts.append(
            {
                "caption": p["question"],
                "bars": [{"label": o["label"], "value": o["count"]} for o in options],
            }
        )
        if "mean" in r:
            paragraphs.append(f"{p['question']}: average rating {r['mean']}.")
    return {
        "title": "Polls",
        "paragraphs": paragraphs,
        "tables": tables,
        "charts": charts,
        "data": {
            "polls": [
                {
                    "id": p["id"],
                    "question": p["question"],
                    "kind": p["kind"],
                    "state": p["state"],
                    "results": p.get("results"),
                    **({"answers": answers_of[p["id"]]} if p["id"] in answers_of else {}),
                }
                for p in polls
            ],
            "drafts_left_out": drafts,
        },
    }


def normalise(name: str, section: dict[str, Any]) -> dict[str, Any] | None:
    if any(k in section for k in ("paragraphs", "tables", "charts")):
        return section
    if name == "agenda" and isinstance(section.get("segments"), list):
        return agenda_section(section) if section["segments"] else None
    return {"title": section.get("title") or name.title(), "data": section}
