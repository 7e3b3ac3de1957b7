//! The checker and compiler: resolves every path against a [`Schema`] (`resolve`), infers
//! and checks types, rejects what parses but is not evaluated (`unsupported`), and lowers
//! the AST into the compiled tree of [`ir`](super::ir).
//!
//! Imports no I/O, no wasm, no `worker`.

use std::borrow::Cow;

use super::ast::{ArithOp, BinaryOp, CmpOp, Expr, ExprKind, Ident, Literal, Path, SegmentKind};
use super::error::{suggest, ErrorKind, FilterError, Span};
use super::functions::{self, UNSUPPORTED};
use super::ir::{Acc, Case, Coll, Func, Pred, StrTest, Ty, VExpr, Val};
use super::schema::{FieldId, Schema};
use super::temporal;

/// Compiles a parsed filter against a schema. `now_ms` is the value of `now()`.
pub(crate) fn compile<S: Schema>(
    expr: &Expr,
    schema: &mut S,
    now_ms: i64,
) -> Result<Pred, FilterError> {
    let mut c = Compiler {
        schema,
        scopes: Vec::new(),
        now_ms,
    };
    c.pred(expr)
}

/// Puts the operands of an `and`/`or` in order of [`Pred::cost`], keeping the source order
/// among equals. An insertion sort: operand lists are short (at most a few thousand within
/// the 8 KiB filter limit), and it keeps another instance of the standard library's sort
/// (~7 KB) out of the browser module.
fn by_cost(v: Vec<Pred>) -> Vec<Pred> {
    let mut keyed: Vec<(u32, Pred)> = v.into_iter().map(|p| (p.cost(), p)).collect();
    for i in 1..keyed.len() {
        let mut j = i;
        while j > 0 && keyed.get(j - 1).map(|k| k.0) > keyed.get(j).map(|k| k.0) {
            keyed.swap(j - 1, j);
            j -= 1;
        }
    }
    keyed.into_iter().map(|(_, p)| p).collect()
}

mod collections;
mod resolve;

use resolve::Binding;

struct Compiler<'s, S> {
    schema: &'s mut S,
    scopes: Vec<Binding>,
    now_ms: i64,
}

fn err(kind: ErrorKind, msg: impl Into<String>, span: Span) -> FilterError {
    FilterError::new(kind, msg, span)
}

