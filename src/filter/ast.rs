//! The filter AST. Every node carries the byte [`Span`] of its source text.
//!
//! Node kinds, for code that walks the tree (pushdown planners, explain):
//! - [`ExprKind::Literal`]: a constant ([`Literal`]).
//! - [`ExprKind::Path`]: a member path `a/b/c` ([`Path`]) of [`Segment`]s; inside a lambda
//!   body the first segment may be the lambda variable. Besides names, segments may be
//!   function calls with named parameters (`NS.fn(p=1)`), key predicates, `$filter(…)`
//!   and `$count($filter=…)`; annotations (`@NS.term`), casts (`NS.Type`) and aliases
//!   (`@p`) are names.
//! - [`ExprKind::Binary`]: `lhs op rhs` for comparisons (`eq ne gt ge lt le`), `has` and
//!   arithmetic (`add sub mul div divby mod`). A pushable comparison typically has a
//!   `Path` on one side and a `Literal` on the other.
//! - [`ExprKind::And`] / [`ExprKind::Or`]: n-ary (two or more operands) for an
//!   unparenthesized chain; a parenthesized sub-chain stays a nested node.
//! - [`ExprKind::Not`], [`ExprKind::Neg`]: unary `not` and `-`.
//! - [`ExprKind::In`]: `lhs in (v1, v2, …)` (literals); `lhs in [v, …]` or
//!   `lhs in collection` is a [`BinaryOp::In`].
//! - [`ExprKind::Array`], [`ExprKind::Object`]: JSON literals `[…]`, `{"k": v}`.
//! - [`ExprKind::Call`]: a function call, name lower-cased (`contains(customer/name,'x')`).
//! - [`ExprKind::Lambda`]: `collection/any(v: body)` or `collection/all(v: body)`.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::cmp::Ordering;

use super::error::Span;
use super::temporal;

/// A name with its span (path segment, lambda variable, function name).
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name as written (functions: lower-cased).
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// What a path segment is.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentKind {
    /// A name: a property, `$it`/`$this`/`$root`/`$count`, a type cast `NS.Type` (a
    /// name with a dot), an annotation `@NS.term#qualifier`, or (first) a parameter
    /// alias `@p`.
    Member,
    /// `name(p=v, …)`: a function call with named parameters (bound when not first).
    Function(Vec<NamedArg>),
    /// `name(literal)`: a key predicate.
    Key(Box<Expr>),
    /// `$filter(condition)` on a collection.
    Filter(Box<Expr>),
    /// `$count($filter=condition)`: the number of elements of a collection that satisfy
    /// the condition.
    CountFiltered(Box<Expr>),
}

/// One segment of a member path.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The name as written (`$filter` and `$count` for those segments).
    pub name: String,
    /// Where the name is (without any parenthesized part).
    pub span: Span,
    /// Its kind.
    pub kind: SegmentKind,
}

impl Segment {
    /// A plain member segment.
    pub fn member(name: impl Into<String>, span: Span) -> Segment {
        Segment {
            name: name.into(),
            span,
            kind: SegmentKind::Member,
        }
    }

    /// True for a plain member segment.
    pub fn is_member(&self) -> bool {
        matches!(self.kind, SegmentKind::Member)
    }
}

/// A named function parameter `name=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedArg {
    /// The parameter name.
    pub name: Ident,
    /// Its value (an `@alias` value is a path of one alias segment).
    pub value: Expr,
}

/// A member path `a/b/c`: one or more segments.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The segments, in order; never empty.
    pub segments: Vec<Segment>,
}

impl Path {
    /// A path of plain member segments.
    pub fn members(names: Vec<Ident>) -> Path {
        Path {
            segments: names
                .into_iter()
                .map(|i| Segment::member(i.name, i.span))
                .collect(),
        }
    }

    /// The span from the first to the last segment name.
    pub fn span(&self) -> Span {
        match (self.segments.first(), self.segments.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => Span::default(),
        }
    }

    /// The segment names joined with `/`.
    pub fn joined(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join("/")
    }

    /// True when every segment is a plain member name (no call, key, `$filter`,
    /// `$count(…)`).
    pub fn is_plain(&self) -> bool {
        self.segments.iter().all(Segment::is_member)
    }
}

