"""Alembic environment: our metadata, our engine settings, batch mode for SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import app.agenda.models  # noqa: F401 - timer state, segment runs, stage notes
import app.connectors.models  # noqa: F401 - connector settings, cursors, cross-posts
import app.floor.models  # noqa: F401 - floor requests, floor settings
import app.models  # noqa: F401 - registers the tables
import app.ownership  # noqa: F401 - the work leases (one owner per session)
import app.polls.models  # noqa: F401 - polls, ballots, join codes
import app.report.models  # noqa: F401 - rapporteur notes, highlights, retention

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
