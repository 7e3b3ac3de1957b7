//! The fan-out: plan a query for every source, fetch them concurrently within a deadline
//! and a budget of upstream calls, re-apply the filter at the edge, and merge the sorted
//! streams into one page with per-source status.
//!
//! Invariants (see DESIGN.md): the full filter is applied at the edge to whatever the
//! upstreams return, so pushdown can only save work, never change the answer; a source a
//! `source` predicate excludes gets no request; one failing source never fails the whole
//! answer unless the client asks for strictness; a total is reported only when it is known.
//!
//! Talks to upstreams only through [`HttpClient`] and waits only through [`Clock`]; imports
//! no `worker`.

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;

use futures_util::future::join_all;
use serde::Serialize;

use crate::model::{Record, Source};
use crate::query::Plan as QueryPlan;
use crate::upstream::pushdown::Window;
use crate::upstream::{
    AnyUpstream, Budget, BypassCache, Clock, Fetched, HttpClient, PlanInput, SortField, Staged,
    UpstreamError, UpstreamErrorKind,
};

/// The response header an [`HttpClient`] sets on an answer it served from a cache; the
/// gateway counts them per source (`cached` in the envelope).
pub const CACHE_HEADER: &str = "x-flexedge-cache";

/// One source's view of the client: counts its cache hits, marks its requests to bypass
/// the cache when a debug key asked, and collects the cache writes the client holds back
/// ([`Staged`]) so that they are settled by the adapter's verdict on the whole fetch.
struct Counting<'a, C> {
    inner: &'a C,
    hits: Cell<u32>,
    bypass_cache: bool,
    staged: RefCell<Vec<Staged>>,
}

impl<C: HttpClient> HttpClient for Counting<'_, C> {
    async fn send(
        &self,
        mut req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, crate::upstream::TransportError> {
        if self.bypass_cache {
            req.extensions_mut().insert(BypassCache);
        }
        let res = self.inner.send(req).await;
        if let Ok(r) = &res {
            if r.headers().contains_key(CACHE_HEADER) {
                self.hits.set(self.hits.get().saturating_add(1));
            }
            if let Some(s) = r.extensions().get::<Staged>() {
                self.staged.borrow_mut().push(*s);
            }
        }
        res
    }

    fn settle(&self, staged: &[Staged], keep: bool) {
        self.inner.settle(staged, keep);
    }
}

impl<C: HttpClient> Counting<'_, C> {
    /// The verdict on this source's fetch: its held-back cache writes are kept only when
    /// every page it read was accepted (a 2xx that is a failure in its body, or that does
    /// not parse, fails the fetch and is never cached).
    fn settle_all(&self, keep: bool) {
        let staged = std::mem::take(&mut *self.staged.borrow_mut());
        if !staged.is_empty() {
            self.inner.settle(&staged, keep);
        }
    }
}

/// Limits for one client request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Page requests per source per client request.
    pub max_calls_per_source: u32,
    /// Milliseconds each source has, from the start of the request.
    pub deadline_ms: i64,
    /// Read a page ahead on upstreams that give no total (see [`Budget::read_ahead`]).
    pub read_ahead: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_calls_per_source: 25,
            deadline_ms: 8_000,
            read_ahead: true,
        }
    }
}

/// What the gateway asks of the sources.
pub struct FanOut<'a> {
    /// The sources to ask, in canonical order (already restricted to the client's scope).
    pub upstreams: Vec<&'a AnyUpstream>,
    /// The checked query (filter, sort, window, select).
    pub query: &'a QueryPlan<Record>,
    /// The planner's view of the query (conjuncts, sort keys, window).
    pub input: PlanInput,
    /// `pushdown=false`: push nothing, fetch everything, filter at the edge.
    pub pushdown: bool,
    /// Add explain details per source.
    pub explain: bool,
    /// Bypass the edge cache (`Cache-Control: no-cache` from a debug key).
    pub no_cache: bool,
}

/// How one source answered.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// `ok`, `error` or `skipped`.
    pub status: &'static str,
    /// The source's number of matching records, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Page requests made.
    pub requests: u32,
    /// Records received from the upstream (before the edge filter).
    pub fetched: u64,
    /// Upstream answers served from the edge cache.
    #[serde(skip_serializing_if = "is_zero")]
    pub cached: u32,
    /// Milliseconds from the start of the request to this source's answer.
    pub ms: i64,
    /// The budget ran out: this source's records are incomplete.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Why the source was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The error, when `status` is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<SourceError>,
    /// With `explain=true`: the plan, the native requests made and the residual.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

