"""Poll rules: creation, the lifecycle (draft -> open -> closed), display flags, ballots.

Every function runs inside the writer's transaction (`await store.write(fn)`) and never
commits. Moderator actions lock the session row and write an event and an audit entry.
A vote is one upsert on (poll, voter) and no event: results reach the sockets through the
coalescer (`app.polls.live`), a few times a second at most, and exactly once more on close.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import DateTime, bindparam
from sqlalchemy import text as sql_text
from sqlmodel import Session, col, select

from app.clock import utc_now
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.events import audit, emit, lock_session
from app.inputs import CleanLine, CleanText
from app.models import require_id
from app.polls.models import Poll, PollAccess, PollKind, PollState
from app.polls.tally import poll_full, tally
from app.rows import session_object_or_404
from app.text import clean_text

MAX_OPTIONS = 20
MAX_LABEL = 120
MAX_WORD = 40
MAX_ANSWER = 500
RATING_LABELS = ["1", "2", "3", "4", "5"]
CHOICE_KINDS = (PollKind.single, PollKind.multiple, PollKind.rating)
DISPLAY_ACTIONS = {
    "show": {"show_screen": True, "show_audience": True},
    "hide": {"show_screen": False, "show_audience": False},
    "show_screen": {"show_screen": True},
    "hide_screen": {"show_screen": False},
    "show_audience": {"show_audience": True},
    "hide_audience": {"show_audience": False},
    "zoom_on": {"zoom_votes": True},
    "zoom_off": {"zoom_votes": False},
}
ACTIONS = ("open", "close", "duplicate", *DISPLAY_ACTIONS)


class PollCreate(BaseModel):
    question: CleanText = Field(min_length=1, max_length=1000)
    kind: PollKind
    options: list[CleanLine] | None = Field(default=None, max_length=MAX_OPTIONS)
    max_choices: int | None = Field(default=None, ge=1, le=MAX_OPTIONS)
    segment: int | None = Field(default=None, ge=0, le=1000)
    auto_close_seconds: int | None = Field(default=None, ge=1, le=24 * 3600)
    zoom_votes: bool = False


# ---------------------------------------------------------------- moderator side


def poll_of_session(db: Session, session_id: int, poll_id: int) -> Poll:
    return session_object_or_404(db, Poll, session_id, poll_id, "poll")


def _options(body: PollCreate) -> tuple[list[str], int]:
    if body.kind == PollKind.rating:
        return list(RATING_LABELS), 1
    if body.kind in (PollKind.wordcloud, PollKind.open):
        if body.options:
            raise Invalid(f"a {body.kind.value} poll takes free text, not options")
        return [], 1
    labels = [clean_text(o, MAX_LABEL) for o in body.options or []]
    if len(labels) < 2:
        raise Invalid("a choice poll needs at least two options")
    if len({label.casefold() for label in labels}) != len(labels):
        raise Invalid("two options have the same label")
    if body.kind == PollKind.single:
        return labels, 1
    most = body.max_choices or len(labels)
    if most > len(labels):
        raise Invalid(f"max_choices is {most} but there are only {len(labels)} options")
    return labels, most


def _publish(
    db: Session, poll: Poll, action: str, role: str, prev: dict[str, Any] | None
) -> dict[str, Any]:
    db.add(poll)
    db.flush()
    view = poll_full(poll, tally(db, poll))
    emit(db, poll.session_id, "poll.updated", {"poll": view, "action": action, "prev": prev})
    audit(db, poll.session_id, f"poll.{action}", role, poll_id=poll.id)
    return view


#: What a display or state action changes: the `prev` of its `poll.updated`.
FLAGS = ("state", "show_screen", "show_audience")


def _flags(poll: Poll) -> dict[str, Any]:
    return {name: getattr(poll, name) for name in FLAGS}


def create_poll(db: Session, session_id: int, body: PollCreate, role: str) -> dict[str, Any]:
    lock_session(db, session_id)
    options, max_choices = _options(body)
    poll = Poll(
        session_id=session_id,
        question=clean_text(body.question, 300),
        kind=body.kind.value,
        options=options,
        max_choices=max_choices,
        segment=body.segment,
        auto_close_seconds=body.auto_close_seconds,
        zoom_votes=body.zoom_votes,
        created_at=utc_now(),
    )
    return _publish(db, poll, "create", role, None)


def apply_action(
    db: Session, session_id: int, poll_id: int, action: str, role: str
) -> dict[str, Any]:
    """open, close, duplicate, show/hide (both), show_screen, show_audience, zoom_on/off..."""
    if action not in ACTIONS:
        raise NotFound(f"unknown poll action {action!r}; use one of {', '.join(ACTIONS)}")
    lock_session(db, session_id)
    poll = poll_of_session(db, session_id, poll_id)
    forget_rule(db, poll_id)
    if action == "duplicate":
        copy = Poll(
            session_id=session_id,
            question=poll.question,
            kind=poll.kind,
            options=list(poll.options),
            max_choices=poll.max_choices,
            segment=poll.segment,
            auto_close_seconds=poll.auto_close_seconds,
            zoom_votes=poll.zoom_votes,
            created_at=utc_now(),
        )
        return _publish(db, copy, "duplicate", role, None)
    prev = _flags(poll)
    if action == "open":
        if poll.state != PollState.draft:
            raise Conflict(f"poll {poll.id} is {poll.state}; duplicate it to ask again")
        poll.state, poll.opened_at = PollState.open.value, utc_now()
    elif action == "close":
        if poll.state != PollState.open:
            raise Conflict(f"poll {poll.id} is {poll.state}, not open")
        poll.state, poll.closed_at = PollState.closed.value, utc_now()
    else:
        for field, value in DISPLAY_ACTIONS[action].items():
            setattr(poll, field, value)
        if DISPLAY_ACTIONS[action].get("show_screen"):
            _clear_screen(db, session_id, require_id(poll), role)
    view = _publish(db, poll, action, role, prev)
    if action == "close":
        # The exact final tally, after every vote committed before the close.
        emit(db, session_id, "poll.results", results_event(poll, view["results"]))
    return view


def _clear_screen(db: Session, session_id: int, keep: int, role: str) -> None:
    """The screen shows one poll: showing one takes the others off it."""
    others = db.exec(
        select(Poll).where(
            Poll.session_id == session_id, col(Poll.show_screen).is_(True), Poll.id != keep
        )
    ).all()
    for other in others:
        prev = _flags(other)
        other.show_screen = False
        _publish(db, other, "hide_screen", role, prev)


def results_event(poll: Poll, results: dict[str, Any]) -> dict[str, Any]:
    return {"poll_id": poll.id, "results": results, **_flags(poll)}


def emit_results(db: Session, session_id: int, poll_id: int) -> None:
    """The coalescer's flush: the current tally as one `poll.results`, while the poll is open."""
    poll = db.get(Poll, poll_id)
    if poll is None or poll.state != PollState.open:
        return  # closing emitted the final tally itself
    emit(db, session_id, "poll.results", results_event(poll, tally(db, poll)))