impl<S: Schema> Compiler<'_, S> {
    fn pred(&mut self, e: &Expr) -> Result<Pred, FilterError> {
        match &e.kind {
            // Operands are compiled in source order (so the first error reported is the
            // first in the text), then run cheapest first: `and`/`or` are commutative
            // under OData's three-valued logic and evaluation has no side effects, so
            // only the work done changes, never the answer.
            ExprKind::And(v) => Ok(Pred::And(by_cost(
                v.iter().map(|x| self.pred(x)).collect::<Result<_, _>>()?,
            ))),
            ExprKind::Or(v) => Ok(Pred::Or(by_cost(
                v.iter().map(|x| self.pred(x)).collect::<Result<_, _>>()?,
            ))),
            ExprKind::Not(x) => Ok(Pred::Not(Box::new(self.pred(x)?))),
            ExprKind::Binary {
                op: BinaryOp::Cmp(op),
                lhs,
                rhs,
            } => self.comparison(*op, lhs, rhs, e.span),
            ExprKind::In { lhs, list } => self.in_list(lhs, list),
            ExprKind::Binary {
                op: BinaryOp::In,
                lhs,
                rhs,
            } => self.in_expr(lhs, rhs, e.span),
            ExprKind::Binary {
                op: BinaryOp::Has,
                lhs,
                rhs,
            } => self.has(lhs, rhs),
            ExprKind::Lambda {
                collection,
                op,
                body,
            } => self.lambda(collection, *op, body.as_ref(), e.span),
            ExprKind::Call { name, args } => {
                let test = match name.name.as_str() {
                    "contains" => Some(StrTest::Contains),
                    "startswith" => Some(StrTest::StartsWith),
                    "endswith" => Some(StrTest::EndsWith),
                    _ => None,
                };
                let (v, ty) = self.value(e)?;
                if let (Some(test), VExpr::Call(_, a)) = (test, &v) {
                    // `f(path, 'c')` and `f(tolower(path), 'c')` (or `toupper`) on a string
                    // field: a dedicated node that does not allocate per row.
                    let (acc, case, path) = match a.as_slice() {
                        [VExpr::Field(acc), VExpr::Const(Val::Str(_))] => {
                            (Some(*acc), Case::Keep, args.first())
                        }
                        [VExpr::Call(f @ (Func::ToLower | Func::ToUpper), inner), VExpr::Const(Val::Str(_))] =>
                        {
                            let case = if *f == Func::ToLower {
                                Case::Lower
                            } else {
                                Case::Upper
                            };
                            let path = match args.first().map(|x| &x.kind) {
                                Some(ExprKind::Call { args, .. }) => args.first(),
                                _ => None,
                            };
                            match inner.as_slice() {
                                [VExpr::Field(acc)] => (Some(*acc), case, path),
                                _ => (None, case, None),
                            }
                        }
                        _ => (None, Case::Keep, None),
                    };
                    if let (Some(acc), Some(VExpr::Const(Val::Str(needle)))) = (acc, a.get(1)) {
                        if self.field_ty(path) == Some(Ty::Str) {
                            return Ok(Pred::StrFn {
                                acc,
                                test,
                                needle: needle.as_ref().into(),
                                case,
                            });
                        }
                    }
                }
                self.boolean(v, ty, e.span)
            }
            _ => {
                let (v, ty) = self.value(e)?;
                self.boolean(v, ty, e.span)
            }
        }
    }

    /// The static type of a path argument, if it is a plain path (for fast-path choice).
    fn field_ty(&mut self, e: Option<&Expr>) -> Option<Ty> {
        match e.map(|e| &e.kind) {
            Some(ExprKind::Path(p)) => self.path(p).ok().map(|(_, t)| t),
            _ => None,
        }
    }

    fn boolean(&self, v: VExpr, ty: Ty, span: Span) -> Result<Pred, FilterError> {
        match (ty, v) {
            (Ty::Bool | Ty::Any, VExpr::Pred(p)) => Ok(*p),
            (Ty::Bool | Ty::Any, v) => Ok(Pred::Value(v)),
            (Ty::Null, _) => Ok(Pred::Const(None)),
            (t, _) => Err(err(
                ErrorKind::NotBoolean,
                format!("expected a condition, found a {} value", t.name()),
                span,
            )),
        }
    }

    fn comparison(
        &mut self,
        op: CmpOp,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
    ) -> Result<Pred, FilterError> {
        let (mut l, lt) = self.value(lhs)?;
        let (mut r, rt) = self.value(rhs)?;
        coerce_date(&mut r, rt, lt, rhs.span)?;
        coerce_date(&mut l, lt, rt, lhs.span)?;
        let (lt, rt) = (retype(&l, lt), retype(&r, rt));
        if !(lt.fits(rt) || rt.fits(lt)) {
            return Err(err(
                ErrorKind::TypeMismatch,
                format!("cannot compare a {} with a {}", lt.name(), rt.name()),
                span,
            ));
        }
        // Fast paths: field op constant (either side).
        let (field, konst, op, fty) = match (&l, &r) {
            (VExpr::Field(a), VExpr::Const(c)) => (*a, c, op, lt),
            (VExpr::Const(c), VExpr::Field(a)) => (*a, c, op.flip(), rt),
            _ => return Ok(Pred::Cmp { op, lhs: l, rhs: r }),
        };
        Ok(match (fty, konst) {
            (_, Val::Null) if matches!(op, CmpOp::Eq | CmpOp::Ne) => Pred::IsNull {
                acc: field,
                negate: op == CmpOp::Ne,
            },
            (Ty::Str, Val::Str(s)) => match self.schema.symbol(field.field(), s) {
                Some(code) if matches!(op, CmpOp::Eq | CmpOp::Ne) => Pred::SymEq {
                    acc: field,
                    code,
                    negate: op == CmpOp::Ne,
                },
                _ => Pred::StrCmp {
                    acc: field,
                    op,
                    value: s.as_ref().into(),
                },
            },
            (Ty::Num, Val::Num(n)) => Pred::NumCmp {
                acc: field,
                op,
                value: *n,
            },
            (Ty::Time, Val::Time(ms)) => Pred::TimeCmp {
                acc: field,
                op,
                ms: *ms,
            },
            _ => Pred::Cmp { op, lhs: l, rhs: r },
        })
    }

    /// The bit set of the codes of `set` when `field` is a symbol field; values that are not
    /// among the field's contribute nothing (they match no row).
    fn symbol_mask(&self, field: FieldId, set: &[Box<str>]) -> Option<u64> {
        set.iter().try_fold(0u64, |mask, v| {
            Some(match self.schema.symbol(field, v)? {
                Some(code) if code < 64 => mask | (1u64 << code),
                Some(_) => return None,
                None => mask,
            })
        })
    }

    fn in_list(&mut self, lhs: &Expr, list: &[Expr]) -> Result<Pred, FilterError> {
        let (l, lt) = self.value(lhs)?;
        let mut items = Vec::with_capacity(list.len());
        for it in list {
            let (mut v, t) = self.value(it)?;
            coerce_date(&mut v, t, lt, it.span)?;
            let t = retype(&v, t);
            if !(lt.fits(t) || t.fits(lt)) {
                return Err(err(
                    ErrorKind::TypeMismatch,
                    format!(
                        "`in` list item is a {}, the tested value a {}",
                        t.name(),
                        lt.name()
                    ),
                    it.span,
                ));
            }
            items.push(v);
        }
        if let (VExpr::Field(acc), Ty::Str) = (&l, lt) {
            let set: Option<Vec<Box<str>>> = items
                .iter()
                .map(|v| match v {
                    VExpr::Const(Val::Str(s)) => Some(s.as_ref().into()),
                    _ => None,
                })
                .collect();
            if let Some(set) = set {
                if let Some(mask) = self.symbol_mask(acc.field(), &set) {
                    return Ok(Pred::SymIn { acc: *acc, mask });
                }
                return Ok(Pred::StrIn { acc: *acc, set });
            }
        }
        Ok(Pred::In {
            lhs: l,
            list: items,
        })
    }

    fn value(&mut self, e: &Expr) -> Result<(VExpr, Ty), FilterError> {
        match &e.kind {
            ExprKind::Literal(l) => literal(l, e.span),
            ExprKind::Path(p)
                if p.segments.last().is_some_and(|s| {
                    matches!(s.kind, SegmentKind::CountFiltered(_))
                        || (s.is_member() && s.name == "$count")
                }) =>
            {
                self.count(p)
            }
            ExprKind::Path(p) => self.path(p).map(|(a, t)| (VExpr::Field(a), t)),
            ExprKind::Neg(x) => {
                let (v, t) = self.value(x)?;
                match t {
                    Ty::Num | Ty::Dur | Ty::Any | Ty::Null => Ok((VExpr::Neg(Box::new(v)), t)),
                    _ => Err(err(
                        ErrorKind::TypeMismatch,
                        format!("cannot negate a {}", t.name()),
                        e.span,
                    )),
                }
            }
            ExprKind::Array(_) => Err(err(
                ErrorKind::UnsupportedLiteral,
                "a JSON array is evaluated only as the right side of `in` or as an argument of `hassubset`/`hassubsequence`",
                e.span,
            )),
            ExprKind::Object(_) => Err(err(
                ErrorKind::UnsupportedLiteral,
                "JSON objects are not supported: the record has no value to compare one with",
                e.span,
            )),
            ExprKind::Binary {
                op: op @ BinaryOp::Arith(a),
                lhs,
                rhs,
            } => {
                let a = *a;
                let (l, lt) = self.value(lhs)?;
                let (r, rt) = self.value(rhs)?;
                let ty = match (lt, rt, a) {
                    (Ty::Num, Ty::Num, _) => Ty::Num,
                    (Ty::Time, Ty::Dur, ArithOp::Add | ArithOp::Sub) => Ty::Time,
                    (Ty::Time, Ty::Time, ArithOp::Sub) => Ty::Dur,
                    (Ty::Dur, Ty::Dur, ArithOp::Add | ArithOp::Sub) => Ty::Dur,
                    (Ty::Any | Ty::Null, t, _) | (t, Ty::Any | Ty::Null, _)
                        if t != Ty::Str && t != Ty::Bool =>
                    {
                        if t == Ty::Num {
                            Ty::Num
                        } else {
                            Ty::Any
                        }
                    }
                    _ => {
                        return Err(err(
                            ErrorKind::TypeMismatch,
                            format!(
                                "cannot `{}` a {} and a {}",
                                op.as_str(),
                                lt.name(),
                                rt.name()
                            ),
                            e.span,
                        ))
                    }
                };
                Ok((VExpr::Arith(a, Box::new(l), Box::new(r)), ty))
            }
            ExprKind::Call { name, args } => self.call(name, args, e.span),
            _ => Ok((VExpr::Pred(Box::new(self.pred(e)?)), Ty::Bool)),
        }
    }

    fn call(
        &mut self,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> Result<(VExpr, Ty), FilterError> {
        let n = name.name.as_str();
        if n == "hassubset" || n == "hassubsequence" {
            let [a, b] = args else {
                return Err(err(
                    ErrorKind::Arity,
                    format!("`{n}` takes 2 argument(s), found {}", args.len()),
                    span,
                ));
            };
            let subset = Pred::Subset {
                a: self.coll_arg(n, a)?,
                b: self.coll_arg(n, b)?,
                seq: n == "hassubsequence",
            };
            return Ok((VExpr::Pred(Box::new(subset)), Ty::Bool));
        }
        let Some(builtin) = functions::lookup(n) else {
            if UNSUPPORTED.contains(&n) || n.starts_with("geo.") {
                return Err(err(
                    ErrorKind::UnsupportedFunction,
                    format!("function `{n}` is not supported"),
                    name.span,
                ));
            }
            let all = functions::BUILTINS.iter().map(|b| b.name);
            return Err(err(
                ErrorKind::UnknownFunction,
                format!("unknown function `{n}`"),
                name.span,
            )
            .with_suggestion(suggest(n, all)));
        };
        let (f, sig, min, ret) = (builtin.func, builtin.params, builtin.min_args, builtin.ret);
        if f == Func::Now {
            if !args.is_empty() {
                return Err(err(ErrorKind::Arity, "`now()` takes no arguments", span));
            }
            return Ok((VExpr::Const(Val::Time(self.now_ms)), Ty::Time));
        }
        if args.len() < min || args.len() > sig.len() {
            let want = if min == sig.len() {
                min.to_string()
            } else {
                format!("{min} or {}", sig.len())
            };
            return Err(err(
                ErrorKind::Arity,
                format!("`{n}` takes {want} argument(s), found {}", args.len()),
                span,
            ));
        }
        let mut vs = Vec::with_capacity(args.len());
        for (a, want) in args.iter().zip(sig.iter()) {
            let (mut v, t) = self.value(a)?;
            let mut t = t;
            if *want == Ty::Time {
                coerce_date(&mut v, t, Ty::Time, a.span)?;
                t = retype(&v, t);
                // Hour/minute/second also take a time of day.
                if t == Ty::Tod
                    && matches!(
                        f,
                        Func::Hour | Func::Minute | Func::Second | Func::FractionalSeconds
                    )
                {
                    t = Ty::Time;
                }
            }
            if !t.fits(*want) {
                return Err(err(
                    ErrorKind::ArgumentType,
                    format!("`{n}` expects a {} here, found a {}", want.name(), t.name()),
                    a.span,
                ));
            }
            vs.push(v);
        }
        Ok((VExpr::Call(f, vs), ret))
    }
}

