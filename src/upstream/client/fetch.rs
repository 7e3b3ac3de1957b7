//! The shared fetch machinery, written once for every vendor: the [`Vendor`] trait a
//! vendor folder implements, the [`Adapter`] that pairs a vendor with its base URL and
//! credentials, and the exchange: credentials, retries of 429/5xx/timeouts with jittered
//! back-off (honouring `Retry-After` only when it fits the deadline), one credential
//! refresh. Every call, retries and token calls included, is paid from the request's
//! [`Ledger`](super::budget::Ledger) and bounded by its one total deadline. Reading pages
//! at a stream position is `read`.
//!
//! It talks HTTP only through [`HttpClient`] and waits only through [`Clock`]. It imports
//! no `worker`, no wasm and no `std::time`.

use std::sync::Arc;

use crate::model::{Record, Source};

use super::auth::Authenticator;
use super::budget::Spend;
use super::error::{Redactor, UpstreamError, UpstreamErrorKind};
use super::http::{send_by, Clock, HttpClient, NativeRequest};
use crate::upstream::pushdown::{PlanInput, SourcePlan};

/// Limits for one [`fetch`](crate::upstream::AnyUpstream::fetch) on its own (the gateway
/// shares one [`Ledger`](super::budget::Ledger) across sources instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Upstream subrequests this fetch may make: pages, read-ahead, retries and token
    /// calls all count.
    pub max_calls: u32,
    /// Epoch ms after which no request starts and no answer is waited for.
    pub deadline_ms: i64,
    /// Request the next page together with this one where an upstream gives no total
    /// (one round trip for two pages; the read-ahead is wasted at most once per walk).
    pub read_ahead: bool,
}

/// Attempts per page request (the first try plus retries on 429/5xx/timeouts).
pub const MAX_ATTEMPTS: u32 = 4;

/// The first back-off before a retry, doubled for each further attempt.
const BACKOFF_MS: u64 = 200;

/// Where a walk continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cursor {
    /// The next record offset (offset/limit upstreams).
    Offset(u64),
    /// The next page (page-numbered upstreams; the number's base is the vendor's). The
    /// page size is part of the cursor: pages only line up at a fixed size.
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
/// fixed size, so a walk that starts inside a page drops records locally).
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
pub(crate) type Answer = Result<(u16, Vec<u8>), UpstreamError>;

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

/// One page of a vendor's distinct values of a field ([`Vendor::parse_keys`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keys {
    /// The values, as the vendor sent them.
    pub values: Vec<String>,
    /// How many distinct values the filter has in all, when the vendor told.
    pub total: Option<u64>,
}

