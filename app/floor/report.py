"""Interventions for the session report: by where (room, remote, each hub), by stakeholder
group, speaking time per group, and the share of remote voices. An intervention is a turn
that was called and ended as done; a skipped call is none. The IGF form's remote-moderator
field "Number of audio/video interventions" is read from `data` (app/report/igf.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from app.floor.models import FloorRequest, FState, Where
from app.floor.service import spoken_seconds
from app.models import LiveSession

GROUP_WORDS = {
    "government": "Government",
    "civil_society": "Civil society",
    "private_sector": "Private sector",
    "technical": "Technical community",
    "academia": "Academia",
    "intergovernmental": "Intergovernmental organisation",
    "youth": "Youth",
    "other": "Other",
}


def where_label(r: FloorRequest) -> str:
    if r.where == Where.hub:
        return f"Hub: {r.hub or 'unnamed'}"
    if r.where == Where.room:
        return "In the room"
    return "Remote via Zoom" if r.channel == "zoom" else "Remote"


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def _sums(part: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    return {k: {"count": len(v), "seconds": round(sum(v), 3)} for k, v in part.items()}


def floor_stats(db: Session, session_id: int) -> dict[str, Any]:
    rows = db.exec(
        select(FloorRequest)
        .where(FloorRequest.session_id == session_id)
        .order_by(col(FloorRequest.ticket))
    ).all()
    turns = [r for r in rows if r.state == FState.done]
    by_where: dict[str, list[float]] = defaultdict(list)
    by_group: dict[str, list[float]] = defaultdict(list)
    for r in turns:
        seconds = spoken_seconds(r) or 0.0
        by_where[where_label(r)].append(seconds)
        by_group[GROUP_WORDS.get(r.stakeholder or "", "Not given")].append(seconds)
    remote = sum(1 for r in turns if r.where != Where.room)
    return {
        "requests": len(rows),
        "interventions": len(turns),
        "remote_interventions": remote,
        "room_interventions": len(turns) - remote,
        "remote_share": round(remote / len(turns), 3) if turns else None,
        "speaking_seconds": round(sum(spoken_seconds(r) or 0.0 for r in turns), 3),
        "skipped": sum(1 for r in rows if r.state == FState.skipped),
        "withdrawn": sum(1 for r in rows if r.state == FState.withdrawn),
        "by_where": _sums(by_where),
        "by_group": _sums(by_group),
    }


def summary_lines(stats: dict[str, Any]) -> list[str]:
    """The IGF form's "Number of audio/video interventions", as lines of plain text."""
    n = stats["interventions"]
    if not stats["requests"]:
        return []
    share = stats["remote_share"]
    lines = [
        f"{n} audio/video intervention{'s' if n != 1 else ''}: {stats['room_interventions']} "
        f"in the room, {stats['remote_interventions']} remote"
        + (f" ({round(share * 100)}% remote voices)" if share is not None else "")
    ]
    lines += [
        f"{k}: {v['count']}, {_minutes(v['seconds'])} min" for k, v in stats["by_where"].items()
    ]
    return lines


def report_section(db: Session, session: LiveSession) -> dict[str, Any] | None:
    stats = floor_stats(db, session.id)
    if not stats["requests"]:
        return None

    def table(caption: str, first: str, part: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "caption": caption,
            "columns": [first, "Interventions", "Speaking time (min)"],
            "rows": [[k, v["count"], _minutes(v["seconds"])] for k, v in part.items()],
        }

    share = stats["remote_share"]
    paragraphs = [
        f"{stats['requests']} requests for the floor, {stats['interventions']} interventions "
        f"({_minutes(stats['speaking_seconds'])} min in all); "
        f"{stats['skipped']} skipped, {stats['withdrawn']} withdrawn.",
    ]
    if share is not None:
        paragraphs.append(f"Remote voices: {round(share * 100)}% of the interventions.")
    return {
        "title": "The floor: interventions",
        "paragraphs": paragraphs,
        "tables": [
            table("Interventions by where the speaker was", "Where", stats["by_where"]),
            table("Interventions and speaking time by stakeholder group", "Group",
                  stats["by_group"]),
        ],
        "charts": [
            {
                "caption": "Speaking time by stakeholder group (minutes)",
                "bars": [
                    {"label": k, "value": _minutes(v["seconds"])}
                    for k, v in stats["by_group"].items()
                ],
            }
        ],
        "data": stats,
    }
