//! Shared test support: adapters wired to the simulator (the fakes themselves are in
//! `flexedge::testkit`).
#![allow(dead_code)]

pub mod world;

use flexedge::model::Source;
use flexedge::sim::{SimConfig, Simulator};
use flexedge::testkit;
use flexedge::upstream::{AdapterConfig, AnyUpstream, Credentials};

/// Polls a future to completion ([`testkit::block_on`]).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    testkit::block_on(f)
}

/// Every secret the tests use, to check none leaks.
pub fn all_secrets() -> Vec<&'static str> {
    testkit::all_secrets()
}

/// The simulator's base URL as the adapters see it (the client ignores the host).
pub const BASE: &str = "http://sim.invalid";

/// 2026-05-01T00:00:00Z.
pub const NOW_MS: i64 = 1_777_593_600_000;

/// Valid simulator credentials for a source.
pub fn good_creds(s: Source) -> Credentials {
    testkit::good_creds(s, BASE)
}

/// Wrong credentials for a source.
pub fn bad_creds(s: Source) -> Credentials {
    testkit::bad_creds(s, BASE)
}

/// Credentials that authenticate but may not read (where the simulator has such a user).
pub fn unprivileged_creds(s: Source) -> Option<Credentials> {
    testkit::unprivileged_creds(s, BASE)
}

/// An adapter for `s` against the simulator.
pub fn adapter(s: Source, credentials: Credentials) -> AnyUpstream {
    AnyUpstream::build(
        s,
        &AdapterConfig {
            base_url: BASE.into(),
            credentials,
        },
    )
}

/// A simulator with `n` records per source and no GreenLake rate limit.
pub fn sim(seed: u64, n: usize) -> Simulator {
    Simulator::new(SimConfig {
        seed,
        records_per_source: n,
        rate_limit_per_minute: 0,
        ..SimConfig::default()
    })
}

/// The query parameters of a case in `tests/data/query_cases.json` (owned, as read).
#[derive(serde::Deserialize, Debug, Default, Clone)]
pub struct CaseParams {
    pub filter: Option<String>,
    pub sort: Option<String>,
    pub select: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
    pub group_by: Option<String>,
}

impl CaseParams {
    /// The parameters as the engine takes them.
    pub fn as_query(&self) -> flexedge::query::QueryParams<'_> {
        flexedge::query::QueryParams {
            filter: self.filter.as_deref(),
            sort: self.sort.as_deref(),
            select: self.select.as_deref(),
            offset: self.offset.as_deref(),
            limit: self.limit.as_deref(),
            group_by: self.group_by.as_deref(),
            aliases: &[],
        }
    }
}
