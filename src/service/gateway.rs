//! What every fan-out to the sources shares: the per-request limits ([`Limits`]), the
//! client wrapper that keeps at most [`MAX_IN_FLIGHT`] upstream fetches in flight and
//! counts each source's cache hits ([`Gate`], [`Counting`]), and the per-source report of
//! the envelope ([`SourceReport`]). The merge of the sources into pages is `paging`; the
//! full reads of transform and the look-ups of one record are here.
//!
//! Invariants (see DESIGN.md): the full filter is applied at the edge to whatever the
//! upstreams return, so pushdown can only save work, never change the answer; a source a
//! `source` predicate excludes gets no request; one failing source never fails the whole
//! answer unless the client asks for strictness; a total is reported only when it is known.
//!
//! Talks to upstreams only through [`HttpClient`] and waits only through [`Clock`]; imports
//! no `worker`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures_util::future::join_all;
use serde::Serialize;

use crate::model::{Record, Source};
use crate::query::Plan as QueryPlan;
use crate::upstream::{
    AnyUpstream, BypassCache, Clock, Found, Grouping, HttpClient, Ledger, PlanInput, Scanned,
    SortField, SourcePlan, Staged, TransportError, UpstreamError, UpstreamErrorKind,
};

/// The response header an [`HttpClient`] sets on an answer it served from a cache; the
/// gateway counts them per source (`cached` in the envelope).
pub const CACHE_HEADER: &str = "x-flexedge-cache";

/// The most upstream fetches of one client request in flight at once (the platform
/// allows six simultaneous outgoing connections per invocation); the rest queue.
pub const MAX_IN_FLIGHT: usize = 6;

/// Limits for one client request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Upstream subrequests per client request, across all sources: pages, read-ahead,
    /// retries, token calls, count calls and probes (`FLEXEDGE_MAX_SUBREQUESTS`; the
    /// Workers Free plan allows 50 per invocation).
    pub max_subrequests: u32,
    /// Milliseconds the whole request has, from its start, for every upstream call,
    /// retry and back-off (`FLEXEDGE_DEADLINE_MS`).
    pub deadline_ms: i64,
    /// Read a page ahead on upstreams that give no total (see [`crate::upstream::Budget`]).
    pub read_ahead: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_subrequests: 45,
            deadline_ms: 8_000,
            read_ahead: true,
        }
    }
}

impl Limits {
    /// The ledger of one client request started at `started` over the `involved` sources.
    pub fn ledger(&self, started: i64, involved: &[Source]) -> Ledger {
        Ledger::new(
            self.max_subrequests,
            started.saturating_add(self.deadline_ms),
            self.read_ahead,
            involved,
        )
    }
}

/// An [`HttpClient`] that lets at most a fixed number of requests be in flight at once;
/// the others wait their turn (a single-threaded semaphore: a finished request wakes the
/// waiters, each of which tries again, so a waiter given up on is simply forgotten). The
/// time a request waits for its turn comes off its timeout.
pub struct Gate<'a, C, K> {
    inner: &'a C,
    clock: &'a K,
    free: Cell<usize>,
    waiters: RefCell<Vec<Waker>>,
}

impl<'a, C: HttpClient, K: Clock> Gate<'a, C, K> {
    /// A gate over `inner` with `permits` places.
    pub fn new(inner: &'a C, clock: &'a K, permits: usize) -> Self {
        Gate {
            inner,
            clock,
            free: Cell::new(permits.max(1)),
            waiters: RefCell::new(Vec::new()),
        }
    }

    fn acquire(&self) -> Acquire<'_, 'a, C, K> {
        Acquire { gate: self }
    }
}

/// Waits for a place in a [`Gate`].
struct Acquire<'g, 'a, C, K> {
    gate: &'g Gate<'a, C, K>,
}

