"""How poll events look to each role (registered with app.views at import).

The audience never gets a draft, never gets results unless they are shown to it, and
never hears about other voters (ballots have no events at all).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.models import LiveSession, Role
from app.polls.models import Poll, PollAccess
from app.polls.tally import may_see_results, poll_for, poll_full, tally
from app.role_views import part_for, passes_for


def poll_event_for(role: str, type_: str, data: dict[str, Any]) -> tuple[str, dict] | None:
    if type_ == "poll.results":
        if not may_see_results(role, data):
            return None
        return type_, {"poll_id": data["poll_id"], "results": data["results"]}
    if type_ == "poll.updated":
        view = poll_for(role, data["poll"])
        if view is not None:
            return type_, {"poll": view, "action": data.get("action")}
        prev = data.get("prev")
        if prev is not None and poll_for(role, {**data["poll"], **prev}) is not None:
            return "poll.removed", {"id": data["poll"]["id"]}
        return None
    return None


def polls_part(db: Session, session: LiveSession, role: str) -> list[dict[str, Any]]:
    """The role's polls for a snapshot, oldest first, results where the role may see them."""
    polls = db.exec(select(Poll).where(Poll.session_id == session.id).order_by(col(Poll.id))).all()
    out = []
    for p in polls:
        view = poll_for(role, poll_full(p, None))
        if view is not None:
            if may_see_results(role, view):
                view["results"] = tally(db, p)
            out.append(view)
    return out




# The join code is what proves a voter sees the room (or its stream): the pages that show
# it (screen, stage) and the moderators read it; the phones never do.
CODE_ROLES = (Role.moderator, Role.rapporteur, Role.stage, Role.screen)


access_event_for = passes_for(CODE_ROLES)


@part_for(CODE_ROLES)
def access_part(db: Session, session: LiveSession, role: str) -> dict[str, Any] | None:
    """`{join_code}` for the roles that show or set it, None for everyone else."""
    access = db.get(PollAccess, session.id)
    return {"join_code": access.join_code if access else None}


