#!/usr/bin/env bash
# Builds the browser module (feature `browser`) and the npm package:
#   pkg/      the npm package `flexedge` (wasm-bindgen --target web output + the entries,
#             the edge API client and its types from www/client/, api.d.ts generated from
#             the OpenAPI document, package.json versioned with Cargo.toml);
#   www/pkg/  the same files, for the playground page next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Profile `browser` (Cargo.toml): the release profile at opt-level "s".
cargo build --profile browser --lib --target wasm32-unknown-unknown --features browser
rm -rf pkg
wasm-bindgen --target web --typescript --out-dir pkg --out-name flexedge \
  target/wasm32-unknown-unknown/browser/flexedge.wasm
printf '[pkg] flexedge_bg.wasm: %s bytes, %s gzipped\n' \
  "$(stat -c %s pkg/flexedge_bg.wasm)" "$(gzip -9c pkg/flexedge_bg.wasm | wc -c)"

# wasm-bindgen's declarations use Symbol.dispose (TypeScript's esnext.disposable lib): say
# so, so that a strict project whose lib is older still type-checks them.
sed -i '1i /// <reference lib="esnext.disposable" />' pkg/flexedge.d.ts
# The package around the module; its version is the crate's (one source of truth).
cp www/client/{index.js,index.d.ts,node.js,client.js,client.d.ts,engine.js,README.md} pkg/
node www/client/gen-types.mjs src/service/openapi.json pkg/api.d.ts
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("www/client/package.json", "utf8"));
  p.version = process.argv[1];
  fs.writeFileSync("pkg/package.json", JSON.stringify(p, null, 2) + "\n");
' "$version"

# The page's copy.
rm -rf www/pkg
cp -r pkg www/pkg
printf '[pkg] npm package flexedge@%s in pkg/ (and www/pkg/ for the page)\n' "$version"
