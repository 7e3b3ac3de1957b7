//! The filter language (see issue 3). Imports no I/O, no wasm, no `worker`.
