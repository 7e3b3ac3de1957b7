# Sourced by the scripts: keep wrangler and the tools off the internet.
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false
export WRANGLER_LOG_PATH="$PWD/target/wrangler-logs"
export WASM_BINDGEN_BIN=wasm-bindgen ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
