"""Zoom chat replies such as `2` or `B` as votes, for polls that ask for it.

The polls domain's ingest intercept (app/polls/domain.py): while such a poll is open, a chat
message that is only an option number or letter becomes that participant's ballot (one
per participant, channel `zoom_chat`, kept apart in the results) instead of a question.
Anything else stays a chat message. Ingest runs in the writer thread, so the coalescer
is told through `touched`, which the poll runtime drains a few times a second.
"""

from __future__ import annotations

import re
import threading

from sqlmodel import Session, col, select

from app.models import LiveSession, require_id
from app.polls.models import Poll, PollKind, PollState
from app.polls.service import upsert_ballot
from app.privacy.pseudonyms import author_hash

REPLY = re.compile(r"^\s*(?:([1-9]|1\d|20)|([A-Ta-t]))\s*[.)]?\s*$")
CHANNELS = ("zoom_chat",)
_lock = threading.Lock()
_touched: set[tuple[int, int]] = set()


def touched() -> set[tuple[int, int]]:
    """(session, poll) pairs that got Zoom votes since the last call."""
    global _touched
    with _lock:
        out, _touched = _touched, set()
    return out


def zoom_vote(db: Session, session: LiveSession, msg) -> bool:
    if msg.channel not in CHANNELS or not msg.author_id:
        return False
    match = REPLY.match(msg.text or "")
    if match is None:
        return False
    poll = db.exec(
        select(Poll)
        .where(
            Poll.session_id == session.id,
            Poll.state == PollState.open,
            col(Poll.zoom_votes).is_(True),
            col(Poll.kind).in_([PollKind.single, PollKind.multiple, PollKind.rating]),
        )
        .order_by(col(Poll.opened_at).desc())
    ).first()
    if poll is None:
        return False
    number, letter = match.groups()
    if number is not None:
        index = int(number) - 1
    elif poll.kind != PollKind.rating:
        index = ord(letter.upper()) - ord("A")
    else:
        return False
    if not 0 <= index < len(poll.options):
        return False
    who = author_hash(session.hmac_secret, msg.channel, msg.author_id)
    upsert_ballot(db, require_id(poll), f"z:{who}", "zoom_chat", 1 << index, None)
    with _lock:
        _touched.add((require_id(session), require_id(poll)))
    return True


