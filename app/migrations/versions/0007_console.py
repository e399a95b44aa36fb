"""merge_record: what a merge moved, so the console can unmerge exactly

Revision ID: 0007_console
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_console"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merge_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("into_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("prev_state", sa.String(length=16), nullable=False),
        sa.Column("prev_position", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id"),
    )
    op.create_index("ix_merge_record_session_id", "merge_record", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_merge_record_session_id", table_name="merge_record")
    op.drop_table("merge_record")
