"""role_key.public_id: a random id per key for cookies and sockets (row ids get reused)

Revision ID: 0007_auth
Revises: 0001
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007_auth"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_key") as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=32), nullable=True))
    conn = op.get_bind()
    role_key = sa.table("role_key", sa.column("id", sa.Integer), sa.column("public_id"))
    for (row_id,) in conn.execute(sa.select(role_key.c.id)).all():
        conn.execute(
            role_key.update()
            .where(role_key.c.id == row_id)
            .values(public_id=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("role_key") as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index("ix_role_key_public_id", ["public_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("role_key") as batch_op:
        batch_op.drop_index("ix_role_key_public_id")
        batch_op.drop_column("public_id")
