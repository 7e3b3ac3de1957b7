#!/usr/bin/env bash
# Builds the browser module (feature `browser`) into www/pkg/ with wasm-bindgen --target web.
set -euo pipefail
cd "$(dirname "$0")/.."
# Profile `browser` (Cargo.toml): the release profile at opt-level "s".
cargo build --profile browser --lib --target wasm32-unknown-unknown --features browser
wasm-bindgen --target web --typescript --out-dir www/pkg --out-name flexedge \
  target/wasm32-unknown-unknown/browser/flexedge.wasm
printf '[pkg] www/pkg/flexedge_bg.wasm: %s bytes, %s gzipped\n' \
  "$(stat -c %s www/pkg/flexedge_bg.wasm)" "$(gzip -9c www/pkg/flexedge_bg.wasm | wc -c)"
# Node reads the module as ESM without guessing (no MODULE_TYPELESS_PACKAGE_JSON warning).
printf '{ "type": "module" }\n' > www/pkg/package.json
