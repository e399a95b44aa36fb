"""The README's run command: the demo serves on SQLite alone, prints links, and goes live."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_serves_the_igf_session_with_simulated_remote_questions(tmp_path: Path):
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORBRIDGE_")}
    env["FLOORBRIDGE_DATA_DIR"] = str(tmp_path / "data")
    log = (tmp_path / "demo.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "demo", "--port", str(port), "--pace", "0.2"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=Path(__file__).parents[3],
    )
    try:
        links: dict[str, str] = {}
        deadline = time.monotonic() + 60
        while len(links) < 5 and time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "demo.log").read_text()
            text = (tmp_path / "demo.log").read_text()
            links = dict(re.findall(r"^\s+(moderator|stage|screen|rapporteur|audience)\s+(\S+)$",
                                    text, re.M))
            time.sleep(0.2)
        assert set(links) == {"moderator", "stage", "screen", "rapporteur", "audience"}
        assert "Admin token (generated" in (tmp_path / "demo.log").read_text()
        assert (tmp_path / "data" / "floorbridge.db").exists()  # SQLite, nothing else

        info = httpx.get(f"http://127.0.0.1:{port}/api/sessions/data-for-good").json()
        assert info["title"].startswith("Data for Good")
        assert [s["kind"] for s in info["agenda"]] == (
            ["opening"] + ["speaker"] * 4 + ["debate", "closing"])
        assert sum(s["minutes"] for s in info["agenda"]) == 90

        with httpx.Client() as c:
            page = c.get(links["moderator"], follow_redirects=True)  # link -> cookie -> page
            assert page.status_code == 200 and "console" in str(page.url)
            inbox: list = []
            for _ in range(100):
                inbox = c.get(f"http://127.0.0.1:{port}/api/sessions/data-for-good/questions",
                              params={"state": "inbox"}).json()
                if len(inbox) >= 2:
                    break
                time.sleep(0.2)
        assert len(inbox) >= 2 and all(q["simulated"] for q in inbox)
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