/// A constant. Temporal, GUID and enum literals keep their (validated) text, which is
/// also their canonical spelling; dates and date-times also keep the instant the lexer
/// computed from it, so no later stage parses the text again.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A decimal or double (`1.5`, `2e10`, `INF`, `-INF`, `NaN`).
    Float(f64),
    /// A string (the value, with `''` unescaped).
    String(String),
    /// `2024-01-31` (build one with [`Literal::date`]).
    Date {
        /// The text as written.
        text: String,
        /// Midnight UTC of the date, epoch milliseconds.
        ms: i64,
    },
    /// `2024-01-31T10:00:00Z`, `2024-01-31T10:00:00.5+02:00` (build one with
    /// [`Literal::date_time`]).
    DateTimeOffset {
        /// The text as written.
        text: String,
        /// The instant, epoch milliseconds.
        ms: i64,
    },
    /// `10:30:00`.
    TimeOfDay(String),
    /// `duration'P1DT2H'` (the text between the quotes).
    Duration(String),
    /// `01234567-89ab-cdef-0123-456789abcdef`.
    Guid(String),
    /// `Namespace.Type'Value'`.
    Enum {
        /// The qualified type name.
        type_name: String,
        /// The member (or comma-separated flags).
        value: String,
    },
    /// `binary'…'` (base64url text).
    Binary(String),
    /// `geography'…'` (well-known text).
    Geography(String),
    /// `geometry'…'` (well-known text).
    Geometry(String),
}

impl Literal {
    /// The date literal `text` (`yyyy-mm-dd`), or `None` when it is not a valid date.
    pub fn date(text: &str) -> Option<Literal> {
        temporal::date_days(text).map(|d| Literal::Date {
            text: text.to_owned(),
            ms: d * temporal::MS_DAY,
        })
    }

    /// The date-time literal `text` (`yyyy-mm-ddThh:mm[:ss[.f…]](Z|±hh:mm)`), or `None`
    /// when it is not a valid date-time.
    pub fn date_time(text: &str) -> Option<Literal> {
        temporal::datetime_ms(text).map(|ms| Literal::DateTimeOffset {
            text: text.to_owned(),
            ms,
        })
    }
}

/// A comparison operator: the one vocabulary of `eq ne gt ge lt le` for the parser, the
/// evaluator and the pushdown planners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl CmpOp {
    /// Every operator, in the order above.
    pub const ALL: [CmpOp; 6] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::Lt,
        CmpOp::Le,
    ];

    /// The canonical (lower-case) keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }

    /// The operator with its operands swapped (`5 lt x` is `x gt 5`).
    pub const fn flip(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
        }
    }

    /// Whether `a op b` holds when `a` and `b` compare as `o` (`a.cmp(b)`).
    #[inline]
    pub fn test(self, o: Ordering) -> bool {
        match self {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
        }
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `mul`
    Mul,
    /// `div` (whole numbers truncate)
    Div,
    /// `divby` (always decimal division)
    DivBy,
    /// `mod`
    Mod,
}

impl ArithOp {
    /// The canonical (lower-case) keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "add",
            ArithOp::Sub => "sub",
            ArithOp::Mul => "mul",
            ArithOp::Div => "div",
            ArithOp::DivBy => "divby",
            ArithOp::Mod => "mod",
        }
    }
}

/// Binary operators other than `and`/`or` (which are n-ary, see [`ExprKind::And`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `eq ne gt ge lt le`
    Cmp(CmpOp),
    /// `add sub mul div divby mod`
    Arith(ArithOp),
    /// `has` (enum flags; the right side is an enum or string literal)
    Has,
    /// `in` with a right side that is not a parenthesized literal list: a JSON array, a
    /// collection, a parenthesized expression
    In,
}

impl BinaryOp {
    /// The canonical (lower-case) keyword.
    pub const fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Cmp(op) => op.as_str(),
            BinaryOp::Arith(op) => op.as_str(),
            BinaryOp::Has => "has",
            BinaryOp::In => "in",
        }
    }

    /// True for `eq ne gt ge lt le`.
    pub const fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Cmp(_))
    }

    /// The binding strength (higher binds tighter), OData 4.01 precedence.
    pub const fn precedence(self) -> u8 {
        match self {
            BinaryOp::Cmp(CmpOp::Eq | CmpOp::Ne) => PREC_EQ,
            BinaryOp::Cmp(_) => PREC_REL,
            BinaryOp::Arith(ArithOp::Add | ArithOp::Sub) => PREC_ADD,
            BinaryOp::Arith(_) => PREC_MUL,
            BinaryOp::Has | BinaryOp::In => PREC_POSTFIX,
        }
    }
}

pub(crate) const PREC_OR: u8 = 1;
pub(crate) const PREC_AND: u8 = 2;
pub(crate) const PREC_EQ: u8 = 3;
pub(crate) const PREC_REL: u8 = 4;
pub(crate) const PREC_ADD: u8 = 5;
pub(crate) const PREC_MUL: u8 = 6;
pub(crate) const PREC_UNARY: u8 = 7;
pub(crate) const PREC_POSTFIX: u8 = 8;
pub(crate) const PREC_PRIMARY: u8 = 9;

/// `any` or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LambdaOp {
    /// True when some element satisfies the body (or, without a body, when non-empty).
    Any,
    /// True when every element satisfies the body (true on an empty collection).
    All,
}

impl LambdaOp {
    /// `any` / `all`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LambdaOp::Any => "any",
            LambdaOp::All => "all",
        }
    }
}