impl<'g, 'a, C, K> Future for Acquire<'g, 'a, C, K> {
    type Output = Permit<'g, 'a, C, K>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let free = self.gate.free.get();
        if free > 0 {
            self.gate.free.set(free - 1);
            Poll::Ready(Permit { gate: self.gate })
        } else {
            self.gate.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// A place in a [`Gate`], given back when dropped.
struct Permit<'g, 'a, C, K> {
    gate: &'g Gate<'a, C, K>,
}

impl<C, K> Drop for Permit<'_, '_, C, K> {
    fn drop(&mut self) {
        self.gate.free.set(self.gate.free.get().saturating_add(1));
        let waiters = std::mem::take(&mut *self.gate.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}

impl<C: HttpClient, K: Clock> HttpClient for Gate<'_, C, K> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let _permit = self.acquire().await;
        self.inner.send(req).await
    }

    async fn send_within(
        &self,
        req: http::Request<Vec<u8>>,
        timeout_ms: u64,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let queued = self.clock.now_ms();
        let _permit = self.acquire().await;
        let waited = u64::try_from(self.clock.now_ms().saturating_sub(queued)).unwrap_or(0);
        match timeout_ms.checked_sub(waited).filter(|t| *t > 0) {
            Some(left) => self.inner.send_within(req, left).await,
            None => Err(TransportError::Timeout),
        }
    }
    fn settle(&self, staged: &[Staged], keep: bool) {
        self.inner.settle(staged, keep);
    }
}

/// One source's view of the client: counts its cache hits, marks its requests to bypass
/// the cache when a debug key asked, and collects the cache writes the client holds back
/// ([`Staged`]) so that they are settled by the adapter's verdict on what it read.
pub struct Counting<'a, C> {
    inner: &'a C,
    hits: Cell<u32>,
    bypass_cache: bool,
    staged: RefCell<Vec<Staged>>,
}

impl<'a, C: HttpClient> Counting<'a, C> {
    /// A counter over `inner`; `bypass_cache` marks every request [`BypassCache`].
    pub fn new(inner: &'a C, bypass_cache: bool) -> Self {
        Counting {
            inner,
            hits: Cell::new(0),
            bypass_cache,
            staged: RefCell::new(Vec::new()),
        }
    }

    /// The answers served from a cache so far.
    pub fn hits(&self) -> u32 {
        self.hits.get()
    }

    /// The verdict on what this source read since the last verdict: its held-back cache
    /// writes are kept only when every page was accepted (a 2xx that is a failure in its
    /// body, or that does not parse, fails the read and is never cached).
    pub fn settle_all(&self, keep: bool) {
        let staged = std::mem::take(&mut *self.staged.borrow_mut());
        if !staged.is_empty() {
            self.inner.settle(&staged, keep);
        }
    }

    fn mark(&self, req: &mut http::Request<Vec<u8>>) {
        if self.bypass_cache {
            req.extensions_mut().insert(BypassCache);
        }
    }

    fn count(&self, res: &Result<http::Response<Vec<u8>>, TransportError>) {
        if let Ok(r) = res {
            if r.headers().contains_key(CACHE_HEADER) {
                self.hits.set(self.hits.get().saturating_add(1));
            }
            if let Some(s) = r.extensions().get::<Staged>() {
                self.staged.borrow_mut().push(*s);
            }
        }
    }
}

impl<C: HttpClient> HttpClient for Counting<'_, C> {
    async fn send(
        &self,
        mut req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.mark(&mut req);
        let res = self.inner.send(req).await;
        self.count(&res);
        res
    }

    async fn send_within(
        &self,
        mut req: http::Request<Vec<u8>>,
        timeout_ms: u64,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.mark(&mut req);
        let res = self.inner.send_within(req, timeout_ms).await;
        self.count(&res);
        res
    }

    fn settle(&self, staged: &[Staged], keep: bool) {
        self.inner.settle(staged, keep);
    }
}

/// How one source answered.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// `ok`, `error` or `skipped`.
    pub status: &'static str,
    /// The source's number of matching records, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Page requests made (count calls and probes included).
    pub requests: u32,
    /// Every upstream call made for this source, as drawn from the request's budget:
    /// pages, read-ahead, retries, token calls, count calls and probes.
    pub subrequests: u32,
    /// Records received from the upstream (before the edge filter).
    pub fetched: u64,
    /// Upstream answers served from the edge cache.
    #[serde(skip_serializing_if = "is_zero")]
    pub cached: u32,
    /// Milliseconds from the start of the request to this source's last answer.
    pub ms: i64,
    /// The source could not give all it had for this page (budget, deadline, or an
    /// error after some pages): the page is short or, with `partial=allow`, unsorted
    /// beyond what was read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Why the source was skipped, or why it is partial.
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

