//! The checker and compiler: resolves every path against a [`Schema`], infers and checks
//! types, rejects what parses but is not evaluated (`unsupported`), and builds the
//! [`eval`](super::eval) tree.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::borrow::Cow;

use super::ast::{BinaryOp, Expr, ExprKind, Ident, LambdaOp, Literal, Path};
use super::error::{suggest, FilterError, Span};
use super::eval::{Acc, Arith, Case, CmpOp, Func, Pred, StrTest, VExpr, Val, MAX_LAMBDA_NESTING};
use super::schema::{FieldId, FieldInfo, FieldType, Resolved, Schema};
use super::temporal;

/// Static types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
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
    fn name(self) -> &'static str {
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

    fn of(f: FieldType) -> Ty {
        match f {
            FieldType::String => Ty::Str,
            FieldType::Number => Ty::Num,
            FieldType::Bool => Ty::Bool,
            FieldType::DateTime => Ty::Time,
            FieldType::Any => Ty::Any,
        }
    }

    fn fits(self, want: Ty) -> bool {
        self == want || matches!(self, Ty::Any | Ty::Null) || want == Ty::Any
    }
}

/// The functions that are evaluated, with their signatures.
const FUNCS: &[(&str, Func, &[Ty], usize, Ty)] = &[
    ("contains", Func::Contains, &[Ty::Str, Ty::Str], 2, Ty::Bool),
    (
        "startswith",
        Func::StartsWith,
        &[Ty::Str, Ty::Str],
        2,
        Ty::Bool,
    ),
    ("endswith", Func::EndsWith, &[Ty::Str, Ty::Str], 2, Ty::Bool),
    ("tolower", Func::ToLower, &[Ty::Str], 1, Ty::Str),
    ("toupper", Func::ToUpper, &[Ty::Str], 1, Ty::Str),
    ("trim", Func::Trim, &[Ty::Str], 1, Ty::Str),
    ("length", Func::Length, &[Ty::Str], 1, Ty::Num),
    ("indexof", Func::IndexOf, &[Ty::Str, Ty::Str], 2, Ty::Num),
    (
        "substring",
        Func::Substring,
        &[Ty::Str, Ty::Num, Ty::Num],
        2,
        Ty::Str,
    ),
    ("concat", Func::Concat, &[Ty::Str, Ty::Str], 2, Ty::Str),
    ("year", Func::Year, &[Ty::Time], 1, Ty::Num),
    ("month", Func::Month, &[Ty::Time], 1, Ty::Num),
    ("day", Func::Day, &[Ty::Time], 1, Ty::Num),
    ("hour", Func::Hour, &[Ty::Time], 1, Ty::Num),
    ("minute", Func::Minute, &[Ty::Time], 1, Ty::Num),
    ("second", Func::Second, &[Ty::Time], 1, Ty::Num),
    (
        "fractionalseconds",
        Func::FractionalSeconds,
        &[Ty::Time],
        1,
        Ty::Num,
    ),
    ("date", Func::Date, &[Ty::Time], 1, Ty::Time),
    ("time", Func::Time, &[Ty::Time], 1, Ty::Tod),
    ("round", Func::Round, &[Ty::Num], 1, Ty::Num),
    ("floor", Func::Floor, &[Ty::Num], 1, Ty::Num),
    ("ceiling", Func::Ceiling, &[Ty::Num], 1, Ty::Num),
];

/// OData functions that parse but are not evaluated here.
const UNSUPPORTED_FUNCS: &[&str] = &[
    "geo.distance",
    "geo.intersects",
    "geo.length",
    "isof",
    "cast",
    "matchespattern",
    "totaloffsetminutes",
    "totalseconds",
    "maxdatetime",
    "mindatetime",
    "case",
    "hassubset",
    "hassubsequence",
];

struct Binding {
    var: String,
    collection: FieldId,
    path: Vec<String>,
    element: Option<FieldInfo>,
}

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

struct Compiler<'s, S> {
    schema: &'s mut S,
    scopes: Vec<Binding>,
    now_ms: i64,
}

