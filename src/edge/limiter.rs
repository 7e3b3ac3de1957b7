//! The service's [`RateLimiter`] seam over the Workers Rate Limiting bindings: one
//! `[[ratelimits]]` binding per tier ([`Tier::binding`]), counted by the key's label.

use futures_util::future::LocalBoxFuture;
use worker::Env;

use crate::service::{RateLimiter, Tier, Verdict};

/// The rate-limit bindings of this request's `Env`.
pub struct EdgeLimiter<'a> {
    env: &'a Env,
}

impl<'a> EdgeLimiter<'a> {
    /// The limiter over `env`'s bindings.
    pub fn new(env: &'a Env) -> Self {
        EdgeLimiter { env }
    }
}

impl RateLimiter for EdgeLimiter<'_> {
    fn check<'b>(&'b self, tier: Tier, key: &'b str) -> LocalBoxFuture<'b, Verdict> {
        Box::pin(async move {
            let Ok(binding) = self.env.rate_limiter(tier.binding()) else {
                return Verdict::Missing;
            };
            match binding.limit(key.to_owned()).await {
                Ok(outcome) if outcome.success => Verdict::Allowed,
                Ok(_) => Verdict::Limited,
                Err(_) => Verdict::Failed,
            }
        })
    }
}
