//! The query pipeline over any row type. Imports no I/O, no wasm, no `worker`.
