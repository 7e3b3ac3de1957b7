//! Configuration from the Worker's `[vars]` and secrets, read through a lookup function so
//! that it is platform-free. Secrets are wrapped in [`Secret`] and kept out of `Debug`.
//!
//! | name | kind | meaning |
//! |---|---|---|
//! | `HPE_FLEX_BASE_URL`, `FNO_ORDERS_BASE_URL`, `FNO_ENTITLEMENTS_BASE_URL`, `TELECOMX_BASE_URL` | var | a source's base URL; absent = the embedded simulator |
//! | `HPE_FLEX_TOKEN_URL` | var | GreenLake token endpoint (default `https://sso.common.cloud.hpe.com/as/token.oauth2`) |
//! | `HPE_FLEX_CLIENT_ID`, `HPE_FLEX_CLIENT_SECRET` | secret | GreenLake API client |
//! | `FNO_USERNAME` + `FNO_PASSWORD`, or `FNO_TOKEN` | secret | FNO entitlementOrders (Basic or Bearer) |
//! | `FNO_ENTITLEMENTS_TOKEN` (falls back to `FNO_TOKEN`) | secret | FNO Entitlements API (Beta) |
//! | `TELECOMX_USERNAME`, `TELECOMX_PASSWORD` | secret | TelecomX API user |
//! | `FLEXEDGE_API_KEYS` | secret | client keys and scopes (see `auth`) |
//! | `FLEXEDGE_CORS_ORIGINS` | var | `*` or a comma-separated list of origins |
//! | `FLEXEDGE_DEADLINE_MS` | var | per-source deadline (default 8000) |
//! | `FLEXEDGE_MAX_CALLS` | var | page requests per source per client request (default 25) |
//! | `FLEXEDGE_READ_AHEAD` | var | `true`/`false`: on upstreams with no total, request the next page with this one (default `true`) |
//! | `FLEXEDGE_CACHE_TTL` | var | seconds upstream answers stay in the edge cache (default 30; 0 = off) |
//! | `FLEXEDGE_SIM_RECORDS`, `FLEXEDGE_SIM_SEED` | var | size and seed of the embedded simulator (default 500, 1) |

use serde::Serialize;

use crate::model::Source;
use crate::upstream::{Credentials, Secret};

use super::gateway::Limits;
use super::http_util::Cors;

/// Where a source's answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceMode {
    /// The embedded in-process simulator (no network).
    Simulated,
    /// A real (or mock) upstream reached over HTTP.
    Remote,
}

/// One upstream's configuration.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Which source.
    pub source: Source,
    /// Simulated or remote.
    pub mode: SourceMode,
    /// Base URL (the embedded simulator's when simulated).
    pub base_url: String,
    /// How to authenticate (secrets redacted in `Debug`).
    pub credentials: Credentials,
}

/// The whole service configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The configured sources, in canonical order.
    pub sources: Vec<SourceConfig>,
    /// The raw `FLEXEDGE_API_KEYS` value (a secret; parsed by the service).
    pub api_keys: Option<Secret>,
    /// CORS policy.
    pub cors: Cors,
    /// Deadline and budget per request.
    pub limits: Limits,
    /// Edge cache TTL for upstream answers, in seconds (0 = no caching).
    pub cache_ttl_s: u32,
    /// Records per source in the embedded simulator.
    pub sim_records: usize,
    /// Seed of the embedded simulator.
    pub sim_seed: u64,
}

/// The `[vars]` name holding a source's base URL.
pub fn base_url_var(source: Source) -> &'static str {
    match source {
        Source::HpeFlex => "HPE_FLEX_BASE_URL",
        Source::FnoOrders => "FNO_ORDERS_BASE_URL",
        Source::FnoEntitlements => "FNO_ENTITLEMENTS_BASE_URL",
        Source::TelecomxFlexcare => "TELECOMX_BASE_URL",
    }
}

/// A source's credentials from configuration variables (see the table above);
/// [`Credentials::None`] when they are not all there.
pub fn credentials(source: Source, lookup: &dyn Fn(&str) -> Option<String>) -> Credentials {
    let secret = |n: &str| lookup(n).map(Secret::new);
    match source {
        Source::HpeFlex => match (
            lookup("HPE_FLEX_CLIENT_ID"),
            secret("HPE_FLEX_CLIENT_SECRET"),
        ) {
            (Some(client_id), Some(client_secret)) => Credentials::ClientCredentials {
                token_url: lookup("HPE_FLEX_TOKEN_URL")
                    .unwrap_or_else(|| "https://sso.common.cloud.hpe.com/as/token.oauth2".into()),
                client_id,
                client_secret,
            },
            _ => Credentials::None,
        },
        Source::FnoOrders => match (
            lookup("FNO_USERNAME"),
            secret("FNO_PASSWORD"),
            secret("FNO_TOKEN"),
        ) {
            (Some(username), Some(password), _) => Credentials::Basic { username, password },
            (_, _, Some(token)) => Credentials::Bearer { token },
            _ => Credentials::None,
        },
        Source::FnoEntitlements => {
            match secret("FNO_ENTITLEMENTS_TOKEN").or_else(|| secret("FNO_TOKEN")) {
                Some(token) => Credentials::Bearer { token },
                None => Credentials::None,
            }
        }
        Source::TelecomxFlexcare => {
            match (lookup("TELECOMX_USERNAME"), secret("TELECOMX_PASSWORD")) {
                (Some(username), Some(password)) => Credentials::Login { username, password },
                _ => Credentials::None,
            }
        }
    }
}

