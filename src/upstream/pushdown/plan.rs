//! What an adapter is asked (a [`PlanInput`]) and what it decides (a [`SourcePlan`]), and
//! [`plan_with`], the planning skeleton every vendor dialect fills in.
//!
//! The filter is split at its top-level `and` into conjuncts. Each conjunct the planner
//! recognises becomes a [`Pred`] (a comparison of one normalized field with constants); a
//! vendor dialect classifies each as [`Pushdown::Exact`] (the upstream returns exactly the
//! rows that satisfy it), [`Pushdown::Inexact`] (a superset) or [`Pushdown::Unsupported`].
//! Whatever is not Exact stays in the residual, which the adapter re-applies to every
//! fetched record, so pushdown can only save work, never change the answer.
//! A sort goes upstream whenever the vendor can order by its keys (filtering a sorted
//! stream at the edge keeps its order); offset/limit only when, besides, every conjunct
//! went Exact. This module imports no I/O.

use std::fmt;

use crate::filter::{CmpOp, Expr, ExprKind, Span};
use crate::model::Source;

use super::pred::{Conjunct, Lit, Pred, StrFn};
use super::recognise;

/// How much of a conjunct the upstream evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pushdown {
    /// The upstream returns exactly the rows satisfying it.
    Exact,
    /// The upstream returns a superset; the conjunct is re-applied at the edge.
    Inexact,
    /// Not sent upstream; applied at the edge only.
    Unsupported,
}

impl Pushdown {
    /// `exact`, `inexact`, `edge-only`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Pushdown::Exact => "exact",
            Pushdown::Inexact => "inexact",
            Pushdown::Unsupported => "edge-only",
        }
    }
}

/// A sort key over a normalized field path (the pipeline's `query::SortField`, as the
/// planners see it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortField {
    /// The field path (`customer/name`).
    pub field: String,
    /// Descending.
    pub desc: bool,
}

/// What the gateway asks of one source.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanInput {
    /// The filter's top-level conjuncts (empty: no filter).
    pub conjuncts: Vec<Conjunct>,
    /// Sort keys, primary first. The record `id` is always the final tie-breaker.
    pub sort: Vec<SortField>,
    /// Records to skip in this source's sorted stream (0 when merging several sources).
    pub offset: u64,
    /// Records wanted from this source after `offset`; `None` = all.
    pub limit: Option<u64>,
    /// Keep the vendor's original object in `Record::raw`.
    pub include_raw: bool,
    /// The query time (epoch ms): `now()` in the filter and derived statuses.
    pub now_ms: i64,
    /// The record members the edge reads from each record, when it reads only some (a
    /// `select`, beside the filter's and the sort's members): `customer`, `partners`,
    /// `attributes/generation`, … (see `recognise::members_read`). `None`: every member.
    /// A vendor that can send fewer fields asks only for what these need.
    pub fields: Option<Vec<String>>,
}

impl PlanInput {
    /// The input for a (checked) filter, sort and window at `now_ms`.
    pub fn new(
        filter: Option<&Expr>,
        sort: Vec<SortField>,
        offset: u64,
        limit: Option<u64>,
        now_ms: i64,
    ) -> Self {
        PlanInput {
            conjuncts: filter.map(recognise::split).unwrap_or_default(),
            sort,
            offset,
            limit,
            include_raw: false,
            now_ms,
            fields: None,
        }
    }
}

impl PlanInput {
    /// The whole filter as one expression (the `and` of every conjunct; `None`: no
    /// filter).
    pub fn filter(&self) -> Option<Expr> {
        let all: Vec<usize> = (0..self.conjuncts.len()).collect();
        and_of(self, &all)
    }
}

/// The plan for one conjunct.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedConjunct {
    /// Canonical text.
    pub text: String,
    /// How much the upstream does.
    pub pushdown: Pushdown,
    /// What was sent (`customerName eq 'x'`, `orderId EQUALS x`), when pushed.
    pub native: Option<String>,
    /// Why it is exact, inexact or edge-only for this vendor (for explain).
    pub reason: &'static str,
}