/// A source's error as the client sees it (no secrets: adapters redact their messages).
#[derive(Debug, Clone, Serialize)]
pub struct SourceError {
    /// Stable code, e.g. `upstream.rate_limited`.
    pub code: &'static str,
    /// What happened.
    pub message: String,
    /// The upstream's HTTP status, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// Explain output for one source.
#[derive(Debug, Clone, Serialize)]
pub struct Explain {
    /// The planner's description: each conjunct's pushdown and the native query.
    pub plan: String,
    /// Every page request made.
    pub requests: Vec<String>,
    /// The filter the edge re-applies to this source's records (canonical text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residual: Option<String>,
    /// Whether the sort went upstream.
    #[serde(rename = "sortPushed")]
    pub sort_pushed: bool,
}

/// The merged outcome of a fan-out.
pub struct Outcome {
    /// Every matching record from every source that answered, merged in sort order.
    pub records: Vec<Record>,
    /// Per source, in canonical order.
    pub sources: Vec<(Source, SourceReport)>,
    /// The number of matching records across the sources that answered, when known.
    pub total: Option<u64>,
}

impl Outcome {
    /// Whether any source answered with an error.
    pub fn any_error(&self) -> bool {
        self.sources.iter().any(|(_, r)| r.status == "error")
    }

    /// Whether no source answered and at least one timed out.
    pub fn all_timed_out(&self) -> bool {
        let asked: Vec<_> = self
            .sources
            .iter()
            .filter(|(_, r)| r.status != "skipped")
            .collect();
        !asked.is_empty()
            && asked.iter().all(|(_, r)| {
                r.error
                    .as_ref()
                    .is_some_and(|e| e.code == "upstream.timeout")
            })
    }

    /// The first source error, for strict mode.
    pub fn first_error(&self) -> Option<(Source, &SourceError)> {
        self.sources
            .iter()
            .find_map(|(s, r)| r.error.as_ref().map(|e| (*s, e)))
    }
}

/// A report for a source the request did not ask.
pub fn skipped(reason: impl Into<String>) -> SourceReport {
    SourceReport {
        status: "skipped",
        total: None,
        requests: 0,
        fetched: 0,
        cached: 0,
        ms: 0,
        partial: false,
        reason: Some(reason.into()),
        error: None,
        explain: None,
    }
}

/// The report of a source with no base URL and no simulator (`source.not_configured`):
/// an error, asked of no upstream.
pub fn not_configured(source: Source) -> SourceReport {
    SourceReport {
        status: "error",
        error: Some(SourceError {
            code: "source.not_configured",
            message: format!(
                "{source} has no base URL ({}) and the simulator is off",
                super::base_url_var(source)
            ),
            status: None,
        }),
        reason: None,
        ..skipped("")
    }
}

/// The report of a source whose circuit is open (`upstream.circuit_open`): an error,
/// asked of no upstream.
pub fn circuit_open(source: Source, failures: u32, retry_in_ms: i64) -> SourceReport {
    SourceReport {
        status: "error",
        error: Some(SourceError {
            code: "upstream.circuit_open",
            message: format!(
                "{source} failed {failures} times in a row; not asked again for {} ms (then one probe)",
                retry_in_ms
            ),
            status: None,
        }),
        reason: None,
        ..skipped("")
    }
}

/// Runs the fan-out: plans every source, fetches concurrently, filters at the edge and
/// merges in the query's sort order (then by `id`).
pub async fn fan_out<C: HttpClient, K: Clock>(
    client: &C,
    clock: &K,
    limits: Limits,
    req: FanOut<'_>,
) -> Outcome {
    let started = clock.now_ms();
    let budget = Budget {
        max_calls: limits.max_calls_per_source,
        deadline_ms: started.saturating_add(limits.deadline_ms),
        read_ahead: limits.read_ahead,
    };
    let input = if req.pushdown {
        req.input.clone()
    } else {
        // Push nothing: every conjunct stays at the edge, sort and window too.
        PlanInput {
            conjuncts: Vec::new(),
            sort: Vec::new(),
            offset: 0,
            limit: None,
            ..req.input.clone()
        }
    };
    let plans: Vec<_> = req.upstreams.iter().map(|u| (*u, u.plan(&input))).collect();
    let futures = plans
        .iter()
        .filter(|(_, p)| !p.pruned)
        .map(|(u, plan)| async move {
            let counting = Counting {
                inner: client,
                hits: Cell::new(0),
                bypass_cache: req.no_cache,
                staged: RefCell::new(Vec::new()),
            };
            let r = u.fetch(&counting, clock, plan, budget, None).await;
            counting.settle_all(r.is_ok());
            let ms = clock.now_ms().saturating_sub(started);
            (u.source(), r, ms, counting.hits.get())
        });
    let mut answers = join_all(futures).await.into_iter();

    let mut records = Vec::new();
    let mut sources = Vec::with_capacity(plans.len());
    let mut total: Option<u64> = Some(0);
    for (u, plan) in &plans {
        if plan.pruned {
            let mut report = skipped("the filter excludes this source");
            report.explain = req.explain.then(|| Explain {
                plan: u.explain(plan),
                requests: Vec::new(),
                residual: None,
                sort_pushed: false,
            });
            sources.push((u.source(), report));
            continue;
        }
        let Some((source, result, ms, cached)) = answers.next() else {
            continue;
        };
        let explain = req.explain.then(|| Explain {
            plan: u.explain(plan),
            requests: Vec::new(),
            residual: if req.pushdown {
                plan.residual_text()
            } else {
                req.query_filter_text()
            },
            sort_pushed: plan.sort_pushed,
        });
        match result {
            Ok(fetched) => {
                let mut report =
                    ok_report(fetched, plan.window, ms, explain, req.query, &mut records);
                report.cached = cached;
                total = match (total, report.total) {
                    (Some(t), Some(s)) => Some(t.saturating_add(s)),
                    _ => None,
                };
                sources.push((source, report));
            }
            Err(e) => sources.push((source, error_report(&e, ms, explain))),
        }
    }
    let records = sorted(records, req.query);
    Outcome {
        records,
        sources,
        total,
    }
}

/// The records in merge order (the query's sort, then `id`; stable). Sorts indices and
/// then moves each record once: a `Record` is a few hundred bytes, and moving them around
/// inside the sort cost more than comparing them.
fn sorted(records: Vec<Record>, query: &QueryPlan<Record>) -> Vec<Record> {
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| match (records.get(a), records.get(b)) {
        (Some(x), Some(y)) => merge_order(query, x, y),
        _ => Ordering::Equal,
    });
    let mut slots: Vec<Option<Record>> = records.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

impl FanOut<'_> {
    fn query_filter_text(&self) -> Option<String> {
        let parts: Vec<String> = self
            .input
            .conjuncts
            .iter()
            .map(|c| format!("({})", c.text))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" and "))
    }
}

