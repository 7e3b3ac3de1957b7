//! Configuration from the Worker's `[vars]` and secrets, read through a lookup function so
//! that it is platform-free. Secrets are wrapped in [`Secret`] and kept out of `Debug`.
//!
//! | name | kind | meaning |
//! |---|---|---|
//! | `HPE_FLEX_BASE_URL`, `FNO_ORDERS_BASE_URL`, `FNO_ENTITLEMENTS_BASE_URL`, `TELECOMX_BASE_URL` | var | a source's base URL (`http(s)://host[:port][/prefix]`, no credentials, query or fragment); absent = the embedded simulator when `FLEXEDGE_SIMULATOR=on`, else the source is `not_configured` |
//! | `FLEXEDGE_SIMULATOR` | var | `on`: sources without a base URL run on the embedded simulator (set by `make dev` and the tests, never in `wrangler.toml`); `off` or absent: they are not configured |
//! | `HPE_FLEX_TOKEN_URL` | var | GreenLake token endpoint (default `https://sso.common.cloud.hpe.com/as/token.oauth2`) |
//! | `HPE_FLEX_CLIENT_ID`, `HPE_FLEX_CLIENT_SECRET` | secret | GreenLake API client |
//! | `FNO_USERNAME` + `FNO_PASSWORD`, or `FNO_TOKEN` | secret | FNO entitlementOrders (Basic or Bearer) |
//! | `FNO_ENTITLEMENTS_TOKEN` (falls back to `FNO_TOKEN`) | secret | FNO Entitlements API (Beta) |
//! | `TELECOMX_USERNAME`, `TELECOMX_PASSWORD` | secret | TelecomX API user |
//! | `FLEXEDGE_API_KEYS` | secret | client keys and scopes (see `auth`) |
//! | `FLEXEDGE_CORS_ORIGINS` | var | `*` or a comma-separated list of origins |
//! | `FLEXEDGE_TOKEN_SECRET` | secret | the key of the `next` tokens' HMAC; list routes answer `config.invalid` without it |
//! | `FLEXEDGE_DEADLINE_MS` | var | the one total deadline of a request, shared by every upstream page, token call, retry and back-off (default 8000) |
//! | `FLEXEDGE_MAX_SUBREQUESTS` | var | upstream subrequests per client request across all sources: pages, read-ahead, retries, token, count and probe calls (default 45, under the Workers Free plan's 50) |
//! | `FLEXEDGE_READ_AHEAD` | var | `true`/`false`: on upstreams with no total, request the next page with this one (default `true`) |
//! | `FLEXEDGE_CACHE_TTL` | var | seconds upstream answers stay in the edge cache (default 30; 0 = off) |
//! | `FLEXEDGE_SIM_RECORDS`, `FLEXEDGE_SIM_SEED` | var | size and seed of the embedded simulator (default 500, 1) |
//! | `FLEXEDGE_MAX_UPSTREAM_BYTES` | var | the largest upstream body read, in bytes (default 8 MiB; 64 KiB to 64 MiB); a larger one is `upstream.too_large` |
//! | `FLEXEDGE_BREAKER_FAILURES` | var | consecutive failed fetches of a source that open its circuit (default 5; 0 = no breaker) |
//! | `FLEXEDGE_BREAKER_COOLDOWN_MS` | var | how long an open circuit answers `upstream.circuit_open` before one probe (default 30000) |
//!
//! The configuration fails closed: a setting that is present but not valid (a number that
//! does not parse, a base URL that is not one, an unknown `FLEXEDGE_SIMULATOR` value, and
//! the key list: see `auth`) is listed in [`Config::problems`], and the service then
//! answers `/v1/*` with a 500 `config.invalid` problem naming the setting (never its
//! value) and `/health` says `degraded`.

use serde::Serialize;

use crate::model::Source;
use crate::upstream::{Credentials, Secret};

use super::gateway::Limits;
use super::http_util::Cors;

