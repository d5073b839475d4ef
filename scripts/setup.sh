#!/usr/bin/env bash
# Installs everything kgtool and its tests need on a fresh Debian 12 machine with Python 3.11,
# as root: Debian packages (Java for the OWL API, Chromium for the browser test, Graphviz and a
# CJK font for the pictures), then kgtool itself with its server and test extras. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
packages=(chromium graphviz fonts-noto-cjk)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    mkdir -p /usr/share/man/man1
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

bash .ci/install-owl.sh
echo "setup: installing kgtool with its server and test extras"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -e '.[server,test]'
