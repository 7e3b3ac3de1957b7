//! Upstream adapters: the shared client machinery, a pushdown planner, and one folder per
//! vendor holding only what differs.
//!
//! - `client/` (its public types are re-exported here): the [`HttpClient`]/[`Clock`] seam, credentials
//!   and token caches, [`UpstreamError`], vendor date forms, the `Vendor` trait a folder
//!   implements (with defaults for paging and page size), the exchange (retry on 429/5xx
//!   honouring `Retry-After` within a deadline, one credential refresh) and the page
//!   walker with a budget, and the helpers that read vendor bodies.
//! - [`pushdown`]: the filter split into conjuncts, each recognised as a predicate over
//!   one normalized field, and the planning skeleton the dialects fill in; arrows
//!   `plan` → `recognise` → `pred`, no cycles.
//! - One folder per vendor (`hpe_flex`, `fno_orders`, `fno_entitlements`,
//!   `telecomx_flexcare`), the same private files in each: `wire.rs` (typed serde
//!   structs), `normalize.rs` (wire → [`Record`], with the status
//!   mapping), `dialect.rs` (which conjuncts go upstream, exactly or as a superset, and
//!   how) and `mod.rs` (the one type the folder exports: its `Vendor` impl, with paths,
//!   parameters and error bodies). Adding a fifth upstream is one folder plus one
//!   [`AnyUpstream`] case. GreenLake's second resource (devices) is a second value of
//!   the same type, sharing the credentials and token cache ([`AnyUpstream::devices`]).
//!
//! This module talks HTTP only through [`HttpClient`]; it imports no `worker`, no wasm
//! and no `std::time`, and nothing of the simulator.

mod client;
pub mod pushdown;

mod fno_entitlements;
mod fno_orders;
mod hpe_flex;
mod telecomx_flexcare;

pub use client::{
    budget_exhausted, residual, Budget, BypassCache, Call, Chunk, Clock, Credentials, Cursor,
    Fetched, Found, Grouped, Grouping, HttpClient, Ledger, NormCtx, Page, Position, Redactor,
    Residual, Scanned, Secret, Spend, Staged, TransportError, UpstreamError, UpstreamErrorKind,
    WriteFailure, MAX_ATTEMPTS, RESERVE,
};
pub use pushdown::{PlanInput, SortField, SourcePlan};

use crate::model::{Record, Source};
use client::auth::Authenticator;
use client::{Adapter, Vendor};
use fno_entitlements::FnoEntitlements;
use fno_orders::FnoOrders;
use hpe_flex::HpeFlex;
use telecomx_flexcare::TelecomxFlexcare;

/// Where one upstream lives and how to authenticate to it: what an adapter is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterConfig {
    /// Base URL (scheme + host [+ prefix]), without a trailing slash.
    pub base_url: String,
    /// Credentials.
    pub credentials: Credentials,
}

/// Which resource of the API an adapter serves: the records of `/v1/orders` or of
/// `/v1/devices`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collection {
    /// Orders, line items and entitlements (all four sources).
    Orders,
    /// GreenLake devices (`hpe_flex` only).
    Devices,
}

impl Collection {
    /// The sources that serve this collection, in canonical order.
    pub const fn sources(self) -> &'static [Source] {
        match self {
            Collection::Orders => &Source::ALL,
            Collection::Devices => &[Source::HpeFlex],
        }
    }

    /// `orders` or `devices`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Collection::Orders => "orders",
            Collection::Devices => "devices",
        }
    }
}

/// A write operation of an upstream (today those of the FNO Entitlements API (Beta)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOp<'a> {
    /// Create an entitlement with its line items.
    CreateEntitlement,
    /// Add line items to the entitlement of this id.
    AddLineItems(&'a str),
    /// Add maintenance line items to the entitlement of this id.
    AddMaintenanceLineItems(&'a str),
}

/// What the vendor said a successful write did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WriteAnswer {
    /// The entitlement created (when the vendor says; the document does not promise it).
    pub entitlement_id: Option<String>,
    /// The activation ids of the lines written, in order (generated ones included).
    pub activation_ids: Vec<String>,
}

/// One upstream adapter, any vendor (a closed set, so the gateway can hold them in one
/// `Vec` and fan out over them with one future type).
#[derive(Debug)]
pub struct AnyUpstream(Any);

#[derive(Debug)]
enum Any {
    HpeFlex(Adapter<HpeFlex>),
    FnoOrders(Adapter<FnoOrders>),
    FnoEntitlements(Adapter<FnoEntitlements>),
    TelecomxFlexcare(Adapter<TelecomxFlexcare>),
}

