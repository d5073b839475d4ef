#!/usr/bin/env bash
# Installs Virtuoso 7 from Debian and starts it on 127.0.0.1 for the `virtuoso` tests:
# SPARQL on http://127.0.0.1:8890/sparql (anonymous, read) and /sparql-auth (HTTP Digest,
# user dba, password dba on a fresh database), Graph Store on /sparql-graph-crud-auth.
# The database lives in $VIRTUOSO_DIR (default /var/lib/kgtool-virtuoso), apart from the
# package's own. Safe to run again: each step is skipped when its result is already there.
# Waits at most $VIRTUOSO_WAIT seconds (default 60) for the server to answer.
set -euo pipefail

DIR="${VIRTUOSO_DIR:-/var/lib/kgtool-virtuoso}"
HTTP_PORT="${VIRTUOSO_HTTP_PORT:-8890}"
SQL_PORT="${VIRTUOSO_SQL_PORT:-1111}"
WAIT="${VIRTUOSO_WAIT:-60}"
URL="http://127.0.0.1:${HTTP_PORT}/sparql"

answers() {
    curl -fsS -o /dev/null --max-time 2 "${URL}?query=ASK%7B%7D" 2>/dev/null
}

if answers; then
    echo "start-virtuoso.sh: Virtuoso already answers on ${URL}"
    exit 0
fi

if ! command -v virtuoso-t >/dev/null 2>&1; then
    echo "start-virtuoso.sh: installing virtuoso-opensource-7"
    mkdir -p /usr/share/man/man1
    apt-get update -qq
    # The package asks for a DBA password through debconf; an empty answer keeps the
    # default of a fresh database (dba), and the package's own service is not used.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        virtuoso-opensource-7 curl >/dev/null
fi

mkdir -p "$DIR"
if [ ! -f "$DIR/virtuoso.ini" ]; then
    sed -e "s#/var/lib/virtuoso-opensource-7/db/#${DIR}/#" \
        -e "s#^ServerPort\\s*=\\s*1111#ServerPort = 127.0.0.1:${SQL_PORT}#" \
        -e "s#^ServerPort\\s*=\\s*8890#ServerPort = 127.0.0.1:${HTTP_PORT}#" \
        /etc/virtuoso-opensource-7/virtuoso.ini >"$DIR/virtuoso.ini"
fi
rm -f "$DIR/virtuoso.lck"  # left by a server that was killed; none runs (it did not answer)
# Without +foreground, virtuoso-t goes to the background once its database is open.
virtuoso-t +configfile "$DIR/virtuoso.ini" +wait >"$DIR/start.log" 2>&1 || {
    cat "$DIR/start.log" "$DIR/virtuoso.log" >&2 || true
    echo "start-virtuoso.sh: virtuoso-t failed to start" >&2
    exit 1
}

for _ in $(seq 1 "$WAIT"); do
    if answers; then
        echo "start-virtuoso.sh: Virtuoso answers on ${URL}"
        exit 0
    fi
    sleep 1
done
tail -20 "$DIR/virtuoso.log" >&2 || true
echo "start-virtuoso.sh: Virtuoso did not answer on ${URL} within ${WAIT} s" >&2
exit 1
