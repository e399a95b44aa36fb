"""Helpers for the Zoom tests: the shared payloads, and a fake Zoom on 127.0.0.1.

The fake speaks the documented endpoints over real HTTP (a `ThreadingHTTPServer` in a
thread), so the Q&A client is tested through httpx's real transport, not a monkeypatch:
`POST /oauth/token` (Basic client id/secret, grant_type=account_credentials) and
`GET /v2/report/webinars/{id}/qa`, `GET /v2/past_webinars/{id}/qa` (Bearer token).
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers import LiveServer

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"


def payload_path(name: str) -> Path:
    """`tests/payloads/<name>`: the captured/constructed payloads, used as they are."""
    path = PAYLOADS / name
    assert path.is_file(), f"missing shared payload {path}"
    return path


def payload_bytes(name: str) -> bytes:
    return payload_path(name).read_bytes()


def payload_json(name: str) -> Any:
    return json.loads(payload_bytes(name))


@dataclass
class Recorded:
    method: str
    path: str  # raw path as sent, percent-encoding intact
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeZoom:
    """Zoom's token and Q&A report endpoints, with scripted failures.

    `queue(path, status, body, headers)` makes the next request to `path` answer that,
    before any auth check (a 429, a 503, ...). `revoke()` expires every token server-side.
    `reports[raw_path]` is a list of pages; page i>0 is served for next_page_token="p{i}".
    """

    account_id: str = "acct-1"
    client_id: str = "client-1"
    client_secret: str = "s3cr3t-client"
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    reports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    valid_tokens: set[str] = field(default_factory=set)
    issued: int = 0
    _queued: dict[str, deque[tuple[int, bytes, dict[str, str]]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(
        self, path: str, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        self._queued.setdefault(path, deque()).append((status, raw, headers or {}))

    def revoke(self) -> None:
        with self._lock:
            self.valid_tokens.clear()

    def hits(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def respond(self, rec: Recorded) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            self.requests.append(rec)
            pending = self._queued.get(rec.path)
            if pending:
                return pending.popleft()
            if rec.method == "POST" and rec.path == "/oauth/token":
                return self._token(rec)
            if rec.method == "GET" and rec.path.startswith("/v2/"):
                return self._api(rec)
            return _json(404, {"code": 404, "message": "Not found"})

    def _token(self, rec: Recorded) -> tuple[int, bytes, dict[str, str]]:
        expected = (
            "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        )
        form = parse_qs(rec.body.decode())
        if (
            rec.headers.get("authorization") != expected
            or form.get("grant_type") != ["account_credentials"]
            or form.get("account_id") != [self.account_id]
        ):
            return _json(
                400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
            )
        self.issued += 1
        token = f"tok-{self.issued}"
        self.valid_tokens.add(token)
        return _json(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": 3600,
                "scope": "report:read:admin",
            },
        )

    def _api(self, rec: Recorded) -> tuple[int, bytes, dict[str, str]]:
        auth = rec.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
            return _json(401, {"code": 124, "message": "Invalid access token."})
        pages = self.reports.get(rec.path)
        if not pages:
            return _json(404, {"code": 3001, "message": "Webinar does not exist."})
        token = rec.query.get("next_page_token", [""])[0]
        index = int(token[1:]) if token.startswith("p") else 0
        return _json(200, pages[index])


def _json(status: int, body: Any) -> tuple[int, bytes, dict[str, str]]:
    return status, json.dumps(body).encode(), {"content-type": "application/json"}


def make_handler(fake: FakeZoom) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            rec = Recorded(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            status, raw, headers = fake.respond(rec)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler


# ---------------------------------------------------------------- a real server with Zoom on


ZOOM_SECRETS = ("zoom-app-one-secret", "zoom-app-two-secret")
ZOOM_ID = 85746065432  # the id in the shared chat payloads


@dataclass
class ZoomServer(LiveServer):
    """tests/conftest.py's LiveServer with Zoom secrets set, and Zoom settings that ignore
    the environment; `zoom` reaches the app's Zoom runtime (counters, settings)."""

    secrets: str = ",".join(ZOOM_SECRETS)
    zoom_settings: Any = None

    def make_app(self) -> Any:
        from app.channels import zoom as zoom_channel

        self.extra_env = {**self.extra_env, "zoom_secret_token": self.secrets}
        app = super().make_app()
        zoom_channel.configure(
            app.state.fb, self.zoom_settings or zoom_channel.ZoomSettings(_env_file=None)
        )
        return app

    @property
    def zoom(self) -> Any:
        """The app's ZoomRuntime (counters, settings)."""
        return self.app.state.fb.zoom
