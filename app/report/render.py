"""Markdown and CSV renderings of the report dict (see builder.py)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from app.report.builder import channel_label
from app.report.words import plural, reasons_phrase

POLICY_WORDS = {
    "full": "full names as given",
    "initials": "initials only",
    "anonymous": "no names at all",
}
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|])")
CSV_COLUMNS = (
    "id",
    "created_at",
    "time",
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
        "Asked",
        "Forwarded to the stage",
        "Answered",
        "Declined",
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
            r["forwarded"],
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
            sum(r["forwarded"] for r in q["by_channel"]),
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
    cols = [
        "#",
        "Segment",
        "Kind",
        "Speaker",
        "Stakeholder group",
        "Planned (min)",
        "Actual (min)",
        "Questions",
    ]
    rows = [
        [
            a["index"] + 1,
            a["title"],
            a["kind"],
            a["speaker"] or "",
            a.get("stakeholder") or "",
            minutes(a["planned_minutes"]),
            minutes(a["actual_minutes"]),
            a["questions"],
        ]
        for a in report["agenda"]
    ]
    return cols, rows


def simulated_line(report: dict[str, Any]) -> str | None:
    """Said once under the channel table: demo questions are not counted, and labelled."""
    n = report["questions"].get("simulated_excluded", 0)
    if not n:
        return None
    return (
        f"{plural(n, 'simulated item')} excluded from the statistics (made up by the demo "
        "simulator; listed with the label (simulated))."
    )


def balance_lines(report: dict[str, Any]) -> list[str]:
    b = report["balance"]
    out = []
    for side, word in (("remote", "Remote"), ("onsite", "Onsite")):
        x = b[side]
        out.append(
            f"{word}: {plural(x['received'], 'question')} ({x['share_received']}% of all), "
            f"{x['answered']} answered ({x['share_answered']}% of answered)."
        )
    when = b.get("last_remote_taken") or b["last_remote_taken_at"]
    out.append(
        f"Last remote question taken: {when or 'none'} "
        f"({wait_words(b['seconds_since_last_remote_taken'])})."
    )
    return out


def privacy_line(report: dict[str, Any]) -> str:
    words = POLICY_WORDS.get(report["session"]["author_display"], "as set")
    return (
        f"Name policy applied: {report['session']['author_display']} (authors are shown with "
        f"{words}). E-mail addresses are never stored or reported; external account ids are "
        "kept only as keyed hashes."
    )


def value_lines(field: dict[str, Any]) -> list[str]:
    """A field's value as lines of plain text, the same in every format."""
    v = field["value"]
    if not field["filled"]:
        return []
    if field["key"] == "presentations":
        return [
            f"{p['segment']}" + (f" ({p['speaker']})" if p["speaker"] else "") + f": {p['summary']}"
            for p in v
        ]
    if field["key"] == "questions":
        return [
            f"{r['channel']} ({'remote' if r['remote'] else 'onsite'}): {r['asked']} asked, "
            f"{r['forwarded']} forwarded to the stage, {r['answered']} answered, "
            f"{r['merged']} merged, {r['declined']} declined"
            + (
                f" ({reasons_phrase(r['declined_by_reason'])})"
                if r.get("declined_by_reason")
                else ""
            )
            for r in v
        ]
    if isinstance(v, list):
        return [str(x) for x in v]
    return [p for p in str(v).split("\n") if p.strip()]


def field_status(field: dict[str, Any]) -> str:
    source = "from the session's record" if field["source"] == "record" else "by the rapporteur"
    return f"filled {source}" if field["filled"] else "missing"


def igf_counts(report: dict[str, Any]) -> str:
    fields = report["igf"]
    filled = sum(f["filled"] for f in fields)
    return f"{filled} of {len(fields)} fields filled; {len(fields) - filled} missing."


def to_form_text(report: dict[str, Any]) -> str:
    """The 'copy for the IGF form' view: every field in the form's order, plain text."""
    out = [f"IGF session report: {report['session']['title']}", igf_counts(report), ""]
    group = None
    for f in report["igf"]:
        if f["group"] != group and f["group"] != "report":
            out += [f"== {f['group'].capitalize()} ==", ""]
        group = f["group"]
        out.append(f"{f['label']}:")
        out += [f"  {line}" for line in value_lines(f)] or ["  [missing]"]
        out.append("")
    return "\n".join(out)


def to_markdown(report: dict[str, Any]) -> str:
    s = report["session"]
    out = [f"# Session report: {md(s['title'])}", ""]
    out.append(
        f"{md(s['format'])}. {md(s['date'])}, {md(s['time'])}. Generated "
        f"{md(report['generated'])}; last activity {md(s['last_activity'])}."
    )
    out += ["", "## IGF report form", "", md(igf_counts(report)), ""]
    for f in report["igf"]:
        lines_ = value_lines(f)
        out.append(f"**{md(f['label'], False)}** ({field_status(f)})")
        out += [f"- {md(x)}" for x in lines_] if len(lines_) > 1 else [md(x) for x in lines_]
        out.append("")
    out += _draft_md(report)
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
    total = plural(m["actions"], "moderation action")
    out += ["", "## Moderation audit trail", "", f"{total}.", ""]
    out += _table(["Action", "Count"], [[r["label"], r["count"]] for r in m["by_action_words"]])
    out += ["", "By role: " + (role_words(m) or "none") + ".", ""]
    out += [f"- {md(t['time'], False)} {md(t['text'], False)} ({t['who']})" for t in m["trail"]]
    out += ["", "## Data protection", "", privacy_line(report), ""]
    return "\n".join(out)


def role_words(m: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in m["by_role_words"].items())


def draft_lines(report: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The draft as (heading, lines): shared by Markdown and HTML."""
    d = report["draft"]
    out = []
    for seg in d["segments"]:
        lines_ = [p for p in seg["notes"].split("\n") if p.strip()]
        lines_ += [f"Highlighted question: “{t}”" for t in seg["highlighted_questions"]]
        out.append((seg["segment"], lines_))
    issues = [
        f"“{i['text']}” ({plural(i['votes'], 'vote')}, {plural(i['merged'], 'merged question')})"
        for i in d["candidate_key_issues"]
    ]
    out.append(("Candidate key issues (the most asked questions)", issues))
    return out


def _draft_md(report: dict[str, Any]) -> list[str]:
    out = ["## Draft from the record (for the rapporteur to edit)", ""]
    for heading, lines_ in draft_lines(report):
        out += [f"### {md(heading)}", ""]
        out += [f"- {md(x)}" for x in lines_] or ["Nothing in the record."]
        out.append("")
    return out


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
    writer.writerow([*CSV_COLUMNS[:4], "channel_label", *CSV_COLUMNS[4:]])
    for q in report["all_questions"]:
        row = [q.get(c) for c in CSV_COLUMNS]
        row.insert(4, q.get("channel_label") or channel_label(q["channel"]))
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()
