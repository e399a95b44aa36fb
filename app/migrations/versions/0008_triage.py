"""triage_result, triage_setting: the triage assistant's results and per-session threshold

Revision ID: 0008_triage
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_triage"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage_result",
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("similar", sa.JSON(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("question_id"),
    )
    op.create_index("ix_triage_result_session_id", "triage_result", ["session_id"])
    op.create_table(
        "triage_setting",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )


def downgrade() -> None:
    op.drop_table("triage_setting")
    op.drop_index("ix_triage_result_session_id", table_name="triage_result")
    op.drop_table("triage_result")
