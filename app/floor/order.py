"""Where a request goes in the queue, per policy: pure functions of plain values.

The queue is stored as positions. A policy places each newcomer without moving anyone
already waiting (so a moderator's manual move is kept), and re-sorts the whole queue only
when the moderator switches policy. "Remote" means anyone not in the room: Zoom, the
audience page from afar, a remote hub.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.floor.models import Policy, Where


@dataclass(frozen=True, slots=True)
class Slot:
    """What the order needs of a request: arrival number, side (room or remote), who."""

    ticket: int
    remote: bool
    who: str


def is_remote(where: str) -> bool:
    return where != Where.room


def insertion_index(
    waiting: Sequence[Slot],
    new: Slot,
    policy: str,
    last_called: Slot | None,
    spoken: set[str],
) -> int:
    """Index in `waiting` (0 = next) at which `new` joins."""
    if policy == Policy.alternate:
        return _alternate_index(waiting, new, last_called)
    if policy == Policy.new_first and new.who not in spoken:
        fresh = [i for i, s in enumerate(waiting) if s.who not in spoken]
        return fresh[-1] + 1 if fresh else 0
    return len(waiting)


def _alternate_index(waiting: Sequence[Slot], new: Slot, last_called: Slot | None) -> int:
    """After the last waiting person of the newcomer's side, one turn of the other side
    later; the speaker just called counts as the turn before the first waiting one."""
    seq = ([last_called] if last_called is not None else []) + list(waiting)
    offset = len(seq) - len(waiting)
    same = [i for i, s in enumerate(seq) if s.remote == new.remote]
    j = same[-1] if same else -1
    if j + 1 < len(seq) and seq[j + 1].remote != new.remote:
        return max(0, j + 2 - offset)
    return len(waiting)


def policy_order(
    waiting: Sequence[Slot], policy: str, last_called: Slot | None, spoken: set[str]
) -> list[Slot]:
    """The whole queue as the policy orders it, from arrival order (a policy switch)."""
    by_arrival = sorted(waiting, key=lambda s: s.ticket)
    if policy == Policy.new_first:
        return [s for s in by_arrival if s.who not in spoken] + [
            s for s in by_arrival if s.who in spoken
        ]
    if policy != Policy.alternate:
        return by_arrival
    room = [s for s in by_arrival if not s.remote]
    remote = [s for s in by_arrival if s.remote]
    # Start with the side that did not speak last; with nobody called, the first arrival's.
    if last_called is not None:
        turn_remote = not last_called.remote
    else:
        turn_remote = bool(by_arrival) and by_arrival[0].remote
    out: list[Slot] = []
    while room or remote:
        side = remote if (turn_remote and remote) or not room else room
        out.append(side.pop(0))
        turn_remote = not out[-1].remote
    return out


def speaking_phase(elapsed: float, planned: float, warning: float) -> str:
    """Like the segment timer: normal, warning (last `warning` s), overrun (past time)."""
    left = planned - elapsed
    if left < 0:
        return "overrun"
    return "warning" if left <= warning else "normal"
