//! The compiled form of a checked filter and its evaluator. Field accesses are resolved
//! to ids up front; the common shapes (field compared with a constant, `in` over
//! constants, `contains`/`startswith`/`endswith` with a constant) have dedicated nodes
//! that neither allocate nor look names up per row. Boolean results are three-valued
//! (`None` is OData `null`); a row matches only when the filter is `Some(true)`.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::schema::{FieldId, Row, Value};
use super::temporal::{self, MS_DAY};

/// How many lambdas may nest.
pub(crate) const MAX_LAMBDA_NESTING: usize = 4;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    /// The operator with its operands swapped (`5 lt x` is `x gt 5`).
    pub(crate) fn flip(self) -> CmpOp {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            o => o,
        }
    }

    #[inline]
    fn test(self, o: Ordering) -> bool {
        match self {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
        }
    }

    /// OData null rules: both null → equal; one null → only `ne` holds.
    #[inline]
    fn nulls(self, a_null: bool, b_null: bool) -> bool {
        if a_null && b_null {
            matches!(self, CmpOp::Eq | CmpOp::Ge | CmpOp::Le)
        } else {
            self == CmpOp::Ne
        }
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
    idx: [usize; MAX_LAMBDA_NESTING],
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
    fn borrowed(&self) -> Val<'_> {
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

/// Orders two non-null values of comparable types; `None` when they are not comparable.
/// A string compared with an instant is read as an RFC 3339 date or date-time.
pub(crate) fn compare(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Str(x), Val::Str(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Time(x), Val::Time(y)) | (Val::Tod(x), Val::Tod(y)) | (Val::Dur(x), Val::Dur(y)) => {
            Some(x.cmp(y))
        }
        (Val::Str(s), Val::Time(t)) => temporal::instant_ms(s).map(|p| p.cmp(t)),
        (Val::Time(t), Val::Str(s)) => temporal::instant_ms(s).map(|p| t.cmp(&p)),
        _ => None,
    }
}

/// `op` over two runtime values with OData null rules.
pub(crate) fn cmp_vals(op: CmpOp, a: &Val<'_>, b: &Val<'_>) -> bool {
    let (an, bn) = (matches!(a, Val::Null), matches!(b, Val::Null));
    if an || bn {
        return op.nulls(an, bn);
    }
    match compare(a, b) {
        Some(o) => op.test(o),
        None => op == CmpOp::Ne,
    }
}

/// String tests with a constant needle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrTest {
    Contains,
    StartsWith,
    EndsWith,
}

impl StrTest {
    #[inline]
    fn run(self, hay: &str, needle: &str) -> bool {
        match self {
            StrTest::Contains => short_contains(hay, needle),
            StrTest::StartsWith => hay.starts_with(needle),
            StrTest::EndsWith => hay.ends_with(needle),
        }
    }
}

/// A case mapping applied to a string field before a [`StrTest`]
/// (`contains(tolower(name), 'acme')`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    Keep,
    Lower,
    Upper,
}

impl StrTest {
    /// `self.run(&tolower(hay), needle)` (or `toupper`) without building the mapped string
    /// when `hay` is ASCII, where the mapping is byte by byte; other text is mapped with
    /// the full Unicode rules first, as `tolower`/`toupper` do.
    fn run_folded(self, hay: &str, needle: &str, case: Case) -> bool {
        if !hay.is_ascii() {
            let mapped = match case {
                Case::Upper => hay.to_uppercase(),
                _ => hay.to_lowercase(),
            };
            return self.run(&mapped, needle);
        }
        let map = |b: u8| match case {
            Case::Upper => b.to_ascii_uppercase(),
            _ => b.to_ascii_lowercase(),
        };
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let same = |w: &[u8]| w.len() == n.len() && w.iter().zip(n).all(|(a, b)| map(*a) == *b);
        match self {
            StrTest::StartsWith => h.get(..n.len()).is_some_and(same),
            StrTest::EndsWith => h
                .len()
                .checked_sub(n.len())
                .and_then(|i| h.get(i..))
                .is_some_and(same),
            StrTest::Contains => n.is_empty() || h.windows(n.len()).any(same),
        }
    }
}

