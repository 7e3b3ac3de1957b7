//! The planner's vocabulary: a recognised conjunct of the filter ([`Conjunct`]) as a
//! predicate over one normalized field ([`Pred`]) with constants ([`Lit`]). The vendor
//! dialects classify these; `recognise` builds them from the AST.
//!
//! Imports no I/O.

use crate::filter::{CmpOp, Expr};
use crate::model::{Source, Timestamp};

/// A constant in a predicate.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// A date (midnight UTC, `date_only`) or a date-time.
    Time {
        /// The instant.
        at: Timestamp,
        /// Written as a date without a time.
        date_only: bool,
    },
}

impl Lit {
    /// The string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A string-matching function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrFn {
    /// `contains(f, 'x')`
    Contains,
    /// `startswith(f, 'x')`
    StartsWith,
    /// `endswith(f, 'x')`
    EndsWith,
}

/// One recognised top-level conjunct over a normalized field path (`customer/name`).
#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    /// `field op value`.
    Cmp {
        /// The field path, segments joined with `/`.
        field: String,
        /// The operator (field on the left).
        op: CmpOp,
        /// The constant.
        value: Lit,
        /// `tolower(field) …`: compares case-insensitively (value already lower-case).
        lower: bool,
    },
    /// `field in (v1, v2, …)` (also `field eq a or field eq b`).
    In {
        /// The field path.
        field: String,
        /// The constants.
        values: Vec<Lit>,
    },
    /// `contains/startswith/endswith(field, 'text')`.
    Str {
        /// The function.
        func: StrFn,
        /// The field path.
        field: String,
        /// The text.
        value: String,
        /// Applied to `tolower(field)`.
        lower: bool,
    },
    /// `collection/any(v: <pred on v/field>)`; the inner field is relative
    /// (`items/any(i: i/productName eq 'x')` → collection `items`, inner field `productName`).
    Any {
        /// The collection path.
        collection: String,
        /// The predicate on one element.
        inner: Box<Pred>,
    },
    /// `collection/any(v: <pred> and <pred> …)`: two or more predicates, each on one field
    /// of the same element (`partners/any(p: p/role eq 'reseller' and p/name eq 'x')`).
    AnyAnd {
        /// The collection path.
        collection: String,
        /// The predicates on one element, fields relative to it.
        inner: Vec<Pred>,
    },
    /// Anything else (an `or` across fields, `not`, `all`, arithmetic…).
    Other,
}

impl Pred {
    /// The field the predicate constrains, if it is about one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            Pred::Cmp { field, .. } | Pred::In { field, .. } | Pred::Str { field, .. } => {
                Some(field)
            }
            Pred::Any { .. } | Pred::AnyAnd { .. } | Pred::Other => None,
        }
    }

    /// The same predicate on another field.
    pub fn with_field(self, f: String) -> Pred {
        match self {
            Pred::Cmp {
                op, value, lower, ..
            } => Pred::Cmp {
                field: f,
                op,
                value,
                lower,
            },
            Pred::In { values, .. } => Pred::In { field: f, values },
            Pred::Str {
                func, value, lower, ..
            } => Pred::Str {
                func,
                field: f,
                value,
                lower,
            },
            other => other,
        }
    }
}

/// One conjunct of the filter, as text plus what the planner recognised.
#[derive(Debug, Clone, PartialEq)]
pub struct Conjunct {
    /// Canonical filter text of the conjunct (for explain and for the residual).
    pub text: String,
    /// What the planner recognised.
    pub pred: Pred,
    /// Whether it constrains `source` and which sources it admits (`None`: does not
    /// constrain `source`).
    pub admits: Option<Vec<Source>>,
    /// The conjunct itself, re-applied at the edge when it is not pushed exactly.
    pub expr: Expr,
}