/// The part of a native request that comes from the query (paging is added per page).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NativeQuery {
    /// Query parameters (GET upstreams).
    pub params: Vec<(String, String)>,
    /// A JSON fragment for the body (FNO criteria object).
    pub body: Option<String>,
}

/// A window pushed upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Records to skip upstream.
    pub offset: u64,
    /// Records to take (`None`: until the end).
    pub limit: Option<u64>,
}

/// What one adapter will do for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePlan {
    /// The source.
    pub source: Source,
    /// A conjunct cannot hold for any record of this source (a `source` predicate that
    /// excludes it, or a test on a field this source never fills): no request is made.
    pub pruned: bool,
    /// Which conjunct pruned the source, and why (for explain).
    pub pruned_by: Option<String>,
    /// Every conjunct with its pushdown.
    pub conjuncts: Vec<PlannedConjunct>,
    /// Indexes (into the input conjuncts) the adapter re-applies at the edge.
    pub residual: Vec<usize>,
    /// Query parameters / body criteria.
    pub native: NativeQuery,
    /// The sort went upstream (records arrive in the requested order).
    pub sort_pushed: bool,
    /// A sort was asked, went upstream, and the vendor's order is certainly the edge's
    /// merge order (the sort keys, then the id, compared as the edge compares them): the
    /// records can be merged as they arrive. A vendor whose collation of text is undocumented pushes
    /// its sort (fewer records to read) but is not exact; the edge then sorts a full read.
    pub sort_exact: bool,
    /// With `sort_exact`: the vendor orders by the first sort key alone, and records
    /// equal on it arrive in its own (undocumented) order. The edge holds each run of
    /// equal first keys until the run ends (a greater key follows, or the stream ends),
    /// orders it by the remaining keys and the id, and resumes a walk inside a run from
    /// the last record it gave. Such a stream is never seeked or windowed by raw index.
    pub ties_unordered: bool,
    /// Offset/limit went upstream (only with `sort_pushed` and an empty residual).
    pub window: Option<Window>,
    /// Keep `raw`.
    pub include_raw: bool,
    /// The query time (see [`PlanInput::now_ms`]).
    pub now_ms: i64,
    /// The residual as one expression (the `and` of the non-exact conjuncts).
    pub residual_filter: Option<Expr>,
}

/// The `and` of some conjuncts (`None` for none).
fn and_of(input: &PlanInput, idx: &[usize]) -> Option<Expr> {
    let mut parts: Vec<Expr> = idx
        .iter()
        .filter_map(|&i| input.conjuncts.get(i))
        .map(|c| c.expr.clone())
        .collect();
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Expr {
            kind: ExprKind::And(parts),
            span: Span::default(),
        }),
    }
}

impl SourcePlan {
    /// A plan that makes no request.
    pub fn pruned(source: Source, input: &PlanInput, why: String) -> SourcePlan {
        SourcePlan {
            source,
            pruned: true,
            pruned_by: Some(why),
            conjuncts: input
                .conjuncts
                .iter()
                .map(|c| PlannedConjunct {
                    text: c.text.clone(),
                    pushdown: Pushdown::Unsupported,
                    native: None,
                    reason: "the source is pruned: no request",
                })
                .collect(),
            residual: Vec::new(),
            native: NativeQuery::default(),
            sort_pushed: false,
            sort_exact: false,
            ties_unordered: false,
            window: None,
            include_raw: input.include_raw,
            now_ms: input.now_ms,
            residual_filter: None,
        }
    }

    /// The residual filter as canonical text (`None` when empty).
    pub fn residual_text(&self) -> Option<String> {
        let parts: Vec<String> = self
            .residual
            .iter()
            .filter_map(|&i| self.conjuncts.get(i))
            .map(|c| format!("({})", c.text))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" and "))
    }
}

/// A dialect's answer for one predicate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Translated<T> {
    /// Exact or inexact.
    pub(crate) pushdown: Pushdown,
    /// The native piece.
    pub(crate) native: T,
    /// The native piece as text, for explain.
    pub(crate) text: String,
    /// Why the vendor answers it exactly, or only a superset.
    pub(crate) why: &'static str,
}

