//! The shared fetch machinery, written once for every vendor: the [`Vendor`] trait a
//! vendor folder implements, the exchange (credentials, retry on 429/5xx honouring
//! `Retry-After` within a deadline, one credential refresh), and the page walker with a
//! per-request budget of upstream calls, which requests two pages at once where the
//! upstream gives no total (see `Adapter::read_ahead`).
//!
//! It talks HTTP only through [`HttpClient`] and waits only through [`Clock`]. It imports
//! no `worker`, no wasm and no `std::time`.

use std::sync::Arc;

use futures_util::future::join;

use crate::filter::Filter;
use crate::model::{Record, RecordSchema, Source};

use super::auth::Authenticator;
use super::error::{redact, UpstreamError, UpstreamErrorKind};
use super::http::{Clock, HttpClient, NativeRequest};
use crate::upstream::pushdown::{PlanInput, SourcePlan};

/// Limits for one fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Page requests this fetch may make (retries and token calls are not counted here,
    /// but are bounded by the deadline and by four attempts per page).
    pub max_calls: u32,
    /// Epoch ms after which no new request is started (retries included).
    pub deadline_ms: i64,
    /// Request the next page together with this one where an upstream gives no total
    /// (one round trip for two pages; the read-ahead is wasted at most once per walk).
    pub read_ahead: bool,
}

/// Attempts per page request (the first try plus retries on 429/5xx/timeouts).
pub const MAX_ATTEMPTS: u32 = 4;

/// Where a walk continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cursor {
    /// The next record offset (offset/limit upstreams).
    Offset(u64),
    /// The next page (page-numbered upstreams; the number's base is the vendor's). The
    /// page size is part of the cursor: pages only line up at a fixed size. A size of 0
    /// from a vendor's first cursor means "pick one".
    Page {
        /// Page number.
        number: u64,
        /// Page size.
        size: u32,
    },
}

impl Cursor {
    /// The record offset a cursor stands at (a page cursor: its number × its size, for
    /// 0-based pages).
    pub fn offset(self) -> u64 {
        match self {
            Cursor::Offset(o) => o,
            Cursor::Page { number, size } => number.saturating_mul(u64::from(size)),
        }
    }

    /// The page number a cursor stands at, for pages numbered from `first` of `size`
    /// records (an offset cursor: the page holding that offset).
    pub fn page(self, first: u64, size: u32) -> u64 {
        match self {
            Cursor::Page { number, .. } => number,
            Cursor::Offset(o) => o / u64::from(size.max(1)) + first,
        }
    }
}

/// How an upstream pages: by record offset, or by page number (pages only line up at a
/// fixed size, so a walk that starts at an offset drops records locally).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paging {
    /// `offset`/`limit`.
    Offset,
    /// Numbered pages; `first` is the number of the first page (0 or 1).
    Page {
        /// The first page's number.
        first: u64,
    },
}

/// A 2xx answer's status and body, or why there is none.
type Answer = Result<(u16, Vec<u8>), UpstreamError>;

/// Per-call context for normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormCtx {
    /// The fetch time, for statuses derived from dates (`expired`).
    pub now_ms: i64,
    /// Keep the vendor's original object in `raw`.
    pub include_raw: bool,
}

/// One page as a vendor parsed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The normalized records, in the upstream's order.
    pub records: Vec<Record>,
    /// The vendor's count of all matching records, when it gives one.
    pub total: Option<u64>,
    /// The number of records the vendor put on the page (before normalization).
    pub count: u64,
}

/// What a fetch returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fetched {
    /// Records that satisfy the whole filter (residual applied), in upstream order,
    /// after the pushed window if one was pushed.
    pub records: Vec<Record>,
    /// Page requests made.
    pub requests: u32,
    /// All HTTP calls made (pages, retries, token fetches).
    pub http_calls: u32,
    /// Records received from the upstream before the residual.
    pub fetched: u64,
    /// The budget ran out before the source was exhausted: `records` is incomplete.
    pub exhausted: bool,
    /// Where to continue (set exactly when `exhausted`).
    pub next: Option<Cursor>,
    /// The vendor's total of matching records, when known (counts the pushed filter only).
    pub total: Option<u64>,
    /// Every page request made, described for explain (no secrets).
    pub native_requests: Vec<String>,
}

