"""Webinar Q&A from Zoom: the report API (Server-to-Server OAuth) and the CSV export.

No webhook carries webinar Q&A, so it is pulled: on `webinar.ended`, from the console's
"Import Zoom Q&A" button, or every N seconds during the webinar (Zoom may return nothing
until the webinar has ended). Accounts without API access upload the Q&A report CSV.

Both sources give the same `external_id` for the same question (asker + text + how many
times that asker asked it), so a CSV upload after an API import, or a re-import, does
not duplicate anything in the queue.
"""

from __future__ import annotations

import asyncio
import csv
import email.utils
import hashlib
import io
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from ports.clock import epoch_seconds, parse_iso
from ports.messages import IncomingMessage

log = logging.getLogger("floorbridge.zoom.qa")

CHANNEL = "zoom_qa"
OAUTH_BASE = "https://zoom.us"
API_BASE = "https://api.zoom.us/v2"
#: Refresh a token this long before Zoom says it expires (clock skew, slow requests).
TOKEN_MARGIN = 60.0
#: Statuses we read as answered; Zoom does not document `question_status` values.
ANSWERED_STATUSES = frozenset({"answered", "live_answered", "answered_live"})
#: Questions the asker or a panelist deleted are not brought into the queue.
SKIPPED_STATUSES = frozenset({"deleted"})


