//! Splits a parsed filter at its top-level `and` and recognises each conjunct as a
//! [`Pred`] over one normalized field, and whether it constrains `source` (and so prunes
//! whole upstreams). Anything not recognised is [`Pred::Other`]: it is never pushed and
//! always re-applied at the edge. Which sources a `source` conjunct admits is decided by
//! the language's own evaluator, run on each source id: there is one meaning of `eq` or
//! `contains`. This module imports no I/O.

use std::collections::BTreeSet;

use crate::filter::{
    BinaryOp, CmpOp, Expr, ExprKind, Filter, LambdaOp, Literal, Path, SegmentKind,
};
use crate::model::{Kind, Record, RecordSchema, Source, Timestamp};

use super::pred::{Conjunct, Lit, Pred, StrFn};

/// The top-level conjuncts of `expr` (one when it is not an `and`).
pub(crate) fn split(expr: &Expr) -> Vec<Conjunct> {
    let mut out = Vec::new();
    flatten(expr, &mut out, 0);
    out.into_iter()
        .map(|e| {
            let pred = recognise(e);
            Conjunct {
                text: e.to_string(),
                admits: admits(e),
                pred,
                expr: e.clone(),
            }
        })
        .collect()
}

fn flatten<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>, depth: usize) {
    match &e.kind {
        ExprKind::And(v) if depth < 64 => v.iter().for_each(|x| flatten(x, out, depth + 1)),
        _ => out.push(e),
    }
}

fn lit(l: &Literal) -> Option<Lit> {
    Some(match l {
        Literal::Null => Lit::Null,
        Literal::Bool(b) => Lit::Bool(*b),
        Literal::Int(i) => Lit::Num(*i as f64),
        Literal::Float(f) => Lit::Num(*f),
        Literal::String(s) => Lit::Str(s.clone()),
        Literal::Date { ms, .. } => Lit::Time {
            at: Timestamp(*ms),
            date_only: true,
        },
        Literal::DateTimeOffset { ms, .. } => Lit::Time {
            at: Timestamp(*ms),
            date_only: false,
        },
        _ => return None,
    })
}

fn cmp_op(op: BinaryOp) -> Option<CmpOp> {
    match op {
        BinaryOp::Cmp(op) => Some(op),
        _ => None,
    }
}

/// A field operand: `path` or `tolower(path)`; returns (path, lowered).
fn field(e: &Expr) -> Option<(String, bool)> {
    match &e.kind {
        ExprKind::Path(p) if p.is_plain() => Some((p.joined(), false)),
        ExprKind::Call { name, args } if name.name == "tolower" => match args.as_slice() {
            [Expr {
                kind: ExprKind::Path(p),
                ..
            }] if p.is_plain() => Some((p.joined(), true)),
            _ => None,
        },
        _ => None,
    }
}

fn literal(e: &Expr) -> Option<Lit> {
    match &e.kind {
        ExprKind::Literal(l) => lit(l),
        _ => None,
    }
}

/// `field in (literal, …)` (a list or a JSON array of literals).
fn in_list(lhs: &Expr, list: &[Expr]) -> Option<Pred> {
    let (f, false) = field(lhs)? else {
        return None;
    };
    let values: Option<Vec<Lit>> = list.iter().map(literal).collect();
    Some(Pred::In {
        field: f,
        values: values?,
    })
}

/// Recognises one conjunct.
pub(crate) fn recognise(e: &Expr) -> Pred {
    recognise_opt(e).unwrap_or(Pred::Other)
}