impl From<&UpstreamError> for SourceError {
    fn from(e: &UpstreamError) -> Self {
        SourceError {
            code: e.code(),
            // Fail closed: a message that did not go through the upstream's redactor is
            // not shown.
            message: if e.is_redacted() {
                e.message.clone()
            } else {
                "(message withheld)".to_owned()
            },
            status: e.status,
        }
    }
}

/// Explain output for one source.
#[derive(Debug, Clone, Serialize)]
pub struct Explain {
    /// The planner's description: each conjunct's pushdown and the native query.
    pub plan: String,
    /// Each top-level conjunct of the filter: `exact`, `inexact` or `edge-only` for this
    /// source, what was sent for it, and why.
    pub conjuncts: Vec<ExplainedConjunct>,
    /// Every page request made.
    pub requests: Vec<String>,
    /// The filter the edge re-applies to this source's records (canonical text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residual: Option<String>,
    /// Whether the sort went upstream.
    #[serde(rename = "sortPushed")]
    pub sort_pushed: bool,
    /// How a transform's groups were made where the vendor made them (its group-by
    /// call and the count calls); absent where the edge grouped the records it read.
    #[serde(rename = "groupBy", skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
}

/// One conjunct in [`Explain`].
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedConjunct {
    /// The conjunct (canonical text).
    pub filter: String,
    /// `exact` (the vendor answers precisely it), `inexact` (a superset, re-checked at the
    /// edge) or `edge-only` (not sent).
    pub pushdown: &'static str,
    /// What was sent for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub native: Option<String>,
    /// Why.
    pub reason: &'static str,
}

impl SourceReport {
    /// A report for a source that answered, with nothing filled in yet.
    pub fn ok() -> Self {
        SourceReport {
            status: "ok",
            total: None,
            requests: 0,
            subrequests: 0,
            fetched: 0,
            cached: 0,
            ms: 0,
            partial: false,
            reason: None,
            error: None,
            explain: None,
        }
    }

    /// The report of a source that failed.
    pub fn failed(e: &UpstreamError) -> Self {
        SourceReport {
            status: "error",
            error: Some(e.into()),
            ..SourceReport::ok()
        }
    }
}

/// A report for a source the request did not ask.
pub fn skipped(reason: impl Into<String>) -> SourceReport {
    SourceReport {
        status: "skipped",
        reason: Some(reason.into()),
        ..SourceReport::ok()
    }
}

/// The per-source answers of a request, and what they add up to.
pub struct Outcome {
    /// Every matching record from every source that answered.
    pub records: Vec<Record>,
    /// Per source, in canonical order.
    pub sources: Vec<(Source, SourceReport)>,
    /// The number of matching records across the sources that answered, when known.
    pub total: Option<u64>,
    /// Groups a vendor counted itself (value, records), for sources whose records were
    /// not read ([`read_all`] with a group-by path); empty otherwise.
    pub counted: Vec<(Option<String>, u64)>,
}

impl Outcome {
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

/// A source whose records cannot all be read within the budget, for the
/// `query.sort.needs_scan` problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanNeed {
    /// The source.
    pub source: &'static str,
    /// The records its upstream matches for the pushed filter, when it told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
    /// Records read before the budget ended, when it was read.
    pub read: u64,
    /// The upstream calls a full read takes, when known.
    #[serde(rename = "callsNeeded", skip_serializing_if = "Option::is_none")]
    pub calls: Option<u64>,
}

impl ScanNeed {
    /// The need of a full read of `source` that stopped short.
    pub fn of(source: Source, scanned: &Scanned, max_page: u32) -> ScanNeed {
        ScanNeed {
            source: source.as_str(),
            records: scanned.total,
            read: scanned.fetched,
            calls: scanned
                .total
                .map(|t| t.div_ceil(u64::from(max_page.max(1))).max(1)),
        }
    }
}

/// One source's full read, when it was in milliseconds, and its cache hits.
type Answered = (Result<Scanned, UpstreamError>, i64, u32);

/// What a full read of every source gives, or which sources do not fit the budget.
pub type FullRead = Result<Outcome, Vec<ScanNeed>>;

