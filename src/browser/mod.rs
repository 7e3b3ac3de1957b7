//! The wasm-bindgen exports for pages: the only code that exports to JavaScript.
//!
//! Each exported function converts between JavaScript values and Rust types and calls the
//! platform-free engine; nothing is decided here.

use wasm_bindgen::prelude::*;

/// The crate version, so a page can show which engine it runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