fn recognise_opt(e: &Expr) -> Option<Pred> {
    match &e.kind {
        // `f in ["a", "b"]` is `f in ('a', 'b')`.
        ExprKind::Binary {
            op: BinaryOp::In,
            lhs,
            rhs,
        } => match &rhs.kind {
            ExprKind::Array(list) => in_list(lhs, list),
            _ => None,
        },
        ExprKind::Binary { op, lhs, rhs } => {
            let op = cmp_op(*op)?;
            let (f, v, op) = match (field(lhs), field(rhs)) {
                (Some(f), None) => (f, literal(rhs)?, op),
                (None, Some(f)) => (f, literal(lhs)?, op.flip()),
                _ => return None,
            };
            // `tolower(f) eq 'Mixed'` never matches; leave such oddities to the edge.
            if f.1 && v.as_str().is_none_or(|s| s.to_lowercase() != s) {
                return None;
            }
            Some(Pred::Cmp {
                field: f.0,
                op,
                value: v,
                lower: f.1,
            })
        }
        ExprKind::In { lhs, list } => in_list(lhs, list),
        ExprKind::Call { name, args } => {
            let func = match name.name.as_str() {
                "contains" => StrFn::Contains,
                "startswith" => StrFn::StartsWith,
                "endswith" => StrFn::EndsWith,
                _ => return None,
            };
            let [a, b] = args.as_slice() else {
                return None;
            };
            let (f, lower) = field(a)?;
            let Some(Lit::Str(value)) = literal(b) else {
                return None;
            };
            if lower && value.to_lowercase() != value {
                return None;
            }
            Some(Pred::Str {
                func,
                field: f,
                value,
                lower,
            })
        }
        ExprKind::Lambda {
            collection,
            op: LambdaOp::Any,
            body: Some((var, body)),
        } if collection.is_plain() => {
            // One predicate on the element, or an `and` of at most 8, each on one of its
            // fields.
            let element = |e: &Expr| -> Option<Pred> {
                let inner = recognise_opt(e)?;
                let rest = inner
                    .field()?
                    .strip_prefix(var.name.as_str())?
                    .strip_prefix('/')?
                    .to_owned();
                (!rest.contains('/')).then(|| inner.with_field(rest))
            };
            let collection = collection.joined();
            match &body.kind {
                ExprKind::And(parts) if (2..=8).contains(&parts.len()) => Some(Pred::AnyAnd {
                    collection,
                    inner: parts.iter().map(element).collect::<Option<_>>()?,
                }),
                _ => Some(Pred::Any {
                    collection,
                    inner: Box::new(element(body)?),
                }),
            }
        }
        ExprKind::Or(v) => {
            // `f eq a or f eq b …` is `f in (a, b, …)`.
            let mut field_name: Option<String> = None;
            let mut values = Vec::new();
            for d in v {
                match recognise_opt(d)? {
                    Pred::Cmp {
                        field,
                        op: CmpOp::Eq,
                        value,
                        lower: false,
                    } => {
                        if field_name.as_ref().is_some_and(|f| *f != field) {
                            return None;
                        }
                        field_name = Some(field);
                        values.push(value);
                    }
                    Pred::In { field, values: vs } => {
                        if field_name.as_ref().is_some_and(|f| *f != field) {
                            return None;
                        }
                        field_name = Some(field);
                        values.extend(vs);
                    }
                    _ => return None,
                }
            }
            Some(Pred::In {
                field: field_name?,
                values,
            })
        }
        _ => None,
    }
}

/// The sources a conjunct about `source` admits; `None` when it is not only about
/// `source` (or uses a form this planner does not recognise). The conjunct is compiled
/// against the record's schema and run on a record of each source (it reads nothing
/// else): the record's own instance of the compiler and evaluator, so that source pruning
/// adds none to the Worker.
pub(crate) fn admits(e: &Expr) -> Option<Vec<Source>> {
    match &recognise(e) {
        Pred::Cmp { field, value, .. } if field == "source" => {
            // Only string comparisons; `source eq null` etc. stay.
            value.as_str()?;
        }
        Pred::In { field, .. } | Pred::Str { field, .. } if field == "source" => {}
        _ => return None,
    }
    let filter = Filter::<Record>::new(e, RecordSchema::default(), 0).ok()?;
    Some(
        Source::ALL
            .into_iter()
            .filter(|s| filter.matches(&Record::new(*s, "", Kind::Order)))
            .collect(),
    )
}

/// The record members a query reads (see [`super::PlanInput::fields`]): of every path of
/// the filter and of `paths` (the sort and the select), its first member, or its first
/// two for `attributes/<name>`. `None` when some path cannot be told: one that starts at
/// `$it`, `$root` or an alias, or a path segment holding an expression.
pub fn members_read(filter: Option<&Expr>, paths: &[&Path]) -> Option<Vec<String>> {
    let mut out = BTreeSet::new();
    for p in paths {
        out.insert(member_of(p)?);
    }
    if let Some(f) = filter {
        let mut vars = Vec::new();
        walk(f, &mut vars, &mut out)?;
    }
    Some(out.into_iter().collect())
}

/// The member a path starts at (`None`: not a plain member path).
fn member_of(p: &Path) -> Option<String> {
    if p.segments
        .iter()
        .any(|s| !matches!(s.kind, SegmentKind::Member))
    {
        return None;
    }
    let mut segs = p.segments.iter();
    let first = segs.next()?;
    if first.name.starts_with(['$', '@']) {
        return None;
    }
    match segs.next() {
        Some(s) if first.name == "attributes" => Some(format!("attributes/{}", s.name)),
        _ => Some(first.name.clone()),
    }
}

