#!/usr/bin/env bash
# Instruction profile of one unified request (issue #17), natively, robust against the
# machine's load: benches/gateway.rs under `valgrind --tool=callgrind` with
# FLEXEDGE_BENCH_RUNS=5 and =15 (each after as many warm-ups), so the difference / 20 is
# the instructions (Ir) of one warm request (only inside `BenchWorld::get`: the world's
# setup is not counted); then the top functions by their own Ir in the longer run. Per
# path: /v1/orders?limit=100 and …&include=raw. Output under target/profile/REV.
#   scripts/profile.sh [REV]   REV (a commit) is profiled from a worktree under target/, for
#                              a before/after beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
command -v valgrind >/dev/null || { echo "profile: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
src=$PWD label=checkout
if [[ $# -gt 0 ]]; then
  label=$(git rev-parse --short "$1")
  src=$PWD/target/profile-src/$label
  [[ -d "$src" ]] || git worktree add --detach "$src" "$1" >/dev/null
fi
out=$PWD/target/profile/$label
mkdir -p "$out"
bin=$(cd "$src" && cargo bench --no-run --features bench-wasm --bench gateway \
  --target-dir "$PWD/target" 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
[[ -x "$src/$bin" || -x "$bin" ]] || { echo "profile: no bench binary found" >&2; exit 1; }
[[ -x "$bin" ]] || bin=$src/$bin
ir() { sed -n 's/^summary: \([0-9]*\).*/\1/p' "$1"; }
printf '=== callgrind, %s (%s), native bench profile\n' "$label" "$(cd "$src" && git rev-parse --short HEAD)"
for path in '/v1/orders?limit=100' '/v1/orders?limit=100&include=raw'; do
  key=orders; [[ $path == *include=raw* ]] && key=orders_raw
  for n in 5 15; do
    FLEXEDGE_BENCH_RUNS=$n FLEXEDGE_BENCH_PATH=$path valgrind --tool=callgrind \
      --collect-atstart=no --toggle-collect='*BenchWorld::get*' --callgrind-out-file="$out/$key.$n.out" "$bin" >/dev/null 2>"$out/$key.$n.log"
  done
  per=$(( ($(ir "$out/$key.15.out") - $(ir "$out/$key.5.out")) / 20 ))
  printf '\n%s: %s Ir per warm request; top functions by their own Ir over the 30 requests:\n' "$path" "$per"
  # Self cost, function names without their paths and generics; `head` ends the pipe early.
  { callgrind_annotate "$out/$key.15.out" 2>/dev/null || true; } | sed -n '/^Ir/,$p' |
    grep -E '^ *[0-9,]+ \(' | sed -E 's/ \[[^]]*\]$//; s|[^ ]*/([^/:]*):|\1:|' | head -20 | cut -c1-140 || true
done
