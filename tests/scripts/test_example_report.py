"""scripts/example_report.py still makes the committed example: the demo session's report,
HTML and a PDF with the same key fields."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_report_script_writes_html_and_pdf(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "example_report.py"), "--out", str(tmp_path)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    html = (tmp_path / "example-report.html").read_text(encoding="utf-8")
    pdf = (tmp_path / "example-report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )
    for needle in (
        "Data for Good: innovation towards positive social impact",
        "Marco Antonio Konopacki (government), Intervention: government perspective",
        "Zoom chat (remote): 2 asked, 1 forwarded to the stage, 1 answered, 1 merged, 0 declined",
        "3 simulated items excluded from the statistics",
        "1 draft poll that never opened left out.",
        "Community oversight",
        "(Asia/Tokyo)",
        # The open discussion's speaking queue (issue 15): by where and by group.
        "4 requests for the floor, 3 interventions (5.8 min in all); 1 skipped",
        "Hub: Bogota hub",
        "Interventions and speaking time by stakeholder group",
    ):
        assert needle in html and needle in text, needle
    # The committed example is an output of the script, not an edited file.
    committed = (ROOT / "docs" / "example-report.html").read_text(encoding="utf-8")
    assert committed.startswith("<!doctype html>") and "IGF report form" in committed
    assert (ROOT / "docs" / "example-report.pdf").read_bytes().startswith(b"%PDF")
