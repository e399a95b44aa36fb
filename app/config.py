"""Settings, all read from FLOORBRIDGE_* environment variables or a .env file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOORBRIDGE_", env_file=".env", extra="ignore")

    #: Where the SQLite file, the generated admin token and the cookie key live.
    data_dir: Path = Path("data")
    #: SQLAlchemy URL; empty means a SQLite file (WAL) in `data_dir`.
    database_url: str = ""
    #: `memory://` (one process) or `redis://host:port/db` (several workers or hosts).
    bus_url: str = "memory://"
    #: Creates sessions. Generated, stored in `data_dir` and printed on first run when unset.
    admin_token: str = ""
    #: Signs cookies. Generated and stored in `data_dir` when unset.
    secret_key: str = ""
    #: Zoom webhook secret token(s), comma-separated for several Zoom apps.
    zoom_secret_token: str = ""
    #: Base URL printed in role links (e.g. https://floor.example.org); default from the request.
    public_url: str = ""
    #: Events a reconnecting client may be behind and still get an exact replay.
    replay_max_events: int = 1000
    #: ... or, beyond that count, how old the first missed event may be (seconds).
    replay_max_age: float = 120.0
    #: Frames buffered for one socket before it is closed as too slow (it then resyncs).
    #: Frames are shared between sockets, so a slot costs a pointer, not a copy.
    client_buffer: int = 1024
    #: New audience ids one IP address may get a minute (the audience page issues them),
    #: all at once if need be: a room of phones behind one NAT joins within a minute.
    audience_ids_per_ip_minute: float = 2500
    #: Upvotes one audience id, and one IP address, may send a minute; 0 = no limit.
    upvotes_per_audience_minute: float = 60
    upvotes_per_ip_minute: float = 6000
    #: Questions one audience id, and one IP address, may send a minute; 0 = no limit.
    questions_per_audience_minute: float = 6
    questions_per_ip_minute: float = 600
    #: Poll votes one audience id may send a minute (changing a vote counts); 0 = no limit.
    poll_votes_per_voter_minute: float = 30
    #: Poll votes one IP address may send a minute (a room may share one); 0 = no limit.
    poll_votes_per_ip_minute: float = 6000
    #: Least time between two live result updates of one poll, in seconds.
    poll_results_interval: float = 0.3

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'floorbridge.db').resolve()}"

    def persistent_secret(self, name: str, value: str) -> tuple[str, bool]:
        """Return `value`, or one generated once and kept in `data_dir` (so restarts agree)."""
        if value:
            return value, False
        path = self.data_dir / name
        if path.exists():
            return path.read_text().strip(), False
        self.data_dir.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(32)
        path.write_text(token)
        path.chmod(0o600)
        return token, True


@lru_cache
def get_settings() -> Settings:
    return Settings()
