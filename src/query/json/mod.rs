//! Queries over plain JSON rows, for the browser module and any JSON: typing the rows
//! (`schema`), reading an array of rows from bytes keeping only the members a query names
//! (`read`), and answering a query over JSON text with JSON text (`text`).
//!
//! Imports no I/O, no wasm, no `worker`.

mod read;
mod schema;
mod text;

pub use read::{
    check_record, read_row, read_rows, split_array, JsonRef, Members, ReadError, RECORD_REQUIRED,
};
pub use schema::{JsonLike, JsonSchema, Node};
pub use text::{run_json_text, RunError, Typing};
