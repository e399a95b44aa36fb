"""The uvicorn that pyproject.toml declares as the least one works.

`app/live/direct_write.py` and `app/limits_net.py` subclass uvicorn's protocols and use
their internals (the sans-I/O WebSocket protocol shipped in 0.35, its `disconnected`
flag in 0.53), so a floor below what the code needs installs and then fails at the first
socket: `>=0.30` was declared while 0.35-0.52 broke the live test. This installs exactly
the declared floor beside the suite and runs the tests of those two modules on it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/app/live/test_direct_write.py", "tests/app/limits_net/test_net_caps.py"]


def _floor(name: str) -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for dep in deps:
        found = re.fullmatch(rf"{name}(?:\[[^]]*\])?>=([0-9.]+)(?:,.*)?", dep.replace(" ", ""))
        if found:
            return found.group(1)
    raise AssertionError(f"{name} has no >= floor in pyproject.toml: {deps}")


def test_the_declared_uvicorn_floor_runs_the_live_protocols(tmp_path: Path) -> None:
    floor = _floor("uvicorn")
    target = tmp_path / "floor"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         f"uvicorn=={floor}"],
        check=True, timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (
        str(target), os.environ.get("PYTHONPATH"))))}
    version = subprocess.run(
        [sys.executable, "-c", "import uvicorn; print(uvicorn.__version__)"],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()
    assert version == floor, (version, floor)  # the floor, not the venv's newer uvicorn
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r"\d+ passed", run.stdout), run.stdout[-500:]
