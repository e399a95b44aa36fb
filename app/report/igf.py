"""The report in the IGF Secretariat's shape: every field of its workshop report form and
gender report card, in the form's order, each filled from the session's record or from what
the rapporteur typed, and marked filled or missing.

Fields only people know are report notes under `igf.*` keys (see PEOPLE_FIELDS); the draft
for the rapporteur is built from the record only (highlighted questions, notes, the most
asked questions) and never invents anything.
"""

from __future__ import annotations

from typing import Any

#: Fields the rapporteur fills in: note key -> (label, hint, list field?). Labels are the
#: IGF form's wording; the page (report.html) shows the same ones.
PEOPLE_FIELDS: dict[str, tuple[str, str, bool]] = {
    "igf.venue": ("Venue", "Room, city, or 'online'", False),
    "igf.organisers": ("Workshop organisers", "One per line", True),
    "igf.chair": ("Chairperson/Moderator", "Name, affiliation", False),
    "igf.online_moderator": ("Online moderator", "Name, affiliation", False),
    "igf.rapporteur": ("Rapporteur/Note taker", "Name, affiliation", False),
    "igf.speakers": (
        "List of speakers and their institutional affiliations",
        "One per line: name, affiliation, stakeholder group (replaces the agenda's list)",
        True,
    ),
    "igf.key_issues": ("Key issues raised", "One sentence per issue, one per line", True),
    "igf.discussion": ("Discussions", "Up to three paragraphs", False),
    "igf.policy_recommendations": ("Policy recommendations", "One per line", True),
    "igf.commitments": ("Voluntary commitments", "One per line", True),
    "igf.participants_onsite": ("Participants onsite", "A number", False),
    "igf.participants_online": ("Participants online", "A number", False),
    "igf.hubs": ("Remote hubs", "A number", False),
    "igf.women_participants": ("Women participants", "A number (estimate)", False),
    "igf.speakers_women": ("Women speakers", "A number", False),
    "igf.speakers_men": ("Men speakers", "A number", False),
    "igf.women_stakeholders": (
        "Stakeholder groups of the women speakers",
        "One per line",
        True,
    ),
    "igf.gender_analysis": (
        "To what extent the session included a gendered analysis",
        "A sentence or two",
        False,
    ),
}
NUMBER_FIELDS = frozenset(
    {
        "igf.participants_onsite",
        "igf.participants_online",
        "igf.hubs",
        "igf.women_participants",
        "igf.speakers_women",
        "igf.speakers_men",
    }
)
#: Other notes keys that are settings rather than text: the session's time zone.
SETTING_KEYS = ("time_zone",)


def _field(key: str, label: str, value: Any, source: str, group: str = "report") -> dict[str, Any]:
    filled = bool(value) if not isinstance(value, int | float) else True
    return {
        "key": key,
        "label": label,
        "group": group,
        "source": source,
        "filled": filled,
        "value": value if filled else None,
    }


def _people(note, key: str, group: str = "report") -> dict[str, Any]:
    from app.report.notes import lines

    label, _, is_list = PEOPLE_FIELDS[key]
    text = note(key).strip()
    if key in NUMBER_FIELDS:
        value: Any = int(text) if text.isdigit() else (text or None)
    else:
        value = lines(text) if is_list else text
    return _field(key.removeprefix("igf."), label, value, "rapporteur", group)


def speakers_of(report: dict[str, Any]) -> list[str]:
    """From the agenda: `Ana Lima (Civil society) — Data stewardship`, each speaker once."""
    out, seen = [], set()
    for a in report["agenda"]:
        name = (a.get("speaker") or "").strip()
        if not name or name in seen:
            continue
        seen.add(name)
        group = f" ({a['stakeholder']})" if a.get("stakeholder") else ""
        out.append(f"{name}{group}, {a['title']}")
    return out


def presentations_of(report: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"segment": a["title"], "speaker": a.get("speaker") or "", "summary": a["notes"].strip()}
        for a in report["agenda"]
        if a["notes"].strip()
    ]


