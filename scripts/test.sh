#!/usr/bin/env bash
# Install everything the tests need (Python packages, Debian's chromium), then run the whole
# suite: ruff, mypy, then pytest. Used as-is by .ci/run. Exit code: pytest's, with "no tests" (5)
# counted as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs only when pyproject.toml changed (scripts/venv.sh); a fresh clone always installs.
. scripts/venv.sh
venv_install test

# Browser tests drive Debian's Chromium (playwright cannot download browsers here); the
# compose test validates docker-compose.yml with a compose CLI (no Docker engine needed).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
# WeasyPrint (the PDF report) draws text with Pango.
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
# Chinese glyphs for the pages in zh (screenshots, layout tests); Arabic is in DejaVu.
[ -d /usr/share/fonts/truetype/wqy ] || need+=(fonts-wqy-zenhei)
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  need+=(docker-compose)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages the tests need: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "note: missing ${need[*]} (apt-get install ${need[*]}); those tests will skip" \
         "here and fail under CI=true" >&2
  fi
fi

# The suite talks to the machine's PostgreSQL and Redis; start them if they stopped.
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi

.venv/bin/ruff check .
# Types: app/, integrations/ and ports/ at the strictness [tool.mypy] in pyproject.toml states.
.venv/bin/python -m mypy

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