class ZoomApiError(Exception):
    """Zoom refused or failed; the message is safe to show (no token, no secret)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ZoomAuthError(ZoomApiError):
    """Credentials refused (wrong account id, client id or secret, or missing scopes)."""


class ZoomRateLimited(ZoomApiError):
    """Zoom asked us to wait longer than we are willing to (e.g. a daily limit)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Zoom rate limit: retry after {retry_after:.0f} s", 429)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Credentials:
    """A Server-to-Server OAuth app's three values (Zoom Marketplace, "App credentials")."""

    account_id: str
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ZoomQuestion:
    """One webinar question, with what Zoom knows of its answer.

    `message` is what the core stores; `answered` / `answer_text` are extra facts the
    core's `IncomingMessage` has no field for (yet).
    """

    message: IncomingMessage
    answered: bool
    answer_text: str | None
    status: str | None = None


Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class ZoomQAClient:
    """Fetches a webinar's Q&A report, with a cached token and polite retries.

    One token per client, reused until `TOKEN_MARGIN` before it expires and refreshed once
    when Zoom answers 401. 429 waits for `Retry-After` (refusing waits above
    `max_retry_after`), 5xx and network errors back off exponentially with jitter.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        http: httpx.AsyncClient,
        oauth_base: str = OAUTH_BASE,
        api_base: str = API_BASE,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        max_retry_after: float = 120.0,
    ) -> None:
        self._creds = credentials
        self._http = http
        self._oauth_base = oauth_base.rstrip("/")
        self._api_base = api_base.rstrip("/")
        self._sleep = sleep
        self._clock = clock
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._max_retry_after = max_retry_after
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()

    # ------------------------------------------------------------ token

    async def token(self, *, force: bool = False) -> str:
        async with self._token_lock:
            if not force and self._token and self._clock() < self._token_expires:
                return self._token
            response = await self._send(
                "POST",
                f"{self._oauth_base}/oauth/token",
                data={"grant_type": "account_credentials", "account_id": self._creds.account_id},
                auth=httpx.BasicAuth(self._creds.client_id, self._creds.client_secret),
            )
            if response.status_code in (400, 401, 403):
                raise ZoomAuthError(
                    f"Zoom refused the app credentials ({response.status_code}: "
                    f"{_zoom_message(response)})",
                    response.status_code,
                )
            if response.status_code != 200:
                raise ZoomApiError(
                    f"Zoom's token endpoint answered {response.status_code}", response.status_code
                )
            body = _json(response)
            token = body.get("access_token")
            if not isinstance(token, str) or not token:
                raise ZoomAuthError("Zoom's token answer had no access_token", response.status_code)
            lifetime = body.get("expires_in")
            lifetime = float(lifetime) if isinstance(lifetime, int | float) else 3600.0
            self._token = token
            self._token_expires = self._clock() + max(lifetime - TOKEN_MARGIN, 0.0)
            return token

    # ------------------------------------------------------------ report

    async def fetch_report(self, webinar_id: int | str) -> dict[str, Any]:
        """The raw Q&A report (all pages merged): the report API first, then the
        past-webinar endpoint for accounts or scopes without reports."""
        wid = encode_webinar_id(webinar_id)
        try:
            return await self._get_all(f"/report/webinars/{wid}/qa")
        except ZoomAuthError:
            raise
        except ZoomApiError as exc:
            if exc.status not in (400, 403, 404):
                raise
            log.info("zoom qa: report endpoint answered %s, trying past_webinars", exc.status)
            return await self._get_all(f"/past_webinars/{wid}/qa")

    async def fetch_questions(self, webinar_id: int | str) -> list[ZoomQuestion]:
        return parse_report(await self.fetch_report(webinar_id))

    async def _get_all(self, path: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        questions: list[Any] = []
        params: dict[str, str] = {}
        seen_tokens: set[str] = set()
        for _ in range(100):  # the documented endpoint does not page; guard anyway
            page = await self._get(path, params)
            if not merged:
                merged = dict(page)
            questions.extend(page.get("questions") or [])
            next_token = page.get("next_page_token")
            if not isinstance(next_token, str) or not next_token or next_token in seen_tokens:
                break
            seen_tokens.add(next_token)
            params = {"next_page_token": next_token}
        merged["questions"] = questions
        merged.pop("next_page_token", None)
        return merged

    async def _get(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        url = f"{self._api_base}{path}"
        refreshed = False
        while True:
            token = await self.token()
            response = await self._send(
                "GET", url, params=dict(params), headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code == 401 and not refreshed:
                refreshed = True
                await self.token(force=True)
                continue
            if response.status_code == 401:
                raise ZoomAuthError("Zoom refused a fresh token (401)", 401)
            if response.status_code != 200:
                raise ZoomApiError(
                    f"Zoom answered {response.status_code}: {_zoom_message(response)}",
                    response.status_code,
                )
            return _json(response)

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request with retries on 429, 5xx and network errors."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if attempt >= self._max_attempts:
                    raise ZoomApiError(f"Zoom unreachable ({exc.__class__.__name__})") from exc
                await self._sleep(self._backoff(attempt))
                continue
            if response.status_code == 429:
                wait = _retry_after(response.headers.get("retry-after"), self._wall())
                if wait is None:
                    wait = self._backoff(attempt)
                if wait > self._max_retry_after:
                    raise ZoomRateLimited(wait)
                if attempt >= self._max_attempts:
                    raise ZoomApiError("Zoom kept answering 429", 429)
                log.info("zoom qa: 429, waiting %.1f s", wait)
                await self._sleep(wait)
                continue
            if response.status_code >= 500 and attempt < self._max_attempts:
                await self._sleep(self._backoff(attempt))
                continue
            return response

    def _backoff(self, attempt: int) -> float:
        """Exponential with full jitter, capped at 30 s."""
        return random.uniform(0, min(30.0, self._backoff_base * 2 ** (attempt - 1)))

    @staticmethod
    def _wall() -> float:
        return epoch_seconds()


def encode_webinar_id(webinar_id: int | str) -> str:
    """Zoom wants a UUID that starts with '/' or contains '//' encoded twice."""
    text = str(webinar_id).strip()
    once = quote(text, safe="")
    if text.startswith("/") or "//" in text:
        return quote(once, safe="")
    return once


def _retry_after(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise ZoomApiError(
            "Zoom answered with something that is not JSON", response.status_code
        ) from exc
    if not isinstance(body, dict):
        raise ZoomApiError("Zoom answered with JSON that is not an object", response.status_code)
    return body


def _zoom_message(response: httpx.Response) -> str:
    """Zoom errors look like {"code": 3001, "message": "..."}; keep it short."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no detail"
    if isinstance(body, dict):
        text = body.get("message") or body.get("reason") or body.get("error")
        if isinstance(text, str):
            return text[:200]
    return response.reason_phrase or "no detail"


# ---------------------------------------------------------------- parsing


def question_external_id(asker: str | None, text: str, occurrence: int) -> str:
    """Same question from the API or the CSV gets the same id (see module docstring)."""
    basis = "\x1f".join(((asker or "").strip().lower(), " ".join(text.split()), str(occurrence)))
    return "zq:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


