"""Retention settings, read from FLOORBRIDGE_* like the core's, kept with the domain."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class RetentionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOORBRIDGE_", env_file=".env", extra="ignore")

    #: Days personal data is kept for a session that set nothing else.
    retention_days: int = 30
    #: Run the purge once a day inside the server (each session's own retention applies).
    purge_daily: bool = False
    #: Seconds between two scheduled purges; a day unless a test or an operator says otherwise.
    purge_interval: float = 86_400.0