/// Runs `$e` with `$a` bound to the adapter, whatever its vendor.
macro_rules! each {
    ($self:ident, $a:ident => $e:expr) => {
        match &$self.0 {
            Any::HpeFlex($a) => $e,
            Any::FnoOrders($a) => $e,
            Any::FnoEntitlements($a) => $e,
            Any::TelecomxFlexcare($a) => $e,
        }
    };
}

impl AnyUpstream {
    /// Builds the (orders) adapter for `source` from its configuration.
    pub fn build(source: Source, cfg: &AdapterConfig) -> AnyUpstream {
        let auth = Authenticator::new(source, &cfg.base_url, cfg.credentials.clone());
        let base = cfg.base_url.as_str();
        AnyUpstream(match source {
            Source::HpeFlex => Any::HpeFlex(Adapter::new(HpeFlex::Orders, base, auth)),
            Source::FnoOrders => Any::FnoOrders(Adapter::new(FnoOrders, base, auth)),
            Source::FnoEntitlements => {
                Any::FnoEntitlements(Adapter::new(FnoEntitlements, base, auth))
            }
            Source::TelecomxFlexcare => {
                Any::TelecomxFlexcare(Adapter::new(TelecomxFlexcare, base, auth))
            }
        })
    }

    /// The devices adapter beside this one, when its upstream has devices (GreenLake):
    /// same base URL, credentials and token cache.
    pub fn devices(&self) -> Option<AnyUpstream> {
        match &self.0 {
            Any::HpeFlex(a) if a.vendor == HpeFlex::Orders => {
                Some(AnyUpstream(Any::HpeFlex(a.sibling(HpeFlex::Devices))))
            }
            _ => None,
        }
    }

    /// Which collection this adapter serves.
    pub fn collection(&self) -> Collection {
        match &self.0 {
            Any::HpeFlex(a) if a.vendor == HpeFlex::Devices => Collection::Devices,
            _ => Collection::Orders,
        }
    }

    /// Which source this is.
    pub fn source(&self) -> Source {
        each!(self, a => a.vendor.source())
    }

    /// Splits the query into what goes upstream and what stays at the edge.
    pub fn plan(&self, input: &PlanInput) -> SourcePlan {
        each!(self, a => a.vendor.plan(input))
    }

    /// Human-readable plan with the first native request (no secrets).
    pub fn explain(&self, plan: &SourcePlan) -> String {
        let mut s = plan.to_string();
        if let Some(r) = each!(self, a => a.walker()).first_request(plan) {
            s.push_str("  first request: ");
            s.push_str(&r.describe());
            s.push('\n');
        }
        s
    }

