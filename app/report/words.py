"""The report in words a reader outside the project understands: plurals, dates and times in
the session's time zone, the audit trail as sentences instead of internal action codes.

Every user-visible phrase of the report's formats lives here or in the field labels of
igf.py, so translating the report means translating these two tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.clock import aware, parse_iso

DEFAULT_TIME_ZONE = "UTC"

#: Irregular plurals; every other noun takes an "s".
_PLURALS = {"reply": "replies", "person": "people"}


def plural(n: int | float, noun: str) -> str:
    """`1 vote`, `2 votes`, `0 votes`."""
    word = noun if n == 1 else _PLURALS.get(noun, noun + "s")
    return f"{n:g} {word}" if isinstance(n, float) else f"{n} {word}"


def zone(name: str | None) -> ZoneInfo:
    """The session's zone; an unknown name falls back to UTC (checked when it is saved)."""
    try:
        return ZoneInfo((name or DEFAULT_TIME_ZONE).strip() or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local(moment: datetime | str | None, tz: ZoneInfo) -> datetime | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = parse_iso(moment)
        assert moment is not None  # the report passes its own stored ISO strings
    return aware(moment).astimezone(tz)


def human_date(moment: datetime | str | None, tz: ZoneInfo) -> str:
    """`Wednesday 2 December 2026`."""
    m = local(moment, tz)
    return f"{m:%A} {m.day} {m:%B %Y}" if m else ""


def human_time(moment: datetime | str | None, tz: ZoneInfo) -> str:
    """`00:05`."""
    m = local(moment, tz)
    return f"{m:%H:%M}" if m else ""


def human_moment(moment: datetime | str | None, tz: ZoneInfo) -> str:
    """`Wednesday 2 December 2026, 00:05 (Europe/Paris)`."""
    m = local(moment, tz)
    return f"{human_date(m, tz)}, {human_time(m, tz)} ({tz.key})" if m else ""


def time_span(start: datetime | None, end: datetime | None, tz: ZoneInfo) -> str:
    """`00:05–01:35 (UTC)`: from the first to the last activity."""
    if start is None:
        return ""
    a = human_time(start, tz)
    b = human_time(end, tz) if end else ""
    return f"{a}–{b} ({tz.key})" if b and b != a else f"{a} ({tz.key})"


#: Audit action -> (counted as, sentence); `{q}` is the question, `{into}` / `{source}` the
#: other one of a merge, `{poll}` the poll. Actions not listed are shown as their code.
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "approve": ("Approved", "Approved #{q}"),
    "unapprove": ("Sent back to the inbox", "Sent #{q} back to the inbox"),
    "dismiss": ("Declined", "Declined #{q}"),
    "restore": ("Restored", "Restored #{q} to the inbox"),
    "push": ("Sent to the stage", "Sent #{q} to the stage"),
    "answer": ("Marked answered", "Marked #{q} answered"),
    "back": ("Taken back from the stage", "Took #{q} back from the stage"),
    "reopen": ("Reopened", "Reopened #{q}"),
    "edit": ("Edited", "Edited the text of #{q}"),
    "reorder": ("Moved in the queue", "Moved #{q} to place {position} in the queue"),
    "merge": ("Merged", "Merged #{q} into #{into}"),
    "unmerge": ("Unmerged", "Unmerged #{q}"),
    "next": ("Next question (stage)", "Stage: next question"),
    "upvote": ("Upvoted", "Upvoted #{q}"),
    "purge": ("Personal data purged", "Purged the personal data of #{q}"),
    "erase": ("Erased on request", "Erased #{q} on request"),
    "agenda.add": ("Agenda: segment added", "Added a segment to the agenda"),
    "agenda.edit": ("Agenda: segment edited", "Edited an agenda segment"),
    "agenda.remove": ("Agenda: segment removed", "Removed the segment “{title}”"),
    "agenda.reorder": ("Agenda: reordered", "Reordered the agenda"),
    "timer.start": ("Timer started", "Started the timer"),
    "timer.next": ("Timer: next segment", "Moved the timer to the next segment"),
    "timer.prev": ("Timer: previous segment", "Moved the timer back a segment"),
    "timer.pause": ("Timer paused", "Paused the timer"),
    "timer.resume": ("Timer resumed", "Resumed the timer"),
    "timer.stop": ("Timer stopped", "Stopped the timer"),
    "timer.extend": ("Timer extended", "Extended the segment"),
    "timer.jump": ("Timer: jumped to a segment", "Moved the timer to another segment"),
    "timer.adjust": ("Timer adjusted", "Adjusted the time of the segment"),
    "timer.restart": ("Timer restarted", "Restarted the timer"),
    "connector.pause": ("Channel paused", "Paused the {channel} channel"),
    "connector.resume": ("Channel resumed", "Resumed the {channel} channel"),
    "timer.settings": ("Timer settings changed", "Changed the timer settings"),
    "poll.create": ("Poll created", "Created poll {poll}"),
    "poll.open": ("Poll opened", "Opened poll {poll}"),
    "poll.close": ("Poll closed", "Closed poll {poll}"),
    "poll.duplicate": ("Poll duplicated", "Duplicated poll {poll}"),
    "poll.show": ("Poll results shown", "Showed the results of poll {poll}"),
    "poll.hide": ("Poll results hidden", "Hid the results of poll {poll}"),
    "poll.show_screen": ("Poll results shown on the screen", "Showed poll results on the screen"),
    "poll.hide_screen": ("Poll results hidden on the screen", "Hid poll results on the screen"),
    "poll.show_audience": (
        "Poll results shown to the audience",
        "Showed poll results to the audience",
    ),
    "poll.hide_audience": (
        "Poll results hidden from the audience",
        "Hid poll results from the audience",
    ),
    "poll.zoom_on": ("Zoom chat votes on", "Counted Zoom chat replies as votes"),
    "poll.zoom_off": ("Zoom chat votes off", "Stopped counting Zoom chat replies as votes"),
    "poll.join_code": ("Poll join code changed", "Changed the poll join code"),
}