fn ok_report(
    fetched: Fetched,
    window: Option<Window>,
    ms: i64,
    mut explain: Option<Explain>,
    query: &QueryPlan<Record>,
    out: &mut Vec<Record>,
) -> SourceReport {
    let before = out.len();
    // Moved, not cloned: a record (with its `raw` object) is copied nowhere on the way out.
    out.extend(fetched.records.into_iter().filter(|r| query.matches(r)));
    let matched = u64::try_from(out.len().saturating_sub(before)).unwrap_or(u64::MAX);
    let total = match window {
        _ if fetched.exhausted => None,
        // No window went upstream: every matching record was fetched.
        None => Some(matched),
        // The upstream applied the whole filter and the window. A short window means we
        // saw the end; otherwise the upstream's own total (exact: everything was pushed).
        Some(w) => match w.limit {
            None => Some(w.offset.saturating_add(matched)),
            Some(l) if matched < l => Some(w.offset.saturating_add(matched)),
            Some(_) => fetched.total,
        },
    };
    if let Some(e) = explain.as_mut() {
        e.requests = fetched.native_requests;
    }
    SourceReport {
        status: "ok",
        total,
        requests: fetched.requests,
        fetched: fetched.fetched,
        cached: 0,
        ms,
        partial: fetched.exhausted,
        reason: None,
        error: None,
        explain,
    }
}

fn error_report(e: &UpstreamError, ms: i64, explain: Option<Explain>) -> SourceReport {
    SourceReport {
        status: "error",
        total: None,
        requests: 0,
        fetched: 0,
        cached: 0,
        ms,
        partial: false,
        reason: None,
        error: Some(SourceError {
            code: e.code(),
            // Fail closed: a message that did not go through the upstream's redactor is
            // not shown.
            message: if e.is_redacted() {
                e.message.clone()
            } else {
                "(message withheld)".to_owned()
            },
            status: e.status,
        }),
        explain,
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Whether an upstream error means "nothing arrived in time".
pub fn is_timeout(e: &UpstreamError) -> bool {
    matches!(e.kind, UpstreamErrorKind::Timeout)
}

/// The planner's sort keys for the query's sort (paths as text).
pub fn sort_keys(sort: &[crate::query::SortKey]) -> Vec<SortField> {
    sort.iter()
        .map(|k| SortField {
            field: k.path.to_string(),
            desc: k.descending,
        })
        .collect()
}

/// Orders two records by the query's sort, then by id (the merge order).
pub fn merge_order(query: &QueryPlan<Record>, a: &Record, b: &Record) -> Ordering {
    query.compare(a, b).then_with(|| a.id.cmp(&b.id))
}