def set_join_code(db: Session, session_id: int, code: str | None, role: str) -> dict[str, Any]:
    lock_session(db, session_id)
    code = (code or "").strip() or None
    if code is not None and not re.fullmatch(r"[A-Za-z0-9-]{3,32}", code):
        raise Invalid("a join code is 3-32 letters, digits or dashes")
    db.info.get("poll_access", {}).pop(session_id, None)  # votes later in this batch
    access = db.get(PollAccess, session_id) or PollAccess(session_id=session_id)
    access.join_code = code
    db.add(access)
    audit(db, session_id, "poll.join_code", role, set=code is not None)
    # The room screen shows the code next to the QR (app.polls.views: never to phones).
    emit(db, session_id, "poll_access.updated", {"join_code": code})
    return {"join_code": code}


# ---------------------------------------------------------------------- ballots


def normalise_word(text: str) -> str:
    """'  Data-Sharing! ' -> 'data-sharing': one spelling per word in the cloud."""
    if len(text) > MAX_WORD * 4:
        raise Invalid(f"a word cloud answer is at most {MAX_WORD} characters")
    word = unicodedata.normalize("NFKC", text).casefold()
    word = "".join(ch for ch in word if unicodedata.category(ch)[0] not in "C")
    word = " ".join(word.split()).strip(".,;:!?\"'()[]{}«»“”‘’¡¿-_*#")
    if not word:
        raise Invalid("the answer is empty: type a word")
    if len(word) > MAX_WORD:
        raise Invalid(f"a word cloud answer is at most {MAX_WORD} characters")
    return word


