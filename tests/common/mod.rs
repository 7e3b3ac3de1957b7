//! Shared test support: a tiny executor and adapters wired to the simulator.
#![allow(dead_code)]

pub mod world;

use std::future::Future;
use std::task::{Context, Poll, Waker};

use flexedge::model::Source;
use flexedge::sim::{creds, SimConfig, Simulator};
use flexedge::upstream::{AnyUpstream, Credentials, Secret, SourceConfig};

/// Polls a future to completion. Our futures never wait on anything external (the
/// simulator answers synchronously and the clock is fake), so this is bounded.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future did not complete");
}

/// The simulator's base URL as the adapters see it (the client ignores the host).
pub const BASE: &str = "http://sim.invalid";

/// 2026-05-01T00:00:00Z.
pub const NOW_MS: i64 = 1_777_593_600_000;

/// Valid simulator credentials for a source.
pub fn good_creds(s: Source) -> Credentials {
    match s {
        Source::HpeFlex => Credentials::ClientCredentials {
            token_url: format!("{BASE}/as/token.oauth2"),
            client_id: creds::GREENLAKE_CLIENT_ID.into(),
            client_secret: Secret::new(creds::GREENLAKE_CLIENT_SECRET),
        },
        Source::FnoOrders => Credentials::Basic {
            username: creds::FNO_USER.into(),
            password: Secret::new(creds::FNO_PASSWORD),
        },
        Source::FnoEntitlements => Credentials::Bearer {
            token: Secret::new(creds::FNO_TOKEN),
        },
        Source::TelecomxFlexcare => Credentials::Login {
            username: creds::TELECOMX_ADMIN_USER.into(),
            password: Secret::new(creds::TELECOMX_ADMIN_PASSWORD),
        },
    }
}

/// Wrong credentials for a source.
pub fn bad_creds(s: Source) -> Credentials {
    match good_creds(s) {
        Credentials::ClientCredentials {
            token_url,
            client_id,
            ..
        } => Credentials::ClientCredentials {
            token_url,
            client_id,
            client_secret: Secret::new("wrong-secret"),
        },
        Credentials::Basic { username, .. } => Credentials::Basic {
            username,
            password: Secret::new("wrong-password"),
        },
        Credentials::Bearer { .. } => Credentials::Bearer {
            token: Secret::new("rna_0000wrong0000"),
        },
        Credentials::Login { username, .. } => Credentials::Login {
            username,
            password: Secret::new("wrong-password"),
        },
        Credentials::None => Credentials::None,
    }
}

/// Credentials that authenticate but may not read (where the simulator has such a user).
pub fn unprivileged_creds(s: Source) -> Option<Credentials> {
    match s {
        Source::HpeFlex => Some(Credentials::ClientCredentials {
            token_url: format!("{BASE}/as/token.oauth2"),
            client_id: creds::GREENLAKE_NOPERM_CLIENT_ID.into(),
            client_secret: Secret::new(creds::GREENLAKE_NOPERM_CLIENT_SECRET),
        }),
        Source::TelecomxFlexcare => Some(Credentials::Login {
            username: creds::TELECOMX_VIEWER_USER.into(),
            password: Secret::new(creds::TELECOMX_VIEWER_PASSWORD),
        }),
        _ => None,
    }
}

/// Every secret the tests use, to check none leaks.
pub fn all_secrets() -> Vec<&'static str> {
    vec![
        creds::GREENLAKE_CLIENT_SECRET,
        creds::GREENLAKE_NOPERM_CLIENT_SECRET,
        creds::FNO_PASSWORD,
        creds::FNO_TOKEN,
        creds::TELECOMX_ADMIN_PASSWORD,
        creds::TELECOMX_VIEWER_PASSWORD,
    ]
}

/// An adapter for `s` against the simulator.
pub fn adapter(s: Source, credentials: Credentials) -> AnyUpstream {
    AnyUpstream::build(
        s,
        &SourceConfig {
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
