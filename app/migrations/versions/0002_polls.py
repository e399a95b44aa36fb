"""polls: poll, poll_ballot, poll_access

Revision ID: 0002_polls
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_polls"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=False),
        sa.Column("segment", sa.Integer(), nullable=True),
        sa.Column("auto_close_seconds", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("show_screen", sa.Boolean(), nullable=False),
        sa.Column("show_audience", sa.Boolean(), nullable=False),
        sa.Column("zoom_votes", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["live_session.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_poll_session_id", "poll", ["session_id"])
    op.create_table(
        "poll_ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("mask", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("poll_id", "voter"),
    )
    op.create_table(
        "poll_access",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("join_code", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["live_session.id"]),
        sa.PrimaryKeyConstraint("session_id"),
    )


def downgrade() -> None:
    op.drop_table("poll_access")
    op.drop_table("poll_ballot")
    op.drop_index("ix_poll_session_id", table_name="poll")
    op.drop_table("poll")
