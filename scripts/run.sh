#!/usr/bin/env bash
# Sets up a fresh machine and runs the main job: validate the knowledge graph, answer the
# central research question (which measures could reach DeepSeek), then serve the SPARQL
# endpoint and query page on http://127.0.0.1:8083/ until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
kgtool validate
kgtool query measures-reaching --param target=DeepSeek
exec kgtool serve "$@"