/// Substring search. For the short strings typical of record fields, `str::contains`
/// with a needle only known at run time sets up a Two-Way searcher on every call (its SIMD
/// path needs longer haystacks), which costs more than scanning; short haystacks are
/// scanned byte by byte (exact for UTF-8), long ones use `str::contains`.
#[inline]
fn short_contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if h.len() >= 64 {
        return hay.contains(needle);
    }
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    let Some(last) = h.len().checked_sub(n.len()) else {
        return false;
    };
    // Find each occurrence of the first byte with a plain scan (a tight loop), then
    // compare the rest in place.
    let mut from = 0;
    while let Some(at) = h
        .get(from..=last)
        .and_then(|w| w.iter().position(|&c| c == first))
    {
        let i = from + at;
        if h.get(i + 1..i + n.len()).is_some_and(|w| w == rest) {
            return true;
        }
        from = i + 1;
    }
    false
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    DivBy,
    Mod,
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
    Any {
        collection: FieldId,
        slot: usize,
        body: Option<Box<Pred>>,
    },
    All {
        collection: FieldId,
        slot: usize,
        body: Box<Pred>,
    },
}

/// A value node.
#[derive(Debug, Clone)]
pub(crate) enum VExpr {
    Field(Acc),
    Const(Val<'static>),
    Neg(Box<VExpr>),
    Arith(Arith, Box<VExpr>, Box<VExpr>),
    Call(Func, Vec<VExpr>),
    Pred(Box<Pred>),
    /// `collection/$count`.
    Count(FieldId),
}

#[inline]
fn read_symbol<R: Row>(acc: Acc, row: &R, s: &R::Schema, env: &Env) -> Option<u32> {
    match acc {
        Acc::Root(id) => row.symbol(s, id),
        Acc::Elem { field, slot } => env.idx.get(slot).and_then(|&i| row.symbol_at(s, field, i)),
    }
}

#[inline]
fn read<'a, R: Row>(acc: Acc, row: &'a R, s: &R::Schema, env: &Env) -> Value<'a> {
    match acc {
        Acc::Root(id) => row.get(s, id),
        Acc::Elem { field, slot } => match env.idx.get(slot) {
            Some(&i) => row.get_at(s, field, i),
            None => Value::Null,
        },
    }
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
            Pred::Cmp { .. } | Pred::In { .. } | Pred::Value(_) => 8,
            Pred::Any { body, .. } => {
                16u32.saturating_add(body.as_ref().map_or(0, |b| b.cost().saturating_mul(2)))
            }
            Pred::All { body, .. } => 16u32.saturating_add(body.cost().saturating_mul(2)),
        }
    }

    /// Evaluates on a row. The fixed-size leaf tests are matched here, inlined into the
    /// loops of `and`/`or`/lambdas; every other node goes through [`Pred::eval_node`].
    #[inline]
    pub(crate) fn eval<R: Row>(&self, row: &R, s: &R::Schema, env: &mut Env) -> Option<bool> {
        match self {
            Pred::StrCmp { acc, op, value } => Some(match read(*acc, row, s, env) {
                Value::Str(x) => match op {
                    CmpOp::Eq => x == value.as_ref(),
                    CmpOp::Ne => x != value.as_ref(),
                    _ => op.test(x.cmp(value)),
                },
                Value::Null => op.nulls(true, false),
                other => cmp_vals(*op, &other.into(), &Val::Str(Cow::Borrowed(value))),
            }),
            Pred::NumCmp { acc, op, value } => Some(match read(*acc, row, s, env) {
                Value::Number(x) => match x.partial_cmp(value) {
                    Some(o) => op.test(o),
                    None => *op == CmpOp::Ne,
                },
                Value::Null => op.nulls(true, false),
                other => cmp_vals(*op, &other.into(), &Val::Num(*value)),
            }),
            Pred::TimeCmp { acc, op, ms } => Some(match read(*acc, row, s, env) {
                Value::DateTime(x) => op.test(x.cmp(ms)),
                Value::Null => op.nulls(true, false),
                other => cmp_vals(*op, &other.into(), &Val::Time(*ms)),
            }),
            Pred::IsNull { acc, negate } => {
                Some(matches!(read(*acc, row, s, env), Value::Null) != *negate)
            }
            Pred::SymEq { acc, code, negate } => Some(match read_symbol(*acc, row, s, env) {
                // `field eq 'x'` where 'x' is not a value of the field is false (and
                // `ne` true) for every non-null value; null follows the null rules.
                Some(c) => (Some(c) == *code) != *negate,
                None => *negate,
            }),
            Pred::SymIn { acc, mask } => Some(match read_symbol(*acc, row, s, env) {
                Some(c) => c < 64 && mask & (1u64 << c) != 0,
                None => false,
            }),
            Pred::Const(_)
            | Pred::And(_)
            | Pred::Or(_)
            | Pred::Not(_)
            | Pred::StrIn { .. }
            | Pred::StrFn { .. }
            | Pred::Cmp { .. }
            | Pred::In { .. }
            | Pred::Value(_)
            | Pred::Any { .. }
            | Pred::All { .. } => self.eval_node(row, s, env),
        }
    }

    /// Evaluates the nodes that [`Pred::eval`] does not handle inline.
    fn eval_node<R: Row>(&self, row: &R, s: &R::Schema, env: &mut Env) -> Option<bool> {
        match self {
            Pred::Const(b) => *b,
            Pred::And(v) => {
                let mut null = false;
                for p in v {
                    match p.eval(row, s, env) {
                        Some(false) => return Some(false),
                        None => null = true,
                        Some(true) => {}
                    }
                }
                if null {
                    None
                } else {
                    Some(true)
                }
            }
            Pred::Or(v) => {
                let mut null = false;
                for p in v {
                    match p.eval(row, s, env) {
                        Some(true) => return Some(true),
                        None => null = true,
                        Some(false) => {}
                    }
                }
                if null {
                    None
                } else {
                    Some(false)
                }
            }
            Pred::Not(p) => p.eval(row, s, env).map(|b| !b),
            Pred::StrIn { acc, set } => Some(match read(*acc, row, s, env) {
                Value::Str(x) => set.iter().any(|v| v.as_ref() == x),
                _ => false,
            }),
            Pred::StrFn {
                acc,
                test,
                needle,
                case,
            } => match read(*acc, row, s, env) {
                Value::Str(x) => Some(match case {
                    Case::Keep => test.run(x, needle),
                    Case::Lower | Case::Upper => test.run_folded(x, needle, *case),
                }),
                _ => None,
            },
            Pred::Cmp { op, lhs, rhs } => {
                let a = lhs.eval(row, s, env);
                let b = rhs.eval(row, s, env);
                Some(cmp_vals(*op, &a, &b))
            }
            Pred::In { lhs, list } => {
                let a = lhs.eval(row, s, env);
                Some(
                    list.iter()
                        .any(|v| cmp_vals(CmpOp::Eq, &a, &v.eval(row, s, env))),
                )
            }
            Pred::Value(v) => match v.eval(row, s, env) {
                Val::Bool(b) => Some(b),
                _ => None,
            },
            Pred::Any {
                collection,
                slot,
                body,
            } => {
                let n = row.len(s, *collection);
                let Some(body) = body else {
                    return Some(n > 0);
                };
                lambda(row, s, env, n, *slot, body, true)
            }
            Pred::All {
                collection,
                slot,
                body,
            } => {
                let n = row.len(s, *collection);
                lambda(row, s, env, n, *slot, body, false)
            }
            // Handled by `eval` itself, which never passes them here.
            Pred::StrCmp { .. }
            | Pred::NumCmp { .. }
            | Pred::TimeCmp { .. }
            | Pred::IsNull { .. }
            | Pred::SymEq { .. }
            | Pred::SymIn { .. } => self.eval(row, s, env),
        }
    }
}

