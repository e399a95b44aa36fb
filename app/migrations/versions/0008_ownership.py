"""work leases and jobs: one owner per session for background work (connectors, Zoom Q&A
polls while a webinar is live)

Revision ID: 0008_ownership
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_ownership"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_lease",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_table(
        "work_job",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "name"),
    )


def downgrade() -> None:
    op.drop_table("work_job")
    op.drop_table("work_lease")
