"""scripts/screenshots.py takes every page at every crew size from a live demo session (the
integrator re-runs it after each restyle): each PNG is written, at its device's size."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import missing

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
EXPECTED = {
    "landing-1366x768.png": (1366, 768),
    "console-1366x768.png": (1366, 768),
    "stage-1024x768.png": (1024, 768),
    "stage-820x1180.png": (820, 1180),
    "screen-1920x1080.png": (1920, 1080),
    "audience-390x844.png": (390, 844),
    "report-1366x768.png": (1366, 768),
    "screenshot-console.png": (1366, 768),  # the README's picture
}

pytestmark = pytest.mark.browser


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def test_every_page_is_shot_at_every_size(tmp_path):
    if not CHROMIUM.exists():
        missing("Debian's chromium", "apt-get install chromium")
    out = tmp_path / "shots"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--quick", "--out", str(out)],
        capture_output=True, text=True, timeout=150, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert {p.name for p in out.iterdir()} == set(EXPECTED)
    for name, size in EXPECTED.items():
        assert _png_size(out / name) == size, name
        assert (out / name).stat().st_size > 5_000, f"{name} looks blank"
