#!/usr/bin/env bash
# Install Floorbridge in .venv (only when pyproject.toml changed: scripts/venv.sh) and serve
# the demo session on SQLite (nothing else needed).
# Extra arguments go to `floorbridge demo` (e.g. --port 9000, --host 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
venv_install base
exec .venv/bin/floorbridge demo "$@"