/// How a vendor finds one record by its source id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Read the list filtered by `id eq …` (whatever of it the dialect pushes) until the
    /// record appears or the list ends.
    Filter,
    /// One GET of the record itself: a 2xx answer is the record
    /// ([`Vendor::parse_object`]), a 404 says it does not exist.
    Object(NativeRequest),
    /// A first GET whose answer narrows the list to a few records
    /// ([`Vendor::narrow`]); a 404 says the record does not exist.
    Narrow(NativeRequest),
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
    /// The smallest page the upstream accepts (GreenLake takes `limit=0`).
    fn min_page(&self) -> u32 {
        1
    }
    /// How the upstream pages.
    fn paging(&self) -> Paging {
        Paging::Offset
    }
    /// The pushdown planner (the folder's `dialect.rs`).
    fn plan(&self, input: &PlanInput) -> SourcePlan;
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
    /// Whether one call tells how many records a query matches
    /// ([`Vendor::count_request`]). The default: when pages carry a total.
    fn counts(&self) -> bool {
        self.has_total()
    }
    /// The one call that tells how many records the pushed query matches, when the
    /// vendor has one. The default: the smallest page of a list that carries a total.
    fn count_request(&self, base: &str, plan: &SourcePlan) -> Option<NativeRequest> {
        self.counts()
            .then(|| self.request(base, plan, Cursor::Offset(0), self.min_page()))
    }
    /// Reads the answer of [`Vendor::count_request`]. The default: the page's total.
    fn parse_count(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<u64, UpstreamError> {
        self.parse(status, body, ctx)?
            .total
            .ok_or_else(|| UpstreamError::malformed(self.source(), status, "no total"))
    }
    /// The vendor's own group-by for the normalized `path` under `plan`, when it has one
    /// whose groups are exactly the edge's (GreenLake's `orders/transform`): the native
    /// field. Its distinct values are listed by [`Vendor::keys_request`], and each value is
    /// counted by [`Vendor::key_count_request`] (read by [`Vendor::parse_count`]).
    /// The default: none (the edge groups what it reads).
    fn group_field(&self, plan: &SourcePlan, path: &str) -> Option<&'static str> {
        let _ = (plan, path);
        None
    }
    /// One page of the distinct values of `field` under `plan`'s filter.
    fn keys_request(
        &self,
        base: &str,
        plan: &SourcePlan,
        field: &str,
        offset: u64,
        size: u32,
    ) -> Option<NativeRequest> {
        let _ = (base, plan, field, offset, size);
        None
    }
    /// Reads the answer of [`Vendor::keys_request`]: the values as sent (blank ones
    /// included) and how many there are in all.
    fn parse_keys(&self, status: u16, body: &[u8], field: &str) -> Result<Keys, UpstreamError> {
        let _ = (body, field);
        Err(UpstreamError::malformed(
            self.source(),
            status,
            "no group-by endpoint",
        ))
    }
    /// The count call of `plan` narrowed to the records whose `field` is `key`.
    fn key_count_request(
        &self,
        base: &str,
        plan: &SourcePlan,
        field: &str,
        key: &str,
    ) -> Option<NativeRequest> {
        let _ = (base, plan, field, key);
        None
    }
    /// How to find the record whose source id is `source_id`.
    fn lookup(&self, base: &str, source_id: &str) -> Lookup {
        let _ = (base, source_id);
        Lookup::Filter
    }
    /// Reads the answer of a [`Lookup::Object`] request.
    fn parse_object(
        &self,
        status: u16,
        body: &[u8],
        ctx: NormCtx,
    ) -> Result<Record, UpstreamError> {
        let _ = (body, ctx);
        Err(UpstreamError::malformed(
            self.source(),
            status,
            "no single-record lookup",
        ))
    }
    /// Reads the answer of a [`Lookup::Narrow`] request into list parameters that narrow
    /// the list to the record (`None`: nothing to narrow by, read the filtered list).
    fn narrow(
        &self,
        status: u16,
        body: &[u8],
    ) -> Result<Option<Vec<(String, String)>>, UpstreamError> {
        let _ = body;
        Err(UpstreamError::malformed(
            self.source(),
            status,
            "no narrowing lookup",
        ))
    }
}

/// One upstream: a vendor, its base URL and its credentials.
#[derive(Debug)]
pub(crate) struct Adapter<V> {
    /// The vendor dialect.
    pub(crate) vendor: V,
    pub(crate) base: String,
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
    /// reads, the exchange and the retries exist once in the Worker, not once per vendor.
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
    pub(crate) vendor: &'a dyn Vendor,
    pub(crate) base: &'a str,
    auth: &'a Authenticator,
}