/// The field (or collection) a predicate needs a value in, when the predicate is false
/// on an absent value and that field is in `absent` (never filled by this source). Such a
/// conjunct is false for every record of the source. `ne` and comparisons with `null` are
/// true on absent values and never prune. An `any` needs its collection, and an element
/// field its test rejects when absent (`partners/any(p: p/tier eq …)` needs
/// `partners/tier`).
fn null_rejected(p: &Pred, absent: &[&str]) -> Option<String> {
    let (field, rejects) = match p {
        Pred::Cmp {
            field, op, value, ..
        } => (
            field.as_str(),
            *op != CmpOp::Ne && !matches!(value, Lit::Null),
        ),
        Pred::In { field, values } => (
            field.as_str(),
            !values.iter().any(|v| matches!(v, Lit::Null)),
        ),
        Pred::Str { field, .. } => (field.as_str(), true),
        // `any` over a collection that is always empty is false, and so is `any` whose
        // element test needs a field no element has.
        Pred::Any { collection, inner } => {
            return null_rejected_in(collection, std::slice::from_ref(inner.as_ref()), absent)
        }
        Pred::AnyAnd { collection, inner } => return null_rejected_in(collection, inner, absent),
        Pred::Other => return None,
    };
    (rejects && absent.contains(&field)).then(|| field.to_owned())
}

/// [`null_rejected`] of `any(collection, e: inner…)`: the collection, or the first
/// element field that rejects absence (the element tests are `and`-ed).
fn null_rejected_in(collection: &str, inner: &[Pred], absent: &[&str]) -> Option<String> {
    if absent.contains(&collection) {
        return Some(collection.to_owned());
    }
    inner.iter().find_map(|p| {
        let f = p.field()?;
        let path = format!("{collection}/{f}");
        let on_element = p.clone().with_field(path);
        null_rejected(&on_element, absent)
    })
}

/// True when a predicate on the record `id` (`<source>:<sourceId>`) can only hold for
/// ids of other sources: `eq`/`in` with values that lack this source's prefix, or
/// `startswith` with a text that contradicts it.
fn id_excludes(p: &Pred, source: Source) -> bool {
    let prefix = format!("{}:", source.as_str());
    let compatible = |v: &str| v.starts_with(&prefix);
    match p {
        Pred::Cmp {
            field,
            op: CmpOp::Eq,
            value: Lit::Str(v),
            lower: false,
        } if field == "id" => !compatible(v),
        Pred::In { field, values } if field == "id" => values
            .iter()
            .all(|v| matches!(v, Lit::Str(s) if !compatible(s))),
        Pred::Str {
            func: StrFn::StartsWith,
            field,
            value,
            lower: false,
        } if field == "id" => !(value.starts_with(&prefix) || prefix.starts_with(value.as_str())),
        _ => false,
    }
}

/// Native query parameters.
pub(crate) type Params = Vec<(String, String)>;

