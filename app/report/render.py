"""Markdown and CSV renderings of the report dict (see builder.py)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from app.report.builder import channel_label

POLICY_WORDS = {
    "full": "full names as given",
    "initials": "initials only",
    "anonymous": "no names at all",
}
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|])")
CSV_COLUMNS = (
    "id",
    "created_at",
    "channel",
    "state",
    "author",
    "votes",
    "segment",
    "merged_into",
    "highlighted",
    "simulated",
    "text",
)


def md(text: Any, lead: bool = True) -> str:
    """One line of untrusted text, inert in Markdown (no links, no HTML, no tables broken)."""
    flat = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text if text is not None else "").split()))
    # Intraword _ is plain text in CommonMark; a leading # or _ would not be.
    return "\\" + flat if lead and flat[:1] in ("#", "_", "-", "+", "=") else flat


def minutes(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def wait_words(seconds: int | None) -> str:
    if seconds is None:
        return "no remote question was taken"
    if seconds < 90:
        return f"{seconds} s before the end"
    return f"{round(seconds / 60)} min before the end"


def question_line(q: dict[str, Any]) -> str:
    who = f", {md(q['author'])}" if q["author"] else ""
    return f"- “{md(q['text'])}” ({md(q['channel_label'])}{who}; {q['state'].replace('_', ' ')})"


def _table(columns: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(md(c, False) for c in columns) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(md(c, False) for c in row) + " |" for row in rows]
    return out


def channel_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Shared by Markdown and HTML, so both show exactly the same numbers."""
    cols = [
        "Channel",
        "Remote",
        "Received",
        "Answered",
        "Dismissed",
        "Merged",
        "Open",
        "Share of questions",
        "Share of answered",
    ]
    rows = [
        [
            r["label"],
            "yes" if r["remote"] else "no",
            r["received"],
            r["answered"],
            r["dismissed"],
            r["merged"],
            r["open"],
            f"{r['share_received']}%",
            f"{r['share_answered']}%",
        ]
        for r in report["questions"]["by_channel"]
    ]
    q = report["questions"]
    s = q["by_state"]
    rows.append(
        [
            "Total",
            "",
            q["total"],
            s["answered"],
            s["dismissed"],
            s["merged"],
            s["inbox"] + s["queued"] + s["on_stage"],
            "100%" if q["total"] else "0%",
            "100%" if s["answered"] else "0%",
        ]
    )
    return cols, rows


def agenda_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    cols = ["#", "Segment", "Kind", "Speaker", "Planned (min)", "Actual (min)", "Questions"]
    rows = [
        [
            a["index"] + 1,
            a["title"],
            a["kind"],
            a["speaker"] or "",
            minutes(a["planned_minutes"]),
            minutes(a["actual_minutes"]),
            a["questions"],
        ]
        for a in report["agenda"]
    ]
    return cols, rows


def simulated_line(report: dict[str, Any]) -> str | None:
    """Said once under the channel table: demo questions are counted, and labelled."""
    n = report["questions"].get("simulated", 0)
    if not n:
        return None
    return (
        f"Simulated (demo) questions: {n} of {report['questions']['total']}; "
        "each is labelled (simulated)."
    )


def balance_lines(report: dict[str, Any]) -> list[str]:
    b = report["balance"]
    out = []
    for side, word in (("remote", "Remote"), ("onsite", "Onsite")):
        x = b[side]
        out.append(
            f"{word}: {x['received']} questions ({x['share_received']}% of all), "
            f"{x['answered']} answered ({x['share_answered']}% of answered)."
        )
    when = b["last_remote_taken_at"]
    out.append(
        f"Last remote question taken: {when or 'none'} "
        f"({wait_words(b['seconds_since_last_remote_taken'])})."
    )
    return out


def privacy_line(report: dict[str, Any]) -> str:
    words = POLICY_WORDS.get(report["session"]["author_display"], "as set")
    return (
        f"Authors are shown with {words}. E-mail addresses are never stored or reported; "
        "external account ids are kept only as keyed hashes."
    )


def to_markdown(report: dict[str, Any]) -> str:
    s = report["session"]
    out = [f"# Session report: {md(s['title'])}", ""]
    out.append(
        f"{md(s['format'])}. Generated {report['generated_at']}; "
        f"last activity {s['last_activity_at']}."
    )
    out += ["", "## Agenda: planned and actual", ""]
    out += _table(*agenda_table(report)) if report["agenda"] else ["No agenda was set."]
    if "agenda" in report["sections"]:
        out += _section(report["sections"]["agenda"], heading=False)
    out += ["", "## Notes", ""]
    for a in report["agenda"]:
        if a["notes"].strip():
            out += [f"### {a['index'] + 1}. {md(a['title'])}", "", *_paragraphs(a["notes"]), ""]
    for r in report.get("removed_segment_notes", []):
        out += [f"### Removed from the agenda: {md(r['title'])}", "", *_paragraphs(r["notes"]), ""]
    if report["notes"].strip():
        out += ["### General", "", *_paragraphs(report["notes"]), ""]
    out += ["## Key takeaways", ""]
    out += [f"- {md(t)}" for t in report["key_takeaways"]] or ["None recorded."]
    out += ["", "## Calls to action", ""]
    out += [f"- {md(t)}" for t in report["calls_to_action"]] or ["None recorded."]
    out += ["", "## Highlighted questions", ""]
    out += [question_line(q) for q in report["highlights"]] or ["None starred."]
    out += ["", "## Questions per channel", ""]
    out += _table(*channel_table(report))
    out += ["", f"Upvotes in total: {report['questions']['votes']}.", ""]
    if line := simulated_line(report):
        out += [line, ""]
    out += ["## Remote and onsite balance", ""]
    out += [f"- {line}" for line in balance_lines(report)]
    for name, section in report["sections"].items():
        if name != "agenda":
            out += _section(section)
    m = report["moderation"]
    out += ["", "## Moderation audit trail", "", f"{m['actions']} moderation actions.", ""]
    out += _table(["Action", "Count"], [[k, v] for k, v in m["by_action"].items()])
    out += ["", "By role: " + (", ".join(f"{k} {v}" for k, v in m["by_role"].items()) or "none")]
    out += ["", "## Data protection", "", privacy_line(report), ""]
    return "\n".join(out)


def _section(section: dict[str, Any], heading: bool = True) -> list[str]:
    out = ["", f"## {md(section.get('title', ''))}", ""] if heading else [""]
    out += [md(p) for p in section.get("paragraphs", [])]
    for table in section.get("tables", []):
        if table.get("caption"):
            out += ["", f"**{md(table['caption'])}**", ""]
        out += _table(table.get("columns", []), table.get("rows", []))
    return out


def _paragraphs(text: str) -> list[str]:
    return [md(p) for p in text.split("\n") if p.strip()]


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: make them text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def to_csv(report: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS[:3], "channel_label", *CSV_COLUMNS[3:]])
    for q in report["all_questions"]:
        row = [q[c] for c in CSV_COLUMNS]
        row.insert(3, q.get("channel_label") or channel_label(q["channel"]))
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()