impl Walker<'_> {
    /// A redactor for this upstream's configured secrets and live tokens.
    pub(crate) fn redactor(&self) -> Redactor {
        self.auth.redactor()
    }

    /// Sends one request with credentials, retrying 429/5xx/timeouts (at most
    /// [`MAX_ATTEMPTS`] tries) with jittered exponential back-off, and refreshing
    /// credentials once. Every try and every token call is paid from `spend`; nothing
    /// starts or is waited for past its deadline. Returns the 2xx status and body.
    pub(crate) async fn exchange<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        req: &NativeRequest,
        spend: Spend<'_>,
    ) -> Answer {
        self.exchange_tries(client, clock, req, spend, MAX_ATTEMPTS)
            .await
    }

    /// [`exchange`](Self::exchange) with one try: for a speculative call whose failure
    /// costs nothing (the next read asks again), so it is not worth retries.
    pub(crate) async fn exchange_once<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        req: &NativeRequest,
        spend: Spend<'_>,
    ) -> Answer {
        self.exchange_tries(client, clock, req, spend, 1).await
    }

    async fn exchange_tries<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        req: &NativeRequest,
        spend: Spend<'_>,
        tries: u32,
    ) -> Answer {
        let source = self.vendor.source();
        let deadline = spend.deadline_ms();
        let mut refreshed = false;
        let mut attempt: u32 = 0;
        // The vendor's last failing answer: when the deadline cuts the retries short, it
        // says more than "the deadline passed" (what the vendor said, and its status).
        let mut last: Option<UpstreamError> = None;
        // Bounded: each turn either returns or consumes an attempt or the one refresh.
        for _ in 0..(MAX_ATTEMPTS + 2) {
            if clock.now_ms() >= deadline {
                return Err(last.map(cut_by_deadline).unwrap_or_else(|| {
                    UpstreamError::new(
                        source,
                        UpstreamErrorKind::Timeout,
                        None,
                        "the request deadline passed",
                    )
                }));
            }
            let header = self.auth.header(client, clock, spend).await?;
            let headers: Vec<_> = header.into_iter().collect();
            let http_req = req.to_http(&headers).map_err(|_| {
                UpstreamError::new(
                    source,
                    UpstreamErrorKind::BadRequest,
                    None,
                    "could not build the upstream request",
                )
            })?;
            spend.take()?;
            attempt += 1;
            let failure = match send_by(client, clock, http_req, deadline).await {
                Err(e) => match last.take() {
                    Some(prev) if clock.now_ms() >= deadline => return Err(cut_by_deadline(prev)),
                    _ => UpstreamError::transport(source, &e),
                },
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
                    // Redacted where the error leaves the adapter (`AnyUpstream::fetch`).
                    self.vendor.error(status, resp.body(), retry_after)
                }
            };
            let retryable = matches!(
                failure.kind,
                UpstreamErrorKind::RateLimited { .. }
                    | UpstreamErrorKind::Server
                    | UpstreamErrorKind::Timeout
                    | UpstreamErrorKind::Transport
            ) && failure.status.is_none_or(|s| s == 429 || s >= 500);
            if !retryable || attempt >= tries.min(MAX_ATTEMPTS) || spend.left() == 0 {
                return Err(failure);
            }
            let failure = last.insert(failure);
            let wait_ms = match failure.kind {
                UpstreamErrorKind::RateLimited {
                    retry_after: Some(s),
                } => s.saturating_mul(1000),
                _ => {
                    // Equal jitter: half the exponential step for sure, half at random.
                    let step = BACKOFF_MS.saturating_mul(1 << attempt.min(5));
                    step / 2 + clock.jitter_ms(step / 2)
                }
            };
            let wake = clock
                .now_ms()
                .saturating_add(i64::try_from(wait_ms).unwrap_or(i64::MAX));
            if wake >= deadline {
                return Err(failure.clone());
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

/// A vendor's failing answer whose retry the request's deadline cut short: the answer,
/// saying so (the vendor's own words stay first, where a client looks for them).
fn cut_by_deadline(mut e: UpstreamError) -> UpstreamError {
    e.message
        .push_str(" (not retried again: the request's deadline passed)");
    e
}

/// `Retry-After` in seconds (the delta-seconds form), or `X-RateLimit-Reset`.
pub(crate) fn retry_after(h: &http::HeaderMap) -> Option<u64> {
    ["retry-after", "x-ratelimit-reset", "ratelimit-reset"]
        .iter()
        .find_map(|n| h.get(*n)?.to_str().ok()?.trim().parse::<u64>().ok())
}
