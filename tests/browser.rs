//! The browser module's exports, run in headless Chromium by `scripts/wasm-test.sh`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn version_matches_the_crate() {
    assert_eq!(flexedge::browser::version(), env!("CARGO_PKG_VERSION"));
}
