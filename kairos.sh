#!/usr/bin/env bash
# Kairos in one script. Needs only Python 3.11+ and the package index.
#   ./kairos.sh demo         set up, then run the demo organization through two simulated weeks
#   ./kairos.sh test         set up, then run the whole test suite (SQLite and PostgreSQL)
#   ./kairos.sh bench        set up, then run the benchmarks and print the figures
#   ./kairos.sh <command>    any `kairos` command, e.g. ./kairos.sh plays validate
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv

find_python() {
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Kairos needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  return 1
}

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    python=$(find_python)
    echo "Creating $VENV with $python…" >&2
    "$python" -m venv "$VENV"
  fi
  # Reinstall only when the project's dependencies changed.
  if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
    echo "Installing Kairos and its test tools into $VENV…" >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install --quiet -e ".[test]"
    touch "$VENV/.installed"
  fi
}

command=${1:-demo}
[ $# -gt 0 ] && shift
case "$command" in
  demo)
    setup
    exec "$VENV/bin/kairos" demo "$@"
    ;;
  test)
    setup
    "$VENV/bin/ruff" check src tests bench
    "$VENV/bin/mypy"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  bench)
    setup
    exec "$VENV/bin/python" -m bench "$@"
    ;;
  *)
    setup
    exec "$VENV/bin/kairos" "$command" "$@"
    ;;
esac
