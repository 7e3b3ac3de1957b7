#!/usr/bin/env bash
# End-to-end tests, loopback only, everything stopped by PID:
#  1. the native mock upstream server and `wrangler dev` pointed at it for every source:
#     tests/e2e/*.test.mjs (routes, auth, faults, caching, limits, redaction, the page in
#     Chromium, …); beside it a second Worker on the same mock with the circuit breaker on
#     (tests/e2e/breaker.test.mjs), the first one's configuration in workerd without
#     wrangler's development proxy (the upload test: that proxy forwards a whole request
#     body before it passes the answer back), and tests/e2e/config.test.mjs starts Workers
#     of its own with broken configurations;
#  2. `wrangler dev` as `make dev` runs it (the embedded simulator, FLEXEDGE_SIMULATOR=on):
#     tests/e2e/embedded/*.test.mjs, then schemathesis over /openapi.json;
#  3. `wrangler dev` on the mock again with the default 8 s deadline: the one total
#     deadline of a request (tests/e2e/deadline/*.test.mjs);
#  4. a second mock with 2,000 records per source and `wrangler dev` pointed at it: the
#     OData client's walk through next links (tests/e2e/odata-walk/*.test.mjs).
# E2E_ONLY=safety,routes runs only those files of phase 1.
# Ports: E2E_PORT, MOCK_PORT, ODATA_MOCK_PORT (default MOCK_PORT+2), and the six ports
# after E2E_PORT that neither mock takes for the extra Workers and wrangler dev's inspectors.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
E2E_PORT="${E2E_PORT:-8788}"
MOCK_PORT="${MOCK_PORT:-8791}"
ODATA_MOCK_PORT="${ODATA_MOCK_PORT:-$((MOCK_PORT + 2))}"
# The extra Workers and inspectors take the six ports after E2E_PORT that neither mock uses.
extra=()
for ((p = E2E_PORT + 1; ${#extra[@]} < 6; p++)); do
  [[ $p == "$MOCK_PORT" || $p == "$ODATA_MOCK_PORT" ]] || extra+=("$p")
done
BREAKER_PORT=${extra[0]}
DIRECT_PORT=${extra[1]}
export E2E_CONFIG_PORTS="${extra[2]},${extra[3]}"
# wrangler dev's DevTools inspector would take 9229 and up: each Worker gets one of ours.
MAIN_INSPECTOR=(--inspector-port "${extra[4]}")
BREAKER_INSPECTOR=(--inspector-port "${extra[5]}")
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

# wrangler dev pointed at the mock for every source. The dev key may use the debug switches
# and is on the `high` tier (the suite makes more than 300 requests a minute); two keys on
# the `low` tier (20 per 10 s) are for the rate-limit test. The breaker is off here (the
# fault tests fail a source many times in a row); the second Worker has it on.
mock_upstream_vars "$FLEXEDGE_MOCK_URL"
keys='[{"key":"flexedge-dev","sources":["*"],"raw":true,"debug":true,"write":true,"rateLimit":"high","label":"dev"},'
keys+='{"key":"e2e-scoped-key","sources":["hpe_flex","telecomx_flexcare"],"label":"scoped"},'
keys+='{"key":"e2e-fno-only-key","sources":["fno_orders"],"label":"fno"},'
keys+='{"key":"e2e-low-key-a","sources":["telecomx_flexcare"],"rateLimit":"low","label":"low-a"},'
keys+='{"key":"e2e-low-key-b","sources":["telecomx_flexcare"],"rateLimit":"low","label":"low-b"}]'
common_vars=(
  "${upstream_vars[@]}"
  --var "FLEXEDGE_CORS_ORIGINS:https://app.example"
  --var "FLEXEDGE_TOKEN_SECRET:e2e-token-secret-for-the-local-mock-only"
  --var "FLEXEDGE_API_KEYS:$keys"
)
vars=("${common_vars[@]}" --var "FLEXEDGE_DEADLINE_MS:2500")
start_worker "$CONFIG" "$E2E_PORT" "$OUT/wrangler.log" "${vars[@]}" --var "FLEXEDGE_BREAKER_FAILURES:0" \
  "${MAIN_INSPECTOR[@]}"
main_worker=${pids[-1]}
start_worker "$CONFIG" "$BREAKER_PORT" "$OUT/wrangler-breaker.log" "${vars[@]}" \
  --var "FLEXEDGE_BREAKER_FAILURES:3" --var "FLEXEDGE_BREAKER_COOLDOWN_MS:8000" "${BREAKER_INSPECTOR[@]}"
breaker_worker=${pids[-1]}
kv=()
for a in "${vars[@]}"; do [ "$a" = --var ] || kv+=("$a"); done
start_bench_worker "$CONFIG" "$DIRECT_PORT" "$OUT/worker-direct.log" /health "${kv[@]}" \
  "FLEXEDGE_BREAKER_FAILURES:0"
direct_worker=${pids[-1]}
export FLEXEDGE_URL="http://127.0.0.1:$E2E_PORT" FLEXEDGE_LIVE=1
export FLEXEDGE_BREAKER_URL="http://127.0.0.1:$BREAKER_PORT" FLEXEDGE_E2E_CONFIG="$CONFIG"
export FLEXEDGE_DIRECT_URL="http://127.0.0.1:$DIRECT_PORT" FLEXEDGE_E2E_OUT="$OUT"
# E2E_ONLY=NAME[,NAME…] runs only tests/e2e/NAME.test.mjs of this phase, then stops (for
# chasing one failure without the whole suite).
if [[ -n "${E2E_ONLY:-}" ]]; then
  only=()
  for n in ${E2E_ONLY//,/ }; do only+=("tests/e2e/$n.test.mjs"); done
  node --test --test-reporter=spec --test-concurrency=1 "${only[@]}"
  exit 0
fi
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/*.test.mjs

# 2. The embedded default, as `make dev` runs it: stop the first Workers, start one with no
# upstream configuration and the simulator switched on. Beside the local key of .dev.vars
# (`standard` tier, which a run of schemathesis would trip), schemathesis gets a key of its
# own on the `high` tier.
for pid in "$main_worker" "$breaker_worker" "$direct_worker"; do
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
done
st_keys='[{"key":"flexedge-dev","sources":["*"],"raw":true,"debug":true,"write":true,"label":"dev"},'
st_keys+='{"key":"schemathesis-key","sources":["*"],"raw":true,"debug":true,"rateLimit":"high","label":"schemathesis"}]'
start_worker "$CONFIG" "$E2E_PORT" "$OUT/wrangler-embedded.log" \
  --var FLEXEDGE_SIMULATOR:on --var "FLEXEDGE_API_KEYS:$st_keys" "${MAIN_INSPECTOR[@]}"
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/embedded/*.test.mjs
scripts/schemathesis.sh "$FLEXEDGE_URL" schemathesis-key "$OUT/schemathesis"

# 3. The deadline: the mock again, with the default FLEXEDGE_DEADLINE_MS (8000).
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
start_worker "$CONFIG" "$E2E_PORT" "$OUT/wrangler-deadline.log" "${common_vars[@]}" \
  --var "FLEXEDGE_BREAKER_FAILURES:0" "${MAIN_INSPECTOR[@]}"
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/deadline/*.test.mjs

# 4. The OData walk over the big corpus: a second mock with 2,000 records per source (port
#    ODATA_MOCK_PORT, default MOCK_PORT + 2) and a Worker pointed at it.
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
target/debug/flexedge-mock --port "$ODATA_MOCK_PORT" --records 2000 --rate-limit 0 --max-seconds 1800 \
  >"$OUT/mock-odata.log" 2>&1 &
track_until_ready "http://127.0.0.1:$ODATA_MOCK_PORT/__sim/health" "$OUT/mock-odata.log" 60
mock_upstream_vars "http://127.0.0.1:$ODATA_MOCK_PORT"
# Three of the vendors give no totals: a count reads all 2,000 records of each, which on a
# loaded machine can take longer than the default 8 s deadline.
start_worker "$CONFIG" "$E2E_PORT" "$OUT/wrangler-odata.log" "${upstream_vars[@]}" \
  --var "FLEXEDGE_DEADLINE_MS:30000" --var "FLEXEDGE_TOKEN_SECRET:e2e-token-secret-for-the-local-mock-only" \
  --var 'FLEXEDGE_API_KEYS:[{"key":"flexedge-dev","sources":["*"],"rateLimit":"high"}]' \
  "${MAIN_INSPECTOR[@]}"
node --test --test-reporter=spec --test-concurrency=1 tests/e2e/odata-walk/*.test.mjs
