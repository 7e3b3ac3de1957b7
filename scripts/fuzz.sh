#!/usr/bin/env bash
# `make fuzz`: run a cargo-fuzz target (libFuzzer) with the pinned stable toolchain.
#   scripts/fuzz.sh [target] [libFuzzer args...]    e.g. scripts/fuzz.sh http -max_total_time=600
# FUZZ_SANITIZER=none builds without the address sanitizer (the crate has no unsafe code;
# panics, overflows and stack exhaustion are still caught), several times more executions.
# Only the stable toolchain can be had on these machines; cargo-fuzz passes nightly `-Z`
# flags (the sanitizer), which the stable compiler accepts with RUSTC_BOOTSTRAP=1.
# cargo-fuzz is installed from crates.io when missing. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
  echo "[fuzz] installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
target="${1:-parse}"
shift || true
[[ $# -gt 0 ]] || set -- -max_total_time=180
cd fuzz
exec env RUSTC_BOOTSTRAP=1 cargo fuzz run ${FUZZ_SANITIZER:+--sanitizer "$FUZZ_SANITIZER"} "$target" -- "$@"
