"""The demo session's two prepared polls, from WS #499's own policy questions (drafts)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.polls.models import Poll
from app.polls.service import PollCreate, create_poll

DEMO_POLLS = [
    PollCreate(
        question="Which area could benefit most from data for good?",
        kind="single",
        options=[
            "Health",
            "Climate and environment",
            "Education",
            "Public services",
            "Humanitarian response",
        ],
        segment=0,  # opening: the room's first word
        auto_close_seconds=120,
    ),
    PollCreate(
        question="What is the main challenge in using data for social good? (one word)",
        kind="wordcloud",
        segment=5,  # the debate with the onsite and remote audience
    ),
]


def add_demo_polls(db: Session, session_id: int) -> None:
    """Prepare the demo polls once (a demo restart keeps the ones already there)."""
    if db.exec(select(Poll.id).where(Poll.session_id == session_id)).first() is not None:
        return
    for body in DEMO_POLLS:
        create_poll(db, session_id, body, "organiser")
