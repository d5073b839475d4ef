#!/usr/bin/env bash
# The developer's loop: lint, format, types and the fast tests (not marked `slow`: no JVM,
# browser or server process), in well under a minute on an installed machine. Nothing is
# installed here; scripts/test.sh sets a machine up and runs everything, as CI does.
#   bash scripts/check.sh                 # everything fast
#   bash scripts/check.sh tests/test_x.py # the fast tests of one file
#   KGTOOL_SHUFFLE=1 bash scripts/check.sh  # the fast tests in a random order (pytest-random-order)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
"$PYTHON" -m ruff check kgtool tests
"$PYTHON" -m ruff format --check kgtool tests
"$PYTHON" -m mypy
shuffle=()
if [[ "${KGTOOL_SHUFFLE:-}" == 1 ]]; then
  shuffle=(-p random_order --random-order-bucket=global)
fi
"$PYTHON" -m pytest -q -p no:cacheprovider -n auto -m "not slow" "${shuffle[@]}" "$@"
