//! The filter language: the OData 4.01 `$filter` expression grammar, parsed by a
//! hand-written lexer and recursive-descent parser into a spanned AST that prints back as
//! canonical text, then checked against a schema and compiled for fast evaluation over
//! any row type. Imports no I/O, no wasm, no `worker`.
//!
//! The language reference (grammar, semantics, limits, error codes) is `docs/filter.md`.

mod ast;
mod error;
mod lexer;
mod parser;
mod print;
pub mod temporal;

pub use ast::{BinaryOp, Expr, ExprKind, Ident, LambdaOp, Literal, Path};
pub use error::{suggest, utf16_offset, FilterError, Span};
pub use parser::{parse, MAX_DEPTH, MAX_IN_ITEMS, MAX_LENGTH};
