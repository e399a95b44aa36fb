"""`floorbridge report|purge|privacy`: files written, JSON printed, one-line errors, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.db import Store
from app.ingest import ingest_batch
from app.migrate import upgrade
from app.sessions.schemas import SessionCreate
from app.sessions.service import create_session
from integrations.base import IncomingMessage

REPO = Path(__file__).resolve().parents[3]


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FLOORBRIDGE_DATA_DIR": str(data / "data")}
    env.pop("FLOORBRIDGE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=REPO,
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the module: a session with two remote questions."""
    tmp_path = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{(tmp_path / 'data' / 'floorbridge.db').resolve()}"
    upgrade(url)
    store = Store(url)
    body = SessionCreate(title="CLI report", slug="cli-report", privacy={"author_display": "full"})
    messages = [
        IncomingMessage(
            channel="mastodon",
            external_id="1",
            text="Fediverse question?",
            author_name="Mia Wong",
            author_id="@mia@example.social",
        ),
        IncomingMessage(
            channel="zoom_chat",
            external_id="2",
            text="Zoom question?",
            author_name="Tom Fry",
            author_id="tom@example.net",
        ),
    ]
    try:
        store.write_sync(lambda db: ingest_batch(db, create_session(db, body)[0].id, messages))
    finally:
        store.stop()
    return tmp_path


def test_report_to_a_file_and_to_stdout(seeded, tmp_path):
    out = tmp_path / "report.md"
    r = run(seeded, "report", "cli-report", "--format", "md", "-o", str(out))
    assert r.returncode == 0, r.stderr
    md = out.read_text()
    assert "# Session report: CLI report" in md and "| Mastodon | yes | 1 |" in md
    r = run(seeded, "report", "cli-report", "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["questions"]["total"] == 2
    pdf = tmp_path / "report.pdf"
    r = run(seeded, "report", "cli-report", "--format", "pdf", "-o", str(pdf))
    assert r.returncode == 0, r.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    r = run(seeded, "report", "cli-report", "--format", "form")
    assert r.returncode == 0 and "Session title:\n  CLI report\n" in r.stdout


def test_privacy_erase_export_and_purge(seeded):
    who = ("--session", "cli-report", "--channel", "mastodon", "--handle", "@mia@example.social")
    r = run(seeded, "privacy", "erase", *who)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["questions"] == 1
    r = run(seeded, "privacy", "export", *who)
    assert r.returncode == 0 and json.loads(r.stdout)["questions"] == []
    r = run(seeded, "purge", "--older-than", "30d")
    assert r.returncode == 0 and json.loads(r.stdout)["questions"] == 0  # nothing that old


def test_errors_are_one_line_and_exit_2(seeded):
    cases = [
        (("report", "no-such", "--format", "md"), "no session 'no-such'"),
        (("report", "cli-report", "-o", str(seeded / "missing" / "r.md")), "cannot write"),
        (("purge", "--older-than", "soon"), "is not an age"),
    ]
    for args, words in cases:
        r = run(seeded, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert words in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