/// `any` (`want` true) or `all` (`want` false) over `n` elements bound to `slot`:
/// stops at the first element whose body is `want`; otherwise null if any body was null.
fn lambda<R: Row>(
    row: &R,
    s: &R::Schema,
    env: &mut Env,
    n: usize,
    slot: usize,
    body: &Pred,
    want: bool,
) -> Option<bool> {
    let saved = *env;
    let mut null = false;
    let mut hit = false;
    for i in 0..n {
        if let Some(x) = env.idx.get_mut(slot) {
            *x = i;
        }
        match body.eval(row, s, env) {
            Some(b) if b == want => {
                hit = true;
                break;
            }
            None => null = true,
            Some(_) => {}
        }
    }
    *env = saved;
    if hit {
        Some(want)
    } else if null {
        None
    } else {
        Some(!want)
    }
}

fn num(v: &Val<'_>) -> Option<f64> {
    match v {
        Val::Num(n) => Some(*n),
        _ => None,
    }
}

fn time(v: &Val<'_>) -> Option<i64> {
    match v {
        Val::Time(t) => Some(*t),
        Val::Str(s) => temporal::instant_ms(s),
        _ => None,
    }
}

fn string<'v>(v: &'v Val<'_>) -> Option<&'v str> {
    match v {
        Val::Str(s) => Some(s),
        _ => None,
    }
}

