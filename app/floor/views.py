"""How floor events look to each role, and what the floor adds to each role's snapshot.

The moderator, the stage and the rapporteur see every request in full (they must call
people by name). The room screen and the audience see the queue's shape: positions,
stakeholder group, where each person joins from, and a name only when its owner agreed
to show it, shaped by the session's name policy (docs/privacy.md, "Floor requests").
Affiliations, channels' ids and hashes never reach a public page.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.floor.service import floor_view
from app.models import AuthorDisplay, LiveSession, Role, require_id
from app.privacy.pseudonyms import display_name

FULL_ROLES = frozenset({Role.moderator.value, Role.stage.value, Role.rapporteur.value})
_PUBLIC = ("id", "position", "state", "group", "where", "hub", "channel", "called_at")


def public_item(item: dict[str, Any], policy: str) -> dict[str, Any]:
    out = {k: item[k] for k in _PUBLIC}
    out["name"] = display_name(policy, item["name"]) if item.get("public") else None
    return out


def floor_for(role: str, view: dict[str, Any], policy: str) -> dict[str, Any]:
    """The role's view of the whole floor."""
    if role in FULL_ROLES:
        return view
    speaking = view["speaking"]
    queue = view["queue"]
    if role == Role.screen and not view["settings"]["screen_list"]:
        queue = []
    settings = view["settings"]
    return {
        "settings": {
            "intervention_seconds": settings["intervention_seconds"],
            "warning_seconds": settings["warning_seconds"],
            "screen_list": settings["screen_list"],
        },
        "speaking": public_item(speaking, policy) if speaking else None,
        "queue": [public_item(i, policy) for i in queue],
        "recent": [],
    }


def _policy_of(data: dict[str, Any]) -> str:
    return data.get("name_policy") or AuthorDisplay.initials.value


def floor_filter(role: str, type_: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if role in FULL_ROLES:
        return type_, data
    view = floor_for(role, data["floor"], _policy_of(data))
    return type_, {"floor": view, "action": data.get("action"), "id": data.get("id")}


def floor_part(db: Session, session: LiveSession, role: str) -> dict[str, Any]:
    return floor_for(role, floor_view(db, require_id(session)), session.author_display)

