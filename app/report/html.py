"""The printable HTML report: one file, styles inline, charts as inline SVG, no external asset.

It is a document to download, print or archive, so it carries its own <style>; the API
sends it as an attachment (the app's CSP would otherwise refuse the inline style).
"""

from __future__ import annotations

from html import escape
from typing import Any

from app.report.charts import bar_chart
from app.report.render import (
    agenda_table,
    balance_lines,
    channel_table,
    draft_lines,
    field_status,
    igf_counts,
    privacy_line,
    role_words,
    simulated_line,
    value_lines,
)
from app.report.words import plural

STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#15181d;
max-width:980px;margin:2rem auto;padding:0 1.5rem}
h1{font-size:1.8rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;
border-bottom:2px solid #d8dce3;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1rem 0 .3rem}
.meta,.empty,figcaption{color:#5b6472}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d8dce3;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f2f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600}figure{margin:.8rem 0}ul{padding-left:1.3rem}
.q-meta{color:#5b6472;font-size:.9em}.note{white-space:pre-wrap}
dl.igf dt{font-weight:600;margin-top:.6rem}dl.igf dd{margin:0 0 0 1rem}
.status{font-weight:400;font-size:.85em;padding:0 .35rem;border-radius:3px;margin-left:.4rem}
.status.filled{background:#e3f3e8;color:#0f5c2b}.status.missing{background:#fdecea;color:#8c1d18}
.draft{border-left:4px solid #d8dce3;padding-left:1rem}ol.trail{font-size:.9em}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _table(columns: list[Any], rows: list[list[Any]], total_last: bool = False) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for i, row in enumerate(rows):
        cls = ' class="total"' if total_last and i == len(rows) - 1 else ""
        cells = "".join(
            f'<td class="n">{_e(c)}</td>' if isinstance(c, int | float) else f"<td>{_e(c)}</td>"
            for c in row
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _list(items: list[str], empty: str) -> str:
    if not items:
        return f'<p class="empty">{_e(empty)}</p>'
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _question(q: dict[str, Any]) -> str:
    who = f" · {_e(q['author'])}" if q["author"] else ""
    return (
        f'<li>“{_e(q["text"])}” <span class="q-meta">({_e(q["channel_label"])}{who}; '
        f"{_e(q['state'].replace('_', ' '))})</span></li>"
    )


def _notes(report: dict[str, Any]) -> str:
    parts = []
    for a in report["agenda"]:
        if a["notes"].strip():
            parts.append(
                f'<h3>{a["index"] + 1}. {_e(a["title"])}</h3><p class="note">{_e(a["notes"])}</p>'
            )
    for r in report.get("removed_segment_notes", []):
        parts.append(
            f"<h3>Removed from the agenda: {_e(r['title'])}</h3>"
            f'<p class="note">{_e(r["notes"])}</p>'
        )
    if report["notes"].strip():
        parts.append(f'<h3>General</h3><p class="note">{_e(report["notes"])}</p>')
    return "".join(parts) or '<p class="empty">No notes were taken.</p>'


def _section(section: dict[str, Any], heading: bool = True) -> str:
    out = [f"<h2>{_e(section.get('title'))}</h2>"] if heading else []
    out += [f"<p>{_e(p)}</p>" for p in section.get("paragraphs", [])]
    for table in section.get("tables", []):
        if table.get("caption"):
            out.append(f"<h3>{_e(table['caption'])}</h3>")
        out.append(_table(table.get("columns", []), table.get("rows", [])))
    for chart in section.get("charts", []):
        bars = [(str(b.get("label", "")), float(b.get("value", 0))) for b in chart.get("bars", [])]
        out.append(bar_chart(str(chart.get("caption", "")), bars))
    return "".join(out)


def _igf(report: dict[str, Any]) -> str:
    parts = [f'<p class="meta">{_e(igf_counts(report))}</p><dl class="igf">']
    group = None
    for f in report["igf"]:
        if f["group"] != group and f["group"] != "report":
            parts.append(f"</dl><h3>{_e(f['group'].capitalize())}</h3><dl class=\"igf\">")
        group = f["group"]
        state = "filled" if f["filled"] else "missing"
        parts.append(
            f'<dt data-field="{_e(f["key"])}">{_e(f["label"])}'
            f'<span class="status {state}">{_e(field_status(f))}</span></dt>'
        )
        lines = value_lines(f)
        if len(lines) > 1:
            parts.append("<dd><ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul></dd>")
        elif lines:
            parts.append(f"<dd>{_e(lines[0])}</dd>")
        else:
            parts.append('<dd class="empty">Missing.</dd>')
    parts.append("</dl>")
    return "".join(parts)


def _draft(report: dict[str, Any]) -> str:
    parts = ['<div class="draft">']
    for heading, lines in draft_lines(report):
        parts.append(f"<h3>{_e(heading)}</h3>")
        parts.append(_list(lines, "Nothing in the record."))
    parts.append("</div>")
    return "".join(parts)


def _trail(m: dict[str, Any]) -> str:
    if not m["trail"]:
        return ""
    items = "".join(
        f"<li>{_e(t['time'])} {_e(t['text'])} <span class=\"q-meta\">({_e(t['who'])})</span></li>"
        for t in m["trail"]
    )
    return f'<h3>In order</h3><ol class="trail">{items}</ol>'


def to_html(report: dict[str, Any]) -> str:
    s = report["session"]
    q = report["questions"]
    rows = q["by_channel"]
    b = report["balance"]
    m = report["moderation"]
    extra = report["sections"]
    body = [
        f"<h1>Session report: {_e(s['title'])}</h1>",
        f'<p class="meta">{_e(s["format"])}. {_e(s["date"])}, {_e(s["time"])}. Generated '
        f"{_e(report['generated'])}; last activity {_e(s['last_activity'])}.</p>",
        "<h2>IGF report form</h2>",
        _igf(report),
        "<h2>Draft from the record (for the rapporteur to edit)</h2>",
        _draft(report),
        "<h2>Agenda: planned and actual</h2>",
        _table(*agenda_table(report)) if report["agenda"] else '<p class="empty">No agenda.</p>',
        _section(extra["agenda"], heading=False) if "agenda" in extra else "",
        "<h2>Notes</h2>",
        _notes(report),
        "<h2>Key takeaways</h2>",
        _list(report["key_takeaways"], "None recorded."),
        "<h2>Calls to action</h2>",
        _list(report["calls_to_action"], "None recorded."),
        "<h2>Highlighted questions</h2>",
        "<ul>" + "".join(_question(x) for x in report["highlights"]) + "</ul>"
        if report["highlights"]
        else '<p class="empty">None starred.</p>',
        "<h2>Questions per channel</h2>",
        _table(*channel_table(report), total_last=True),
        f"<p>Upvotes in total: {q['votes']}.</p>",
        f"<p>{_e(line)}</p>" if (line := simulated_line(report)) else "",
        bar_chart("Questions asked per channel", [(c["label"], c["received"]) for c in rows]),
        bar_chart("Questions answered per channel", [(c["label"], c["answered"]) for c in rows]),
        "<h2>Remote and onsite balance</h2>",
        _list(balance_lines(report), ""),
        bar_chart(
            "Share of questions and of answered questions (%)",
            [
                ("Remote, received", b["remote"]["share_received"]),
                ("Onsite, received", b["onsite"]["share_received"]),
                ("Remote, answered", b["remote"]["share_answered"]),
                ("Onsite, answered", b["onsite"]["share_answered"]),
            ],
            unit="%",
        ),
        *(_section(x) for name, x in extra.items() if name != "agenda"),
        "<h2>Moderation audit trail</h2>",
        f"<p>{_e(plural(m['actions'], 'moderation action'))}.</p>",
        _table(["Action", "Count"], [[r["label"], r["count"]] for r in m["by_action_words"]]),
        f"<p>By role: {_e(role_words(m) or 'none')}.</p>",
        _trail(m),
        "<h2>Data protection</h2>",
        f"<p>{_e(privacy_line(report))}</p>",
    ]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Session report: {_e(s['title'])}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
