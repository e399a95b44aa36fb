"""Alembic environment: our metadata, our engine settings, batch mode for SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

from app.domains import DOMAINS

config = context.config
#: Every domain's tables (`Domain.models`: importing DOMAINS imported them), so
#: autogenerate sees them all.
MODELS = [model for domain in DOMAINS for model in domain.models]
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
