#!/usr/bin/env bash
# Install Floorbridge in .venv and serve the demo session on SQLite (nothing else needed).
# Extra arguments go to `floorbridge demo` (e.g. --port 9000, --host 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/floorbridge demo "$@"
