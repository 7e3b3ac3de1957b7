#!/usr/bin/env bash
# Runs the #[wasm_bindgen_test] tests (tests/browser.rs) in headless Chromium through
# ChromeDriver; the flags Chromium needs here are in webdriver.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT=120
cargo test --target wasm32-unknown-unknown --features browser --test browser
