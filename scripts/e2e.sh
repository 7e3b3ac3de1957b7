#!/usr/bin/env bash
# End-to-end tests, loopback only, everything stopped by PID:
#  1. the native mock upstream server and `wrangler dev` pointed at it for every source:
#     tests/e2e/*.test.mjs (routes, auth, faults, caching, the page in Chromium, …);
#  2. `wrangler dev` with no configuration, as `make dev` runs it (the embedded simulator):
#     tests/e2e/embedded/*.test.mjs;
#  3. a second mock with 2,000 records per source and `wrangler dev` pointed at it: the
#     OData client's walk through next links (tests/e2e/odata-walk/*.test.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
E2E_PORT="${E2E_PORT:-8788}"
MOCK_PORT="${MOCK_PORT:-8791}"
OUT=tests/e2e/out; mkdir -p "$OUT"
source scripts/procs.sh

# Build the Worker once, and run it from a copy of wrangler.toml without the [build] command.
CONFIG=.wrangler-e2e.toml
prebuilt_worker "$CONFIG" "$OUT/worker-build.log"

# The native mock upstream server: all four vendors on one port, no rate limit (the tests
# make more than 100 GreenLake calls a minute), threads enough for hung connections.
cargo build --quiet --features mock --bin flexedge-mock
target/debug/flexedge-mock --port "$MOCK_PORT" --records 150 --rate-limit 0 --max-seconds 1800 \
  >"$OUT/mock.log" 2>&1 &
track_until_ready "http://127.0.0.1:$MOCK_PORT/__sim/health" "$OUT/mock.log" 60
export FLEXEDGE_MOCK_URL="http://127.0.0.1:$MOCK_PORT"

# wrangler dev pointed at the mock for every source.
mock_upstream_vars "$FLEXEDGE_MOCK_URL"
vars=(
  "${upstream_vars[@]}"
  --var "FLEXEDGE_DEADLINE_MS:2500" --var "FLEXEDGE_CORS_ORIGINS:https://app.example"
  --var 'FLEXEDGE_API_KEYS:[{"key":"flexedge-dev","sources":["*"],"raw":true,"write":true},{"key":"e2e-scoped-key","sources":["hpe_flex","telecomx_flexcare"]},{"key":"e2e-fno-key","sources":["fno_orders"]}]'
)

start_worker "$CONFIG" "$E2E_PORT" "$OUT/wrangler.log" "${vars[@]}"
export FLEXEDGE_URL="http://127.0.0.1:$E2E_PORT" FLEXEDGE_LIVE=1
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/*.test.mjs

# 2. The embedded default: stop the first Worker, start one with no upstream configuration.
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
start_worker "$CONFIG" "$E2E_PORT" "$OUT/wrangler-embedded.log"
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/embedded/*.test.mjs

# 3. The OData walk over the big corpus: a second mock with 2,000 records per source (port
#    ODATA_MOCK_PORT, default MOCK_PORT + 2) and a Worker pointed at it.
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
ODATA_MOCK_PORT="${ODATA_MOCK_PORT:-$((MOCK_PORT + 2))}"
target/debug/flexedge-mock --port "$ODATA_MOCK_PORT" --records 2000 --rate-limit 0 --max-seconds 1800 \
  >"$OUT/mock-odata.log" 2>&1 &
track_until_ready "http://127.0.0.1:$ODATA_MOCK_PORT/__sim/health" "$OUT/mock-odata.log" 60
mock_upstream_vars "http://127.0.0.1:$ODATA_MOCK_PORT"
# Three of the vendors give no totals: a count reads all 2,000 records of each, which on a
# loaded machine can take longer than the default 8 s deadline.
start_worker "$CONFIG" "$E2E_PORT" "$OUT/wrangler-odata.log" "${upstream_vars[@]}" \
  --var "FLEXEDGE_DEADLINE_MS:30000" --var 'FLEXEDGE_API_KEYS:[{"key":"flexedge-dev","sources":["*"]}]'
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/odata-walk/*.test.mjs
