"""Settings, all read from FLOORBRIDGE_* environment variables or a .env file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
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
    #: Base URL of links and QR codes (e.g. https://floor.example.org). When unset, links use
    #: the request's Host only if it is in `allowed_hosts`, else the address the request
    #: reached (a Host header is the client's word, not ours).
    public_url: str = ""
    #: Host names links may be built from, comma-separated (`floor.example.org`,
    #: `*.example.org`, `10.0.0.5:8000`); for a server reached under several names.
    allowed_hosts: str = ""
    #: Concurrent HTTP connections one address may hold (proxies uvicorn trusts for
    #: X-Forwarded-For are exempt); 0 = no cap.
    max_connections_per_ip: int = Field(4096, ge=0)
    #: Seconds a connection may take to send a request's line and headers.
    header_timeout: float = Field(10.0, gt=0)
    #: Seconds a request body may pause between two pieces (the whole body: 3 times that).
    body_timeout: float = Field(10.0, gt=0)
    #: New WebSocket sockets one address may open a minute, all at once if it likes; 0 = no cap.
    ws_connects_per_ip_minute: float = Field(3000, ge=0)
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
    #: The triage assistant (docs/triage.md): `on` runs it when its model is installed
    #: (`pip install 'floorbridge[triage]'`; the console says why when it is not), `off`
    #: never loads it.
    triage: Literal["on", "off"] = "on"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'floorbridge.db').resolve()}"

    def allowed_host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]

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
