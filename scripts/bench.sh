#!/usr/bin/env bash
# `make bench`: every benchmark prints its figures beside a baseline measured in the same run
# and records them (tests/bench/results.mjs, benches/support/results.rs) as JSON lines;
# tests/bench/report.mjs then writes target/bench/results.json and prints the goal rows with
# their ratio and MET / NOT MET. Nothing here asserts a speed; the README records the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# What the benches run on: the npm packages (miniflare, wrangler, playwright-core) and Chromium.
scripts/setup.sh test
mkdir -p target/bench
export BENCH_RESULTS_JSONL="$PWD/target/bench/figures.jsonl"
: >"$BENCH_RESULTS_JSONL"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for b in benches/*.rs; do
  [[ -e "$b" ]] || continue
  name=$(basename "$b" .rs)
  # benches/gateway.rs runs in scripts/bench-gateway.sh, beside its wasm twin.
  [[ "$name" == gateway ]] && continue
  printf '\n=== bench %s\n' "$name"
  cargo bench --quiet --features mock --bench "$name"
done
scripts/bench-gateway.sh
scripts/bench-browser.sh
node tests/bench/report.mjs "$BENCH_RESULTS_JSONL" target/bench/results.json "$load_start"