/// Civil date of epoch milliseconds: (year, month, day, ms of day).
fn civil(ms: i64) -> (i64, i64, i64, i64) {
    let (y, m, d) = temporal::civil_from_days(ms.div_euclid(MS_DAY));
    (y, i64::from(m), i64::from(d), ms.rem_euclid(MS_DAY))
}

fn char_slice(s: &str, start: usize, len: Option<usize>) -> String {
    let it = s.chars().skip(start);
    match len {
        Some(n) => it.take(n).collect(),
        None => it.collect(),
    }
}

/// A whole number as a usize index; negative → 0.
fn index(n: f64) -> usize {
    if n.is_nan() || n <= 0.0 {
        0
    } else if n >= 1e15 {
        usize::MAX
    } else {
        n as usize
    }
}

impl VExpr {
    /// Evaluates a value; type errors at run time (possible only with `Any` fields) yield null.
    pub(crate) fn eval<'a, R: Row>(&'a self, row: &'a R, s: &R::Schema, env: &mut Env) -> Val<'a> {
        match self {
            VExpr::Field(acc) => read(*acc, row, s, env).into(),
            VExpr::Const(v) => v.borrowed(),
            VExpr::Count(c) => Val::Num(row.len(s, *c) as f64),
            VExpr::Pred(p) => match p.eval(row, s, env) {
                Some(b) => Val::Bool(b),
                None => Val::Null,
            },
            VExpr::Neg(e) => match e.eval(row, s, env) {
                Val::Num(n) => Val::Num(-n),
                Val::Dur(d) => Val::Dur(d.saturating_neg()),
                _ => Val::Null,
            },
            VExpr::Arith(op, a, b) => arith(*op, &a.eval(row, s, env), &b.eval(row, s, env)),
            VExpr::Call(f, args) => {
                let mut vals: [Val<'a>; 3] = [Val::Null, Val::Null, Val::Null];
                for (slot, a) in vals.iter_mut().zip(args) {
                    *slot = a.eval(row, s, env);
                }
                if vals.iter().take(args.len()).any(|v| matches!(v, Val::Null)) {
                    return Val::Null;
                }
                call(*f, vals, args.len())
            }
        }
    }
}

fn arith<'a>(op: Arith, a: &Val<'_>, b: &Val<'_>) -> Val<'a> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => {
            let (x, y) = (*x, *y);
            match op {
                Arith::Add => Val::Num(x + y),
                Arith::Sub => Val::Num(x - y),
                Arith::Mul => Val::Num(x * y),
                Arith::Div | Arith::DivBy | Arith::Mod if y == 0.0 => Val::Null,
                Arith::Div if x.fract() == 0.0 && y.fract() == 0.0 => Val::Num((x / y).trunc()),
                Arith::Div | Arith::DivBy => Val::Num(x / y),
                Arith::Mod => Val::Num(x % y),
            }
        }
        (Val::Time(t), Val::Dur(d)) => match op {
            Arith::Add => Val::Time(t.saturating_add(*d)),
            Arith::Sub => Val::Time(t.saturating_sub(*d)),
            _ => Val::Null,
        },
        (Val::Time(x), Val::Time(y)) if op == Arith::Sub => Val::Dur(x.saturating_sub(*y)),
        (Val::Dur(x), Val::Dur(y)) => match op {
            Arith::Add => Val::Dur(x.saturating_add(*y)),
            Arith::Sub => Val::Dur(x.saturating_sub(*y)),
            _ => Val::Null,
        },
        (Val::Str(_), _) | (_, Val::Str(_)) => match (time(a), time(b)) {
            (Some(x), Some(y)) => arith(op, &Val::Time(x), &Val::Time(y)),
            (Some(x), None) => arith(op, &Val::Time(x), b),
            _ => Val::Null,
        },
        _ => Val::Null,
    }
}