/// Shared planning skeleton: prunes on `source`, asks `translate` for each conjunct,
/// and decides sort and window pushdown. `translate` returns the native piece for a
/// predicate (or `None` when unsupported, for the reason `edge_why`); `sort` returns the
/// native sort when every key maps exactly. The caller assembles the native query from the
/// pieces.
pub(crate) fn plan_with<T: Clone>(
    source: Source,
    absent: &[&str],
    edge_why: &'static str,
    input: &PlanInput,
    mut translate: impl FnMut(&Pred) -> Option<Translated<T>>,
    sort_native: impl FnOnce(&[SortField]) -> Option<Vec<(String, String)>>,
) -> (SourcePlan, Vec<T>, Option<Params>) {
    for c in &input.conjuncts {
        if c.admits.as_ref().is_some_and(|a| !a.contains(&source)) {
            let why = format!("`{}` excludes {source}", c.text);
            return (SourcePlan::pruned(source, input, why), Vec::new(), None);
        }
        if id_excludes(&c.pred, source) {
            let why = format!("`{}` names records of other sources only", c.text);
            return (SourcePlan::pruned(source, input, why), Vec::new(), None);
        }
        if let Some(f) = null_rejected(&c.pred, absent) {
            let why = format!("`{}` needs `{f}`, which {source} never has", c.text);
            return (SourcePlan::pruned(source, input, why), Vec::new(), None);
        }
    }
    let mut planned = Vec::new();
    let mut residual = Vec::new();
    let mut pieces = Vec::new();
    for (i, c) in input.conjuncts.iter().enumerate() {
        // A `source` predicate that admits this source is exactly true here.
        if c.admits.is_some() {
            planned.push(PlannedConjunct {
                text: c.text.clone(),
                pushdown: Pushdown::Exact,
                native: Some("(source pruning)".into()),
                reason: "true of every record of this source (it decides which sources are asked)",
            });
            continue;
        }
        match translate(&c.pred) {
            Some(t) => {
                if t.pushdown != Pushdown::Exact {
                    residual.push(i);
                }
                planned.push(PlannedConjunct {
                    text: c.text.clone(),
                    pushdown: t.pushdown,
                    native: Some(t.text),
                    reason: t.why,
                });
                pieces.push(t.native);
            }
            None => {
                residual.push(i);
                planned.push(PlannedConjunct {
                    text: c.text.clone(),
                    pushdown: Pushdown::Unsupported,
                    native: None,
                    reason: edge_why,
                });
            }
        }
    }
    // No sort asks for the source's native order: its stream order is sent whatever stays
    // at the edge (the same order with and without pushdown; nothing is merged by it). A
    // requested sort goes upstream whenever the vendor can order by its keys: what the
    // residual keeps of a sorted stream is still sorted. The window goes upstream only
    // when nothing stays at the edge.
    let sort = sort_native(&input.sort);
    let window = sort
        .as_ref()
        .filter(|_| residual.is_empty())
        .map(|_| Window {
            offset: input.offset,
            limit: input.limit,
        });
    let residual_filter = and_of(input, &residual);
    let plan = SourcePlan {
        source,
        pruned: false,
        pruned_by: None,
        conjuncts: planned,
        residual,
        native: NativeQuery::default(),
        sort_pushed: sort.is_some(),
        sort_exact: false,
        ties_unordered: false,
        window,
        include_raw: input.include_raw,
        now_ms: input.now_ms,
        residual_filter,
    };
    (plan, pieces, sort)
}

impl fmt::Display for SourcePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:", self.source)?;
        if self.pruned {
            return writeln!(
                f,
                "  pruned ({}): no request",
                self.pruned_by.as_deref().unwrap_or("no record can match")
            );
        }
        for c in &self.conjuncts {
            write!(f, "  [{}] {}", c.pushdown.as_str(), c.text)?;
            if let Some(n) = &c.native {
                write!(f, "  =>  {n}")?;
            }
            writeln!(f, "  ({})", c.reason)?;
        }
        for (k, v) in &self.native.params {
            writeln!(f, "  param {k}={v}")?;
        }
        if let Some(b) = &self.native.body {
            writeln!(f, "  body {b}")?;
        }
        writeln!(
            f,
            "  residual: {}",
            self.residual_text().unwrap_or_else(|| "none".into())
        )?;
        writeln!(
            f,
            "  sort pushed: {}; window pushed: {}",
            self.sort_pushed,
            match self.window {
                Some(w) => format!(
                    "offset {} limit {}",
                    w.offset,
                    w.limit.map_or("all".into(), |l| l.to_string())
                ),
                None => "no (over-fetch)".into(),
            }
        )
    }
}

/// True for a literal that is safe to push: a non-blank string (a blank one matches
/// blank vendor values upstream but nothing at the edge, where blanks are absent).
pub(crate) fn pushable(s: &str) -> bool {
    !s.trim().is_empty()
}

/// True when the sort is empty or its only key is the record id / source id (which the
/// edge also uses as its tie-breaker).
pub(crate) fn sort_is_by_id(keys: &[SortField]) -> Option<bool> {
    match keys {
        [] => Some(false),
        [k] if k.field == "id" || k.field == "sourceId" => Some(k.desc),
        _ => None,
    }
}
