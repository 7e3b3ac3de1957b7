#!/usr/bin/env bash
# The gateway benchmark of `make bench` (issue 6), one run, loopback only, bounded:
#   1. the mock's own requests/s for a 100-record page (`flexedge-mock --bench`);
#   2. the wasm CPU time per unified request (the testkit bench world under Node), beside native;
#   3. direct calls to each vendor's 100-record page on the mock vs. the four-source
#      `/v1/orders?limit=100` through the Worker (edge cache off), with a fixed latency per
#      vendor and without, each with 1 client and with 4; beside it the runtime floor: a
#      plain JS Worker making the same six upstream calls and nothing else
#      (tests/bench/floor).
# Both Workers run in workerd through Miniflare, configured from their wrangler.toml by
# wrangler (tests/bench/start-worker.mjs): the runtime and configuration of the edge, with
# no development server in front. For reference, the same Worker also runs behind wrangler
# dev's local proxy (`unstable_startWorker`), which adds a hop to every request. None has
# the DevTools inspector attached (`wrangler dev` always attaches it, and with a debugger
# attached V8 runs the wasm unoptimized).
# Starts the mock (port 8794), the Worker (8793), the floor Worker (8795) and the Worker
# behind the dev proxy (8796), and stops them by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
BENCH_PORT="${BENCH_PORT:-8793}"
MOCK_PORT="${BENCH_MOCK_PORT:-8794}"
FLOOR_PORT="${BENCH_FLOOR_PORT:-8795}"
PROXY_PORT="${BENCH_PROXY_PORT:-8796}"
LATENCIES="${BENCH_LATENCIES:-10,15,20,25}"
OUT=target/bench; mkdir -p "$OUT"
source scripts/procs.sh

printf '\n=== bench gateway (machine: %s cores, load average %s)\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"

# 1. The mock alone.
cargo build --quiet --release --features mock --bin flexedge-mock
target/release/flexedge-mock --records 100 --rate-limit 0 --bench 2000

# 2. Wasm CPU per request: the testkit bench world (opt-level of the release profile, like the
# Worker) under Node, then the same natively.
cargo build --quiet --release --lib --target wasm32-unknown-unknown --features bench-wasm \
  --target-dir target/bench-wasm
wasm-bindgen --target nodejs --out-dir "$OUT/wasm" --out-name flexedge_bench \
  target/bench-wasm/wasm32-unknown-unknown/release/flexedge.wasm
node --expose-gc tests/bench/wasm-cpu.mjs "$OUT/wasm/flexedge_bench.js"
cargo bench --quiet --features bench-wasm --bench gateway

# 3. Through the Worker. Every source points at the mock; the edge cache is off so every
# request really calls the upstreams. Built once and run from a copy of wrangler.toml
# without [build] (no rebuild at start).
CONFIG=.wrangler-bench.toml
prebuilt_worker "$CONFIG" "$OUT/worker-build.log"
target/release/flexedge-mock --port "$MOCK_PORT" --records 100 --rate-limit 0 --max-seconds 1800 \
  >"$OUT/mock.log" 2>&1 &
track_until_ready "http://127.0.0.1:$MOCK_PORT/__sim/health" "$OUT/mock.log" 60
M="http://127.0.0.1:$MOCK_PORT"
mock_upstream_vars "$M"
vars=(
  "${upstream_vars[@]}"
  --var "FLEXEDGE_CACHE_TTL:0" --var "FLEXEDGE_DEADLINE_MS:5000"
  --var 'FLEXEDGE_API_KEYS:[{"key":"flexedge-dev","sources":["*"],"rateLimit":"high"}]'
)
kv=()
for a in "${vars[@]}"; do [ "$a" = --var ] || kv+=("$a"); done
start_bench_worker "$CONFIG" "$BENCH_PORT" "$OUT/worker.log" /health "${kv[@]}"
start_bench_worker tests/bench/floor/wrangler.toml "$FLOOR_PORT" "$OUT/floor.log" / "MOCK:$M"
start_bench_worker --dev-proxy "$CONFIG" "$PROXY_PORT" "$OUT/worker-dev-proxy.log" /health "${kv[@]}"
export FLEXEDGE_URL="http://127.0.0.1:$BENCH_PORT" FLEXEDGE_MOCK_URL="$M"
export FLEXEDGE_FLOOR_URL="http://127.0.0.1:$FLOOR_PORT"
export FLEXEDGE_DEV_PROXY_URL="http://127.0.0.1:$PROXY_PORT"
# Latency one request at a time (what one client sees), then throughput with 4 clients
# (which queue on the single workerd isolate).
for conc in 1 4; do
  BENCH_CONCURRENCY=$conc BENCH_LATENCIES="$LATENCIES" BENCH_LABEL="with upstream latency, $conc client(s)" \
    node tests/bench/gateway-bench.mjs
  BENCH_CONCURRENCY=$conc BENCH_LATENCIES=0 BENCH_LABEL="no added latency, $conc client(s)" \
    node tests/bench/gateway-bench.mjs
done