fn call<'a>(f: Func, v: [Val<'a>; 3], n: usize) -> Val<'a> {
    let [a, b, c] = v;
    let str2 = |t: StrTest| match (string(&a), string(&b)) {
        (Some(x), Some(y)) => Val::Bool(t.run(x, y)),
        _ => Val::Null,
    };
    let part = |k: usize| match &a {
        Val::Tod(t) => {
            let fields = [
                0,
                0,
                0,
                t / 3_600_000,
                t / 60_000 % 60,
                t / 1000 % 60,
                t % 1000,
            ];
            fields.get(k).map_or(Val::Null, |x| Val::Num(*x as f64))
        }
        other => match time(other) {
            Some(t) => {
                let (y, m, d, tod) = civil(t);
                let fields = [
                    y,
                    m,
                    d,
                    tod / 3_600_000,
                    tod / 60_000 % 60,
                    tod / 1000 % 60,
                    tod % 1000,
                ];
                fields.get(k).map_or(Val::Null, |x| Val::Num(*x as f64))
            }
            None => Val::Null,
        },
    };
    match f {
        Func::Contains => str2(StrTest::Contains),
        Func::StartsWith => str2(StrTest::StartsWith),
        Func::EndsWith => str2(StrTest::EndsWith),
        Func::ToLower => string(&a).map_or(Val::Null, |s| Val::Str(Cow::Owned(s.to_lowercase()))),
        Func::ToUpper => string(&a).map_or(Val::Null, |s| Val::Str(Cow::Owned(s.to_uppercase()))),
        Func::Trim => match a {
            Val::Str(Cow::Borrowed(s)) => Val::Str(Cow::Borrowed(s.trim())),
            Val::Str(Cow::Owned(s)) => Val::Str(Cow::Owned(s.trim().to_owned())),
            _ => Val::Null,
        },
        Func::Length => string(&a).map_or(Val::Null, |s| Val::Num(s.chars().count() as f64)),
        Func::IndexOf => match (string(&a), string(&b)) {
            (Some(h), Some(nd)) => Val::Num(match h.find(nd) {
                Some(byte) => h.get(..byte).map_or(0, |p| p.chars().count()) as f64,
                None => -1.0,
            }),
            _ => Val::Null,
        },
        Func::Substring => match (string(&a), num(&b)) {
            (Some(s), Some(start)) => {
                let len = if n > 2 { num(&c).map(index) } else { None };
                Val::Str(Cow::Owned(char_slice(s, index(start), len)))
            }
            _ => Val::Null,
        },
        Func::Concat => match (string(&a), string(&b)) {
            (Some(x), Some(y)) => Val::Str(Cow::Owned(format!("{x}{y}"))),
            _ => Val::Null,
        },
        Func::Year => part(0),
        Func::Month => part(1),
        Func::Day => part(2),
        Func::Hour => part(3),
        Func::Minute => part(4),
        Func::Second => part(5),
        Func::FractionalSeconds => match part(6) {
            Val::Num(ms) => Val::Num(ms / 1000.0),
            other => other,
        },
        Func::Date => time(&a).map_or(Val::Null, |t| Val::Time(t.div_euclid(MS_DAY) * MS_DAY)),
        Func::Time => time(&a).map_or(Val::Null, |t| Val::Tod(t.rem_euclid(MS_DAY))),
        Func::Round => num(&a).map_or(Val::Null, |x| Val::Num(x.round())),
        Func::Floor => num(&a).map_or(Val::Null, |x| Val::Num(x.floor())),
        Func::Ceiling => num(&a).map_or(Val::Null, |x| Val::Num(x.ceil())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_contains_agrees_with_std() {
        let long = "x".repeat(70) + "Acme";
        for (h, n) in [
            ("Acme Corp", "Acme"),
            ("xAcme", "Acme"),
            ("Acm", "Acme"),
            ("AAcme", "Acme"),
            ("a😀b", "😀"),
            ("", ""),
            ("abc", ""),
            ("abc", "c"),
            ("abc", "d"),
            ("AcAcme", "Acme"),
            ("abcabd", "abd"),
            ("aaa", "aa"),
            ("Wayne Enterprises", "Acme"),
            ("xyzA", "A"),
            (long.as_str(), "Acme"),
            (long.as_str(), "Acmf"),
        ] {
            assert_eq!(short_contains(h, n), h.contains(n), "{h} {n}");
        }
    }

    #[test]
    fn folded_tests_agree_with_mapping_first() {
        let hays = [
            "Acme Corp",
            "ACME",
            "acme",
            "",
            "xAcMe",
            "Søren & Co",
            "İstanbul",
            "ǅ",
            "AcmeAcme",
        ];
        let needles = [
            "acme", "ACME", "Acme", "", "me", "co", "CO", "søren", "SØREN", "i̇", "ǆ", "Ǆ",
        ];
        for h in hays {
            for n in needles {
                for t in [StrTest::Contains, StrTest::StartsWith, StrTest::EndsWith] {
                    assert_eq!(
                        t.run_folded(h, n, Case::Lower),
                        t.run(&h.to_lowercase(), n),
                        "{t:?} lower {h:?} {n:?}"
                    );
                    assert_eq!(
                        t.run_folded(h, n, Case::Upper),
                        t.run(&h.to_uppercase(), n),
                        "{t:?} upper {h:?} {n:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0));
        assert_eq!(civil(951_782_400_000), (2000, 2, 29, 0));
        assert_eq!(civil(-1), (1969, 12, 31, MS_DAY - 1));
    }

    #[test]
    fn null_rules() {
        assert!(cmp_vals(CmpOp::Eq, &Val::Null, &Val::Null));
        assert!(!cmp_vals(CmpOp::Ne, &Val::Null, &Val::Null));
        assert!(cmp_vals(CmpOp::Ne, &Val::Num(1.0), &Val::Null));
        assert!(!cmp_vals(CmpOp::Gt, &Val::Num(1.0), &Val::Null));
        assert!(!cmp_vals(CmpOp::Lt, &Val::Null, &Val::Num(1.0)));
    }
}
