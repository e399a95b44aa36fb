"""The organiser's CLI: clear messages and exit codes, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLOORBRIDGE_DATA_DIR": str(tmp_path / "data")}
    env.pop("FLOORBRIDGE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=Path(__file__).parents[3],
    )


def test_session_create_with_agenda_links_and_rotation(tmp_path):
    agenda = tmp_path / "agenda.yaml"
    agenda.write_text(
        "- {title: Opening, minutes: 5, kind: opening}\n"
        "- {title: Speaker, minutes: 10, speaker: Ana}\n"
    )
    r = run(
        tmp_path,
        "session",
        "create",
        "--title",
        "CLI test",
        "--agenda",
        str(agenda),
        "--slug",
        "cli-test",
        "--base-url",
        "https://floor.example.org",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["slug"] == "cli-test"
    assert out["links"]["moderator"].startswith("https://floor.example.org/s/cli-test/console?key=")
    r = run(tmp_path, "session", "links", "cli-test")
    assert r.returncode == 0 and "key=" not in r.stdout and "--new-keys" in r.stdout
    r = run(tmp_path, "session", "rotate-keys", "cli-test")
    assert r.returncode == 0
    assert json.loads(r.stdout)["keys"]["moderator"] != out["keys"]["moderator"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- {title: x, minutes: -3}", "minutes"),
        ("{not: [valid", "not valid YAML"),
        ("just a string", "list of segments"),
    ],
)
def test_bad_agenda_files_give_a_clear_message(tmp_path, content, message):
    agenda = tmp_path / "agenda.yaml"
    agenda.write_text(content)
    r = run(tmp_path, "session", "create", "--title", "x", "--agenda", str(agenda))
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_unknown_session_and_missing_file(tmp_path):
    r = run(tmp_path, "session", "links", "no-such")
    assert r.returncode == 2 and "no session 'no-such'" in r.stderr and "Traceback" not in r.stderr
    r = run(tmp_path, "session", "create", "--title", "x", "--agenda", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "cannot read agenda file" in r.stderr


def test_zoom_send_signs_like_zoom_and_the_server_stores_it(tmp_path, make_server):
    server = make_server(zoom_secret_token="cli-secret")
    session = server.create_session("Zoom CLI", zoom_ids=[85746065432])
    payload = Path(__file__).resolve().parents[2] / "payloads" / "zoom-meeting-chat.json"
    url = f"{server.url}/integrations/zoom/webhook"
    r = run(tmp_path, "zoom", "send", "--secret", "cli-secret", "--url", url, str(payload))
    assert r.returncode == 0, r.stdout + r.stderr
    inbox = httpx.get(f"{server.url}/api/sessions/{session['slug']}/questions",
                      headers={"Authorization": f"Bearer {session['keys']['moderator']}"}).json()
    assert [q["text"] for q in inbox] == ["What is the roadmap for Q3?"]
    r = run(tmp_path, "zoom", "send", "--secret", "wrong", "--url", url, str(payload))
    assert r.returncode != 0 and "Traceback" not in r.stderr
