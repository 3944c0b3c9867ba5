#!/usr/bin/env bash
# Set up (if needed) and run the test suite offscreen; extra arguments go to pytest.
#
#   bash scripts/run-tests.sh                 # everything
#   bash scripts/run-tests.sh -k store -x     # a selection
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BRANCHDESK_VENV:-$ROOT/.venv}"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
exec "$VENV/bin/python" -m pytest "$@"
