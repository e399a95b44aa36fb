"""report and privacy: rapporteur notes, highlights, per-session retention

Revision ID: 0004_report_privacy
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_report_privacy"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "section"),
    )
    op.create_index("ix_report_note_session_id", "report_note", ["session_id"])
    op.create_table(
        "report_highlight",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "question_id"),
    )
    op.create_index("ix_report_highlight_session_id", "report_highlight", ["session_id"])
    op.create_table(
        "session_privacy",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )


def downgrade() -> None:
    op.drop_table("session_privacy")
    op.drop_index("ix_report_highlight_session_id", table_name="report_highlight")
    op.drop_table("report_highlight")
    op.drop_index("ix_report_note_session_id", table_name="report_note")
    op.drop_table("report_note")
