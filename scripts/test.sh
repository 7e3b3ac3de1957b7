#!/usr/bin/env bash
# `make test`: install what is missing, then run every check. Prints each runner's summary
# and how long each phase took; exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

declare -a TIMES=()
phase() {
  local name="$1"; shift
  local t0=$SECONDS
  printf '\n=== %s\n' "$name"
  if "$@"; then
    TIMES+=("$(printf '%-44s %4ds ok' "$name" $((SECONDS - t0)))")
  else
    TIMES+=("$(printf '%-44s %4ds FAILED' "$name" $((SECONDS - t0)))")
    printf '\n=== phase times\n'; printf '%s\n' "${TIMES[@]}"
    exit 1
  fi
}

wasm=(--target wasm32-unknown-unknown)
phase "setup"                         scripts/setup.sh test
phase "cargo fmt --check"             cargo fmt --all --check
phase "clippy (no features)"          cargo clippy --all-targets -- -D warnings
phase "clippy (mock)"                 cargo clippy --all-targets --features mock -- -D warnings
phase "clippy (bench-wasm)"           cargo clippy --all-targets --features bench-wasm -- -D warnings
phase "clippy (worker, native)"       cargo clippy --all-targets --features worker -- -D warnings
phase "clippy (browser, native)"      cargo clippy --all-targets --features browser -- -D warnings
phase "clippy (worker, wasm32)"       cargo clippy --lib "${wasm[@]}" --features worker -- -D warnings
phase "clippy (browser, wasm32)"      cargo clippy --lib --test browser "${wasm[@]}" --features browser -- -D warnings
phase "cargo doc"                     env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --features mock
phase "cargo test (native)"           cargo test --features mock
phase "wasm32 release build (worker)" worker-build --release --features worker
phase "wasm32 release build (browser)" scripts/pkg.sh
phase "npm package (pack, install, bundle, run, tsc)" node --test --test-reporter=spec tests/npm/package.test.mjs
phase "wasm-bindgen tests (Chromium)" scripts/wasm-test.sh
phase "end-to-end (wrangler dev)"     scripts/e2e.sh

printf '\n[size] worker wasm: %s bytes, %s gzipped\n' \
  "$(stat -c %s build/index_bg.wasm)" "$(gzip -9c build/index_bg.wasm | wc -c)"
printf '\n=== phase times\n'; printf '%s\n' "${TIMES[@]}"
echo "all checks passed"