def channel_stats(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "channel": r["label"],
            "remote": r["remote"],
            "asked": r["received"],
            "forwarded": r["forwarded"],
            "answered": r["answered"],
            "merged": r["merged"],
            "declined": r["dismissed"],
            "declined_by_reason": r.get("declined_by_reason", {}),
        }
        for r in report["questions"]["by_channel"]
    ]


def _interventions(report: dict[str, Any]) -> list[str]:
    """From the floor's report section (app/floor/report.py), when the session used it."""
    data = (report.get("sections", {}).get("floor") or {}).get("data")
    if not isinstance(data, dict):
        return []
    from app.floor.report import summary_lines

    return summary_lines(data)


def igf_fields(report: dict[str, Any], note) -> list[dict[str, Any]]:
    """Every field of the form, in the form's order."""
    s = report["session"]
    speakers_note = _people(note, "igf.speakers")
    speakers = (
        speakers_note
        if speakers_note["filled"]
        else _field("speakers", speakers_note["label"], speakers_of(report), "record")
    )
    stats = channel_stats(report)
    return [
        _field("title", "Session title", s["title"], "record"),
        _field("date", "Date", s["date"], "record"),
        _field("time", "Time", s["time"], "record"),
        _people(note, "igf.venue"),
        _people(note, "igf.organisers"),
        _people(note, "igf.chair"),
        _people(note, "igf.online_moderator"),
        _people(note, "igf.rapporteur"),
        speakers,
        _people(note, "igf.key_issues"),
        _field(
            "presentations",
            "Summary of each presentation",
            presentations_of(report),
            "rapporteur",
        ),
        _people(note, "igf.discussion"),
        _field(
            "way_forward",
            "Way forward / potential next steps",
            report["calls_to_action"],
            "rapporteur",
        ),
        _field("key_takeaways", "Key takeaways", report["key_takeaways"], "rapporteur"),
        _people(note, "igf.policy_recommendations"),
        _people(note, "igf.commitments"),
        _people(note, "igf.participants_onsite", "participation"),
        _people(note, "igf.participants_online", "participation"),
        _people(note, "igf.hubs", "participation"),
        _field(
            "questions",
            "Questions: asked, forwarded to the stage, answered, merged, declined by reason",
            stats,
            "record",
            "remote moderator",
        ),
        _field(
            "interventions",
            "Number of audio/video interventions",
            _interventions(report),
            "record",
            "remote moderator",
        ),
        _people(note, "igf.women_participants", "gender report card"),
        _people(note, "igf.speakers_women", "gender report card"),
        _people(note, "igf.speakers_men", "gender report card"),
        _people(note, "igf.women_stakeholders", "gender report card"),
        _people(note, "igf.gender_analysis", "gender report card"),
    ]


def draft_of(report: dict[str, Any], every: list[dict[str, Any]], sources: dict[int, int]):
    """The draft for the rapporteur to edit: from the record only.

    `every`: the question rows (real ones); `sources`: question id -> how many questions
    were merged into it. Candidate key issues are the most asked: merged and upvoted."""
    highlighted = [q for q in report["highlights"] if not q["simulated"]]
    per_segment = []
    for a in report["agenda"]:
        mine = [q["text"] for q in highlighted if q["segment_id"] == a["id"]]
        if mine or a["notes"].strip():
            per_segment.append(
                {"segment": a["title"], "notes": a["notes"].strip(), "highlighted_questions": mine}
            )
    outside = [q["text"] for q in highlighted if q["segment_id"] is None]
    if outside:
        per_segment.append(
            {"segment": "Outside the agenda", "notes": "", "highlighted_questions": outside}
        )
    ranked = sorted(
        (q for q in every if q["state"] not in ("merged", "dismissed")),
        key=lambda q: (-(q["votes"] + sources.get(q["id"], 0)), q["id"]),
    )
    issues = [
        {"text": q["text"], "votes": q["votes"], "merged": sources.get(q["id"], 0)}
        for q in ranked
        if q["votes"] + sources.get(q["id"], 0) > 0
    ][:5]
    return {"segments": per_segment, "candidate_key_issues": issues}
