"""session language and captioning link: the default language of the session's pages and
report, and the address of its live captions (shown on the audience page and the screen)

Revision ID: 0008_lang
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_lang"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("live_session", sa.Column("lang", sa.String(length=8), nullable=True))
    op.add_column("live_session", sa.Column("captions_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("live_session", "captions_url")
    op.drop_column("live_session", "lang")
