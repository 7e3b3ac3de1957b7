//! The wasm-bindgen exports for pages: the only code that exports to JavaScript.