/// A filter expression node.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is in the source (for a parenthesized node: without the parentheses).
    pub span: Span,
}

/// A member `"name": value` of a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The member name (unescaped) and the span of its JSON string.
    pub name: Ident,
    /// The value.
    pub value: Expr,
}

/// The node kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant.
    Literal(Literal),
    /// A member path.
    Path(Path),
    /// `lhs op rhs`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `a and b and …` (two or more operands).
    And(Vec<Expr>),
    /// `a or b or …` (two or more operands).
    Or(Vec<Expr>),
    /// `not e`.
    Not(Box<Expr>),
    /// `-e` (a minus before a numeric literal is part of the literal instead).
    Neg(Box<Expr>),
    /// `lhs in (v, …)`: a parenthesized list of literals (possibly empty). `in` with any
    /// other right side (a JSON array, a collection path) is a [`BinaryOp::In`].
    In {
        /// The tested value.
        lhs: Box<Expr>,
        /// The list items (literals).
        list: Vec<Expr>,
    },
    /// A JSON array `[v, …]` (JSON strings become string literals).
    Array(Vec<Expr>),
    /// A JSON object `{"name": v, …}`.
    Object(Vec<Member>),
    /// `name(args…)`.
    Call {
        /// The function name, lower-cased (`contains`, `geo.distance`).
        name: Ident,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `collection/any(var: body)` / `collection/all(var: body)`.
    Lambda {
        /// The collection path.
        collection: Path,
        /// `any` or `all`.
        op: LambdaOp,
        /// The variable and body; `None` only for the bare `any()`.
        body: Option<(Ident, Box<Expr>)>,
    },
}

impl Expr {
    /// The binding strength of this node when printed.
    pub(crate) fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Or(_) => PREC_OR,
            ExprKind::And(_) => PREC_AND,
            ExprKind::Binary { op, .. } => op.precedence(),
            ExprKind::In { .. } => PREC_POSTFIX,
            ExprKind::Not(_) | ExprKind::Neg(_) => PREC_UNARY,
            ExprKind::Literal(_) | ExprKind::Path(_) | ExprKind::Call { .. } => PREC_PRIMARY,
            ExprKind::Lambda { .. } | ExprKind::Array(_) | ExprKind::Object(_) => PREC_PRIMARY,
        }
    }

    /// Calls `f` on each direct sub-expression: operands, arguments, list and array items,
    /// member values, the expressions inside path segments, lambda bodies.
    pub fn children_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        fn path(p: &mut Path, f: &mut dyn FnMut(&mut Expr)) {
            for s in &mut p.segments {
                match &mut s.kind {
                    SegmentKind::Member => {}
                    SegmentKind::Function(args) => args.iter_mut().for_each(|a| f(&mut a.value)),
                    SegmentKind::Key(e)
                    | SegmentKind::Filter(e)
                    | SegmentKind::CountFiltered(e) => f(e),
                }
            }
        }
        match &mut self.kind {
            ExprKind::Literal(_) => {}
            ExprKind::Path(p) => path(p, f),
            ExprKind::Binary { lhs, rhs, .. } => {
                f(lhs);
                f(rhs);
            }
            ExprKind::And(v) | ExprKind::Or(v) | ExprKind::Array(v) => v.iter_mut().for_each(f),
            ExprKind::Not(e) | ExprKind::Neg(e) => f(e),
            ExprKind::In { lhs, list } => {
                f(lhs);
                list.iter_mut().for_each(f);
            }
            ExprKind::Object(v) => v.iter_mut().for_each(|m| f(&mut m.value)),
            ExprKind::Call { args, .. } => args.iter_mut().for_each(f),
            ExprKind::Lambda {
                collection, body, ..
            } => {
                path(collection, f);
                if let Some((_, b)) = body {
                    f(b);
                }
            }
        }
    }

    /// Sets every span in the tree (names included) to `span`.
    pub fn fill_spans(&mut self, span: Span) {
        self.span = span;
        match &mut self.kind {
            ExprKind::Path(p) | ExprKind::Lambda { collection: p, .. } => {
                p.segments.iter_mut().for_each(|s| {
                    s.span = span;
                    if let SegmentKind::Function(args) = &mut s.kind {
                        args.iter_mut().for_each(|a| a.name.span = span);
                    }
                })
            }
            ExprKind::Object(v) => v.iter_mut().for_each(|m| m.name.span = span),
            ExprKind::Call { name, .. } => name.span = span,
            _ => {}
        }
        if let ExprKind::Lambda {
            body: Some((v, _)), ..
        } = &mut self.kind
        {
            v.span = span;
        }
        self.children_mut(&mut |c| c.fill_spans(span));
    }

    /// A copy with every span set to zero, for comparing trees regardless of layout.
    pub fn without_spans(&self) -> Expr {
        let mut e = self.clone();
        e.clear_spans();
        e
    }

    fn clear_spans(&mut self) {
        self.fill_spans(Span::default());
    }
}
