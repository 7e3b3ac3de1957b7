//! The evaluator of the compiled tree ([`super::ir`]): three-valued booleans (`None` is
//! OData `null`; a row matches only when the filter is `Some(true)`), OData's null rules for
//! comparisons, lambdas over collection elements, arithmetic, and calls into the built-ins
//! ([`super::functions`]). The only place that decides what a comparison means.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::ast::{ArithOp, CmpOp};
use super::functions;
use super::ir::{time, Acc, Case, Coll, Env, Pred, VExpr, Val};
use super::schema::{Row, Value};
use super::temporal;

impl CmpOp {
    /// OData null rules: both null → equal; one null → only `ne` holds.
    #[inline]
    pub(crate) fn nulls(self, a_null: bool, b_null: bool) -> bool {
        if a_null && b_null {
            matches!(self, CmpOp::Eq | CmpOp::Ge | CmpOp::Le)
        } else {
            self == CmpOp::Ne
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
            | Pred::All { .. }
            | Pred::Has { .. }
            | Pred::Subset { .. } => self.eval_node(row, s, env),
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
                filter,
                body,
            } => {
                let n = row.len(s, *collection);
                match (body, filter) {
                    (None, None) => Some(n > 0),
                    (None, Some(f)) => Some(count(row, s, env, n, *slot, f) > 0),
                    (Some(b), f) => lambda(row, s, env, n, *slot, f.as_deref(), b, true),
                }
            }
            Pred::All {
                collection,
                slot,
                filter,
                body,
            } => {
                let n = row.len(s, *collection);
                lambda(row, s, env, n, *slot, filter.as_deref(), body, false)
            }
            Pred::Has { value, flags } => match value.eval(row, s, env) {
                Val::Str(x) => Some(
                    flags
                        .iter()
                        .all(|f| x.split(',').any(|v| v.trim() == f.as_ref())),
                ),
                _ => None,
            },
            Pred::Subset { a, b, seq } => {
                let a = a.values(row, s, env);
                let b = b.values(row, s, env);
                Some(if *seq {
                    subsequence(&a, &b)
                } else {
                    subset(&a, &b)
                })
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

/// How many of `n` elements bound to `slot` satisfy `filter`.
fn count<R: Row>(
    row: &R,
    s: &R::Schema,
    env: &mut Env,
    n: usize,
    slot: usize,
    filter: &Pred,
) -> usize {
    let saved = *env;
    let mut k = 0;
    for i in 0..n {
        if let Some(x) = env.idx.get_mut(slot) {
            *x = i;
        }
        if filter.eval(row, s, env) == Some(true) {
            k += 1;
        }
    }
    *env = saved;
    k
}

/// `any` (`want` true) or `all` (`want` false) over `n` elements bound to `slot`, skipping
/// those for which `filter` is not true: stops at the first element whose body is `want`;
/// otherwise null if any body was null.
#[allow(clippy::too_many_arguments)]
fn lambda<R: Row>(
    row: &R,
    s: &R::Schema,
    env: &mut Env,
    n: usize,
    slot: usize,
    filter: Option<&Pred>,
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
        if filter.is_some_and(|f| f.eval(row, s, env) != Some(true)) {
            continue;
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

impl VExpr {
    /// Evaluates a value; type errors at run time (possible only with `Any` fields) yield null.
    pub(crate) fn eval<'a, R: Row>(&'a self, row: &'a R, s: &R::Schema, env: &mut Env) -> Val<'a> {
        match self {
            VExpr::Field(acc) => read(*acc, row, s, env).into(),
            VExpr::Const(v) => v.borrowed(),
            VExpr::Count(c) => Val::Num(row.len(s, *c) as f64),
            VExpr::CountIf {
                collection,
                slot,
                filter,
            } => {
                let n = row.len(s, *collection);
                Val::Num(count(row, s, env, n, *slot, filter) as f64)
            }
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
                functions::call(*f, vals, args.len())
            }
        }
    }
}

impl Coll {
    /// The values, in order.
    fn values<'a, R: Row>(&'a self, row: &'a R, s: &R::Schema, env: &mut Env) -> Vec<Val<'a>> {
        match self {
            Coll::Values(v) => v.iter().map(|x| x.eval(row, s, env)).collect(),
            Coll::Elems { collection, field } => (0..row.len(s, *collection))
                .map(|i| row.get_at(s, *field, i).into())
                .collect(),
        }
    }
}

/// `hassubset`: `b` is `a` with items reordered and/or removed (each item of `a` used
/// once; items compare with `eq`).
fn subset(a: &[Val<'_>], b: &[Val<'_>]) -> bool {
    let mut used = vec![false; a.len()];
    b.iter().all(|y| {
        let found = a
            .iter()
            .zip(used.iter_mut())
            .find(|(x, u)| !**u && cmp_vals(CmpOp::Eq, x, y));
        match found {
            Some((_, u)) => {
                *u = true;
                true
            }
            None => false,
        }
    })
}

/// `hassubsequence`: `b` is `a` with items removed (order kept).
fn subsequence(a: &[Val<'_>], b: &[Val<'_>]) -> bool {
    let mut it = a.iter();
    b.iter().all(|y| it.any(|x| cmp_vals(CmpOp::Eq, x, y)))
}

fn arith<'a>(op: ArithOp, a: &Val<'_>, b: &Val<'_>) -> Val<'a> {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => {
            let (x, y) = (*x, *y);
            match op {
                ArithOp::Add => Val::Num(x + y),
                ArithOp::Sub => Val::Num(x - y),
                ArithOp::Mul => Val::Num(x * y),
                ArithOp::Div | ArithOp::DivBy | ArithOp::Mod if y == 0.0 => Val::Null,
                ArithOp::Div if x.fract() == 0.0 && y.fract() == 0.0 => Val::Num((x / y).trunc()),
                ArithOp::Div | ArithOp::DivBy => Val::Num(x / y),
                ArithOp::Mod => Val::Num(x % y),
            }
        }
        (Val::Time(t), Val::Dur(d)) => match op {
            ArithOp::Add => Val::Time(t.saturating_add(*d)),
            ArithOp::Sub => Val::Time(t.saturating_sub(*d)),
            _ => Val::Null,
        },
        (Val::Time(x), Val::Time(y)) if op == ArithOp::Sub => Val::Dur(x.saturating_sub(*y)),
        (Val::Dur(x), Val::Dur(y)) => match op {
            ArithOp::Add => Val::Dur(x.saturating_add(*y)),
            ArithOp::Sub => Val::Dur(x.saturating_sub(*y)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_rules() {
        assert!(cmp_vals(CmpOp::Eq, &Val::Null, &Val::Null));
        assert!(!cmp_vals(CmpOp::Ne, &Val::Null, &Val::Null));
        assert!(cmp_vals(CmpOp::Ne, &Val::Num(1.0), &Val::Null));
        assert!(!cmp_vals(CmpOp::Gt, &Val::Num(1.0), &Val::Null));
        assert!(!cmp_vals(CmpOp::Lt, &Val::Null, &Val::Num(1.0)));
    }
}