def ballot_of(
    poll: Poll | PollRule, choices: list[int] | None, text: str | None
) -> tuple[int, str | None]:
    """The ballot's (mask, word), or Invalid with what is wrong, for a person."""
    if poll.kind in CHOICE_KINDS:
        if text is not None or not choices:
            raise Invalid("this poll needs choices: a list of option numbers")
        if len(set(choices)) != len(choices):
            raise Invalid("each option may be chosen once")
        most = 1 if poll.kind != PollKind.multiple else poll.max_choices
        if len(choices) > most:
            raise Invalid(f"choose at most {most} option{'s' if most > 1 else ''}")
        mask = 0
        for i in choices:
            if not 0 <= i < len(poll.options):
                raise Invalid(f"option {i} does not exist (0 to {len(poll.options) - 1})")
            mask |= 1 << i
        return mask, None
    if choices or text is None:
        raise Invalid("this poll takes a text answer, not choices")
    if poll.kind == PollKind.wordcloud:
        return 0, normalise_word(text)
    if len(text) > MAX_ANSWER * 4:
        raise Invalid(f"an answer is at most {MAX_ANSWER} characters")
    return 0, clean_text(text, MAX_ANSWER)


_SHARE_POLL = (
    # sqlmodel types select() for at most 4 columns; at run time it takes any number.
    select(Poll.session_id, Poll.state, Poll.kind, Poll.options, Poll.max_choices)  # type: ignore[call-overload]
    .where(Poll.id == bindparam("poll_id"))
    .with_for_update(read=True)
)
_UPSERT = sql_text(
    "INSERT INTO poll_ballot (poll_id, voter, channel, mask, word, updated_at) "
    "VALUES (:poll_id, :voter, :channel, :mask, :word, :updated_at) "
    "ON CONFLICT (poll_id, voter) DO UPDATE SET "
    "mask = excluded.mask, word = excluded.word, updated_at = excluded.updated_at"
).bindparams(bindparam("updated_at", type_=DateTime(timezone=True)))


@dataclass(frozen=True, slots=True)
class PollRule:
    """What a vote needs to know about its poll (cached per writer batch on SQLite)."""

    id: int
    session_id: int
    state: str
    kind: str
    options: tuple[str, ...]
    max_choices: int


def forget_rule(db: Session, poll_id: int) -> None:
    db.info.get("poll_rules", {}).pop(poll_id, None)


def _rule(db: Session, poll_id: int) -> PollRule | None:
    """One prebuilt Core select (the ORM's load and identity map cost more than a vote).

    On PostgreSQL it runs per vote: FOR SHARE makes a concurrent close (FOR UPDATE) wait
    for this vote, or this vote see the close; either way the final tally holds every
    accepted ballot. SQLite has one writer, so a batch may reuse what it read.
    """
    rules = db.info.setdefault("poll_rules", {})
    if db.get_bind().dialect.name == "postgresql" or poll_id not in rules:
        row = db.connection().execute(_SHARE_POLL, {"poll_id": poll_id}).first()
        rules[poll_id] = (
            PollRule(poll_id, row[0], row[1], row[2], tuple(row[3]), row[4]) if row else None
        )
    rule: PollRule | None = rules[poll_id]
    return rule


def _open_poll_for_vote(
    db: Session, session_id: int, poll_id: int, rules: dict[int, PollRule | None]
) -> PollRule:
    if poll_id not in rules:
        rules[poll_id] = _rule(db, poll_id)  # on PostgreSQL its FOR SHARE holds to commit
    poll = rules[poll_id]
    if poll is None or poll.session_id != session_id:
        raise NotFound(f"no poll {poll_id} in this session")
    if poll.state == PollState.draft:
        raise Conflict("this poll is not open yet")
    if poll.state == PollState.closed:
        raise Conflict("this poll is closed; votes are no longer accepted")
    return poll


_JOIN_CODE = select(PollAccess.join_code).where(PollAccess.session_id == bindparam("sid"))


def _check_code(db: Session, session_id: int, code: str | None) -> None:
    cache = db.info.setdefault("poll_access", {})
    if session_id not in cache:
        cache[session_id] = db.connection().execute(_JOIN_CODE, {"sid": session_id}).scalar()
    expected = cache[session_id]
    if expected is not None and (code or "").strip().casefold() != expected.casefold():
        raise Forbidden("voting needs this session's join code (shown in the room)")


