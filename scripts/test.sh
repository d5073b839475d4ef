#!/usr/bin/env bash
# Sets up a fresh machine and runs every check: lint, types, then the whole test suite
# (the real OWL API and HermiT, real Oxigraph and Virtuoso servers, a real browser). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
# Virtuoso 7 from Debian, on 127.0.0.1, for the remote-store tests (tests/test_remote.py)
bash .ci/start-virtuoso.sh
PYTHON="${PYTHON:-python3}"
echo "test: ruff"
"$PYTHON" -m ruff check kgtool tests
"$PYTHON" -m ruff format --check kgtool tests
echo "test: mypy"
"$PYTHON" -m mypy
echo "test: pytest"
# one worker per core; a test file stays on one worker, so a module's servers and fixtures
# (and the one Virtuoso graph tests/test_remote.py pushes to) are never shared between two
"$PYTHON" -m pytest -q -p no:cacheprovider -n auto --dist loadfile "$@"
