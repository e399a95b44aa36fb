"""HTML to text (what a moderator reads) and rate-limit header parsing (how long we wait)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from integrations.base import ConnectorError, FatalConnectorError, RateLimited
from integrations.html_text import html_to_text
from integrations.ratelimit import delay_from_headers, quota_exhausted, raise_for_response

NOW = datetime(2026, 11, 23, 17, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one<br>two<br />three</p>", "one\ntwo\nthree"),
        ("<p>first</p><p>second</p>", "first\n\nsecond"),
        ("<p>a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &eacute;</p>", "a & b <c> \"d\" 'e' é"),
        ("<p>Hi<script>alert('x')</script> there<style>p{color:red}</style></p>", "Hi there"),
        ("<p>left <SCRIPT type=x>document.cookie</SCRIPT>right</p>", "left right"),
        ("<p>never closed<script>steal()", "never closed"),
        ('<p><a href="https://x.example/tags/q" class="mention hashtag">#<span>q</span></a>'
         "</p>", "#q"),
        ("<p>  lots   of\n  space </p>", "lots of space"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_escaped_markup_stays_text_and_is_never_rendered() -> None:
    # Decoded entities come back as literal characters; the console shows them with
    # textContent, so "<b>" is displayed, not interpreted.
    assert html_to_text("<p>&lt;b&gt;bold&lt;/b&gt;</p>") == "<b>bold</b>"


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "Mon, 23 Nov 2026 17:00:30 GMT"}, 30.0),
        ({"X-RateLimit-Reset": "2026-11-23T17:05:00.000Z"}, 300.0),  # Mastodon: ISO 8601
        ({"x-rate-limit-reset": str(int(NOW.timestamp()) + 42)}, 42.0),  # X: epoch seconds
        ({"x-rate-limit-reset": str(int(NOW.timestamp()) - 5)}, 0.0),  # already past
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_delay_from_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert delay_from_headers(headers, NOW) == seconds


def test_quota_exhausted_reads_both_spellings() -> None:
    assert quota_exhausted({"X-RateLimit-Remaining": "0"})
    assert quota_exhausted({"x-rate-limit-remaining": "0"})
    assert not quota_exhausted({"X-RateLimit-Remaining": "12"})


def test_error_responses_map_to_retry_wait_or_stop() -> None:
    def response(code: int, **headers: str) -> httpx.Response:
        return httpx.Response(code, headers=headers)

    raise_for_response(response(200), "t")
    with pytest.raises(RateLimited) as limited:
        raise_for_response(response(429, **{"Retry-After": "12"}), "t", now=NOW)
    assert limited.value.delay == 12.0
    with pytest.raises(FatalConnectorError, match="401"):
        raise_for_response(response(401), "t")
    with pytest.raises(ConnectorError, match="HTTP 502") as failed:
        raise_for_response(response(502), "t")
    assert not isinstance(failed.value, FatalConnectorError)
