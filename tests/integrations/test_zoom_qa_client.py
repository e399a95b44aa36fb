"""The Q&A client against a fake Zoom on 127.0.0.1, through httpx's real transport."""

from __future__ import annotations

import base64
import email.utils
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import httpx
import pytest

from integrations.zoom_qa import (
    Credentials,
    ZoomApiError,
    ZoomAuthError,
    ZoomQAClient,
    ZoomRateLimited,
)

from .zoom_support import FakeZoom, payload_json

WEBINAR = 85746065432
REPORT = f"/v2/report/webinars/{WEBINAR}/qa"
PAST = f"/v2/past_webinars/{WEBINAR}/qa"


class FakeTime:
    """Injected clock and sleep: records every wait, moves the clock, returns at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


def make_client(fake: FakeZoom, http: httpx.AsyncClient, t: FakeTime, **kw: object) -> ZoomQAClient:
    return ZoomQAClient(
        Credentials(fake.account_id, fake.client_id, fake.client_secret),
        http=http,
        oauth_base=fake.base_url,
        api_base=f"{fake.base_url}/v2",
        sleep=t.sleep,
        clock=t.clock,
        **kw,  # type: ignore[arg-type]
    )


async def test_fetches_the_report_with_server_to_server_oauth(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.reports[REPORT] = [payload_json("zoom-webinar-qa-report.json")]
    questions = await make_client(fake_zoom, http, fake_time).fetch_questions(WEBINAR)

    assert [q.message.text for q in questions] == ["Will the slides be shared after the session?"]
    assert questions[0].answered and questions[0].answer_text == "Yes, by email."
    (token_call,) = fake_zoom.hits("/oauth/token")
    expected = base64.b64encode(b"client-1:s3cr3t-client").decode()
    assert token_call.headers["authorization"] == f"Basic {expected}"
    assert parse_qs(token_call.body.decode()) == {
        "grant_type": ["account_credentials"],
        "account_id": ["acct-1"],
    }
    (report_call,) = fake_zoom.hits(REPORT)
    assert report_call.headers["authorization"] == "Bearer tok-1"
    assert fake_time.waits == []


async def test_the_token_is_cached_until_it_nearly_expires(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.reports[REPORT] = [payload_json("zoom-webinar-qa-report.json")]
    client = make_client(fake_zoom, http, fake_time)
    await client.fetch_report(WEBINAR)
    fake_time.now += 3000  # within 3600 s minus the safety margin
    await client.fetch_report(WEBINAR)
    assert fake_zoom.issued == 1
    fake_time.now += 600  # past expires_in - margin
    await client.fetch_report(WEBINAR)
    assert fake_zoom.issued == 2
    assert fake_zoom.hits(REPORT)[-1].headers["authorization"] == "Bearer tok-2"


async def test_an_expired_token_is_refreshed_once_on_401(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.reports[REPORT] = [payload_json("zoom-webinar-qa-report.json")]
    client = make_client(fake_zoom, http, fake_time)
    await client.fetch_report(WEBINAR)
    fake_zoom.revoke()  # Zoom expired it early (e.g. a new token was issued elsewhere)
    report = await client.fetch_report(WEBINAR)
    assert len(report["questions"]) == 1
    assert fake_zoom.issued == 2
    assert [r.headers["authorization"] for r in fake_zoom.hits(REPORT)] == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]


async def test_a_401_after_refreshing_is_an_auth_error_not_a_loop(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    for _ in range(3):
        fake_zoom.queue(REPORT, 401, {"code": 124, "message": "Invalid access token."})
    with pytest.raises(ZoomAuthError):
        await make_client(fake_zoom, http, fake_time).fetch_report(WEBINAR)
    assert len(fake_zoom.hits(REPORT)) == 2


async def test_429_waits_as_long_as_retry_after_says(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.reports[REPORT] = [payload_json("zoom-webinar-qa-report.json")]
    fake_zoom.queue(
        REPORT, 429, {"code": 429, "message": "Too many requests"}, {"Retry-After": "2"}
    )
    fake_zoom.queue(
        REPORT, 429, {"code": 429, "message": "Too many requests"}, {"Retry-After": "1"}
    )
    report = await make_client(fake_zoom, http, fake_time).fetch_report(WEBINAR)
    assert len(report["questions"]) == 1
    assert fake_time.waits == [2.0, 1.0]
    assert len(fake_zoom.hits(REPORT)) == 3


async def test_429_really_sleeps_with_the_default_sleep(
    fake_zoom: FakeZoom, http: httpx.AsyncClient
) -> None:
    fake_zoom.reports[REPORT] = [payload_json("zoom-webinar-qa-report.json")]
    fake_zoom.queue(REPORT, 429, {"message": "slow down"}, {"Retry-After": "1"})
    client = ZoomQAClient(
        Credentials(fake_zoom.account_id, fake_zoom.client_id, fake_zoom.client_secret),
        http=http,
        oauth_base=fake_zoom.base_url,
        api_base=f"{fake_zoom.base_url}/v2",
    )
    started = time.monotonic()
    await client.fetch_report(WEBINAR)
    assert time.monotonic() - started >= 0.95


async def test_a_retry_after_longer_than_we_wait_is_reported_not_slept(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.queue(REPORT, 429, {"message": "Daily limit"}, {"Retry-After": "86400"})
    with pytest.raises(ZoomRateLimited) as caught:
        await make_client(fake_zoom, http, fake_time).fetch_report(WEBINAR)
    assert caught.value.retry_after == 86400
    assert fake_time.waits == []


async def test_5xx_backs_off_then_succeeds(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.reports[REPORT] = [payload_json("zoom-webinar-qa-report.json")]
    fake_zoom.queue(REPORT, 503, {"message": "unavailable"})
    fake_zoom.queue(REPORT, 502)
    report = await make_client(fake_zoom, http, fake_time).fetch_report(WEBINAR)
    assert len(report["questions"]) == 1
    assert len(fake_time.waits) == 2
    assert all(0 <= w <= 2.0 for w in fake_time.waits)  # 1 s then 2 s caps, full jitter


async def test_5xx_that_never_ends_gives_up_after_max_attempts(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    for _ in range(10):
        fake_zoom.queue(REPORT, 500, {"message": "boom"})
    with pytest.raises(ZoomApiError) as caught:
        await make_client(fake_zoom, http, fake_time, max_attempts=3).fetch_report(WEBINAR)
    assert caught.value.status == 500
    assert len(fake_zoom.hits(REPORT)) == 3
    assert fake_zoom.hits(PAST) == []


async def test_the_token_endpoint_is_retried_on_429_too(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.reports[REPORT] = [payload_json("zoom-webinar-qa-report.json")]
    fake_zoom.queue("/oauth/token", 429, {"reason": "rate"}, {"Retry-After": "1"})
    await make_client(fake_zoom, http, fake_time).fetch_report(WEBINAR)
    assert fake_time.waits == [1.0]
    assert fake_zoom.issued == 1


async def test_wrong_credentials_are_an_auth_error_without_the_secret(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    client = ZoomQAClient(
        Credentials(fake_zoom.account_id, fake_zoom.client_id, "not-the-secret"),
        http=http,
        oauth_base=fake_zoom.base_url,
        api_base=f"{fake_zoom.base_url}/v2",
        sleep=fake_time.sleep,
    )
    with pytest.raises(ZoomAuthError) as caught:
        await client.fetch_report(WEBINAR)
    assert "Invalid client_id or client_secret" in str(caught.value)
    assert "not-the-secret" not in str(caught.value)
    assert "not-the-secret" not in repr(client._creds)
    assert fake_zoom.hits(REPORT) == []


async def test_falls_back_to_past_webinars_when_reports_are_unavailable(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.queue(
        REPORT, 400, {"code": 1001, "message": "Only available for Paid or ZMP account"}
    )
    fake_zoom.reports[PAST] = [
        {
            "questions": [
                {
                    "name": "Ana P",
                    "email": "ana@example.org",
                    "question_details": [{"question": "Is there a recording?", "answer": ""}],
                }
            ]
        }
    ]
    questions = await make_client(fake_zoom, http, fake_time).fetch_questions(WEBINAR)
    assert [(q.message.text, q.answered) for q in questions] == [("Is there a recording?", False)]
    assert len(fake_zoom.hits(PAST)) == 1


async def test_a_missing_webinar_is_a_clear_error(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    with pytest.raises(ZoomApiError) as caught:
        await make_client(fake_zoom, http, fake_time).fetch_report(WEBINAR)
    assert caught.value.status == 404
    assert "Webinar does not exist." in str(caught.value)


async def test_pages_are_followed_by_next_page_token(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    def page(text: str, token: str) -> dict[str, object]:
        return {
            "id": WEBINAR,
            "next_page_token": token,
            "questions": [{"name": "X", "question_details": [{"question": text}]}],
        }

    fake_zoom.reports[REPORT] = [page("first?", "p1"), page("second?", "p2"), page("third?", "")]
    questions = await make_client(fake_zoom, http, fake_time).fetch_questions(WEBINAR)
    assert [q.message.text for q in questions] == ["first?", "second?", "third?"]
    assert [r.query.get("next_page_token") for r in fake_zoom.hits(REPORT)] == [
        None,
        ["p1"],
        ["p2"],
    ]


async def test_a_uuid_with_slashes_is_double_encoded(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    uuid = "/ajXp112QmuoKj4854875=="
    path = "/v2/report/webinars/%252FajXp112QmuoKj4854875%253D%253D/qa"
    fake_zoom.reports[path] = [payload_json("zoom-webinar-qa-report.json")]
    report = await make_client(fake_zoom, http, fake_time).fetch_report(uuid)
    assert len(report["questions"]) == 1


async def test_retry_after_as_an_http_date_is_honoured(
    fake_zoom: FakeZoom, http: httpx.AsyncClient, fake_time: FakeTime
) -> None:
    fake_zoom.reports[REPORT] = [payload_json("zoom-webinar-qa-report.json")]
    when = email.utils.formatdate(time.time() + 3, usegmt=True)
    fake_zoom.queue(REPORT, 429, {"message": "slow down"}, {"Retry-After": when})
    await make_client(fake_zoom, http, fake_time).fetch_report(WEBINAR)
    (wait,) = fake_time.waits
    assert 1.0 <= wait <= 3.0  # HTTP dates have one-second resolution
