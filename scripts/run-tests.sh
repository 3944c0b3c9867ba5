#!/usr/bin/env bash
# Set up (if needed) and run the test suite offscreen; extra arguments go to pytest.
#
#   bash scripts/run-tests.sh                 # everything, one worker per core
#   bash scripts/run-tests.sh -k store -x     # a selection
#   bash scripts/run-tests.sh -n 0 -s tests/test_store.py   # in one process (print debugging)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BRANCHDESK_VENV:-$ROOT/.venv}"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
# One worker per core (pytest-xdist): every test has its own database and data folder.
exec "$VENV/bin/python" -m pytest -n auto "$@"
