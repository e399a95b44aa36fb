"""Settings, all read from FLOORBRIDGE_* environment variables or a .env file, once at start.

One `Settings` with nested sections (`settings.zoom`, `settings.retention`) for what one
domain alone reads. A section keeps the flat names it had as a settings class of its own
(`FLOORBRIDGE_ZOOM_ACCOUNT_ID`, `FLOORBRIDGE_RETENTION_DAYS`): `_FlatSections` reads them,
so no environment variable changed when the sections moved here.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from integrations.zoom_qa import API_BASE, OAUTH_BASE, Credentials

PREFIX = "FLOORBRIDGE_"


class Section(BaseModel):
    """A group of settings read from `env_prefix` + the field's name."""

    env_prefix: ClassVar[str] = PREFIX


class ZoomSettings(Section):
    """`FLOORBRIDGE_ZOOM_*` beyond the secret token (which the webhook's hot path reads at
    the top level, `Settings.zoom_secret_token`)."""

    env_prefix: ClassVar[str] = "FLOORBRIDGE_ZOOM_"

    #: Server-to-Server OAuth app, for the webinar Q&A report (scope report:read:admin).
    account_id: str = ""
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")  # SecretStr: never shown by repr() or logs
    #: Drop chat messages not sent to everyone (see `ZoomChat.is_public`).
    public_only: bool = False
    #: Import Q&A every N seconds while a webinar is live (0 = only when it ends).
    qa_poll_seconds: float = 0.0
    oauth_base: str = OAUTH_BASE
    api_base: str = API_BASE

    def credentials(self) -> Credentials | None:
        secret = self.client_secret.get_secret_value()
        if self.account_id and self.client_id and secret:
            return Credentials(self.account_id, self.client_id, secret)
        return None


class RetentionSettings(Section):
    """`FLOORBRIDGE_RETENTION_DAYS`, `FLOORBRIDGE_PURGE_*`: the privacy domain's."""

    #: Days personal data is kept for a session that set nothing else.
    retention_days: int = 30
    #: Run the purge once a day inside the server (each session's own retention applies).
    purge_daily: bool = False
    #: Seconds between two scheduled purges; a day unless a test or an operator says otherwise.
    purge_interval: float = 86_400.0


class _FlatSections(PydanticBaseSettingsSource):
    """Each section's fields from the environment and the .env file by their flat names
    (the environment wins, as for the top-level fields)."""

    def __init__(
        self, settings_cls: type[BaseSettings], env: EnvSettingsSource, dotenv: DotEnvSettingsSource
    ) -> None:
        super().__init__(settings_cls)
        self.found = {**dotenv.env_vars, **env.env_vars}  # lower-cased names

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads whole sections

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, section in sections(self.settings_cls):
            values = {
                key: self.found[f"{section.env_prefix}{key}".lower()]
                for key in section.model_fields
                if f"{section.env_prefix}{key}".lower() in self.found
            }
            if values:
                out[name] = values
        return out


def sections(cls: type[BaseModel]) -> Iterator[tuple[str, type[Section]]]:
    for name, info in cls.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, Section):
            yield name, info.annotation


def env_names(cls: type[BaseSettings] | None = None) -> list[str]:
    """Every `FLOORBRIDGE_*` name the settings read, sections included (the README lists them)."""
    cls = cls or Settings
    nested = dict(sections(cls))
    names = [f"{PREFIX}{name}".upper() for name in cls.model_fields if name not in nested]
    for section in nested.values():
        names += [f"{section.env_prefix}{name}".upper() for name in section.model_fields]
    return names


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        flat = _FlatSections(settings_cls, env_settings, dotenv_settings)
        return init_settings, env_settings, dotenv_settings, flat, file_secret_settings

    #: The Zoom Q&A import and chat filter (`FLOORBRIDGE_ZOOM_*`).
    zoom: ZoomSettings = Field(default_factory=ZoomSettings)
    #: Retention and the scheduled purge.
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

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
    #: Largest body (bytes) an anonymous write (question, upvote, vote, floor request) may
    #: declare; chunked bodies there get 411. Others keep the 1 MiB cap; 0 = only that.
    anonymous_max_body: int = Field(64 * 1024, ge=0, le=1024 * 1024)
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
    #: Seconds a refused audience request waits for its answer (a 429, the busy page, a
    #: 411/413 at the headers): a script that retries at once is slowed to one try per
    #: connection per this many seconds, for the cost of a timer; 0 = answer at once.
    refusal_delay: float = Field(1.0, ge=0, le=30)
    #: Least time between two live result updates of one poll, in seconds.
    poll_results_interval: float = 0.3
    #: The triage assistant (docs/triage.md): `on` runs it when its model is installed
    #: (`pip install 'floorbridge[triage]'`; the console says why when it is not), `off`
    #: never loads it.
    triage: Literal["on", "off"] = "on"
    #: This worker's name where the console shows who runs a session's channels
    #: (default host:pid).
    worker_name: str = Field("", max_length=200)
    #: Seconds a worker's claim on a session's background work lasts unless renewed: a dead
    #: owner is replaced within about 1.2 times this (app/ownership.py).
    owner_lease_seconds: float = Field(5.0, ge=1, le=300)

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
