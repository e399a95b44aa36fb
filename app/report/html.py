"""The printable HTML report: one file, styles inline, charts as inline SVG, no external asset.

It is a document to download, print or archive, so it carries its own <style>; the API
sends it as an attachment (the app's CSP would otherwise refuse the inline style).
"""

from __future__ import annotations

from html import escape
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from app.i18n import Translator
from app.report.charts import bar_chart
from app.report.render import (
    agenda_table,
    balance_lines,
    channel_table,
    draft_lines,
    field_status,
    privacy_line,
    role_words,
    simulated_line,
    value_lines,
)
from app.report.words import local, zone

META = "{format}. {date}, {time}. Generated {generated}; last activity {last}."
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
[dir=rtl] th,[dir=rtl] td{text-align:right}[dir=rtl] td.n{text-align:left}
[dir=rtl] ul{padding-left:0;padding-right:1.3rem}[dir=rtl] dl.igf dd{margin:0 1rem 0 0}
[dir=rtl] .status{margin-left:0;margin-right:.4rem}
[dir=rtl] .draft{border-left:0;padding-left:0;border-right:4px solid #d8dce3;padding-right:1rem}
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


def _notes(report: dict[str, Any], _: Translator) -> str:
    parts = []
    for a in report["agenda"]:
        if a["notes"].strip():
            parts.append(
                f'<h3>{a["index"] + 1}. {_e(a["title"])}</h3><p class="note">{_e(a["notes"])}</p>'
            )
    for r in report.get("removed_segment_notes", []):
        parts.append(
            f"<h3>{_e(_('Removed from the agenda: {title}', title=r['title']))}</h3>"
            f'<p class="note">{_e(r["notes"])}</p>'
        )
    if report["notes"].strip():
        parts.append(f'<h3>{_e(_("General"))}</h3><p class="note">{_e(report["notes"])}</p>')
    return "".join(parts) or f'<p class="empty">{_e(_("No notes were taken."))}</p>'


def _section(section: dict[str, Any], _: Translator, heading: bool = True) -> str:
    """A domain's own section; its fixed words (title, captions, columns) through `_`."""
    out = [f"<h2>{_e(_(str(section.get('title'))))}</h2>"] if heading else []
    out += [f"<p>{_e(p)}</p>" for p in section.get("paragraphs", [])]
    for table in section.get("tables", []):
        if table.get("caption"):
            out.append(f"<h3>{_e(_(str(table['caption'])))}</h3>")
        out.append(_table(_header(table.get("columns", []), _), table.get("rows", [])))
    for chart in section.get("charts", []):
        bars = [(str(b.get("label", "")), float(b.get("value", 0))) for b in chart.get("bars", [])]
        out.append(bar_chart(str(chart.get("caption", "")), bars))
    return "".join(out)


def _igf(report: dict[str, Any], _: Translator) -> str:
    fields = report["igf"]
    filled = sum(f["filled"] for f in fields)
    counts = _(
        "{filled} of {total} fields filled; {missing} missing.",
        filled=filled, total=len(fields), missing=len(fields) - filled,
    )
    parts = [f'<p class="meta">{_e(counts)}</p><dl class="igf">']
    group = None
    for f in report["igf"]:
        if f["group"] != group and f["group"] != "report":
            parts.append(f"</dl><h3>{_e(_(f['group'].capitalize()))}</h3><dl class=\"igf\">")
        group = f["group"]
        state = "filled" if f["filled"] else "missing"
        parts.append(
            f'<dt data-field="{_e(f["key"])}">{_e(_(f["label"]))}'
            f'<span class="status {state}">{_e(_(field_status(f)))}</span></dt>'
        )
        lines = value_lines(f)
        if len(lines) > 1:
            parts.append("<dd><ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul></dd>")
        elif lines:
            parts.append(f"<dd>{_e(lines[0])}</dd>")
        else:
            parts.append(f'<dd class="empty">{_e(_("Missing."))}</dd>')
    parts.append("</dl>")
    return "".join(parts)


def _draft(report: dict[str, Any], _: Translator) -> str:
    parts = ['<div class="draft">']
    own = {"Candidate key issues (the most asked questions)", "Outside the agenda"}
    for heading, lines in draft_lines(report):
        parts.append(f"<h3>{_e(_(heading) if heading in own else heading)}</h3>")
        parts.append(_list(lines, _("Nothing in the record.")))
    parts.append("</div>")
    return "".join(parts)


def _trail(m: dict[str, Any], _: Translator) -> str:
    if not m["trail"]:
        return ""
    items = "".join(
        f"<li>{_e(t['time'])} {_e(t['text'])} <span class=\"q-meta\">({_e(t['who'])})</span></li>"
        for t in m["trail"]
    )
    return f'<h3>{_e(_("In order"))}</h3><ol class="trail">{items}</ol>'


def _header(cols: list[str], _: Translator) -> list[str]:
    return [_(c) for c in cols]


def _rows(rows: list[list[Any]], _: Translator) -> list[list[Any]]:
    """The channel table's own words (Total, yes, no); people's text stays as it is."""
    own = {"Total", "yes", "no"}
    return [[_(c) if isinstance(c, str) and c in own else c for c in row] for row in rows]


def _moment(value: str | None, tz_name: str | None, _: Translator, what: str) -> str:
    """A date (`what="date"`) or date and time in the language's own way (Babel, CLDR)."""
    moment = local(value, zone(tz_name)) if value else None
    if moment is None:
        return ""
    if what == "date":
        return format_date(moment, "full", locale=_.locale)
    return f"{format_datetime(moment, 'medium', locale=_.locale)} ({moment.tzinfo})"


def to_html(report: dict[str, Any], lang: str = "en") -> str:
    """The report's words in `lang` (app/i18n, domain report); the record's text as it is."""
    _ = Translator(lang)
    if _.lang == "en":
        return _to_html(report, _)
    s = dict(report["session"])
    tz = s.get("time_zone")
    s["format"] = _(s["format"])
    s["date"] = _moment(s.get("started_at"), tz, _, "date") or s["date"]
    s["last_activity"] = _moment(s.get("last_activity_at"), tz, _, "moment") or s["last_activity"]
    generated = _moment(report.get("generated_at"), tz, _, "moment") or report["generated"]
    # The form's date field shows the same localised date as the heading.
    igf = [{**f, "value": s["date"]} if f["key"] == "date" and f["filled"] else f
           for f in report["igf"]]
    return _to_html({**report, "session": s, "generated": generated, "igf": igf}, _)


def _to_html(report: dict[str, Any], _: Translator) -> str:
    s = report["session"]
    q = report["questions"]
    rows = q["by_channel"]
    b = report["balance"]
    m = report["moderation"]
    extra = report["sections"]
    meta = {
        "format": s["format"], "date": s["date"], "time": s["time"],
        "generated": report["generated"], "last": s["last_activity"],
    }
    body = [
        f"<h1>{_e(_('Session report: {title}', title=s['title']))}</h1>",
        f'<p class="meta">{_e(_(META, **meta))}</p>',
        f"<h2>{_e(_('IGF report form'))}</h2>",
        _igf(report, _),
        f"<h2>{_e(_('Draft from the record (for the rapporteur to edit)'))}</h2>",
        _draft(report, _),
        f"<h2>{_e(_('Agenda: planned and actual'))}</h2>",
        _table(_header(agenda_table(report)[0], _), agenda_table(report)[1])
        if report["agenda"]
        else f'<p class="empty">{_e(_("No agenda."))}</p>',
        _section(extra["agenda"], _, heading=False) if "agenda" in extra else "",
        f"<h2>{_e(_('Notes'))}</h2>",
        _notes(report, _),
        f"<h2>{_e(_('Key takeaways'))}</h2>",
        _list(report["key_takeaways"], _("None recorded.")),
        f"<h2>{_e(_('Calls to action'))}</h2>",
        _list(report["calls_to_action"], _("None recorded.")),
        f"<h2>{_e(_('Highlighted questions'))}</h2>",
        "<ul>" + "".join(_question(x) for x in report["highlights"]) + "</ul>"
        if report["highlights"]
        else f'<p class="empty">{_e(_("None starred."))}</p>',
        f"<h2>{_e(_('Questions per channel'))}</h2>",
        _table(_header(channel_table(report)[0], _), _rows(channel_table(report)[1], _),
               total_last=True),
        f"<p>{_e(_('Upvotes in total: {n}.', n=format_decimal(q['votes'], locale=_.locale)))}</p>",
        f"<p>{_e(line)}</p>" if (line := simulated_line(report)) else "",
        bar_chart(_("Questions asked per channel"), [(c["label"], c["received"]) for c in rows]),
        bar_chart(_("Questions answered per channel"), [(c["label"], c["answered"]) for c in rows]),
        f"<h2>{_e(_('Remote and onsite balance'))}</h2>",
        _list(balance_lines(report), ""),
        bar_chart(
            _("Share of questions and of answered questions (%)"),
            [
                (_("Remote, received"), b["remote"]["share_received"]),
                (_("Onsite, received"), b["onsite"]["share_received"]),
                (_("Remote, answered"), b["remote"]["share_answered"]),
                (_("Onsite, answered"), b["onsite"]["share_answered"]),
            ],
            unit="%",
        ),
        *(_section(x, _) for name, x in extra.items() if name != "agenda"),
        f"<h2>{_e(_('Moderation audit trail'))}</h2>",
        f"<p>{_e(_.n('{n} moderation action', '{n} moderation actions', m['actions']))}.</p>",
        _table([_("Action"), _("Count")], [[r["label"], r["count"]] for r in m["by_action_words"]]),
        f"<p>{_e(_('By role: {roles}.', roles=role_words(m) or _('none')))}</p>",
        _trail(m, _),
        f"<h2>{_e(_('Data protection'))}</h2>",
        f"<p>{_e(privacy_line(report))}</p>",
    ]
    return (
        f'<!doctype html>\n<html lang="{_.lang}" dir="{_.dir}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(_('Session report: {title}', title=s['title']))}</title>"
        f"<style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
