"""`python -m bench all [--quick]`, or `python -m bench NAME [--quick]`: run benchmarks.

Each benchmark is a module `bench/NAME.py` runnable as `python -m bench.NAME`, printing
JSON and writing bench/results/NAME.json. The convention: accept `--quick` (sizes that
finish in CI within two minutes). Modules that predate it get their quick sizes here.
Each runs in its own process (its own fd limit, event loop and server), one after another,
so they never load the machine at the same time. Exit status: 1 if any benchmark failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS

ORDER = [
    "fanout", "scale", "cluster", "ingest", "votes", "timer", "connectors", "report", "hostile",
]
# Quick sizes for modules without their own `--quick`.
QUICK_ARGS = {
    "connectors": ["--items", "200", "--samples", "50"],
}
TIMEOUT = {"quick": 300, "full": 1800}


HELPERS = {"__init__", "__main__", "ceiling", "common", "crowd"}


def available() -> list[str]:
    """ORDER first, then any other runnable module in bench/ (colleagues add them)."""
    here = Path(__file__).parent
    found = {
        p.stem
        for p in here.glob("*.py")
        if p.stem not in HELPERS and 'if __name__ == "__main__"' in p.read_text()
    }
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def takes_quick(name: str) -> bool:
    spec = importlib.util.find_spec(f"bench.{name}")
    return bool(spec and spec.origin and "--quick" in Path(spec.origin).read_text())


def command(name: str, quick: bool) -> list[str]:
    cmd = [sys.executable, "-m", f"bench.{name}"]
    if quick:
        cmd += ["--quick"] if takes_quick(name) else QUICK_ARGS.get(name, [])
    return cmd


def run_one(name: str, quick: bool) -> dict[str, object]:
    cmd = command(name, quick)
    print(f"\n== {' '.join(['python', *cmd[1:]])}", flush=True)
    started = time.monotonic()
    try:
        code = subprocess.run(cmd, timeout=TIMEOUT["quick" if quick else "full"]).returncode
    except subprocess.TimeoutExpired:
        code = -1
    return {
        "benchmark": name,
        "exit": code,
        "seconds": round(time.monotonic() - started, 1),
        "command": " ".join(["python", *cmd[1:]]),
    }


def ratios(result: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every figure named `*ratio*` in a benchmark's JSON, with its dotted path."""
    found: list[tuple[str, Any]] = []
    if isinstance(result, dict):
        for key, value in result.items():
            path = f"{prefix}{key}"
            if "ratio" in str(key) and not isinstance(value, dict | list):
                found.append((path, value))
            else:
                found += ratios(value, f"{path}.")
    elif isinstance(result, list):
        for i, value in enumerate(result):
            found += ratios(value, f"{prefix}{i}.")
    return found


def markdown(runs: list[dict[str, Any]]) -> str:
    """One table a reader can put beside another machine's: benchmark, ratio, value."""
    lines = ["# Benchmark summary", ""]
    machine: Any = None
    rows = []
    for run in runs:
        path = RESULTS / f"{run['benchmark']}.json"
        result = json.loads(path.read_text()) if path.is_file() else {}
        machine = machine or result.get("machine")
        found = ratios({k: v for k, v in result.items() if k != "machine"})
        status = "ok" if run["exit"] == 0 else f"FAILED (exit {run['exit']})"
        if not found:
            rows.append(f"| {run['benchmark']} | (no ratio) | | {status} |")
        for name, value in found:
            rows.append(f"| {run['benchmark']} | {name} | {value} | {status} |")
    if isinstance(machine, dict):
        lines += [
            f"Machine: {machine.get('model')}, {machine.get('cores')} cores, "
            f"load before {machine.get('load_before')}, after {machine.get('load_after')}.",
            "",
        ]
    lines += ["| benchmark | ratio | value | run |", "|---|---|---|---|", *rows, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("which", nargs="+", help=f"'all' or any of: {', '.join(ORDER)}")
    p.add_argument("--quick", action="store_true", help="CI sizes")
    args = p.parse_args(argv)
    names = available() if args.which == ["all"] else args.which
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(
            f"bench: no benchmark named {', '.join(unknown)} (have: {', '.join(available())})",
            file=sys.stderr,
        )
        return 2
    runs = [run_one(n, args.quick) for n in names]
    summary = {"quick": args.quick, "runs": runs}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (RESULTS / "summary.md").write_text(markdown(runs))
    print(json.dumps(summary, indent=2))
    return 0 if all(r["exit"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
