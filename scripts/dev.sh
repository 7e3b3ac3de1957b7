#!/usr/bin/env bash
# `make dev`: install what is missing, build the page's wasm module, and run the Worker
# under wrangler dev on http://127.0.0.1:8787 with the embedded simulated upstreams
# (FLEXEDGE_SIMULATOR=on: switched on here and in the tests, never in wrangler.toml, so a
# deployed Worker never serves simulated records).
# FLEXEDGE_SIM_RECORDS=20000 make dev: that many records per simulated source (up to
# 100,000; default 500); FLEXEDGE_SIM_SEED likewise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
source scripts/env.sh
scripts/pkg.sh
sim=()
[[ -n "${FLEXEDGE_SIM_RECORDS:-}" ]] && sim+=(--var "FLEXEDGE_SIM_RECORDS:$FLEXEDGE_SIM_RECORDS")
[[ -n "${FLEXEDGE_SIM_SEED:-}" ]] && sim+=(--var "FLEXEDGE_SIM_SEED:$FLEXEDGE_SIM_SEED")
exec wrangler dev --ip 127.0.0.1 --port "${PORT:-8787}" --var FLEXEDGE_SIMULATOR:on "${sim[@]}" "$@"