/// Adds the members of `e`'s paths to `out`; paths that start at a lambda variable in
/// scope (`vars`) are the element's, not the record's. Recursion is bounded by the
/// parser's depth limit.
fn walk(e: &Expr, vars: &mut Vec<String>, out: &mut BTreeSet<String>) -> Option<()> {
    let bound =
        |p: &Path, vars: &[String]| p.segments.first().is_some_and(|s| vars.contains(&s.name));
    match &e.kind {
        ExprKind::Path(p) => {
            if !bound(p, vars) {
                out.insert(member_of(p)?);
            } else if p
                .segments
                .iter()
                .any(|s| !matches!(s.kind, SegmentKind::Member))
            {
                return None;
            }
            Some(())
        }
        ExprKind::Lambda {
            collection, body, ..
        } => {
            if !bound(collection, vars) {
                out.insert(member_of(collection)?);
            }
            if let Some((v, b)) = body {
                vars.push(v.name.clone());
                let r = walk(b, vars, out);
                vars.pop();
                r?;
            }
            Some(())
        }
        _ => {
            let mut ok = true;
            for c in children(e) {
                ok &= walk(c, vars, out).is_some();
            }
            ok.then_some(())
        }
    }
}

/// The direct operands of a node that is neither a path nor a lambda.
fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::And(v) | ExprKind::Or(v) | ExprKind::Array(v) => v.iter().collect(),
        ExprKind::Not(x) | ExprKind::Neg(x) => vec![x],
        ExprKind::In { lhs, list } => std::iter::once(lhs.as_ref()).chain(list).collect(),
        ExprKind::Object(m) => m.iter().map(|m| &m.value).collect(),
        ExprKind::Call { args, .. } => args.iter().collect(),
        ExprKind::Literal(_) | ExprKind::Path(_) | ExprKind::Lambda { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse;

    #[test]
    fn members_read_are_the_records_not_a_lambdas_element() {
        let read = |f: &str| members_read(Some(&parse(f).unwrap()), &[]);
        assert_eq!(
            read("partners/any(name: name/role eq 'x' and contains(name/name, orderRef)) and name eq 'n'").unwrap(),
            ["name", "orderRef", "partners"]
        );
        assert_eq!(
            read("items/any(i: i/quantity gt 1) or attributes/SEATS ge 3 or status eq 'active'")
                .unwrap(),
            ["attributes/SEATS", "items", "status"]
        );
        assert_eq!(read("$it/name eq 'x'"), None);
        assert_eq!(read("$root/name eq 'x'"), None);
    }

    #[test]
    fn splits_and_recognises() {
        let e = parse(
            "customer/name eq 'A' and 5 lt items/quantity and (orderRef eq 'x' or orderRef eq 'y') \
             and contains(tolower(name), 'abc') and source in ('hpe_flex', 'fno_orders') and not (id eq 'q')",
        )
        .unwrap();
        let c = split(&e);
        assert_eq!(c.len(), 6);
        assert!(
            matches!(&c[0].pred, Pred::Cmp { field, op: CmpOp::Eq, .. } if field == "customer/name")
        );
        assert!(matches!(&c[1].pred, Pred::Cmp { op: CmpOp::Gt, .. }));
        assert!(matches!(&c[2].pred, Pred::In { values, .. } if values.len() == 2));
        assert!(matches!(&c[3].pred, Pred::Str { lower: true, .. }));
        assert_eq!(c[4].admits, Some(vec![Source::HpeFlex, Source::FnoOrders]));
        assert_eq!(c[5].pred, Pred::Other);
        assert_eq!(c[0].admits, None);
        let l = split(&parse("items/any(i: i/productName eq 'Analyzer')").unwrap());
        assert!(matches!(&l[0].pred, Pred::Any { collection, inner }
            if collection == "items" && inner.field() == Some("productName")));
        let l = split(
            &parse("partners/any(p: p/role eq 'reseller' and p/name in ('A', 'B'))").unwrap(),
        );
        assert!(matches!(&l[0].pred, Pred::AnyAnd { collection, inner }
            if collection == "partners" && inner.len() == 2
                && inner[0].field() == Some("role") && inner[1].field() == Some("name")));
        // Nested paths and a conjunct on another variable are not recognised.
        let l = split(&parse("partners/any(p: p/role eq 'x' and name eq 'y')").unwrap());
        assert_eq!(l[0].pred, Pred::Other);
    }

    #[test]
    fn source_predicates_prune() {
        let a = |t: &str| admits(&parse(t).unwrap());
        assert_eq!(
            a("source eq 'telecomx_flexcare'"),
            Some(vec![Source::TelecomxFlexcare])
        );
        assert_eq!(a("source ne 'hpe_flex'").map(|v| v.len()), Some(3));
        assert_eq!(a("startswith(source, 'fno')").map(|v| v.len()), Some(2));
        assert_eq!(a("source eq 'nope'"), Some(vec![]));
        assert_eq!(a("source eq 'hpe_flex' or name eq 'x'"), None);
    }
}