/// What a vendor folder implements; everything else is shared, and the defaults cover
/// what most upstreams do (pages of up to 100 by offset, with a total).
pub(crate) trait Vendor {
    /// The source id.
    fn source(&self) -> Source;
    /// The largest page the upstream serves.
    fn max_page(&self) -> u32 {
        100
    }
    /// How the upstream pages.
    fn paging(&self) -> Paging {
        Paging::Offset
    }
    /// The pushdown planner (the folder's `dialect.rs`).
    fn plan(&self, input: &PlanInput) -> SourcePlan;
    /// The first cursor of a walk for `plan`, and how many records to drop locally from
    /// its start (page-numbered upstreams cannot skip to an arbitrary offset). The
    /// default follows [`Vendor::paging`]: the pushed offset, or the first page and the
    /// offset dropped locally (a page size of 0 means "pick one").
    fn start(&self, plan: &SourcePlan) -> (Cursor, u64) {
        let offset = plan.window.map_or(0, |w| w.offset);
        match self.paging() {
            Paging::Offset => (Cursor::Offset(offset), 0),
            Paging::Page { first } => (
                Cursor::Page {
                    number: first,
                    size: 0,
                },
                offset,
            ),
        }
    }
    /// The request for one page.
    fn request(&self, base: &str, plan: &SourcePlan, cursor: Cursor, size: u32) -> NativeRequest;
    /// Parses a 2xx body (the folder's `wire.rs` + `normalize.rs`).
    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError>;
    /// Classifies a non-2xx response from its body.
    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError;
    /// Whether a page says how many records match. Without a total a walk ends only at a
    /// short page, and the walker reads a page ahead. The default: offset pages carry a
    /// total, numbered pages do not (true of the four upstreams).
    fn has_total(&self) -> bool {
        self.paging() == Paging::Offset
    }
    /// The cursor after a page at `cursor` of `size` that held `count` items, or `None`
    /// at the end. The default follows the kind of cursor: offsets until `total`
    /// (or a short page when there is no total), pages until a short page.
    fn next(&self, cursor: Cursor, size: u32, count: u64, total: Option<u64>) -> Option<Cursor> {
        if count == 0 || count < u64::from(size) {
            return None;
        }
        match cursor {
            Cursor::Offset(o) => {
                let n = o.saturating_add(count);
                match total {
                    Some(t) if n >= t => None,
                    _ => Some(Cursor::Offset(n)),
                }
            }
            Cursor::Page { number, size } => Some(Cursor::Page {
                number: number.saturating_add(1),
                size,
            }),
        }
    }
}

/// One upstream: a vendor, its base URL and its credentials.
#[derive(Debug)]
pub(crate) struct Adapter<V> {
    /// The vendor dialect.
    pub(crate) vendor: V,
    base: String,
    /// Shared with sibling adapters of the same upstream (one token cache).
    auth: Arc<Authenticator>,
}

impl<V: Vendor> Adapter<V> {
    /// An adapter for `vendor` at `base` with `auth`.
    pub fn new(vendor: V, base: &str, auth: Authenticator) -> Self {
        Adapter {
            vendor,
            base: base.trim_end_matches('/').to_owned(),
            auth: Arc::new(auth),
        }
    }

    /// An adapter for another resource of the same upstream (GreenLake devices beside
    /// orders): same base URL, and the same credentials and token cache, so both
    /// resources spend one token.
    pub fn sibling<W: Vendor>(&self, vendor: W) -> Adapter<W> {
        Adapter {
            vendor,
            base: self.base.clone(),
            auth: Arc::clone(&self.auth),
        }
    }

    /// The base URL (for requests built outside the page walker: writes, `client::write`).
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The credentials (shared with sibling adapters).
    pub(crate) fn authenticator(&self) -> &Authenticator {
        &self.auth
    }

    /// The page walker over this adapter: the vendor seen through `dyn Vendor`, so the
    /// walk, the exchange and the retries exist once in the Worker, not once per vendor.
    pub(crate) fn walker(&self) -> Walker<'_> {
        Walker {
            vendor: &self.vendor,
            base: &self.base,
            auth: &self.auth,
        }
    }
}

/// An adapter as the page walker sees it (see [`Adapter::walker`]).
pub(crate) struct Walker<'a> {
    vendor: &'a dyn Vendor,
    base: &'a str,
    auth: &'a Authenticator,
}

