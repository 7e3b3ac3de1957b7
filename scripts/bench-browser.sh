#!/usr/bin/env bash
# Browser benchmark: builds the wasm module (scripts/pkg.sh), then runs tests/bench/browser-bench.mjs
# (runQuery vs hand-written JS vs mingo over 10,000 records in headless Chromium).
# Prints figures; asserts only that the variants agree. BENCH_RECORDS, BENCH_PORT and
# BENCH_PKG (another build directory of the module, default www/pkg) override.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# Built every run: the figures and the size in results.json are of this checkout.
scripts/pkg.sh
printf '\n=== bench browser (Chromium)\n'
node tests/bench/browser-bench.mjs
