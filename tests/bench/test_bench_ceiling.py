"""The bare HTTP ceiling every benchmark's ratios are taken against, and the summary that
collects those ratios: a reader compares two machines with them, so they must be right."""

from __future__ import annotations

import json

import httpx

import bench.__main__ as runner
from bench.ceiling import Ceiling, ratio, target


def test_ceiling_reads_the_body_and_answers_fixed_json():
    bare = Ceiling().start()
    try:
        body = b'{"event":"meeting.chat_message_sent"}' * 200  # several reads' worth
        with httpx.Client(base_url=bare.url, timeout=10) as http:
            for path in ("/integrations/zoom/webhook", "/api/sessions/x/polls/1/votes"):
                r = http.post(path, content=body)
                assert r.status_code == 200
                assert r.json() == {"status": "ok"}
            # Keep-alive: the same connection serves the next request too.
            assert http.get("/healthz").status_code == 200
    finally:
        bare.stop()
    assert bare.proc is not None and bare.proc.poll() is not None  # stopped for good


def test_ratio_and_targets_say_met_or_not_honestly():
    assert ratio(600, 1000) == 0.6
    assert ratio(None, 1000) is None
    assert ratio(5, 0) is None
    assert target(0.61, ">=", 0.6) == {"target": ">= 0.6", "value": 0.61, "met": True}
    assert target(0.59, ">=", 0.6)["met"] is False
    assert target(120.0, "<", 100)["met"] is False
    assert target(None, "<", 100)["met"] is False  # no figure is not a pass


def test_summary_lists_every_ratio_with_the_machine(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "RESULTS", tmp_path)
    sample = {
        "benchmark": "ingest",
        "machine": {"model": "Test CPU", "cores": 2, "load_before": [0.3, 0.2, 0.1],
                    "load_after": [1.0, 0.5, 0.2]},
        "ceiling": {"acked_rps": 3000.0, "sustained_ratio": 0.9},
        "sustained_ratio": 0.62,
        "steps": [{"offered_ratio": 0.6, "acked_ratio": 0.6, "ack_p99_ms": 12.0}],
        "targets": {"sustained_ratio": {"target": ">= 0.6", "value": 0.62, "met": True}},
    }
    (tmp_path / "ingest.json").write_text(json.dumps(sample))
    found = dict(runner.ratios({k: v for k, v in sample.items() if k != "machine"}))
    assert found["sustained_ratio"] == 0.62
    assert found["ceiling.sustained_ratio"] == 0.9
    assert found["steps.0.acked_ratio"] == 0.6
    assert "steps.0.ack_p99_ms" not in found  # absolute figures stay in the JSON
    md = runner.markdown([
        {"benchmark": "ingest", "exit": 0},
        {"benchmark": "votes", "exit": 1},  # failed before writing its JSON
    ])
    assert "Machine: Test CPU, 2 cores, load before [0.3, 0.2, 0.1]" in md
    assert "| ingest | sustained_ratio | 0.62 | ok |" in md
    assert "| votes | (no ratio) | | FAILED (exit 1) |" in md


def test_ceiling_is_a_helper_not_a_benchmark():
    assert "ceiling" not in runner.available()
    assert {"ingest", "votes"} <= set(runner.available())
