#!/usr/bin/env bash
# Set up (if needed), fill the default database with the demo community (running
# it again adds nothing twice) and open the main window.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BRANCHDESK_VENV:-$ROOT/.venv}"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
"$VENV/bin/branchdesk" demo
exec "$VENV/bin/branchdesk" "$@"
