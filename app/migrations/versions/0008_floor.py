"""floor: floor_request, floor_settings (issue 15, one speaking queue)

Revision ID: 0008_floor
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_floor"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "floor_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("ticket", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=True),
        sa.Column("affiliation", sa.String(length=120), nullable=True),
        sa.Column("stakeholder", sa.String(length=32), nullable=True),
        sa.Column("where", sa.String(length=16), nullable=False),
        sa.Column("hub", sa.String(length=80), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("requester_hash", sa.String(length=64), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("called_by", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "ticket", name="uq_floor_request_ticket"),
    )
    op.create_index("ix_floor_request_session_id", "floor_request", ["session_id"])
    op.create_index("ix_floor_request_requester_hash", "floor_request", ["requester_hash"])
    op.create_index("ix_floor_request_session_state", "floor_request", ["session_id", "state"])
    op.create_table(
        "floor_settings",
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("live_session.id"), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("intervention_seconds", sa.Integer(), nullable=False),
        sa.Column("warning_seconds", sa.Integer(), nullable=False),
        sa.Column("screen_list", sa.Boolean(), nullable=False),
        sa.Column("zoom_hands", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )


def downgrade() -> None:
    op.drop_table("floor_settings")
    op.drop_index("ix_floor_request_session_state", table_name="floor_request")
    op.drop_index("ix_floor_request_requester_hash", table_name="floor_request")
    op.drop_index("ix_floor_request_session_id", table_name="floor_request")
    op.drop_table("floor_request")
