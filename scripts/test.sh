#!/usr/bin/env bash
# Set up (if needed) and run every check: ruff, import contracts, the engine's types, the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
.venv/bin/mypy
# The PostgreSQL tests (the lab's case store, tests/backends.py) run on a throw-away server in a temporary
# folder, stopped and removed however the run ends; a server given in $CUSTOS_TEST_POSTGRES_URL is used
# as it is. Without a PostgreSQL server installed those tests are skipped, saying so.
if [ -z "${CUSTOS_TEST_POSTGRES_URL:-}" ]; then
  if started="$(bash scripts/postgres_test_cluster.sh start)"; then
    eval "$started"
    trap 'bash scripts/postgres_test_cluster.sh stop "$CUSTOS_TEST_POSTGRES_DIR"' EXIT
  else
    echo "test: no PostgreSQL test server; its tests are skipped" >&2
  fi
fi
.venv/bin/python -m pytest --durations=15 "$@"