def parse_report(report: Mapping[str, Any]) -> list[ZoomQuestion]:
    """Questions from `/report/webinars/{id}/qa` or `/past_webinars/{id}/qa`.

    Shape (Zoom's Rivet SDK types): questions[] = {user_id?, name, email, question_details[]
    = {question_id?, question, create_time?, question_status?, answer?, answer_details[]?}}.
    Every field may be missing.
    """
    rows: list[_Row] = []
    for asker in report.get("questions") or []:
        if not isinstance(asker, Mapping):
            continue
        name = _s(asker.get("name"))
        email_ = _s(asker.get("email"))
        for detail in asker.get("question_details") or []:
            if not isinstance(detail, Mapping):
                continue
            found = [
                _s(a.get("content"))
                for a in detail.get("answer_details") or []
                if isinstance(a, Mapping)
            ]
            answers = [a for a in found if a]
            if not answers and _s(detail.get("answer")):
                answers = [_s(detail.get("answer")) or ""]
            rows.append(
                _Row(
                    text=_s(detail.get("question")),
                    name=name,
                    email=email_,
                    user_id=_s(asker.get("user_id")),
                    answers=answers,
                    had_answer_details=bool(detail.get("answer_details")),
                    status=_s(detail.get("question_status")),
                    asked_at=parse_iso(detail.get("create_time")),
                )
            )
    return _to_questions(rows)


def parse_qa_csv(data: bytes | str) -> list[ZoomQuestion]:
    """Questions from the webinar Q&A report CSV (Zoom web portal: Reports > Webinar > Q&A).

    Assumed layout (Zoom documents no schema): a few preamble lines (report title, a
    Topic/Webinar ID table), then a header row `#,Question,Asker Name,Asker Email,Answer(s)`
    and one row per question; cells past the header are further answers. Headers are
    matched case-insensitively; an optional `Question Time` column is read when ISO 8601.
    Raises ValueError when no such header row exists.
    """
    text = _decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] | None = None
    width = 0
    rows: list[_Row] = []
    for cells in reader:
        if columns is None:
            columns = _header(cells)
            width = len(cells)
            continue
        if not any(c.strip() for c in cells):
            continue
        if _header(cells) is not None:  # a second report section: same layout
            continue

        answer_index = columns.get("answer")
        answers: list[str] = []
        if answer_index is not None:
            # Cells past the header's width are further answers to the same question.
            extra = cells[answer_index : answer_index + 1] + cells[width:]
            answers = [a for a in (_s(c) for c in extra) if a]
        rows.append(
            _Row(
                text=_cell(cells, columns, "question"),
                name=_cell(cells, columns, "name"),
                email=_cell(cells, columns, "email"),
                user_id=None,
                answers=answers,
                had_answer_details=False,
                status=_cell(cells, columns, "status"),
                asked_at=parse_iso(_cell(cells, columns, "time")),
            )
        )
    if columns is None:
        raise ValueError(
            "not a Zoom Q&A report: no header row with 'Question' and 'Asker Name' columns"
        )
    return _to_questions(rows)


_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "question": ("question", "question text"),
    "name": ("asker name", "name", "asker"),
    "email": ("asker email", "email", "asker e-mail"),
    "answer": ("answer(s)", "answers", "answer"),
    "time": ("question time", "asked at", "time"),
    "status": ("question status", "status"),
}


def _header(cells: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    normal = [" ".join(c.replace("\ufeff", "").split()).lower() for c in cells]
    for key, names in _HEADER_NAMES.items():
        for index, cell in enumerate(normal):
            if cell in names:
                found[key] = index
                break
    if "question" in found and ("name" in found or "answer" in found):
        return found
    return None


def _cell(cells: list[str], columns: Mapping[str, int], name: str) -> str | None:
    index = columns.get(name)
    return _s(cells[index]) if index is not None and index < len(cells) else None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@dataclass(slots=True)
class _Row:
    text: str | None
    name: str | None
    email: str | None
    user_id: str | None
    answers: list[str]
    had_answer_details: bool
    status: str | None
    asked_at: datetime | None


def _to_questions(rows: Iterable[_Row]) -> list[ZoomQuestion]:
    seen: Counter[tuple[str, str]] = Counter()
    out: list[ZoomQuestion] = []
    for row in rows:
        if not row.text:
            continue
        status = (row.status or "").strip().lower()
        if status in SKIPPED_STATUSES:
            continue
        asker = row.email or row.name
        key = ((asker or "").strip().lower(), " ".join(row.text.split()))
        seen[key] += 1
        answer_text = "\n\n".join(row.answers) or None
        answered = bool(answer_text) or row.had_answer_details or status in ANSWERED_STATUSES
        out.append(
            ZoomQuestion(
                message=IncomingMessage(
                    channel=CHANNEL,
                    external_id=question_external_id(asker, row.text, seen[key]),
                    text=row.text,
                    author_name=row.name,
                    author_id=row.email or row.user_id,
                    sent_at=row.asked_at,
                    answered=answered,
                    answer=answer_text,
                ),
                answered=answered,
                answer_text=answer_text,
                status=row.status,
            )
        )
    return out


def _s(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    return None


