"""question.in_room: the audience page's "I'm in the room" (the report counts it onsite)

Revision ID: 0008_inroom
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_inroom"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question") as batch_op:
        batch_op.add_column(
            sa.Column("in_room", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("question") as batch_op:
        batch_op.drop_column("in_room")
