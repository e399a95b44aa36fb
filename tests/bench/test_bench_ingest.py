"""bench.ingest end to end at toy sizes: both servers up, ratios and honest targets out.

No speed is asserted (the machine's load decides that); what is asserted is what a reader
of the JSON relies on: every step ran against the server it names, the ceiling was
measured in the same run, every acknowledged message was found stored after SIGKILL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ingest_reports_ratios_to_the_same_runs_ceiling(tmp_path):
    cmd = [sys.executable, "-m", "bench.ingest", "--fractions", "0.5", "--seconds", "0.5",
           "--saturate", "400", "--procs", "1", "--connections", "16"]
    env = {**os.environ, "BENCH_RESULTS_DIR": str(tmp_path)}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=110)
    result = json.loads((tmp_path / "ingest.json").read_text())
    assert json.loads(done.stdout) == result  # printed as written
    assert [s["server"] for s in result["steps"]] == ["ceiling", "ceiling", "ours", "ours"]
    ceiling = result["ceiling"]["acked_rps"]
    assert ceiling > 0
    assert result["steps"][1]["offered_rps"] == int(0.5 * ceiling)
    assert result["steps"][3]["offered_rps"] == int(ceiling)  # ours saturating
    for step in result["steps"]:
        assert step["acked_2xx"] + step["errors"] == step["sent"]
        assert step["acked_ratio"] == round(step["acked_rps"] / ceiling, 3)
    assert result["every_ack_stored"] is True
    assert result["acked_total"] == result["stored_total"]
    assert set(result["targets"]) == {"sustained_ratio", "saturated_ratio", "every_ack_stored"}
    for name, t in result["targets"].items():
        assert isinstance(t["met"], bool), name
    assert result["saturated_ratio"] == round(result["saturated_rps"] / ceiling, 3)
    # CPU per request, both servers, same offered rate: the figure load cannot skew much.
    cpu = result["server_cpu_us_per_request"]
    assert cpu["offered_rps"] == result["steps"][1]["offered_rps"]
    assert cpu["ceiling"] > 0 and cpu["ours"] > 0
    for step in result["steps"]:
        assert step["server_cpu_us_per_request"] > 0 and step["client_cpu_us_per_request"] > 0
    assert result["machine"]["cores"] and len(result["machine"]["load_after"]) == 3
    # Exit status: 1 exactly when a judged target was missed (speed ones included here).
    assert done.returncode == (0 if all(t["met"] for t in result["targets"].values()) else 1)