fn number<T: std::str::FromStr>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> T {
    lookup(name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

impl Config {
    /// Builds the configuration from a variable lookup (Worker `Env`, process env, a map).
    /// A source with no base URL there runs on the embedded simulator, whose base URL and
    /// credentials `embedded` gives as the same variables (the edge, the tests and the
    /// benchmarks pass the simulator's; this module knows nothing of the simulator).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        embedded: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let lookup: &dyn Fn(&str) -> Option<String> =
            &|n| lookup(n).filter(|v| !v.trim().is_empty());
        let embedded: &dyn Fn(&str) -> Option<String> = &embedded;
        let sources = Source::ALL
            .into_iter()
            .map(|source| {
                let (mode, vars) = match lookup(base_url_var(source)) {
                    Some(_) => (SourceMode::Remote, lookup),
                    None => (SourceMode::Simulated, embedded),
                };
                let url = vars(base_url_var(source)).unwrap_or_default();
                SourceConfig {
                    source,
                    mode,
                    base_url: url.trim().trim_end_matches('/').to_owned(),
                    credentials: credentials(source, vars),
                }
            })
            .collect();
        let defaults = Limits::default();
        Config {
            sources,
            api_keys: lookup("FLEXEDGE_API_KEYS").map(Secret::new),
            cors: Cors::parse(lookup("FLEXEDGE_CORS_ORIGINS").as_deref()),
            limits: Limits {
                max_calls_per_source: number(
                    lookup,
                    "FLEXEDGE_MAX_CALLS",
                    defaults.max_calls_per_source,
                )
                .clamp(1, 1_000),
                deadline_ms: number(lookup, "FLEXEDGE_DEADLINE_MS", defaults.deadline_ms)
                    .clamp(1, 60_000),
                read_ahead: number(lookup, "FLEXEDGE_READ_AHEAD", defaults.read_ahead),
            },
            cache_ttl_s: number(lookup, "FLEXEDGE_CACHE_TTL", 30u32).min(86_400),
            sim_records: number(lookup, "FLEXEDGE_SIM_RECORDS", 500usize),
            sim_seed: number(lookup, "FLEXEDGE_SIM_SEED", 1u64),
        }
    }

    /// Whether any source runs on the embedded simulator.
    pub fn uses_simulator(&self) -> bool {
        self.sources.iter().any(|s| s.mode == SourceMode::Simulated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|n| map.get(n).cloned(), embedded)
    }

    /// A stand-in for the simulator's wiring: every base URL, nothing else.
    fn embedded(name: &str) -> Option<String> {
        name.ends_with("_BASE_URL")
            .then(|| "http://embedded.test".to_owned())
    }

    #[test]
    fn no_configuration_means_every_source_simulated() {
        let c = cfg(&[]);
        assert!(c.sources.iter().all(|s| s.mode == SourceMode::Simulated));
        assert!(c
            .sources
            .iter()
            .all(|s| s.base_url == "http://embedded.test"));
        assert_eq!(c.limits, Limits::default());
        assert_eq!(c.cache_ttl_s, 30);
    }

    #[test]
    fn a_base_url_makes_a_source_remote_with_its_secrets() {
        let c = cfg(&[
            ("FNO_ORDERS_BASE_URL", "https://flex1.example/ "),
            ("FNO_TOKEN", "rna_secret_value"),
            ("FLEXEDGE_DEADLINE_MS", "2500"),
        ]);
        let fno = &c.sources[1];
        assert_eq!(fno.mode, SourceMode::Remote);
        assert_eq!(fno.base_url, "https://flex1.example");
        assert!(matches!(fno.credentials, Credentials::Bearer { .. }));
        assert_eq!(c.limits.deadline_ms, 2500);
        let shown = format!("{c:?}");
        assert!(!shown.contains("rna_secret_value"), "{shown}");
    }

    #[test]
    fn nonsense_numbers_fall_back_to_defaults() {
        let c = cfg(&[("FLEXEDGE_MAX_CALLS", "lots"), ("FLEXEDGE_CACHE_TTL", "-3")]);
        assert_eq!(
            c.limits.max_calls_per_source,
            Limits::default().max_calls_per_source
        );
        assert_eq!(c.cache_ttl_s, 30);
        assert!(c.limits.read_ahead);
        let off = cfg(&[("FLEXEDGE_READ_AHEAD", "false")]);
        assert!(!off.limits.read_ahead);
        let junk = cfg(&[("FLEXEDGE_READ_AHEAD", "sometimes")]);
        assert!(junk.limits.read_ahead);
    }
}
