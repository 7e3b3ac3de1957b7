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

mod compile;
mod eval;
mod schema;

pub use schema::{FieldId, FieldInfo, FieldType, Resolved, Row, Schema, Value};

/// A filter checked against a schema and compiled for evaluation; evaluate it with the
/// same schema instance it was compiled against.
#[derive(Debug, Clone)]
pub struct Compiled {
    pred: eval::Pred,
}

impl Compiled {
    /// Resolves names and checks types against `schema`, then compiles. `now_ms` (epoch
    /// milliseconds) is the value of `now()`. Errors carry the span of the offending node.
    pub fn compile<S: Schema>(
        expr: &Expr,
        schema: &mut S,
        now_ms: i64,
    ) -> Result<Self, FilterError> {
        compile::compile(expr, schema, now_ms).map(|pred| Compiled { pred })
    }

    /// True when the filter is true on `row` (false and null do not match).
    #[inline]
    pub fn matches<R: Row>(&self, row: &R, schema: &R::Schema) -> bool {
        self.pred.eval(row, schema, &mut eval::Env::default()) == Some(true)
    }
}

/// A compiled filter bundled with the schema it was checked against.
pub struct Filter<R: Row> {
    compiled: Compiled,
    schema: R::Schema,
}

impl<R: Row> Filter<R> {
    /// Checks and compiles `expr` for rows of type `R`.
    pub fn new(expr: &Expr, mut schema: R::Schema, now_ms: i64) -> Result<Self, FilterError> {
        let compiled = Compiled::compile(expr, &mut schema, now_ms)?;
        Ok(Filter { compiled, schema })
    }

    /// Parses, checks and compiles filter text.
    pub fn parse(text: &str, schema: R::Schema, now_ms: i64) -> Result<Self, FilterError> {
        Self::new(&parse(text)?, schema, now_ms)
    }

    /// True when the filter is true on `row`.
    #[inline]
    pub fn matches(&self, row: &R) -> bool {
        self.compiled.matches(row, &self.schema)
    }

    /// The schema (with any dynamic names registered while compiling).
    pub fn schema(&self) -> &R::Schema {
        &self.schema
    }
}
