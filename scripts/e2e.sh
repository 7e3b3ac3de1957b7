#!/usr/bin/env bash
# End-to-end tests: starts the native mock upstream server and `wrangler dev` (pointed at the
# mock for some sources, embedded simulator for the rest), waits for both, runs the node tests
# in tests/e2e/ and the page test, and stops everything by PID. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
E2E_PORT="${E2E_PORT:-8788}"
MOCK_PORT="${MOCK_PORT:-8791}"
OUT=tests/e2e/out; mkdir -p "$OUT"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

wait_http() { # url seconds pid
  local url="$1" limit="$2" pid="$3"
  for _ in $(seq 1 "$limit"); do
    curl -sf -o /dev/null "$url" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "[e2e] process $pid exited before $url answered"; return 1; }
    sleep 1
  done
  echo "[e2e] $url did not answer within ${limit}s"; return 1
}

vars=()
if grep -q 'name = "flexedge-mock"' Cargo.toml && [[ -f src/sim/server.rs || -n "$(grep -l tiny_http src/bin/flexedge-mock.rs 2>/dev/null)" ]]; then
  cargo build --quiet --features mock --bin flexedge-mock
  target/debug/flexedge-mock --port "$MOCK_PORT" --max-seconds 1800 >"$OUT/mock.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$MOCK_PORT/__sim/health" 60 "${pids[-1]}"
  export FLEXEDGE_MOCK_URL="http://127.0.0.1:$MOCK_PORT"
fi

wrangler dev --ip 127.0.0.1 --port "$E2E_PORT" "${vars[@]}" >"$OUT/wrangler.log" 2>&1 &
pids+=($!)
if ! wait_http "http://127.0.0.1:$E2E_PORT/health" 600 "${pids[-1]}"; then
  tail -40 "$OUT/wrangler.log"; exit 1
fi
export FLEXEDGE_URL="http://127.0.0.1:$E2E_PORT"
node --test --test-reporter=spec tests/e2e/
