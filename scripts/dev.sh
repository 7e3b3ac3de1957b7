#!/usr/bin/env bash
# `make dev`: install what is missing, build the page's wasm module, and run the Worker
# under wrangler dev on http://127.0.0.1:8787 with the embedded simulated upstreams
# (FLEXEDGE_SIMULATOR=on: switched on here and in the tests, never in wrangler.toml, so a
# deployed Worker never serves simulated records).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
source scripts/env.sh
scripts/pkg.sh
exec wrangler dev --ip 127.0.0.1 --port "${PORT:-8787}" --var FLEXEDGE_SIMULATOR:on "$@"