fn err(code: &'static str, msg: impl Into<String>, span: Span) -> FilterError {
    FilterError::new(code, msg, span)
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
            ExprKind::Binary { op, lhs, rhs } if op.is_comparison() => {
                self.comparison(*op, lhs, rhs, e.span)
            }
            ExprKind::In { lhs, list } => self.in_list(lhs, list),
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
                "filter.type.not_boolean",
                format!("expected a condition, found a {} value", t.name()),
                span,
            )),
        }
    }

    fn comparison(
        &mut self,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
    ) -> Result<Pred, FilterError> {
        let op = match op {
            BinaryOp::Eq => CmpOp::Eq,
            BinaryOp::Ne => CmpOp::Ne,
            BinaryOp::Gt => CmpOp::Gt,
            BinaryOp::Ge => CmpOp::Ge,
            BinaryOp::Lt => CmpOp::Lt,
            _ => CmpOp::Le,
        };
        let (mut l, lt) = self.value(lhs)?;
        let (mut r, rt) = self.value(rhs)?;
        coerce_date(&mut r, rt, lt, rhs.span)?;
        coerce_date(&mut l, lt, rt, lhs.span)?;
        let (lt, rt) = (retype(&l, lt), retype(&r, rt));
        if !(lt.fits(rt) || rt.fits(lt)) {
            return Err(err(
                "filter.type.mismatch",
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
                    "filter.type.mismatch",
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

    fn lambda(
        &mut self,
        collection: &Path,
        op: LambdaOp,
        body: Option<&(Ident, Box<Expr>)>,
        span: Span,
    ) -> Result<Pred, FilterError> {
        let names: Vec<&str> = collection
            .segments
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let names = strip_it(&names);
        if names
            .first()
            .is_some_and(|n| self.scopes.iter().any(|b| b.var == *n))
        {
            return Err(err(
                "filter.unsupported.nested_collection",
                "lambdas over a collection inside a lambda variable are not supported",
                collection.span(),
            ));
        }
        let (id, element) = match self.schema.resolve(names) {
            Some(Resolved::Collection { id, element }) => (id, element),
            Some(Resolved::Field(_)) => {
                return Err(err(
                    "filter.field.not_collection",
                    format!(
                        "`{}` is not a collection; `{}` needs one",
                        collection.joined(),
                        op.as_str()
                    ),
                    collection.span(),
                ))
            }
            None => return Err(self.unknown(collection)),
        };
        let slot = self.scopes.len();
        if slot >= MAX_LAMBDA_NESTING {
            return Err(err(
                "filter.limit.lambda_depth",
                format!("at most {MAX_LAMBDA_NESTING} lambdas may nest"),
                span,
            ));
        }
        let Some((var, body)) = body else {
            return Ok(Pred::Any {
                collection: id,
                slot,
                body: None,
            });
        };
        self.scopes.push(Binding {
            var: var.name.clone(),
            collection: id,
            path: names.iter().map(|s| (*s).to_owned()).collect(),
            element,
        });
        let b = self.pred(body);
        self.scopes.pop();
        let b = Box::new(b?);
        Ok(match op {
            LambdaOp::Any => Pred::Any {
                collection: id,
                slot,
                body: Some(b),
            },
            LambdaOp::All => Pred::All {
                collection: id,
                slot,
                body: b,
            },
        })
    }

    fn unknown(&self, p: &Path) -> FilterError {
        let name = p.joined();
        let names = self.schema.field_names();
        let s = suggest(&name, names.iter().map(String::as_str));
        err(
            "filter.field.unknown",
            format!("unknown field `{name}`"),
            p.span(),
        )
        .with_suggestion(s)
    }

    fn path(&mut self, p: &Path) -> Result<(Acc, Ty), FilterError> {
        let names: Vec<&str> = p.segments.iter().map(|s| s.name.as_str()).collect();
        let names = strip_it(&names);
        if let Some((slot, b)) = names.first().and_then(|first| {
            self.scopes
                .iter()
                .enumerate()
                .rev()
                .find(|(_, b)| b.var == *first)
        }) {
            let rest = names.get(1..).unwrap_or(&[]);
            if rest.is_empty() {
                return match b.element {
                    Some(f) => Ok((Acc::Elem { field: f.id, slot }, Ty::of(f.ty))),
                    None => Err(err(
                        "filter.field.lambda_variable",
                        format!(
                            "`{}` stands for an object; name one of its fields (`{}/…`)",
                            b.var, b.var
                        ),
                        p.span(),
                    )),
                };
            }
            let (coll, mut full) = (b.collection, b.path.clone());
            full.extend(rest.iter().map(|s| (*s).to_owned()));
            let full_ref: Vec<&str> = full.iter().map(String::as_str).collect();
            return match self.schema.resolve(&full_ref) {
                Some(Resolved::Field(f)) if f.collection == Some(coll) => {
                    Ok((Acc::Elem { field: f.id, slot }, Ty::of(f.ty)))
                }
                Some(_) => Err(err(
                    "filter.unsupported.nested_collection",
                    format!(
                        "`{}` is a collection inside a collection element",
                        p.joined()
                    ),
                    p.span(),
                )),
                None => {
                    let prefix = format!("{}/", b.path.join("/"));
                    let names = self.schema.field_names();
                    let cands: Vec<String> = names
                        .iter()
                        .filter_map(|n| n.strip_prefix(&prefix).map(|r| format!("{}/{r}", b.var)))
                        .collect();
                    let s = suggest(&p.joined(), cands.iter().map(String::as_str));
                    Err(err(
                        "filter.field.unknown",
                        format!("unknown field `{}`", p.joined()),
                        p.span(),
                    )
                    .with_suggestion(s))
                }
            };
        }
        match self.schema.resolve(names) {
            Some(Resolved::Field(f)) if f.collection.is_none() => {
                Ok((Acc::Root(f.id), Ty::of(f.ty)))
            }
            Some(Resolved::Field(_)) => Err(err(
                "filter.field.multi_valued",
                format!(
                    "`{}` has one value per collection element; test it inside `any`/`all`",
                    p.joined()
                ),
                p.span(),
            )),
            Some(Resolved::Collection { .. }) => Err(err(
                "filter.field.collection",
                format!(
                    "`{}` is a collection; test it with `any` or `all`",
                    p.joined()
                ),
                p.span(),
            )),
            None => Err(self.unknown(p)),
        }
    }

    fn value(&mut self, e: &Expr) -> Result<(VExpr, Ty), FilterError> {
        match &e.kind {
            ExprKind::Literal(l) => literal(l, e.span),
            ExprKind::Path(p) if p.segments.last().is_some_and(|s| s.name == "$count") => {
                let all: Vec<&str> = p.segments.iter().map(|s| s.name.as_str()).collect();
                let coll = strip_it(all.get(..all.len().saturating_sub(1)).unwrap_or(&[]));
                let scoped = coll
                    .first()
                    .is_some_and(|n| self.scopes.iter().any(|b| b.var == *n));
                match self.schema.resolve(coll) {
                    Some(Resolved::Collection { id, .. }) if !scoped => {
                        Ok((VExpr::Count(id), Ty::Num))
                    }
                    _ => Err(err(
                        "filter.field.not_collection",
                        "`$count` follows a collection of the row",
                        p.span(),
                    )),
                }
            }
            ExprKind::Path(p) => self.path(p).map(|(a, t)| (VExpr::Field(a), t)),
            ExprKind::Neg(x) => {
                let (v, t) = self.value(x)?;
                match t {
                    Ty::Num | Ty::Dur | Ty::Any | Ty::Null => Ok((VExpr::Neg(Box::new(v)), t)),
                    _ => Err(err(
                        "filter.type.mismatch",
                        format!("cannot negate a {}", t.name()),
                        e.span,
                    )),
                }
            }
            ExprKind::Binary { op, lhs, rhs } if !op.is_comparison() => {
                let a = match op {
                    BinaryOp::Add => Arith::Add,
                    BinaryOp::Sub => Arith::Sub,
                    BinaryOp::Mul => Arith::Mul,
                    BinaryOp::Div => Arith::Div,
                    BinaryOp::DivBy => Arith::DivBy,
                    BinaryOp::Mod => Arith::Mod,
                    _ => {
                        return Err(err(
                            "filter.unsupported.operator",
                            "`has` (enum flags) is not supported: no field is a flags enum",
                            e.span,
                        ))
                    }
                };
                let (l, lt) = self.value(lhs)?;
                let (r, rt) = self.value(rhs)?;
                let ty = match (lt, rt, a) {
                    (Ty::Num, Ty::Num, _) => Ty::Num,
                    (Ty::Time, Ty::Dur, Arith::Add | Arith::Sub) => Ty::Time,
                    (Ty::Time, Ty::Time, Arith::Sub) => Ty::Dur,
                    (Ty::Dur, Ty::Dur, Arith::Add | Arith::Sub) => Ty::Dur,
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
                            "filter.type.mismatch",
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
        if n == "now" {
            if !args.is_empty() {
                return Err(err(
                    "filter.function.arity",
                    "`now()` takes no arguments",
                    span,
                ));
            }
            return Ok((VExpr::Const(Val::Time(self.now_ms)), Ty::Time));
        }
        let Some((_, f, sig, min, ret)) = FUNCS.iter().find(|(k, ..)| *k == n) else {
            if UNSUPPORTED_FUNCS.contains(&n) || n.starts_with("geo.") {
                return Err(err(
                    "filter.unsupported.function",
                    format!("function `{n}` is not supported"),
                    name.span,
                ));
            }
            let all = FUNCS.iter().map(|(k, ..)| *k).chain(["now"]);
            return Err(err(
                "filter.function.unknown",
                format!("unknown function `{n}`"),
                name.span,
            )
            .with_suggestion(suggest(n, all)));
        };
        if args.len() < *min || args.len() > sig.len() {
            let want = if *min == sig.len() {
                min.to_string()
            } else {
                format!("{min} or {}", sig.len())
            };
            return Err(err(
                "filter.function.arity",
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
                    "filter.type.argument",
                    format!("`{n}` expects a {} here, found a {}", want.name(), t.name()),
                    a.span,
                ));
            }
            vs.push(v);
        }
        Ok((VExpr::Call(*f, vs), *ret))
    }
}

/// `$it/x` is `x`.
fn strip_it<'a, 'b>(names: &'b [&'a str]) -> &'b [&'a str] {
    match names {
        [first, rest @ ..] if *first == "$it" && !rest.is_empty() => rest,
        _ => names,
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
                    "filter.type.invalid_date",
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
    let bad = || err("filter.syntax.invalid_literal", "invalid literal", span);
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
            "filter.unsupported.literal",
            "binary and geo literals are not supported",
            span,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse;

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
        assert_eq!((e.code, e.span.start), ("filter.field.unknown", 0));
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