/// Each upstream with its plan, and the sources that are not pruned (the budget's
/// involved sources), in the order given.
pub fn plans_for<'u>(
    upstreams: &[&'u AnyUpstream],
    input: &PlanInput,
    pushdown: bool,
) -> (Vec<(&'u AnyUpstream, SourcePlan)>, Vec<Source>) {
    let plans: Vec<(&AnyUpstream, SourcePlan)> = upstreams
        .iter()
        .map(|u| (*u, plan_for(u, input, pushdown)))
        .collect();
    let involved = plans
        .iter()
        .filter(|(_, p)| !p.pruned)
        .map(|(u, _)| u.source())
        .collect();
    (plans, involved)
}

/// The plan of `u` for `input`. With `pushdown=false` nothing goes upstream (every
/// conjunct, the sort and the window stay at the edge): the plan is made for an input
/// without them, and its residual is the whole filter.
pub fn plan_for(u: &AnyUpstream, input: &PlanInput, pushdown: bool) -> SourcePlan {
    if pushdown {
        return u.plan(input);
    }
    let bare = PlanInput {
        conjuncts: Vec::new(),
        sort: Vec::new(),
        offset: 0,
        limit: None,
        ..input.clone()
    };
    let mut plan = u.plan(&bare);
    if !plan.pruned {
        plan.residual_filter = input.filter();
        plan.window = None;
    }
    plan
}

/// Whether the plan's stream holds exactly the matching records (nothing stays at the
/// edge), so that raw positions and counts are positions and counts of matches.
pub fn exact(plan: &SourcePlan) -> bool {
    plan.residual_filter.is_none()
}

/// The explain output of a source's plan (its requests are filled in later).
pub fn explain_of(
    u: &AnyUpstream,
    plan: &SourcePlan,
    input: &PlanInput,
    pushdown: bool,
) -> Explain {
    let conjuncts = plan
        .conjuncts
        .iter()
        .map(|c| {
            let (pushdown, native, reason) = if pushdown {
                (c.pushdown.as_str(), c.native.clone(), c.reason)
            } else {
                ("edge-only", None, "pushdown=false: nothing is sent")
            };
            ExplainedConjunct {
                filter: c.text.clone(),
                pushdown,
                native,
                reason,
            }
        })
        .collect();
    Explain {
        plan: u.explain(plan),
        conjuncts,
        requests: Vec::new(),
        residual: if pushdown {
            plan.residual_text()
        } else {
            filter_text(input)
        },
        sort_pushed: plan.sort_pushed,
        group_by: None,
    }
}

fn filter_text(input: &PlanInput) -> Option<String> {
    let parts: Vec<String> = input
        .conjuncts
        .iter()
        .map(|c| format!("({})", c.text))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
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

/// Reads every matching record of every source within the budget (transform): sources
/// whose size the upstream tells first, then the others. A source that cannot be read
/// completely is a [`ScanNeed`] unless `partial_ok`, when its report says `partial`.
/// With `group` (a transform's one group-by path, pushdown on), a source whose vendor
/// groups that path itself for fewer calls gives its groups ([`Outcome::counted`])
/// instead of its records.
#[allow(clippy::too_many_arguments)]
pub async fn read_all<C: HttpClient, K: Clock>(
    client: &C,
    clock: &K,
    limits: Limits,
    upstreams: &[&AnyUpstream],
    query: &QueryPlan<Record>,
    input: &PlanInput,
    group: Option<&str>,
    pushdown: bool,
    explain: bool,
    partial_ok: bool,
    no_cache: bool,
) -> FullRead {
    let started = clock.now_ms();
    let (plans, involved) = plans_for(upstreams, input, pushdown);
    let ledger = limits.ledger(started, &involved);
    let gate = Gate::new(client, clock, MAX_IN_FLIGHT);
    let mut answers: Vec<Option<Answered>> = plans.iter().map(|_| None).collect();
    // Sources that can tell their size first: their claims decide before the others read.
    for sized in [true, false] {
        let reads = plans
            .iter()
            .enumerate()
            .filter(|(_, (u, p))| !p.pruned && u.can_count() == sized)
            .map(|(i, (u, plan))| {
                let (gate, ledger) = (&gate, &ledger);
                async move {
                    let counting = Counting::new(gate, no_cache);
                    let spend = ledger.spend(u.source());
                    let grouped = match group.filter(|_| pushdown && exact(plan)) {
                        Some(path) => u.group_counts(&counting, clock, plan, path, spend).await,
                        None => Ok(Grouping::Edge { asked: Vec::new() }),
                    };
                    let r = match (grouped, crate::upstream::residual(plan)) {
                        (Err(e), _) | (_, Err(e)) => Err(e),
                        (Ok(Grouping::Vendor(g)), _) => Ok(Scanned::of_groups(g)),
                        (Ok(Grouping::Edge { asked }), Ok(res)) => u
                            .scan(&counting, clock, plan, &res, spend, partial_ok)
                            .await
                            .map(|mut s| {
                                // The calls that decided to read are requests too.
                                s.requests.splice(0..0, asked);
                                s
                            }),
                    };
                    counting.settle_all(r.is_ok());
                    (
                        i,
                        r,
                        clock.now_ms().saturating_sub(started),
                        counting.hits(),
                    )
                }
            });
        for (i, r, ms, hits) in join_all(reads).await {
            if let Some(slot) = answers.get_mut(i) {
                *slot = Some((r, ms, hits));
            }
        }
        let needs: Vec<ScanNeed> = plans
            .iter()
            .zip(&answers)
            .filter_map(|((u, _), a)| match a {
                Some((Ok(s), _, _)) if !s.complete && !partial_ok => {
                    Some(ScanNeed::of(u.source(), s, u.max_page()))
                }
                _ => None,
            })
            .collect();
        if !needs.is_empty() {
            return Err(needs);
        }
    }
    let mut records = Vec::new();
    let mut counted = Vec::new();
    let mut sources = Vec::with_capacity(plans.len());
    let mut total = Some(0u64);
    for ((u, plan), answer) in plans.iter().zip(answers) {
        let mut explain_out = explain.then(|| explain_of(u, plan, input, pushdown));
        let Some((result, ms, hits)) = answer else {
            let mut r = skipped("the filter excludes this source");
            r.explain = explain_out;
            sources.push((u.source(), r));
            continue;
        };
        let mut report = match result {
            Ok(s) => {
                let before = records.len();
                records.extend(s.records.into_iter().filter(|r| query.matches(r)));
                let mut n = (records.len() - before) as u64;
                if let Some(g) = s.grouped {
                    n = n.saturating_add(g.total);
                    counted.extend(g.groups);
                    if let Some(e) = explain_out.as_mut() {
                        e.group_by = Some(g.how);
                    }
                }
                let mut r = SourceReport::ok();
                r.total = s.complete.then_some(n);
                r.partial = !s.complete;
                if r.partial {
                    r.reason = Some(format!(
                        "the budget of {} subrequests ended before the whole source was read",
                        ledger.limit()
                    ));
                }
                r.requests = u32::try_from(s.requests.len()).unwrap_or(u32::MAX);
                r.fetched = s.fetched;
                if let Some(e) = explain_out.as_mut() {
                    e.requests = s.requests;
                }
                total = total.zip(r.total).map(|(a, b)| a.saturating_add(b));
                r
            }
            Err(e) => SourceReport::failed(&e),
        };
        report.subrequests = ledger.used(u.source());
        report.ms = ms;
        report.cached = hits;
        report.explain = explain_out;
        sources.push((u.source(), report));
    }
    Ok(Outcome {
        records,
        sources,
        total,
        counted,
    })
}

/// What a look-up of one record gives.
pub struct Looked {
    /// What the upstream said.
    pub found: Result<Found, UpstreamError>,
    /// The calls it took.
    pub subrequests: u32,
}

/// Finds the record `id` of `u` with the vendor's own look-up, within the request's
/// budget and deadline (`no_cache`: bypass the edge cache, a debug key's `no-cache`).
pub async fn look_up<C: HttpClient, K: Clock>(
    client: &C,
    clock: &K,
    limits: Limits,
    u: &AnyUpstream,
    plan: &SourcePlan,
    id: &str,
    no_cache: bool,
) -> Looked {
    let ledger = limits.ledger(clock.now_ms(), &[u.source()]);
    let gate = Gate::new(client, clock, MAX_IN_FLIGHT);
    let counting = Counting::new(&gate, no_cache);
    let found = u
        .find(&counting, clock, plan, ledger.spend(u.source()), id)
        .await;
    counting.settle_all(found.is_ok());
    Looked {
        found,
        subrequests: ledger.used(u.source()),
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
pub fn merge_order(query: &QueryPlan<Record>, a: &Record, b: &Record) -> std::cmp::Ordering {
    query.compare(a, b).then_with(|| a.id.cmp(&b.id))
}
