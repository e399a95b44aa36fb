"""connectors: per-session settings, resume cursors, cross-posts, text prints

Revision ID: 0005_connectors
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_connectors"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connector_config",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("status", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "channel"),
    )
    op.create_table(
        "connector_cursor",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "key"),
    )
    op.create_table(
        "crosspost",
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("of_question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.PrimaryKeyConstraint("question_id"),
    )
    op.create_index("ix_crosspost_session_id", "crosspost", ["session_id"])
    op.create_table(
        "text_print",
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("print", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("question_id"),
    )
    op.create_index("ix_text_print_session_print", "text_print", ["session_id", "print"])


def downgrade() -> None:
    op.drop_index("ix_text_print_session_print", table_name="text_print")
    op.drop_table("text_print")
    op.drop_index("ix_crosspost_session_id", table_name="crosspost")
    op.drop_table("crosspost")
    op.drop_table("connector_cursor")
    op.drop_table("connector_config")
