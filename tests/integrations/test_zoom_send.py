"""`floorbridge zoom send`: signs and posts a payload file exactly as Zoom would."""

from __future__ import annotations

import hashlib
import hmac
import time

from integrations.zoom import url_validation_response, verify_signature
from integrations.zoom_send import send_command

from .zoom_support import FakeZoom, payload_bytes, payload_json, payload_path

SECRET = "secretValueTest"


def test_posts_the_file_bytes_unchanged_with_a_valid_zoom_signature(fake_zoom: FakeZoom) -> None:
    fake_zoom.queue("/integrations/zoom/webhook", 200)
    lines: list[str] = []
    code = send_command(
        SECRET,
        f"{fake_zoom.base_url}/integrations/zoom/webhook",
        payload_path("zoom-meeting-chat.json"),
        out=lines.append,
    )
    assert code == 0
    (sent,) = fake_zoom.hits("/integrations/zoom/webhook")
    assert sent.body == payload_bytes("zoom-meeting-chat.json")
    ts = sent.headers["x-zm-request-timestamp"]
    assert abs(int(ts) - time.time()) < 5
    expected = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + sent.body, hashlib.sha256)
    assert sent.headers["x-zm-signature"] == "v0=" + expected.hexdigest()
    assert verify_signature([SECRET], ts, sent.headers["x-zm-signature"], sent.body, time.time())
    assert sent.headers["content-type"] == "application/json; charset=utf-8"
    assert sent.headers["user-agent"] == "Zoom Marketplace/1.0a"
    assert lines[0] == "200 OK"


def test_url_validation_answer_is_checked(fake_zoom: FakeZoom) -> None:
    token = payload_json("zoom-url-validation.json")["payload"]["plainToken"]
    fake_zoom.queue("/ok", 200, url_validation_response(SECRET, token))
    fake_zoom.queue("/wrong", 200, url_validation_response("another-secret", token))
    path = payload_path("zoom-url-validation.json")

    ok_lines: list[str] = []
    assert send_command(SECRET, f"{fake_zoom.base_url}/ok", path, out=ok_lines.append) == 0
    assert ok_lines[-1] == "ok: URL validation answered correctly"

    bad_lines: list[str] = []
    assert send_command(SECRET, f"{fake_zoom.base_url}/wrong", path, out=bad_lines.append) == 1
    assert "does not match" in bad_lines[-1]


def test_a_refusal_or_an_unreachable_server_is_a_failing_exit_code(fake_zoom: FakeZoom) -> None:
    fake_zoom.queue("/hook", 401, {"detail": "invalid signature"})
    lines: list[str] = []
    path = payload_path("zoom-meeting-chat.json")
    assert send_command(SECRET, f"{fake_zoom.base_url}/hook", path, out=lines.append) == 1
    assert lines[0] == "401 Unauthorized"
    assert send_command(SECRET, "http://127.0.0.1:9/hook", path, out=lines.append) == 2
    assert lines[-1].startswith("error: could not reach")
