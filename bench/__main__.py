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

from bench.common import RESULTS

ORDER = [
    "fanout", "scale", "cluster", "ingest", "votes", "timer", "connectors", "report", "hostile",
]
# Quick sizes for modules without their own `--quick`.
QUICK_ARGS = {
    "connectors": ["--items", "200", "--samples", "50"],
}
TIMEOUT = {"quick": 300, "full": 1800}


HELPERS = {"__init__", "__main__", "common", "crowd"}


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
    print(json.dumps(summary, indent=2))
    return 0 if all(r["exit"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
