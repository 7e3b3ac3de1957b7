//! Upstream adapters: one folder per vendor behind one trait, with pushdown.
//!
//! Each vendor folder (`hpe_flex`, `fno_orders`, `fno_entitlements`, `telecomx_flexcare`)
//! has the same files: `wire.rs` (typed serde structs), `normalize.rs` (wire → [`Record`](crate::model::Record),
//! with the status mapping), `dialect.rs` (pushdown: which conjuncts of the filter go
//! upstream, exactly or as a superset, and how) and `mod.rs` (the [`Vendor`] impl: paths,
//! paging, error bodies). The plumbing is written once: the [`HttpClient`]/[`Clock`] seam
//! ([`http`]), [`UpstreamError`] ([`error`]), credentials and token caches ([`auth`]),
//! retry and the page walker with a budget ([`fetch`]), planning ([`plan`]) and dates
//! ([`dates`]). Adding a fifth upstream is one folder plus one [`AnyUpstream`] variant.
//! A folder may hold a second resource of the same upstream as a second [`Vendor`]
//! (`hpe_flex` devices, [`Collection::Devices`]), built with [`Adapter::sibling`] so it
//! shares the credentials and token cache.
//!
//! This module talks HTTP only through [`HttpClient`]; it imports no `worker`, no wasm
//! and no `std::time`.

pub mod auth;
pub mod common;
pub mod conjuncts;
pub mod dates;
pub mod error;
pub mod fetch;
pub mod http;
pub mod plan;
pub mod sim_client;

pub mod fno_entitlements;
pub mod fno_orders;
pub mod hpe_flex;
pub mod telecomx_flexcare;

pub use auth::{Authenticator, Credentials, Secret};
pub use error::{UpstreamError, UpstreamErrorKind};
pub use fetch::{Adapter, Budget, Cursor, Fetched, Vendor};
pub use http::{Clock, HttpClient, NativeRequest, TransportError};
pub use plan::{Plan, PlanInput, Pushdown, SortKey};

use crate::model::Source;

/// One upstream as the gateway sees it.
#[allow(async_fn_in_trait)]
pub trait Upstream {
    /// Which source this is.
    fn source(&self) -> Source;
    /// Splits the query into what goes upstream and what stays at the edge.
    fn plan(&self, input: &PlanInput) -> Plan;
    /// Human-readable plan with the first native request (no secrets).
    fn explain(&self, plan: &Plan) -> String;
    /// Fetches the records satisfying the plan's filter (the residual is re-applied here),
    /// walking pages within `budget`; `resume` continues from a previous `Fetched::next`.
    async fn fetch<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &Plan,
        budget: Budget,
        resume: Option<Cursor>,
    ) -> Result<Fetched, UpstreamError>;
}

impl<V: Vendor> Upstream for Adapter<V> {
    fn source(&self) -> Source {
        self.vendor.source()
    }

    fn plan(&self, input: &PlanInput) -> Plan {
        self.vendor.plan(input)
    }

    fn explain(&self, plan: &Plan) -> String {
        let mut s = plan.to_string();
        if let Some(r) = self.first_request(plan) {
            s.push_str("  first request: ");
            s.push_str(&r.describe());
            s.push('\n');
        }
        s
    }

    async fn fetch<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &Plan,
        budget: Budget,
        resume: Option<Cursor>,
    ) -> Result<Fetched, UpstreamError> {
        Adapter::fetch(self, client, clock, plan, budget, resume).await
    }
}

/// Where one upstream lives and how to authenticate to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
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

/// Any of the adapters (a closed set, so the gateway can hold them in one `Vec`
/// and fan out over them with one future type).
#[derive(Debug)]
pub enum AnyUpstream {
    /// GreenLake Flex orders.
    HpeFlex(Adapter<hpe_flex::HpeFlex>),
    /// GreenLake Flex devices (shares the orders adapter's token cache when built with
    /// [`AnyUpstream::devices`]).
    HpeFlexDevices(Adapter<hpe_flex::HpeFlexDevices>),
    /// FNO entitlement orders.
    FnoOrders(Adapter<fno_orders::FnoOrders>),
    /// FNO Entitlements (Beta).
    FnoEntitlements(Adapter<fno_entitlements::FnoEntitlements>),
    /// TelecomX FlexCare.
    TelecomxFlexcare(Adapter<telecomx_flexcare::TelecomxFlexcare>),
}

impl AnyUpstream {
    /// The devices adapter beside this one, when its upstream has devices (GreenLake):
    /// same base URL, credentials and token cache.
    pub fn devices(&self) -> Option<AnyUpstream> {
        match self {
            AnyUpstream::HpeFlex(a) => Some(AnyUpstream::HpeFlexDevices(
                a.sibling(hpe_flex::HpeFlexDevices),
            )),
            _ => None,
        }
    }

    /// Which collection this adapter serves.
    pub fn collection(&self) -> Collection {
        match self {
            AnyUpstream::HpeFlexDevices(_) => Collection::Devices,
            _ => Collection::Orders,
        }
    }

    /// Builds the (orders) adapter for `source` from its configuration.
    pub fn build(source: Source, cfg: &SourceConfig) -> AnyUpstream {
        let auth = Authenticator::new(source, &cfg.base_url, cfg.credentials.clone());
        let base = cfg.base_url.as_str();
        match source {
            Source::HpeFlex => AnyUpstream::HpeFlex(Adapter::new(hpe_flex::HpeFlex, base, auth)),
            Source::FnoOrders => {
                AnyUpstream::FnoOrders(Adapter::new(fno_orders::FnoOrders, base, auth))
            }
            Source::FnoEntitlements => AnyUpstream::FnoEntitlements(Adapter::new(
                fno_entitlements::FnoEntitlements,
                base,
                auth,
            )),
            Source::TelecomxFlexcare => AnyUpstream::TelecomxFlexcare(Adapter::new(
                telecomx_flexcare::TelecomxFlexcare,
                base,
                auth,
            )),
        }
    }
}

macro_rules! each {
    ($self:ident, $a:ident => $e:expr) => {
        match $self {
            AnyUpstream::HpeFlex($a) => $e,
            AnyUpstream::HpeFlexDevices($a) => $e,
            AnyUpstream::FnoOrders($a) => $e,
            AnyUpstream::FnoEntitlements($a) => $e,
            AnyUpstream::TelecomxFlexcare($a) => $e,
        }
    };
}

impl Upstream for AnyUpstream {
    fn source(&self) -> Source {
        each!(self, a => a.vendor.source())
    }

    fn plan(&self, input: &PlanInput) -> Plan {
        each!(self, a => a.vendor.plan(input))
    }

    fn explain(&self, plan: &Plan) -> String {
        each!(self, a => Upstream::explain(a, plan))
    }

    async fn fetch<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &Plan,
        budget: Budget,
        resume: Option<Cursor>,
    ) -> Result<Fetched, UpstreamError> {
        each!(self, a => a.fetch(client, clock, plan, budget, resume).await)
    }
}
