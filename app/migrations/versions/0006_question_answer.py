"""question.answer: the answer given where a question was asked (Zoom webinar Q&A)

Revision ID: 0006_question_answer
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_question_answer"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question") as batch_op:
        batch_op.add_column(
            sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("question") as batch_op:
        batch_op.drop_column("answer")
