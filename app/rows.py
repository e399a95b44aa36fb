"""Row helpers every domain service shares: the object of this session or 404, giving
ordered rows their positions, and "store this row and tell the pages" in one call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from app.errors import NotFound
from app.events import emit


class _OfSession(Protocol):
    session_id: int


class _Positioned(Protocol):
    position: Any


R = TypeVar("R")
S = TypeVar("S", bound=_OfSession)
P = TypeVar("P", bound=_Positioned)


def session_object_or_404(
    db: Session, model: type[S], session_id: int, row_id: int, what: str, *, missing: str = ""
) -> S:
    """The `model` row `row_id` if it belongs to this session; else 404, the same answer
    whether it does not exist or is another session's (ids do not leak across sessions)."""
    row = db.get(model, row_id)
    if row is None or row.session_id != session_id:
        raise NotFound(missing or f"no {what} {row_id} in this session")
    return row


def renumber(db: Session, rows: Sequence[P], start: int = 1) -> list[P]:
    """Give `rows` the positions start, start+1, ... in their order; the ones that moved."""
    moved = []
    for i, row in enumerate(rows, start=start):
        if row.position != i:
            row.position = i
            db.add(row)
            moved.append(row)
    return moved


def store_and_emit(
    db: Session,
    session_id: int,
    row: R,
    event: str,
    key: str,
    view: Callable[[R], dict[str, Any]],
) -> dict[str, Any]:
    """Add and flush `row`, emit `event` with `{key: view(row)}` in the same transaction,
    and return that view (what the route answers is what the sockets get)."""
    db.add(row)
    db.flush()
    shown = view(row)
    emit(db, session_id, event, {key: shown})
    return shown