/// The type of a (possibly coerced) constant, else the static type.
fn retype(v: &VExpr, t: Ty) -> Ty {
    match v {
        VExpr::Const(Val::Time(_)) => Ty::Time,
        _ => t,
    }
}

/// A string constant compared with a date-time becomes an instant (or is an error).
fn coerce_date(v: &mut VExpr, t: Ty, other: Ty, span: Span) -> Result<(), FilterError> {
    if t != Ty::Str || other != Ty::Time {
        return Ok(());
    }
    if let VExpr::Const(Val::Str(s)) = v {
        match temporal::instant_ms(s) {
            Some(ms) => *v = VExpr::Const(Val::Time(ms)),
            None => {
                return Err(err(
                    ErrorKind::InvalidDate,
                    format!(
                    "`{s}` is compared with a date-time but is not a date or an RFC 3339 date-time"
                ),
                    span,
                ))
            }
        }
    }
    Ok(())
}

fn literal(l: &Literal, span: Span) -> Result<(VExpr, Ty), FilterError> {
    let c = |v: Val<'static>, t| Ok((VExpr::Const(v), t));
    let bad = || err(ErrorKind::InvalidLiteral, "invalid literal", span);
    match l {
        Literal::Null => c(Val::Null, Ty::Null),
        Literal::Bool(b) => c(Val::Bool(*b), Ty::Bool),
        Literal::Int(i) => c(Val::Num(*i as f64), Ty::Num),
        Literal::Float(x) => c(Val::Num(*x), Ty::Num),
        Literal::String(s) => c(Val::Str(Cow::Owned(s.clone())), Ty::Str),
        Literal::Guid(s) => c(Val::Str(Cow::Owned(s.clone())), Ty::Str),
        Literal::Enum { value, .. } => c(Val::Str(Cow::Owned(value.clone())), Ty::Str),
        Literal::Date { ms, .. } | Literal::DateTimeOffset { ms, .. } => {
            c(Val::Time(*ms), Ty::Time)
        }
        Literal::TimeOfDay(s) => c(
            Val::Tod(temporal::time_of_day_ms(s).ok_or_else(bad)?),
            Ty::Tod,
        ),
        Literal::Duration(s) => c(Val::Dur(temporal::duration_ms(s).ok_or_else(bad)?), Ty::Dur),
        Literal::Binary(_) | Literal::Geography(_) | Literal::Geometry(_) => Err(err(
            ErrorKind::UnsupportedLiteral,
            "binary and geo literals are not supported",
            span,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse;
    use crate::filter::schema::{FieldInfo, FieldType, Resolved};

    /// A few fields shaped like a record's: two symbol fields (`source`, `status`), a
    /// date-time, strings and a collection with a symbol field.
    #[derive(Debug, Clone)]
    struct Tiny;

    const FIELDS: &[(&str, FieldType, Option<u32>)] = &[
        ("source", FieldType::String, None),
        ("status", FieldType::String, None),
        ("endDate", FieldType::DateTime, None),
        ("customer/name", FieldType::String, None),
        ("partners", FieldType::Any, None),
        ("partners/role", FieldType::String, Some(4)),
    ];

    impl Schema for Tiny {
        fn resolve(&mut self, path: &[&str]) -> Option<Resolved> {
            let joined = path.join("/");
            let i = FIELDS.iter().position(|(p, ..)| *p == joined)?;
            let (_, ty, collection) = FIELDS.get(i)?;
            let id = FieldId(u32::try_from(i).ok()?);
            if joined == "partners" {
                return Some(Resolved::Collection { id, element: None });
            }
            Some(Resolved::Field(FieldInfo {
                id,
                ty: *ty,
                collection: collection.map(FieldId),
            }))
        }

        fn field_names(&self) -> Vec<String> {
            FIELDS.iter().map(|(p, ..)| (*p).to_owned()).collect()
        }

        fn symbol(&self, field: FieldId, text: &str) -> Option<Option<u32>> {
            let values: &[&str] = match field.0 {
                0 => &["hpe_flex", "fno_orders"],
                1 => &["draft", "active", "expired"],
                5 => &["reseller", "distributor"],
                _ => return None,
            };
            Some(
                values
                    .iter()
                    .position(|v| *v == text)
                    .and_then(|i| u32::try_from(i).ok()),
            )
        }
    }

    fn compiled(text: &str) -> Result<Pred, FilterError> {
        compile(&parse(text).unwrap(), &mut Tiny, 0)
    }

    #[test]
    fn and_runs_cheap_operands_first() {
        let p = compiled(
            "contains(customer/name, 'Acme') and partners/any(p: p/role eq 'reseller') \
             and status eq 'active' and endDate gt 2026-01-01",
        )
        .unwrap();
        let Pred::And(v) = p else {
            panic!("not an and: {p:?}")
        };
        let kinds: Vec<&str> = v
            .iter()
            .map(|p| match p {
                Pred::TimeCmp { .. } => "time",
                Pred::SymEq { .. } => "symbol",
                Pred::StrFn { .. } => "contains",
                Pred::Any { .. } => "any",
                _ => "other",
            })
            .collect();
        // endDate and status cost the same; the source order is kept between them.
        assert_eq!(kinds, ["symbol", "time", "contains", "any"]);
    }

    #[test]
    fn the_first_error_in_the_text_is_reported() {
        let e = compiled("nope eq 1 and contains(bad, 'x') and status eq 'active'").unwrap_err();
        assert_eq!((e.kind, e.span.start), (ErrorKind::UnknownField, 0));
    }

    #[test]
    fn dedicated_nodes() {
        assert!(matches!(
            compiled("status ne 'nope'").unwrap(),
            Pred::SymEq {
                code: None,
                negate: true,
                ..
            }
        ));
        assert!(matches!(
            compiled("source in ('hpe_flex', 'x')").unwrap(),
            Pred::SymIn { mask: 1, .. }
        ));
        assert!(matches!(
            compiled("contains(tolower(customer/name), 'acme')").unwrap(),
            Pred::StrFn {
                case: Case::Lower,
                ..
            }
        ));
        // Ordering comparisons keep comparing the spelled strings.
        assert!(matches!(
            compiled("status gt 'draft'").unwrap(),
            Pred::StrCmp { .. }
        ));
    }
}