def upsert_ballot(
    db: Session, poll_id: int, voter: str, channel: str, mask: int, word: str | None
) -> None:
    """One statement: the unique key makes two votes by one voter one ballot, on any worker."""
    params = {
        "poll_id": poll_id,
        "voter": voter,
        "channel": channel,
        "mask": mask,
        "word": word,
        "updated_at": utc_now(),
    }
    db.connection().execute(_UPSERT, params)


@dataclass(frozen=True, slots=True)
class Vote:
    session_id: int
    poll_id: int
    voter: str
    choices: list[int] | None
    text: str | None
    code: str | None = None


def vote(
    db: Session,
    session_id: int,
    poll_id: int,
    voter: str,
    choices: list[int] | None,
    text: str | None,
    code: str | None = None,
) -> dict[str, Any]:
    """An audience ballot; replaces the voter's earlier one while the poll is open."""
    (result,) = vote_many(db, [Vote(session_id, poll_id, voter, choices, text, code)])
    if isinstance(result, DomainError):
        raise result
    return result


def vote_many(db: Session, votes: list[Vote]) -> list[dict[str, Any] | DomainError]:
    """Ballots checked one by one, the valid ones written by one executemany.

    Why not one `store.write` per vote: the writer's per-change savepoint costs more than
    the vote itself; batching here keeps ten thousand votes within seconds. Each caller
    still hears back only after the commit that holds its ballot.
    """
    rules: dict[int, PollRule | None] = {}
    out: list[dict[str, Any] | DomainError] = []
    rows: list[dict[str, Any]] = []
    now = utc_now()
    for v in votes:
        try:
            poll = _open_poll_for_vote(db, v.session_id, v.poll_id, rules)
            _check_code(db, v.session_id, v.code)
            mask, word = ballot_of(poll, v.choices, v.text)
            row = {
                "poll_id": poll.id,
                "voter": f"a:{v.voter}",
                "channel": "audience",
                "mask": mask,
                "word": word,
                "updated_at": now,
            }
            if poll.kind == PollKind.open:
                db.connection().execute(_UPSERT, row)
                try:
                    with db.begin_nested():
                        _answer_to_queue(db, v.session_id, poll, v.voter, word or "")
                except DomainError:
                    pass  # e.g. questions are closed in this segment: the ballot still counts
            else:
                rows.append(row)
        except DomainError as exc:
            out.append(exc)
            continue
        if poll.kind in CHOICE_KINDS:
            out.append({"poll_id": poll.id, "choices": sorted(v.choices or [])})
        else:
            out.append({"poll_id": poll.id, "text": word})
    if rows:
        db.connection().execute(_UPSERT, rows)
    return out


def _answer_to_queue(db: Session, session_id: int, poll: PollRule, voter: str, answer: str) -> None:
    """Open answers reach the moderator's inbox like questions (deduped per voter and text)."""
    from app.ingest import ingest_one  # here: ingest is the core's, polls only feed it
    from ports.messages import IncomingMessage

    digest = hashlib.sha256(answer.encode()).hexdigest()[:16]
    msg = IncomingMessage(
        channel="audience",
        external_id=f"poll-{poll.id}-{voter}-{digest}",
        text=answer,
        author_id=f"poll:{voter}",
    )
    # No domain ingest hooks: today's (Zoom-chat votes, cross-post flags) skip the audience.
    ingest_one(db, session_id, msg)  # it locks the session


def poll_ids_open(db: Session) -> list[tuple[int, int, Any, int | None]]:
    """(session, poll, opened_at, auto_close_seconds) of every open poll: for start-up."""
    rows = db.exec(
        select(Poll.session_id, Poll.id, Poll.opened_at, Poll.auto_close_seconds).where(
            Poll.state == PollState.open
        )
    ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def session_polls(db: Session, session_id: int) -> list[dict[str, Any]]:
    """Every poll of a session with its tally per option and channel: for the report too."""
    polls = db.exec(select(Poll).where(Poll.session_id == session_id).order_by(col(Poll.id))).all()
    return [poll_full(p, tally(db, p)) for p in polls]
