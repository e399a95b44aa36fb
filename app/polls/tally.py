"""Counting ballots and shaping polls for each role.

The tally is one GROUP BY over a poll's ballots: votes stay a single upsert, and the
coalescer runs this a few times a second at most, whatever the vote rate.

Answers typed by the audience (word-cloud words, open answers) leave the polls domain only
through `shown()`: the tally is published as it is (screen, phones, the event log, the CSV,
the report), so this is the one place an e-mail address or phone number is masked. The
moderator sees the masked word flagged `personal`; the ballot itself keeps what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import iso
from app.models import Role
from app.polls.models import Ballot, Poll, PollKind, PollState
from ports.personal import mask_personal_data

CHANNELS = ("audience", "zoom_chat")
MAX_WORDS = 60
#: What an e-mail address or a phone number needs (an "@", or eight digits): the rest of a
#: cloud's words skip the masking rules (a tally may hold thousands).
_MAYBE_PERSONAL = re.compile(r"@|\d(?:\D*\d){7}")


def shown(text: str) -> str:
    """An answer as any view shows it: e-mail addresses and phone numbers masked."""
    return mask_personal_data(text) if _MAYBE_PERSONAL.search(text) else text


def _cloud(words: dict[str, int]) -> list[dict[str, Any]]:
    """Every word as shown (masked ones counted together, flagged), most frequent first."""
    counts: dict[str, int] = {}
    personal: set[str] = set()
    for word, n in words.items():
        masked = shown(word)
        counts[masked] = counts.get(masked, 0) + n
        if masked != word:
            personal.add(masked)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        {"word": w, "count": n, **({"personal": True} if w in personal else {})} for w, n in ranked
    ]


def open_answers(db: Session, poll_id: int) -> list[str]:
    """An open poll's answers as shown (one per voter), oldest first: for the report."""
    rows = db.exec(
        select(Ballot.word).where(Ballot.poll_id == poll_id).order_by(col(Ballot.updated_at))
    ).all()
    return [shown(w) for w in rows if w]


def tally(db: Session, poll: Poll) -> dict[str, Any]:
    """`{total, turnout, options: [{label, count, percent, channels}], words, mean, final}`."""
    by_channel = {c: 0 for c in CHANNELS}
    options: list[dict[str, Any]] = [
        {"label": label, "count": 0, "channels": dict(by_channel)} for label in poll.options
    ]
    words: dict[str, int] = {}
    rows: Sequence[tuple[str, int, str | None, int]]
    if poll.kind == PollKind.open:
        counted = db.exec(
            select(Ballot.channel, func.count())
            .where(Ballot.poll_id == poll.id)
            .group_by(Ballot.channel)
        ).all()
        rows = [(channel, 0, None, count) for channel, count in counted]
    else:
        rows = db.exec(
            select(Ballot.channel, Ballot.mask, Ballot.word, func.count())
            .where(Ballot.poll_id == poll.id)
            .group_by(col(Ballot.channel), col(Ballot.mask), col(Ballot.word))
        ).all()
    for channel, mask, word, count in rows:
        by_channel[channel] = by_channel.get(channel, 0) + count
        if word is not None:
            words[word] = words.get(word, 0) + count
        for i, option in enumerate(options):
            if mask >> i & 1:
                option["count"] += count
                option["channels"][channel] = option["channels"].get(channel, 0) + count
    total = sum(by_channel.values())
    for option in options:
        option["percent"] = round(100 * option["count"] / total, 1) if total else 0.0
    result: dict[str, Any] = {
        "poll_id": poll.id,
        "kind": poll.kind,
        "state": poll.state,
        "total": total,
        "turnout": by_channel,
        "options": options,
        "final": poll.state == PollState.closed,
    }
    if poll.kind == PollKind.wordcloud:
        cloud = _cloud(words)
        result["words"] = cloud[:MAX_WORDS]
        result["distinct_words"] = len(cloud)
    if poll.kind == PollKind.rating and total:
        score = sum((i + 1) * o["count"] for i, o in enumerate(options))
        result["mean"] = round(score / total, 2)
    return result


def poll_full(poll: Poll, results: dict[str, Any] | None) -> dict[str, Any]:
    closes_at = None
    if poll.state == PollState.open and poll.auto_close_seconds and poll.opened_at:
        closes_at = iso(poll.opened_at + timedelta(seconds=poll.auto_close_seconds))
    return {
        "id": poll.id,
        "question": poll.question,
        "kind": poll.kind,
        "options": list(poll.options),
        "max_choices": poll.max_choices,
        "segment": poll.segment,
        "auto_close_seconds": poll.auto_close_seconds,
        "closes_at": closes_at,
        "state": poll.state,
        "show_screen": poll.show_screen,
        "show_audience": poll.show_audience,
        "zoom_votes": poll.zoom_votes,
        "opened_at": iso(poll.opened_at),
        "closed_at": iso(poll.closed_at),
        "results": results,
    }


def may_see_poll(role: str, p: dict[str, Any]) -> bool:
    if role in (Role.moderator, Role.rapporteur):
        return True
    if p["state"] == PollState.draft:
        return False
    if role == Role.stage:
        return True
    if role == Role.screen:
        return bool(p["show_screen"])
    return p["state"] == PollState.open or bool(p["show_audience"])


def may_see_results(role: str, p: dict[str, Any]) -> bool:
    if role in (Role.moderator, Role.rapporteur, Role.stage):
        return True
    if p["state"] == PollState.draft:
        return False
    if role == Role.screen:
        return bool(p["show_screen"])
    return bool(p["show_audience"])


def poll_for(role: str, p: dict[str, Any]) -> dict[str, Any] | None:
    """The role's view of a poll, or None. Results only where the role may see them."""
    if not may_see_poll(role, p):
        return None
    if may_see_results(role, p):
        return p
    return {**p, "results": None}
