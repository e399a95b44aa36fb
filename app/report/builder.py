"""The session report as data (the JSON format); Markdown, HTML and CSV are renderings of it.

Numbers come straight from the tables (questions, audit trail), never from the event log,
so purging or erasing personal data leaves every total as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import aware, iso, utc_now
from app.models import AuditEntry, LiveSession, QState, Question, require_id
from app.privacy.emails import strip_emails
from app.privacy.pseudonyms import display_name
from app.questions.service import DECLINE_REASONS
from app.report.igf import draft_of, igf_fields
from app.report.notes import highlights_of, lines, notes_of, segment_section
from app.report.sections import NO_SECTIONS, SectionFn, plugin_sections
from app.report.segment_of import segment_ids
from app.report.words import (
    action_label,
    action_sentence,
    audit_kind,
    human_date,
    human_moment,
    human_time,
    role_label,
    time_span,
    zone,
)
from app.views import segments_of
from ports.personal import mask_personal_data

#: Channels whose people are in the room: a question taken from the floor. The audience
#: page is remote like Zoom and social media: the QR code is shown in the room, but the
#: link reaches anyone, and nothing tells us where the person is unless they say so
#: (a channel `room`/`floor` records that).
ONSITE_CHANNELS = frozenset({"room", "floor"})
OPEN_STATES = (QState.inbox, QState.queued, QState.on_stage)
CHANNEL_LABELS = {
    "audience": "Audience page",
    "zoom_chat": "Zoom chat",
    "zoom_qa": "Zoom Q&A",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "youtube": "YouTube",
    "x": "X",
}


def channel_label(channel: str, simulated: bool = False) -> str:
    """'Zoom chat', or 'Zoom chat (simulated)' for what the demo simulator made up."""
    if channel.startswith("simulated:"):
        return f"{channel_label(channel[10:])} (simulated)"
    label = CHANNEL_LABELS.get(channel, channel)
    return f"{label} (simulated)" if simulated else label


def is_simulated(q: Question) -> bool:
    return bool(q.simulated) or q.channel.startswith("simulated:")


def is_remote(channel: str) -> bool:
    return channel.removeprefix("simulated:") not in ONSITE_CHANNELS


def asked_remotely(q: Question) -> bool:
    """Remote unless the channel is the room's or the person said "I'm in the room"."""
    return is_remote(q.channel) and not q.in_room


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def scrub_emails(value: Any) -> Any:
    """The report never carries an e-mail address, whoever typed it where."""
    if isinstance(value, str):
        return strip_emails(value) if "@" in value else value
    if isinstance(value, list):
        return [scrub_emails(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub_emails(v) for k, v in value.items()}
    return value


def decline_reasons(db: Session, session_id: int, questions: list[Question]) -> dict[int, str]:
    """Question id -> why it was declined (its last dismissal's reason), for the declined."""
    declined = {require_id(q) for q in questions if q.state == QState.dismissed}
    if not declined:
        return {}
    rows = db.exec(
        select(AuditEntry.question_id, AuditEntry.detail)
        .where(
            AuditEntry.session_id == session_id,
            AuditEntry.action == "dismiss",
            col(AuditEntry.question_id).in_(declined),
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    out = {qid: "none" for qid in declined}
    for qid, detail in rows:
        if qid is None:  # the filter above asked for these ids only
            continue
        reason = detail.get("reason") if isinstance(detail, dict) else None
        out[qid] = reason if reason in DECLINE_REASONS else "none"
    return out


def _channel_rows(
    questions: list[Question], pushed: set[int | None], reasons: dict[int, str]
) -> list[dict[str, Any]]:
    """One row per channel kind and side: the audience page's in-room askers get their own
    row, counted onsite."""
    total = len(questions)
    answered_total = sum(q.state == QState.answered for q in questions)
    rows = []
    kinds = sorted(
        {(q.channel, asked_remotely(q)) for q in questions}, key=lambda k: (k[0], not k[1])
    )
    for channel, remote in kinds:
        mine = [q for q in questions if q.channel == channel and asked_remotely(q) == remote]
        states = Counter(q.state for q in mine)
        answered = states[QState.answered]
        why = Counter(reasons[q.id] for q in mine if q.id in reasons)
        label = channel_label(channel)
        if is_remote(channel) and not remote:
            label = f"{label} (in the room)"
        rows.append(
            {
                "channel": channel,
                "label": label,
                "remote": remote,
                "received": len(mine),
                "forwarded": sum(q.id in pushed for q in mine),
                "answered": answered,
                "dismissed": states[QState.dismissed],
                "declined_by_reason": {r: why[r] for r in (*DECLINE_REASONS, "none") if why[r]},
                "merged": states[QState.merged],
                "open": sum(states[s] for s in OPEN_STATES),
                "share_received": _share(len(mine), total),
                "share_answered": _share(answered, answered_total),
            }
        )
    return rows


def _balance(db: Session, session_id: int, questions: list[Question], end: datetime) -> dict:
    total = len(questions)
    answered_total = sum(q.state == QState.answered for q in questions)
    out: dict[str, Any] = {}
    for side, remote in (("remote", True), ("onsite", False)):
        mine = [q for q in questions if asked_remotely(q) == remote]
        answered = sum(q.state == QState.answered for q in mine)
        out[side] = {
            "received": len(mine),
            "answered": answered,
            "share_received": _share(len(mine), total),
            "share_answered": _share(answered, answered_total),
        }
    remote_ids = [q.id for q in questions if asked_remotely(q)]
    last = None
    if remote_ids:
        last = db.exec(
            select(func.max(AuditEntry.at)).where(
                AuditEntry.session_id == session_id,
                AuditEntry.action == "push",
                col(AuditEntry.question_id).in_(remote_ids),
            )
        ).one()
    last = aware(last)
    out["last_remote_taken_at"] = iso(last)
    out["seconds_since_last_remote_taken"] = (
        round((end - last).total_seconds()) if last is not None else None
    )
    return out


def _author(policy: str, name: str | None) -> str | None:
    """Names were shaped at ingest; apply the policy again in case it was tightened since."""
    return display_name(policy, name)


def question_row(
    q: Question, policy: str, highlighted: set[int], segment_id: int | None = None, tz=None
) -> dict[str, Any]:
    return {
        "id": q.id,
        "created_at": iso(q.created_at),
        "time": human_time(q.created_at, tz or zone(None)),
        "channel": q.channel,
        "channel_label": channel_label(q.channel, q.simulated),
        "simulated": is_simulated(q),
        "state": q.state,
        "author": _author(policy, q.author_name),
        "votes": q.votes,
        "segment": q.segment,
        "segment_id": segment_id,
        "merged_into": q.merged_into_id,
        "highlighted": q.id in highlighted,
        # A report is published: a phone number typed for the moderator is masked, as on
        # the stage and the screen (e-mail addresses were cut at ingest).
        "text": mask_personal_data(q.text),
    }


def _removed_segment_notes(
    db: Session, session_id: int, notes: dict[str, dict[str, Any]], kept: set[str]
) -> list[dict[str, Any]]:
    """Notes written for a segment that was removed from the agenda later: still reported,
    under the title it had (from the audit trail), never silently dropped."""
    titles: dict[str, str] = {}
    for detail in db.exec(
        select(AuditEntry.detail).where(
            AuditEntry.session_id == session_id, AuditEntry.action == "agenda.remove"
        )
    ).all():
        if isinstance(detail, dict) and detail.get("segment_id") is not None:
            titles[segment_section(detail["segment_id"])] = str(detail.get("title") or "")
    return [
        {"title": titles.get(section) or "Removed segment", "notes": note["text"]}
        for section, note in sorted(notes.items())
        if section.startswith(("seg:", "segment:")) and section not in kept and note["text"].strip()
    ]


def _draft_polls(db: Session, session_id: int) -> set[int]:
    """Polls that never opened: their creation is not part of the session's record."""
    try:
        from app.polls.models import Poll
    except ImportError:  # the polls domain is optional
        return set()
    ids = db.exec(select(Poll.id).where(Poll.session_id == session_id, Poll.state == "draft"))
    return cast("set[int]", set(ids.all()))  # primary keys read back are never NULL


def _moderation(db: Session, session_id: int, simulated: set[int], tz) -> dict[str, Any]:
    """The audit trail in words; moves are not edits, a merge counts once, and what was done
    to simulated questions is left out like the questions themselves."""
    rows = db.exec(
        select(AuditEntry)
        .where(AuditEntry.session_id == session_id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    kinds: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    trail = []
    drafts = _draft_polls(db, session_id)
    for row in rows:
        kind = audit_kind(row.action, row.detail)
        if kind is None or row.question_id in simulated:
            continue
        if isinstance(row.detail, dict) and row.detail.get("poll_id") in drafts:
            continue
        kinds[kind] += 1
        roles[row.role] += 1
        trail.append(
            {
                "at": iso(row.at),
                "time": human_time(row.at, tz),
                "action": kind,
                "role": row.role,
                "who": role_label(row.role),
                "text": action_sentence(kind, row.question_id, row.detail),
            }
        )
    return {
        "actions": sum(kinds.values()),
        "by_action": dict(sorted(kinds.items())),
        "by_action_words": [
            {"action": k, "label": action_label(k), "count": v}
            for k, v in sorted(kinds.items(), key=lambda kv: (-kv[1], action_label(kv[0])))
        ],
        "by_role": dict(sorted(roles.items())),
        "by_role_words": {role_label(k): v for k, v in sorted(roles.items())},
        "trail": trail,
    }


def build_report(
    db: Session, session_id: int, sections: Mapping[str, SectionFn] = NO_SECTIONS
) -> dict[str, Any]:
    """The session report; `sections` are the domains' (`Registry.sections`, in order)."""
    session = db.get(LiveSession, session_id)
    assert session is not None  # callers found it by slug first
    every = list(
        db.exec(
            select(Question).where(Question.session_id == session_id).order_by(col(Question.id))
        )
    )
    # Statistics count people, not the demo simulator: its items are listed (labelled)
    # but left out of every number, and the report says how many.
    questions = [q for q in every if not is_simulated(q)]
    simulated_ids = {require_id(q) for q in every if is_simulated(q)}
    segments = segments_of(db, session_id)
    arrived_in = segment_ids(db, session_id, every, segments)
    notes = notes_of(db, session_id)
    starred = highlights_of(db, session_id)
    starred_set = set(starred)
    by_id = {require_id(q): q for q in every}

    def note(section: str) -> str:
        return notes.get(section, {}).get("text", "")

    tz = zone(note("time_zone"))
    # The session's last activity: its last question or moderation action (not note edits
    # or privacy redactions afterwards, which must not move the report's numbers).
    last_action = aware(
        db.exec(select(func.max(AuditEntry.at)).where(AuditEntry.session_id == session_id)).one()
    )
    first_action = aware(
        db.exec(select(func.min(AuditEntry.at)).where(AuditEntry.session_id == session_id)).one()
    )
    moments = [m for m in (last_action, *(aware(q.created_at) for q in every)) if m]
    end = max(moments) if moments else aware(session.created_at)
    starts = [m for m in (first_action, *(aware(q.created_at) for q in every)) if m]
    start = min(starts) if starts else aware(session.created_at)
    policy = session.author_display
    pushed = set(
        db.exec(
            select(AuditEntry.question_id).where(
                AuditEntry.session_id == session_id, AuditEntry.action == "push"
            )
        ).all()
    )
    sources = Counter(q.merged_into_id for q in questions if q.state == QState.merged)

    report: dict[str, Any] = {
        "session": {
            "title": session.title,
            "slug": session.slug,
            "format": "Hybrid session: onsite room and remote participants",
            "author_display": policy,
            "time_zone": tz.key,
            "created_at": iso(session.created_at),
            "started_at": iso(start),
            "last_activity_at": iso(end),
            "date": human_date(start, tz),
            "time": time_span(start, end, tz),
            "last_activity": human_moment(end, tz),
        },
        "generated_at": iso(utc_now()),
        "generated": human_moment(utc_now(), tz),
        "agenda": [
            {
                "id": s.id,
                "index": s.position,
                "title": s.title,
                "kind": s.kind,
                "speaker": s.speaker,
                "stakeholder": s.stakeholder,
                "planned_minutes": s.minutes,
                "actual_minutes": None,
                "notes": note(segment_section(require_id(s))),
                "questions": sum(arrived_in[require_id(q)] == s.id for q in questions),
            }
            for s in segments
        ],
        "removed_segment_notes": _removed_segment_notes(
            db, session_id, notes, {segment_section(require_id(s)) for s in segments}
        ),
        "notes": note("general"),
        "key_takeaways": lines(note("takeaways")),
        "calls_to_action": lines(note("actions")),
        "highlights": [
            question_row(by_id[i], policy, starred_set, arrived_in[i], tz)
            for i in starred
            if i in by_id
        ],
        "questions": {
            "total": len(questions),
            "by_state": {s.value: sum(q.state == s for q in questions) for s in QState},
            "votes": sum(q.votes for q in questions),
            "simulated": len(simulated_ids),
            "simulated_excluded": len(simulated_ids),
            "by_channel": _channel_rows(
                questions, pushed, decline_reasons(db, session_id, questions)
            ),
        },
        "balance": _balance(db, session_id, questions, end),
        "moderation": _moderation(db, session_id, simulated_ids, tz),
        "sections": plugin_sections(db, session, sections),
        "all_questions": [
            question_row(q, policy, starred_set, arrived_in[require_id(q)], tz) for q in every
        ],
    }
    _merge_agenda_actuals(report)
    report["balance"]["last_remote_taken"] = human_moment(
        report["balance"]["last_remote_taken_at"], tz
    )
    report["igf"] = igf_fields(report, note)
    report["draft"] = draft_of(
        report,
        [r for r in report["all_questions"] if not r["simulated"]],
        # cast: a merged question always names the one it went into.
        dict(cast("Counter[int]", sources)),
    )
    return scrub_emails(report)


def _merge_agenda_actuals(report: dict[str, Any]) -> None:
    """If the agenda domain reports actual durations, show them next to the planned ones."""
    data = report["sections"].get("agenda", {}).get("data")
    actual = data.get("actual_minutes") if isinstance(data, dict) else None
    if not isinstance(actual, dict):
        return
    for row in report["agenda"]:
        value = actual.get(str(row["index"]), actual.get(row["index"]))
        if isinstance(value, int | float):
            row["actual_minutes"] = round(float(value), 1)
