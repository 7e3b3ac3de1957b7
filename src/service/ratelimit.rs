//! Per-key rate limits: the tiers a client key can be on, the [`RateLimiter`] seam the
//! platform implements (the Worker with the Workers Rate Limiting binding, one binding per
//! tier; tests with a fake on fake time), and the `429` problem with `Retry-After` and the
//! `RateLimit` / `RateLimit-Policy` fields of draft-ietf-httpapi-ratelimit-headers.
//!
//! A binding has one fixed limit and period (10 or 60 s), so a per-key override is a
//! choice among a few named tiers, each its own `[[ratelimits]]` binding in
//! `wrangler.toml`. A request is counted against its key's label (a non-secret name), so
//! the count survives a key rotation that keeps the label.
//!
//! Imports no `worker`.

use std::fmt;

use futures_util::future::LocalBoxFuture;
use http::header::{HeaderName, RETRY_AFTER};

use super::problem::Problem;

/// A rate-limit tier: one `[[ratelimits]]` binding with a fixed limit and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// 20 requests per 10 s: partners that need little, and the rate-limit tests.
    Low,
    /// 300 requests per 60 s: the default (a quick burst of a few hundred reaches it).
    Standard,
    /// 10,000 requests per 60 s: batch clients, the benchmarks and the schema tests.
    High,
}

impl Tier {
    /// Every tier.
    pub const ALL: [Tier; 3] = [Tier::Low, Tier::Standard, Tier::High];

    /// The name used in `FLEXEDGE_API_KEYS` (`rateLimit`) and in `RateLimit-Policy`.
    pub const fn name(self) -> &'static str {
        match self {
            Tier::Low => "low",
            Tier::Standard => "standard",
            Tier::High => "high",
        }
    }

    /// The tier called `name`.
    pub fn from_name(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The name of its Workers Rate Limiting binding (`[[ratelimits]]` in `wrangler.toml`).
    pub const fn binding(self) -> &'static str {
        match self {
            Tier::Low => "RATE_LIMIT_LOW",
            Tier::Standard => "RATE_LIMIT_STANDARD",
            Tier::High => "RATE_LIMIT_HIGH",
        }
    }

    /// Requests allowed per period (the binding's `limit`).
    pub const fn limit(self) -> u32 {
        match self {
            Tier::Low => 20,
            Tier::Standard => 300,
            Tier::High => 10_000,
        }
    }

    /// The period in seconds (the binding's `period`: 10 or 60).
    pub const fn period_s(self) -> u32 {
        match self {
            Tier::Low => 10,
            Tier::Standard | Tier::High => 60,
        }
    }

    /// The `RateLimit-Policy` field value: `"standard";q=300;w=60`.
    pub fn policy(self) -> String {
        format!(
            "\"{}\";q={};w={}",
            self.name(),
            self.limit(),
            self.period_s()
        )
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the rate limiter says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the limit: go on.
    Allowed,
    /// Over the limit: answer 429.
    Limited,
    /// The tier's binding is not configured: the deployment is wrong (fail closed, 500).
    Missing,
    /// The limiter failed at run time: let the request through (fail open, as Envoy's
    /// rate-limit filter does by default) and log it.
    Failed,
}

/// Counts requests per key in a tier. The Worker implements it with the Workers Rate
/// Limiting binding; tests with a counter on fake time. One call per request.
pub trait RateLimiter {
    /// Counts one request of `key` in `tier`.
    fn check<'a>(&'a self, tier: Tier, key: &'a str) -> LocalBoxFuture<'a, Verdict>;
}

/// A limiter that allows everything (benchmarks that measure the gateway, not its limits).
#[derive(Debug, Default, Clone, Copy)]
pub struct Unlimited;

impl RateLimiter for Unlimited {
    fn check<'a>(&'a self, _tier: Tier, _key: &'a str) -> LocalBoxFuture<'a, Verdict> {
        Box::pin(std::future::ready(Verdict::Allowed))
    }
}

/// The `RateLimit-Policy` header.
pub const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// The `RateLimit` header.
pub const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// The 429 for a key over its tier's limit. The binding does not say when its window
/// ends, so `Retry-After` and the `t` of `RateLimit` are the tier's period: the longest
/// wait there can be.
pub fn too_many_requests(tier: Tier) -> Problem {
    let period = tier.period_s().to_string();
    Problem::new(
        http::StatusCode::TOO_MANY_REQUESTS,
        "rate_limit.exceeded",
        "Too Many Requests",
        format!(
            "the client key made more than {} requests in {} s (tier `{}`); retry after {} s",
            tier.limit(),
            tier.period_s(),
            tier.name(),
            tier.period_s()
        ),
    )
    .with_header(RETRY_AFTER, &period)
    .with_header(RATELIMIT_POLICY, &tier.policy())
    .with_header(RATELIMIT, &format!("\"{}\";r=0;t={period}", tier.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_have_binding_periods_and_names() {
        for t in Tier::ALL {
            assert!(matches!(t.period_s(), 10 | 60), "{t}");
            assert_eq!(Tier::from_name(t.name()), Some(t));
            assert!(t.binding().starts_with("RATE_LIMIT_"));
        }
        assert_eq!(Tier::Standard.policy(), "\"standard\";q=300;w=60");
        assert_eq!(Tier::from_name("gold"), None);
    }

    /// The bindings in `wrangler.toml` are the tiers' (name, limit, period): the service
    /// states the limit in its headers, the binding enforces it.
    #[test]
    fn wrangler_toml_declares_every_tier_as_stated() {
        let toml = include_str!("../../wrangler.toml");
        let blocks: Vec<&str> = toml.split("[[ratelimits]]").skip(1).collect();
        assert_eq!(blocks.len(), Tier::ALL.len(), "{toml}");
        for t in Tier::ALL {
            let block = blocks
                .iter()
                .find(|b| b.contains(&format!("name = \"{}\"", t.binding())))
                .unwrap_or_else(|| panic!("no binding {}", t.binding()));
            let want = format!(
                "simple = {{ limit = {}, period = {} }}",
                t.limit(),
                t.period_s()
            );
            assert!(block.contains(&want), "{}: {block}", t.binding());
        }
    }

    #[test]
    fn the_429_carries_retry_after_and_ratelimit_fields() {
        let res = too_many_requests(Tier::Low).into_response("r");
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "10");
        assert_eq!(res.headers()["ratelimit"], "\"low\";r=0;t=10");
        assert_eq!(res.headers()["ratelimit-policy"], "\"low\";q=20;w=10");
    }
}
