"""Small helpers every social connector shares: JSON, timestamps, HTTP clients, URLs."""

from __future__ import annotations

import json
from typing import Any

import httpx

from integrations.base import ConnectorError


def loads(text: str | bytes, what: str) -> Any:
    """Parse JSON or raise a retryable error, so a garbled frame restarts from the cursor."""
    try:
        return json.loads(text)
    except (ValueError, TypeError) as exc:
        raise ConnectorError(f"{what}: malformed JSON ({exc})") from exc


def http_client(timeout: float, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """A client whose read timeout turns a stalled server into a retry, not a hang."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        headers={"User-Agent": "floorbridge/0.1", **(headers or {})},
        follow_redirects=False,
    )


def to_ws_url(url: str) -> str:
    """`https://host` → `wss://host` (and http → ws); ws URLs pass through."""
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url


def same_origin(url: str, base: str) -> bool:
    """Only follow a `Link` URL on the server we were configured for (tokens stay there)."""
    a, b = httpx.URL(url), httpx.URL(base)
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def normalise_tag(tag: str) -> str:
    """`#FloorBridge` → `floorbridge`: hashtags compare case-insensitively, without `#`."""
    return tag.strip().lstrip("#").casefold()
