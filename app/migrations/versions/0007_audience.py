"""report notes keyed by segment id: `segment:N` (a position) becomes `seg:ID`

A note filed under a position followed whichever segment sat there, so moving a segment
moved its notes to another speaker. Each existing `segment:N` note is re-filed under the
id of the segment at position N now (the place it was shown at). A note whose position
no longer exists keeps its old key.

Revision ID: 0007_audience
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_audience"
down_revision = "0001"
branch_labels = None
# The report_note table comes from the report branch.
depends_on = "0004_report_privacy"

_NOTES = sa.table(
    "report_note",
    sa.column("id", sa.Integer),
    sa.column("session_id", sa.Integer),
    sa.column("section", sa.String),
)
_SEGMENTS = sa.table(
    "segment",
    sa.column("id", sa.Integer),
    sa.column("session_id", sa.Integer),
    sa.column("position", sa.Integer),
)


def _refile(old_prefix: str, by_position: bool) -> None:
    conn = op.get_bind()
    notes = conn.execute(
        sa.select(_NOTES.c.id, _NOTES.c.session_id, _NOTES.c.section).where(
            _NOTES.c.section.like(f"{old_prefix}%")
        )
    ).all()
    segments = conn.execute(
        sa.select(_SEGMENTS.c.id, _SEGMENTS.c.session_id, _SEGMENTS.c.position)
    ).all()
    if by_position:
        target = {(s.session_id, s.position): f"seg:{s.id}" for s in segments}
    else:
        target = {(s.session_id, s.id): f"segment:{s.position}" for s in segments}
    taken = {
        (r.session_id, r.section) for r in conn.execute(sa.select(_NOTES.c.session_id, _NOTES.c.section))
    }
    for note in notes:
        number = note.section[len(old_prefix) :]
        if not number.isdigit():
            continue
        new = target.get((note.session_id, int(number)))
        if new is None or (note.session_id, new) in taken:
            continue
        conn.execute(sa.update(_NOTES).where(_NOTES.c.id == note.id).values(section=new))
        taken.discard((note.session_id, note.section))
        taken.add((note.session_id, new))


def upgrade() -> None:
    _refile("segment:", by_position=True)


def downgrade() -> None:
    _refile("seg:", by_position=False)
