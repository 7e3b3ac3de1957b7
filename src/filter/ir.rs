//! The compiled form of a checked filter: a tree of boolean nodes ([`Pred`]) over value
//! nodes ([`VExpr`]), with field accesses resolved to ids up front ([`Acc`]), and the
//! static types the checker assigns ([`Ty`]). The common shapes (field compared with a
//! constant, `in` over constants, `contains`/`startswith`/`endswith` with a constant) have
//! dedicated nodes that neither allocate nor look names up per row. The compiler
//! (`compile`) builds it, the evaluator (`eval`) runs it, the built-ins (`functions`) are
//! called from it.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::borrow::Cow;

use super::ast::{ArithOp, CmpOp};
use super::schema::{FieldId, FieldType, Value};
use super::temporal;

/// How many lambdas may nest.
pub(crate) const MAX_LAMBDA_NESTING: usize = 4;

/// Static types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Null,
    Bool,
    Num,
    Str,
    Time,
    Tod,
    Dur,
    Any,
}

impl Ty {
    /// The name used in error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ty::Null => "null",
            Ty::Bool => "boolean",
            Ty::Num => "number",
            Ty::Str => "string",
            Ty::Time => "date-time",
            Ty::Tod => "time of day",
            Ty::Dur => "duration",
            Ty::Any => "any",
        }
    }

    /// The static type of a schema field.
    pub(crate) fn of(f: FieldType) -> Ty {
        match f {
            FieldType::String => Ty::Str,
            FieldType::Number => Ty::Num,
            FieldType::Bool => Ty::Bool,
            FieldType::DateTime => Ty::Time,
            FieldType::Any => Ty::Any,
        }
    }

    /// Whether a value of this type may stand where `want` is expected.
    pub(crate) fn fits(self, want: Ty) -> bool {
        self == want || matches!(self, Ty::Any | Ty::Null) || want == Ty::Any
    }
}

/// Where a field is read from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Acc {
    /// The row itself.
    Root(FieldId),
    /// The current element of the lambda in binding slot `slot`.
    Elem { field: FieldId, slot: usize },
}

impl Acc {
    /// The field read.
    pub(crate) fn field(self) -> FieldId {
        match self {
            Acc::Root(id) | Acc::Elem { field: id, .. } => id,
        }
    }

    /// Relative cost of reading a field: a lambda element is one more indirection.
    fn cost(self) -> u32 {
        match self {
            Acc::Root(_) => 0,
            Acc::Elem { .. } => 1,
        }
    }
}

/// Lambda iteration state: the current index per binding slot.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Env {
    pub(crate) idx: [usize; MAX_LAMBDA_NESTING],
}

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
    /// Epoch milliseconds.
    Time(i64),
    /// Milliseconds since midnight.
    Tod(i64),
    /// Milliseconds.
    Dur(i64),
}

impl Val<'_> {
    /// The same value, borrowing its text from `self`.
    pub(crate) fn borrowed(&self) -> Val<'_> {
        match self {
            Val::Str(s) => Val::Str(Cow::Borrowed(s)),
            Val::Null => Val::Null,
            Val::Bool(b) => Val::Bool(*b),
            Val::Num(n) => Val::Num(*n),
            Val::Time(t) => Val::Time(*t),
            Val::Tod(t) => Val::Tod(*t),
            Val::Dur(t) => Val::Dur(*t),
        }
    }
}

impl<'a> From<Value<'a>> for Val<'a> {
    fn from(v: Value<'a>) -> Self {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Num(n),
            Value::Str(s) => Val::Str(Cow::Borrowed(s)),
            Value::DateTime(t) => Val::Time(t),
        }
    }
}

/// The number, when the value is one.
pub(crate) fn num(v: &Val<'_>) -> Option<f64> {
    match v {
        Val::Num(n) => Some(*n),
        _ => None,
    }
}

/// The instant, when the value is one or is date text ([`temporal::instant_ms`]).
pub(crate) fn time(v: &Val<'_>) -> Option<i64> {
    match v {
        Val::Time(t) => Some(*t),
        Val::Str(s) => temporal::instant_ms(s),
        _ => None,
    }
}

/// The text, when the value is a string.
pub(crate) fn string<'v>(v: &'v Val<'_>) -> Option<&'v str> {
    match v {
        Val::Str(s) => Some(s),
        _ => None,
    }
}

/// String tests with a constant needle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrTest {
    Contains,
    StartsWith,
    EndsWith,
}

/// A case mapping applied to a string field before a [`StrTest`]
/// (`contains(tolower(name), 'acme')`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    Keep,
    Lower,
    Upper,
}

/// Built-in functions that are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Contains,
    StartsWith,
    EndsWith,
    ToLower,
    ToUpper,
    Trim,
    Length,
    IndexOf,
    Substring,
    Concat,
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    FractionalSeconds,
    Date,
    Time,
    Round,
    Floor,
    Ceiling,
    /// `now()`: folded into a constant by the compiler.
    Now,
}

