//! The filter language: the OData 4.01 `$filter` expression grammar, parsed by a
//! hand-written lexer and recursive-descent parser into a spanned AST that prints back as
//! canonical text, then checked against a schema and compiled for fast evaluation over
//! any row type. Imports no I/O, no wasm, no `worker`.
//!
//! ```
//! use flexedge::filter::{parse, Filter};
//! use flexedge::model::{Kind, Record, RecordSchema, Source};
//!
//! let expr = parse("Status EQ 'active' and not contains(customer/name,'x')").unwrap();
//! assert_eq!(expr.to_string(), "Status eq 'active' and not contains(customer/name, 'x')");
//!
//! let err = Filter::<Record>::new(&expr, RecordSchema::default(), 0).unwrap_err();
//! assert_eq!(err.code(), "filter.field.unknown");
//! assert_eq!(err.suggestion.as_deref(), Some("status"));
//!
//! let f = Filter::<Record>::parse("status eq 'unknown' and endDate eq null", RecordSchema::default(), 0).unwrap();
//! assert!(f.matches(&Record::new(Source::HpeFlex, "1", Kind::Order)));
//! ```
//!
//! Semantics (each pinned by a case in `tests/data/filter_eval.json`; full reference in
//! `docs/filter.md`):
//! - types are checked before running; strings compare by code point, case-sensitively;
//! - date-time fields are UTC instants; comparing one with a date literal (midnight UTC),
//!   a date-time literal (any offset) or a string that is a valid date compares instants;
//! - null and missing are the same: `x eq null` is true for both; comparisons with null
//!   are false except `ne` (and `eq`/`ge`/`le` of two nulls); `and`/`or`/`not` are
//!   three-valued and a row matches only when the filter is true;
//! - `in` is `eq` against each item; `any` needs one element, `all` every element (true
//!   when empty); numbers are `f64`, `div` of whole numbers truncates, division by zero
//!   is null;
//! - what parses but is not evaluated (`has`, geo, `isof`, `cast`, …) is a
//!   `filter.unsupported.*` error at its position; unknown names get a suggestion.
//!
//! Limits ([`MAX_LENGTH`], [`MAX_DEPTH`], [`MAX_IN_ITEMS`]) are errors, never crashes.

mod alias;
mod ast;
mod error;
mod lexer;
mod parser;
mod print;
pub mod temporal;

pub use alias::{Aliases, MAX_EXPANSION};
pub use ast::{
    ArithOp, BinaryOp, CmpOp, Expr, ExprKind, Ident, LambdaOp, Literal, Member, NamedArg, Path,
    Segment, SegmentKind,
};
pub use error::{suggest, utf16_offset, ErrorKind, FilterError, Span};
pub use parser::{parse, MAX_DEPTH, MAX_IN_ITEMS, MAX_LENGTH};

mod compile;
mod eval;
mod functions;
mod ir;
mod schema;

pub use schema::{FieldId, FieldInfo, FieldType, Resolved, Row, Schema, Value};

/// A filter checked against a schema and compiled for evaluation; evaluate it with the
/// same schema instance it was compiled against.
#[derive(Debug, Clone)]
pub struct Compiled {
    pred: ir::Pred,
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
        self.pred.eval(row, schema, &mut ir::Env::default()) == Some(true)
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

impl<R: Row> std::fmt::Debug for Filter<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("compiled", &self.compiled)
            .field("schema", &self.schema)
            .finish()
    }
}

impl<R: Row> Clone for Filter<R> {
    fn clone(&self) -> Self {
        Filter {
            compiled: self.compiled.clone(),
            schema: self.schema.clone(),
        }
    }
}