/// Where a source's answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceMode {
    /// The embedded in-process simulator (no network; only with `FLEXEDGE_SIMULATOR=on`).
    Simulated,
    /// A real (or mock) upstream reached over HTTP.
    Remote,
    /// No base URL and no simulator: the source answers `source.not_configured`.
    NotConfigured,
}

/// A setting that is present but not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The setting's name.
    pub setting: &'static str,
    /// What is wrong with it (never its value).
    pub detail: String,
}

/// The circuit breaker's settings (see `breaker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Consecutive failed fetches that open a source's circuit; 0 = no breaker.
    pub failures: u32,
    /// Milliseconds an open circuit stays open before one probe is let through.
    pub cooldown_ms: i64,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            failures: 5,
            cooldown_ms: 30_000,
        }
    }
}

/// The largest upstream body read by default (8 MiB: a 100-record page is 60–360 KiB).
pub const DEFAULT_MAX_UPSTREAM_BYTES: u64 = 8 * 1024 * 1024;

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
    /// `FLEXEDGE_TOKEN_SECRET`: signs the continuation tokens (a secret).
    pub token_secret: Option<Secret>,
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
    /// The largest upstream body the HTTP client reads, in bytes.
    pub max_upstream_bytes: u64,
    /// The circuit breaker per source.
    pub breaker: BreakerSettings,
    /// Settings present but not valid (the service fails closed on any).
    pub problems: Vec<ConfigProblem>,
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

/// How a checked setting must be spelled.
#[derive(Clone, Copy)]
enum Kind {
    /// A whole number (`FLEXEDGE_DEADLINE_MS=2500`).
    Count,
    /// `true` or `false`.
    Bool,
    /// `*`, or a comma-separated list of origins (`https://app.example`).
    Origins,
}

/// The numeric and boolean settings: present and not of their form is a
/// [`ConfigProblem`] (a setting added to [`Config`] belongs here too).
const CHECKED_SETTINGS: [(&str, Kind); 10] = [
    ("FLEXEDGE_MAX_SUBREQUESTS", Kind::Count),
    ("FLEXEDGE_DEADLINE_MS", Kind::Count),
    ("FLEXEDGE_READ_AHEAD", Kind::Bool),
    ("FLEXEDGE_CACHE_TTL", Kind::Count),
    ("FLEXEDGE_SIM_RECORDS", Kind::Count),
    ("FLEXEDGE_SIM_SEED", Kind::Count),
    ("FLEXEDGE_MAX_UPSTREAM_BYTES", Kind::Count),
    ("FLEXEDGE_BREAKER_FAILURES", Kind::Count),
    ("FLEXEDGE_BREAKER_COOLDOWN_MS", Kind::Count),
    ("FLEXEDGE_CORS_ORIGINS", Kind::Origins),
];

/// Whether `o` is a web origin: `http(s)://host[:port]`, nothing after (a trailing `/`
/// is tolerated, as [`Cors::parse`] drops it).
fn is_origin(o: &str) -> bool {
    let o = o.strip_suffix('/').unwrap_or(o);
    let Some((scheme, rest)) = o.split_once("://") else {
        return false;
    };
    matches!(scheme, "https" | "http")
        && !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
}