/// A boolean node.
#[derive(Debug, Clone)]
pub(crate) enum Pred {
    Const(Option<bool>),
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
    StrCmp {
        acc: Acc,
        op: CmpOp,
        value: Box<str>,
    },
    NumCmp {
        acc: Acc,
        op: CmpOp,
        value: f64,
    },
    TimeCmp {
        acc: Acc,
        op: CmpOp,
        ms: i64,
    },
    IsNull {
        acc: Acc,
        negate: bool,
    },
    StrIn {
        acc: Acc,
        set: Vec<Box<str>>,
    },
    StrFn {
        acc: Acc,
        test: StrTest,
        needle: Box<str>,
        /// The field's value is first passed through `tolower`/`toupper`.
        case: Case,
    },
    /// `eq`/`ne` of a symbol field (see [`Schema::symbol`](super::Schema::symbol)) with a
    /// constant; `code` is `None` when the constant is not one of the field's values.
    SymEq {
        acc: Acc,
        code: Option<u32>,
        negate: bool,
    },
    /// `in` over constants of a symbol field: bit `code` of `mask` is set for each value.
    SymIn {
        acc: Acc,
        mask: u64,
    },
    Cmp {
        op: CmpOp,
        lhs: VExpr,
        rhs: VExpr,
    },
    In {
        lhs: VExpr,
        list: Vec<VExpr>,
    },
    /// A boolean-valued expression used as a condition.
    Value(VExpr),
    /// Some element (that passes `filter`, from `$filter(…)` segments) satisfies `body`
    /// (any such element when there is no body).
    Any {
        collection: FieldId,
        slot: usize,
        filter: Option<Box<Pred>>,
        body: Option<Box<Pred>>,
    },
    /// Every element that passes `filter` satisfies `body`.
    All {
        collection: FieldId,
        slot: usize,
        filter: Option<Box<Pred>>,
        body: Box<Pred>,
    },
    /// `x has E'a,b'`: the value, read as comma-separated flags, holds every flag.
    Has {
        value: VExpr,
        flags: Vec<Box<str>>,
    },
    /// `hassubset(a, b)` (`seq` false) / `hassubsequence(a, b)` (`seq` true).
    Subset {
        a: Coll,
        b: Coll,
        seq: bool,
    },
}

/// A collection of values: a JSON array, or the scalar elements of a row's collection.
#[derive(Debug, Clone)]
pub(crate) enum Coll {
    Values(Vec<VExpr>),
    /// Collection `collection` read element by element through `field`.
    Elems {
        collection: FieldId,
        field: FieldId,
    },
}

/// A value node.
#[derive(Debug, Clone)]
pub(crate) enum VExpr {
    Field(Acc),
    Const(Val<'static>),
    Neg(Box<VExpr>),
    Arith(ArithOp, Box<VExpr>, Box<VExpr>),
    Call(Func, Vec<VExpr>),
    Pred(Box<Pred>),
    /// `collection/$count`.
    Count(FieldId),
    /// `collection/$count($filter=…)`, `collection/$filter(…)/$count`: the elements bound
    /// to `slot` for which `filter` is true.
    CountIf {
        collection: FieldId,
        slot: usize,
        filter: Box<Pred>,
    },
}

impl Pred {
    /// A rough relative cost of evaluating the node once, used to run the cheap operands
    /// of `and`/`or` first: fixed-size comparisons, then string equality and `in`, then
    /// substring tests, then general expressions and lambdas (which run their body per
    /// element). Saturating, so deep trees cannot overflow.
    pub(crate) fn cost(&self) -> u32 {
        match self {
            Pred::Const(_) => 0,
            Pred::IsNull { acc, .. } | Pred::NumCmp { acc, .. } | Pred::TimeCmp { acc, .. } => {
                1 + acc.cost()
            }
            Pred::SymEq { acc, .. } | Pred::SymIn { acc, .. } => 1 + acc.cost(),
            Pred::StrCmp { acc, .. } => 2 + acc.cost(),
            Pred::StrIn { acc, set } => {
                let n = u32::try_from(set.len()).unwrap_or(u32::MAX);
                (3 + acc.cost()).saturating_add(n / 8)
            }
            Pred::StrFn { acc, case, .. } => 4 + acc.cost() + u32::from(*case != Case::Keep),
            Pred::Not(p) => p.cost(),
            Pred::And(v) | Pred::Or(v) => v.iter().fold(0u32, |a, p| a.saturating_add(p.cost())),
            Pred::Cmp { .. } | Pred::In { .. } | Pred::Value(_) | Pred::Has { .. } => 8,
            Pred::Subset { .. } => 16,
            Pred::Any { body, filter, .. } => 16u32
                .saturating_add(body.as_ref().map_or(0, |b| b.cost().saturating_mul(2)))
                .saturating_add(filter.as_ref().map_or(0, |f| f.cost().saturating_mul(2))),
            Pred::All { body, filter, .. } => 16u32
                .saturating_add(body.cost().saturating_mul(2))
                .saturating_add(filter.as_ref().map_or(0, |f| f.cost().saturating_mul(2))),
        }
    }
}
