"""agenda timer: timer state, segment runs (planned vs actual), notes to the stage

Revision ID: 0003_agenda_timer
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_agenda_timer"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "timer_state",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        _ts("started_at"),
        _ts("paused_at"),
        sa.Column("paused_total", sa.Float(), nullable=False),
        sa.Column("adjust_seconds", sa.Float(), nullable=False),
        sa.Column("warning_seconds", sa.Integer(), nullable=False),
        _ts("scheduled_start"),
        _ts("finished_at"),
        sa.Column("auto_wrap", sa.Boolean(), nullable=False),
        sa.Column("wrap_sent", sa.Boolean(), nullable=False),
        sa.Column("questions_gate", sa.Boolean(), nullable=False),
        sa.Column("screen_timer", sa.Boolean(), nullable=False),
        _ts("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_table(
        "segment_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("planned_seconds", sa.Float(), nullable=False),
        _ts("started_at", nullable=False),
        _ts("ended_at"),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        sa.Column("adjust_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_segment_run_session_id", "segment_run", ["session_id"])
    op.create_table(
        "stage_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        _ts("created_at", nullable=False),
        _ts("acked_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stage_note_session_id", "stage_note", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_stage_note_session_id", table_name="stage_note")
    op.drop_table("stage_note")
    op.drop_index("ix_segment_run_session_id", table_name="segment_run")
    op.drop_table("segment_run")
    op.drop_table("timer_state")