/// Why a base URL is not one flexedge will send credentials to, if it is not.
fn check_base_url(url: &str) -> Result<(), &'static str> {
    let uri: http::Uri = url.parse().map_err(|_| "not a URL")?;
    if !matches!(uri.scheme_str(), Some("https" | "http")) {
        return Err("must start with https:// (or http:// for a local mock)");
    }
    let Some(authority) = uri.authority() else {
        return Err("has no host");
    };
    if authority.as_str().contains('@') {
        return Err("must not carry credentials (set them as secrets)");
    }
    if authority.host().is_empty() {
        return Err("has no host");
    }
    if uri.query().is_some() || url.contains('#') {
        return Err("must not have a query or a fragment");
    }
    Ok(())
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
    /// A source with no base URL there runs on the embedded simulator when
    /// `FLEXEDGE_SIMULATOR=on`, with the base URL and credentials `embedded` gives as the
    /// same variables (the edge, the tests and the benchmarks pass the simulator's; this
    /// module knows nothing of the simulator); otherwise it is not configured.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        embedded: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let lookup: &dyn Fn(&str) -> Option<String> =
            &|n| lookup(n).filter(|v| !v.trim().is_empty());
        let embedded: &dyn Fn(&str) -> Option<String> = &embedded;
        let mut problems = Vec::new();
        let simulator = match lookup("FLEXEDGE_SIMULATOR").as_deref().map(str::trim) {
            None | Some("off") => false,
            Some("on") => true,
            Some(_) => {
                problems.push(ConfigProblem {
                    setting: "FLEXEDGE_SIMULATOR",
                    detail: "must be `on` or `off`".to_owned(),
                });
                false
            }
        };
        let sources = Source::ALL
            .into_iter()
            .map(|source| {
                let var = base_url_var(source);
                let (mode, vars) = match lookup(var) {
                    Some(url) => {
                        if let Err(why) = check_base_url(url.trim()) {
                            problems.push(ConfigProblem {
                                setting: var,
                                detail: why.to_owned(),
                            });
                        }
                        (SourceMode::Remote, lookup)
                    }
                    None if simulator => (SourceMode::Simulated, embedded),
                    None => (SourceMode::NotConfigured, lookup),
                };
                let url = vars(var).unwrap_or_default();
                SourceConfig {
                    source,
                    mode,
                    base_url: url.trim().trim_end_matches('/').to_owned(),
                    credentials: credentials(source, vars),
                }
            })
            .collect();
        for (name, kind) in CHECKED_SETTINGS {
            if let Some(v) = lookup(name) {
                let v = v.trim();
                let ok = match kind {
                    Kind::Count => v.parse::<u64>().is_ok(),
                    Kind::Bool => matches!(v, "true" | "false"),
                    Kind::Origins => v == "*" || v.split(',').all(|o| is_origin(o.trim())),
                };
                if !ok {
                    problems.push(ConfigProblem {
                        setting: name,
                        detail: match kind {
                            Kind::Count => "must be a whole number",
                            Kind::Bool => "must be `true` or `false`",
                            Kind::Origins => {
                                "must be `*` or a comma-separated list of origins (`https://host[:port]`)"
                            }
                        }
                        .to_owned(),
                    });
                }
            }
        }
        let defaults = Limits::default();
        let breaker = BreakerSettings::default();
        Config {
            sources,
            api_keys: lookup("FLEXEDGE_API_KEYS").map(Secret::new),
            token_secret: lookup("FLEXEDGE_TOKEN_SECRET").map(Secret::new),
            cors: Cors::parse(lookup("FLEXEDGE_CORS_ORIGINS").as_deref()),
            limits: Limits {
                max_subrequests: number(
                    lookup,
                    "FLEXEDGE_MAX_SUBREQUESTS",
                    defaults.max_subrequests,
                )
                .clamp(1, 10_000),
                deadline_ms: number(lookup, "FLEXEDGE_DEADLINE_MS", defaults.deadline_ms)
                    .clamp(1, 60_000),
                read_ahead: number(lookup, "FLEXEDGE_READ_AHEAD", defaults.read_ahead),
            },
            cache_ttl_s: number(lookup, "FLEXEDGE_CACHE_TTL", 30u32).min(86_400),
            sim_records: number(lookup, "FLEXEDGE_SIM_RECORDS", 500usize),
            sim_seed: number(lookup, "FLEXEDGE_SIM_SEED", 1u64),
            max_upstream_bytes: number(
                lookup,
                "FLEXEDGE_MAX_UPSTREAM_BYTES",
                DEFAULT_MAX_UPSTREAM_BYTES,
            )
            .clamp(64 * 1024, 64 * 1024 * 1024),
            breaker: BreakerSettings {
                failures: number(lookup, "FLEXEDGE_BREAKER_FAILURES", breaker.failures),
                cooldown_ms: number(lookup, "FLEXEDGE_BREAKER_COOLDOWN_MS", breaker.cooldown_ms)
                    .clamp(100, 3_600_000),
            },
            problems,
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
    fn the_simulator_runs_only_when_switched_on() {
        let c = cfg(&[("FLEXEDGE_SIMULATOR", "on")]);
        assert!(c.sources.iter().all(|s| s.mode == SourceMode::Simulated));
        assert!(c
            .sources
            .iter()
            .all(|s| s.base_url == "http://embedded.test"));
        assert_eq!(c.limits, Limits::default());
        assert_eq!(c.cache_ttl_s, 30);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        // Not switched on (as `wrangler deploy` leaves it): nothing is simulated.
        for off in [&[][..], &[("FLEXEDGE_SIMULATOR", "off")][..]] {
            let c = cfg(off);
            assert!(c
                .sources
                .iter()
                .all(|s| s.mode == SourceMode::NotConfigured));
            assert!(!c.uses_simulator());
        }
        // Only some base URLs set: the others are not configured, never simulated.
        let c = cfg(&[("HPE_FLEX_BASE_URL", "https://gl.example")]);
        let modes: Vec<_> = c.sources.iter().map(|s| s.mode).collect();
        assert_eq!(
            modes,
            [
                SourceMode::Remote,
                SourceMode::NotConfigured,
                SourceMode::NotConfigured,
                SourceMode::NotConfigured
            ]
        );
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
        let c = cfg(&[("FLEXEDGE_TOKEN_SECRET", "token-secret-value")]);
        assert_eq!(
            c.token_secret.as_ref().map(Secret::expose),
            Some("token-secret-value")
        );
        assert!(!format!("{c:?}").contains("token-secret-value"));
    }

    #[test]
    fn settings_that_do_not_parse_are_problems_named_without_their_value() {
        let c = cfg(&[
            ("FLEXEDGE_MAX_SUBREQUESTS", "lots"),
            ("FLEXEDGE_CACHE_TTL", "-3"),
            ("FLEXEDGE_READ_AHEAD", "sometimes"),
            ("FLEXEDGE_SIMULATOR", "yes"),
            ("FLEXEDGE_CORS_ORIGINS", "app.example"),
            ("TELECOMX_BASE_URL", "https://user:pw-value@tx.example"),
            ("FNO_ORDERS_BASE_URL", "ftp://fno.example"),
            ("HPE_FLEX_BASE_URL", "https://gl.example/?token=abc"),
        ]);
        let named: Vec<_> = c.problems.iter().map(|p| p.setting).collect();
        assert_eq!(
            named,
            [
                "FLEXEDGE_SIMULATOR",
                "HPE_FLEX_BASE_URL",
                "FNO_ORDERS_BASE_URL",
                "TELECOMX_BASE_URL",
                "FLEXEDGE_MAX_SUBREQUESTS",
                "FLEXEDGE_READ_AHEAD",
                "FLEXEDGE_CACHE_TTL",
                "FLEXEDGE_CORS_ORIGINS",
            ]
        );
        for p in &c.problems {
            assert!(
                !p.detail.contains("pw-value") && !p.detail.contains("lots"),
                "{p:?}"
            );
        }
        // The values themselves still fall back to the defaults.
        assert_eq!(c.limits.max_subrequests, Limits::default().max_subrequests);
        assert_eq!(
            cfg(&[("FLEXEDGE_MAX_SUBREQUESTS", "0")])
                .limits
                .max_subrequests,
            1
        );
        assert_eq!(c.cache_ttl_s, 30);
        assert!(c.limits.read_ahead);
        let ok = cfg(&[
            ("FLEXEDGE_READ_AHEAD", "false"),
            (
                "FLEXEDGE_CORS_ORIGINS",
                "https://a.example, http://127.0.0.1:8080/",
            ),
            ("HPE_FLEX_BASE_URL", "http://127.0.0.1:8851/prefix/"),
        ]);
        assert!(!ok.limits.read_ahead);
        assert!(ok.problems.is_empty(), "{:?}", ok.problems);
        assert_eq!(ok.sources[0].base_url, "http://127.0.0.1:8851/prefix");
    }
}