impl Walker<'_> {
    /// The first native request the plan makes (for explain), or `None` when pruned.
    pub(crate) fn first_request(&self, plan: &SourcePlan) -> Option<NativeRequest> {
        if plan.pruned {
            return None;
        }
        let (c, skip) = self.start(plan);
        let size = self.size_for(plan, c, skip, 0);
        Some(self.vendor.request(self.base, plan, c, size))
    }

    fn start(&self, plan: &SourcePlan) -> (Cursor, u64) {
        match self.vendor.start(plan) {
            (Cursor::Page { number, size: 0 }, skip) => {
                let size = page_size(self.vendor.max_page(), plan, skip, 0);
                (Cursor::Page { number, size }, skip)
            }
            other => other,
        }
    }

    fn size_for(&self, plan: &SourcePlan, c: Cursor, skip: u64, have: u64) -> u32 {
        match c {
            Cursor::Page { size, .. } => size.clamp(1, self.vendor.max_page().max(1)),
            Cursor::Offset(_) => page_size(self.vendor.max_page(), plan, skip, have),
        }
    }

    /// Walks the upstream's pages for `plan` within `budget`, keeping the records that
    /// satisfy the plan's residual. `resume` continues a previous walk.
    pub(crate) async fn fetch<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        budget: Budget,
        resume: Option<Cursor>,
    ) -> Result<Fetched, UpstreamError> {
        let mut out = Fetched::default();
        let residual = match &plan.residual_filter {
            Some(e) => Some(
                Filter::<Record>::new(e, RecordSchema::default(), plan.now_ms).map_err(|e| {
                    UpstreamError::new(
                        self.vendor.source(),
                        UpstreamErrorKind::BadRequest,
                        None,
                        format!("the residual filter does not check: {}", e.message),
                    )
                })?,
            ),
            None => None,
        };
        let keep = |r: &Record| residual.as_ref().is_none_or(|f| f.matches(r));
        if plan.pruned || plan.window.is_some_and(|w| w.limit == Some(0)) {
            return Ok(out);
        }
        let (first, skip0) = self.start(plan);
        let (mut cursor, mut skip) = match resume {
            Some(c) => (c, 0),
            None => (first, skip0),
        };
        let want = plan.window.and_then(|w| w.limit);
        let deadline = budget.deadline_ms;
        // The page read ahead of `cursor` (see `read_ahead`), answered or failed.
        let mut ahead: Option<(Cursor, Answer)> = None;
        loop {
            // A filled window is a complete answer: the caller asks again with a new
            // offset rather than resuming (the rest of the last page was not kept).
            let have = out.records.len() as u64;
            if want.is_some_and(|w| have >= w) {
                return Ok(out);
            }
            let size = self.size_for(plan, cursor, skip, have);
            let answer = match ahead.take() {
                Some((c, answer)) if c == cursor => answer,
                _ => {
                    if out.requests >= budget.max_calls {
                        out.exhausted = true;
                        out.next = Some(cursor);
                        return Ok(out);
                    }
                    let req = self.vendor.request(self.base, plan, cursor, size);
                    out.requests += 1;
                    out.native_requests.push(req.describe());
                    match self.read_ahead(budget, &out, cursor, size, skip, want) {
                        None => {
                            self.exchange(client, clock, &req, deadline, &mut out.http_calls)
                                .await
                        }
                        Some(c2) => {
                            let req2 = self.vendor.request(self.base, plan, c2, size);
                            out.requests += 1;
                            out.native_requests.push(req2.describe());
                            let mut calls2 = 0;
                            let (first, second) = join(
                                self.exchange(client, clock, &req, deadline, &mut out.http_calls),
                                self.exchange(client, clock, &req2, deadline, &mut calls2),
                            )
                            .await;
                            out.http_calls = out.http_calls.saturating_add(calls2);
                            ahead = Some((c2, second));
                            first
                        }
                    }
                }
            };
            let (status, body) = answer?;
            let page = self.vendor.parse(
                status,
                &body,
                NormCtx {
                    now_ms: plan.now_ms,
                    include_raw: plan.include_raw,
                },
            )?;
            out.fetched = out.fetched.saturating_add(page.count);
            if page.total.is_some() {
                out.total = page.total;
            }
            for r in page.records {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if want.is_some_and(|w| out.records.len() as u64 >= w) {
                    break;
                }
                if keep(&r) {
                    out.records.push(r);
                }
            }
            match self.vendor.next(cursor, size, page.count, page.total) {
                Some(n) => cursor = n,
                None => return Ok(out),
            }
        }
    }

    /// The page to request together with the one at `cursor`, if any. An upstream whose
    /// pages carry no total ends only at a short page, so a walk that needs the page after
    /// this one whenever this one is full asks for both at once: one round trip instead of
    /// two. The read-ahead is wasted only when this page turns out to be the last (one
    /// extra request per walk at most), and it stays inside the budget.
    fn read_ahead(
        &self,
        budget: Budget,
        out: &Fetched,
        cursor: Cursor,
        size: u32,
        skip: u64,
        want: Option<u64>,
    ) -> Option<Cursor> {
        let full = u64::from(size).saturating_sub(skip);
        let needs_more = want.is_none_or(|w| (out.records.len() as u64).saturating_add(full) < w);
        if !budget.read_ahead
            || self.vendor.has_total()
            || !needs_more
            || out.requests.saturating_add(1) > budget.max_calls
        {
            return None;
        }
        self.vendor.next(cursor, size, u64::from(size), None)
    }

    /// Sends one request with credentials, retrying 429/5xx/timeouts within the deadline
    /// and refreshing credentials once. Returns the 2xx status and body.
    async fn exchange<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        req: &NativeRequest,
        deadline: i64,
        calls: &mut u32,
    ) -> Answer {
        let source = self.vendor.source();
        let mut refreshed = false;
        let mut attempt: u32 = 0;
        // Bounded: each turn either returns or consumes an attempt or the one refresh.
        for _ in 0..(MAX_ATTEMPTS + 2) {
            if clock.now_ms() >= deadline {
                return Err(UpstreamError::new(
                    source,
                    UpstreamErrorKind::Timeout,
                    None,
                    "the request deadline passed",
                ));
            }
            let header = self.auth.header(client, clock, calls).await?;
            let headers: Vec<_> = header.into_iter().collect();
            let http_req = req.to_http(&headers).map_err(|_| {
                UpstreamError::new(
                    source,
                    UpstreamErrorKind::BadRequest,
                    None,
                    "could not build the upstream request",
                )
            })?;
            *calls = calls.saturating_add(1);
            attempt += 1;
            let failure = match client.send(http_req).await {
                Err(e) => UpstreamError::transport(source, &e),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    if resp.status().is_success() {
                        self.auth.touch(clock.now_ms());
                        return Ok((status, resp.into_body()));
                    }
                    if self.auth.is_auth_failure(status) && !refreshed {
                        refreshed = true;
                        self.auth.invalidate();
                        attempt -= 1;
                        continue;
                    }
                    let retry_after = retry_after(resp.headers());
                    let mut e = self.vendor.error(status, resp.body(), retry_after);
                    let secrets = self.auth.secrets();
                    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
                    e.message = redact(&e.message, &refs);
                    if let UpstreamErrorKind::VendorFailure { reason } = &mut e.kind {
                        *reason = redact(reason, &refs);
                    }
                    e
                }
            };
            let retryable = matches!(
                failure.kind,
                UpstreamErrorKind::RateLimited { .. }
                    | UpstreamErrorKind::Server
                    | UpstreamErrorKind::Timeout
                    | UpstreamErrorKind::Transport
            ) && failure.status.is_none_or(|s| s == 429 || s >= 500);
            if !retryable || attempt >= MAX_ATTEMPTS {
                return Err(failure);
            }
            let wait_ms = match failure.kind {
                UpstreamErrorKind::RateLimited {
                    retry_after: Some(s),
                } => s.saturating_mul(1000),
                _ => 200u64.saturating_mul(1 << attempt.min(5)),
            };
            let wake = clock
                .now_ms()
                .saturating_add(i64::try_from(wait_ms).unwrap_or(i64::MAX));
            if wake >= deadline {
                return Err(failure);
            }
            clock.sleep_ms(wait_ms).await;
        }
        Err(UpstreamError::new(
            source,
            UpstreamErrorKind::Server,
            None,
            "retries exhausted",
        ))
    }
}

/// The page size for the next request: the vendor maximum, or less when the pushed
/// window needs fewer records.
fn page_size(max: u32, plan: &SourcePlan, skip: u64, have: u64) -> u32 {
    match plan.window.and_then(|w| w.limit) {
        Some(l) => {
            let need = l.saturating_sub(have).saturating_add(skip).max(1);
            u32::try_from(need.min(u64::from(max))).unwrap_or(max)
        }
        None => max,
    }
}

/// `Retry-After` in seconds (the delta-seconds form), or `X-RateLimit-Reset`.
pub(crate) fn retry_after(h: &http::HeaderMap) -> Option<u64> {
    ["retry-after", "x-ratelimit-reset", "ratelimit-reset"]
        .iter()
        .find_map(|n| h.get(*n)?.to_str().ok()?.trim().parse::<u64>().ok())
}
