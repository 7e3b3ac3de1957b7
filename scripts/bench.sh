#!/usr/bin/env bash
# `make bench`: every benchmark prints its figures beside a baseline measured in the same run.
# Nothing here asserts a speed; the README records the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
for b in benches/*.rs; do
  [[ -e "$b" ]] || continue
  name=$(basename "$b" .rs)
  # benches/gateway.rs runs in scripts/bench-gateway.sh, beside its wasm twin.
  [[ "$name" == gateway ]] && continue
  printf '\n=== bench %s\n' "$name"
  cargo bench --quiet --features mock --bench "$name"
done
if [[ -x scripts/bench-gateway.sh ]]; then scripts/bench-gateway.sh; fi
if [[ -x scripts/bench-browser.sh ]]; then scripts/bench-browser.sh; fi