#: Why a question was declined (app.questions.service.DECLINE_REASONS), as the report says it.
REASON_WORDS = {
    "off_topic": "off-topic",
    "duplicate": "duplicate",
    "abusive": "abusive",
    "answered_elsewhere": "answered elsewhere",
    "other": "other reason",
    "none": "no reason given",
}

ROLE_WORDS = {
    "moderator": "online moderator",
    "stage": "onsite moderator",
    "screen": "room screen",
    "rapporteur": "rapporteur",
    "audience": "audience",
    "system": "automatic",
}


def audit_kind(action: str, detail: dict[str, Any] | None) -> str | None:
    """What an audit entry counts as: an edit that only moved an item is a reorder; the
    `merged_in` twin of a merge (and `unmerged_out` of an unmerge) is the same change seen
    from the other side (not counted)."""
    if action in ("merged_in", "unmerged_out"):
        return None
    if action == "edit" and isinstance(detail, dict) and not detail.get("text"):
        return "reorder" if "position" in detail else "edit"
    return action


def action_label(kind: str) -> str:
    return ACTION_WORDS.get(kind, (kind.replace("_", " ").replace(".", ": ").capitalize(), ""))[0]


def action_sentence(kind: str, question_id: int | None, detail: dict[str, Any] | None) -> str:
    detail = detail if isinstance(detail, dict) else {}
    template = ACTION_WORDS.get(kind, ("", ""))[1] or action_label(kind)
    if kind == "dismiss" and detail.get("reason") in REASON_WORDS:
        template += f" ({REASON_WORDS[detail['reason']]})"
    values = {
        "q": question_id if question_id is not None else "?",
        "into": detail.get("into", "?"),
        "source": detail.get("source", "?"),
        "position": detail.get("position", "?"),
        "title": detail.get("title", ""),
        "channel": detail.get("channel", ""),
        "poll": f"#{detail['poll_id']}" if detail.get("poll_id") is not None else "",
    }
    return " ".join(template.format(**values).split())


def reasons_phrase(by_reason: dict[str, int]) -> str:
    """`off-topic: 1, duplicate: 2`, in the order of the reasons list."""
    return ", ".join(f"{REASON_WORDS.get(k, k)}: {n}" for k, n in by_reason.items())


def role_label(role: str) -> str:
    return ROLE_WORDS.get(role, role)