    /// Fetches the records satisfying the plan's filter (the residual is re-applied here),
    /// walking pages within `budget`; `resume` continues from a previous `Fetched::next`.
    pub async fn fetch<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        budget: Budget,
        resume: Option<Cursor>,
    ) -> Result<Fetched, UpstreamError> {
        // One walker for every vendor (`dyn Vendor`): the walk is in the Worker once. The
        // one place an upstream error is redacted (and only then cut): every configured
        // secret and live token of this upstream, in every form.
        let walker = each!(self, a => a.walker());
        walker
            .fetch(client, clock, plan, budget, resume)
            .await
            .map_err(|e| walker.redactor().error(e))
    }

    /// Whether this upstream numbers its pages (a walk then keeps one page size, carried
    /// in [`Position::page_size`]); `false` for offset upstreams.
    pub fn numbered_pages(&self) -> bool {
        each!(self, a => a.vendor.paging() != client::Paging::Offset)
    }

    /// The largest page this upstream serves.
    pub fn max_page(&self) -> u32 {
        each!(self, a => client::Vendor::max_page(&a.vendor))
    }

    /// Whether this upstream can tell in one call how many records a query matches
    /// (a page with a total, or a count call).
    pub fn can_count(&self) -> bool {
        each!(self, a => client::Vendor::counts(&a.vendor))
    }

    /// The start of a walk of `plan` whose pages should each hold about `share` matching
    /// records.
    pub fn start(&self, plan: &SourcePlan, share: u64) -> Position {
        Position {
            index: 0,
            page_size: each!(self, a => a.walker()).walk_page_size(plan, share),
        }
    }

    /// Reads the stream of `plan` at `pos` (one page, or two with read-ahead, or one and
    /// a probe of whether another record follows it), paying from `spend`; `want` is how
    /// many matching records the caller hopes for.
    #[allow(clippy::too_many_arguments)]
    pub async fn read<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        residual: &Residual,
        spend: Spend<'_>,
        pos: Position,
        want: u64,
    ) -> Result<Chunk, UpstreamError> {
        // One walker for every vendor (`dyn Vendor`): the reads are in the Worker once.
        // Every error leaves redacted, as from `fetch`.
        let walker = each!(self, a => a.walker());
        let along = client::Along::NextPageOrEnd;
        walker
            .read_at(client, clock, plan, residual, spend, pos, want, along)
            .await
            .map_err(|e| walker.redactor().error(e))
    }

    /// How many raw records the pushed query of `plan` matches, in one call, where the
    /// vendor can tell.
    pub async fn count<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        spend: Spend<'_>,
    ) -> Result<Option<u64>, UpstreamError> {
        let walker = each!(self, a => a.walker());
        walker
            .count(client, clock, plan, spend)
            .await
            .map_err(|e| walker.redactor().error(e))
    }

    /// Whether the raw record at `index` of `plan`'s stream exists (one call).
    pub async fn exists<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        spend: Spend<'_>,
        index: u64,
    ) -> Result<bool, UpstreamError> {
        let walker = each!(self, a => a.walker());
        walker
            .exists(client, clock, plan, spend, index)
            .await
            .map_err(|e| walker.redactor().error(e))
    }

    /// Reads everything `plan` matches within the budget (see `scan` in `client/read.rs`).
    pub async fn scan<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        residual: &Residual,
        spend: Spend<'_>,
        partial_ok: bool,
    ) -> Result<Scanned, UpstreamError> {
        let walker = each!(self, a => a.walker());
        walker
            .scan(client, clock, plan, residual, spend, partial_ok)
            .await
            .map_err(|e| walker.redactor().error(e))
    }

    /// The groups of `path` under `plan` as the vendor counts them, where it can and that
    /// costs fewer calls than reading every record ([`Grouping::Edge`]: read and group at
    /// the edge; see `client/groups.rs`).
    pub async fn group_counts<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        path: &str,
        spend: Spend<'_>,
    ) -> Result<Grouping, UpstreamError> {
        let walker = each!(self, a => a.walker());
        walker
            .group_counts(client, clock, plan, path, spend)
            .await
            .map_err(|e| walker.redactor().error(e))
    }

    /// Finds the record with the global id `id` with the vendor's own look-up (`plan` is
    /// the list filtered by `id eq …`, read when the vendor has no better way).
    pub async fn find<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        spend: Spend<'_>,
        id: &str,
    ) -> Result<Found, UpstreamError> {
        let walker = each!(self, a => a.walker());
        walker
            .find(client, clock, plan, spend, id)
            .await
            .map_err(|e| walker.redactor().error(e))
    }

    /// Sends a write once (never retried, never cached) with a body the caller has
    /// validated, and reads the vendor's answer. An upstream without write operations
    /// refuses without sending anything.
    pub async fn write<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        op: &WriteOp<'_>,
        body: String,
        deadline_ms: i64,
    ) -> Result<WriteAnswer, WriteFailure> {
        let Any::FnoEntitlements(a) = &self.0 else {
            return Err(WriteFailure {
                error: UpstreamError::new(
                    self.source(),
                    UpstreamErrorKind::BadRequest,
                    None,
                    "this upstream has no write operations",
                ),
                sent: false,
            });
        };
        let req = fno_entitlements::write::request(a.base(), op, body);
        let (status, body) = a.send_once(client, clock, &req, deadline_ms).await?;
        fno_entitlements::write::answer(status, &body)
            .map_err(|error| WriteFailure { error, sent: true })
    }

    /// Reads back, normalized as a read would, the entitlement `entitlement_id` that holds
    /// the line `activation_id` (one request, not cached). `Ok(None)`: not listed.
    pub async fn read_back<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        entitlement_id: &str,
        activation_id: &str,
        deadline_ms: i64,
    ) -> Result<Option<Record>, UpstreamError> {
        let Any::FnoEntitlements(a) = &self.0 else {
            return Ok(None);
        };
        let req = fno_entitlements::write::read_back(a.base(), activation_id);
        let (status, body) = a
            .send_once(client, clock, &req, deadline_ms)
            .await
            .map_err(|f| f.error)?;
        let ctx = NormCtx {
            now_ms: clock.now_ms(),
            include_raw: false,
        };
        let page = a.vendor.parse(status, &body, ctx)?;
        Ok(fno_entitlements::write::pick(page.records, entitlement_id))
    }

    /// Parses one 2xx page of this upstream's list endpoint (wire types, normalization
    /// and `raw`), as a fetch does for every page.
    pub fn parse_page(
        &self,
        status: u16,
        body: &[u8],
        ctx: NormCtx,
    ) -> Result<Page, UpstreamError> {
        each!(self, a => a.vendor.parse(status, body, ctx).map_err(|e| a.walker().redactor().error(e)))
    }
}
