//! A [`RateLimiter`] for tests: counts requests per (tier, key) in one window, until the
//! test starts the next one ([`FakeLimiter::next_window`]), as a fixed-window binding
//! does (Miniflare's local one counts that way; the service only needs allowed or
//! limited).

use std::cell::RefCell;
use std::collections::HashMap;

use futures_util::future::LocalBoxFuture;

use crate::service::{RateLimiter, Tier, Verdict};

/// Counts requests per (tier, key) against each tier's limit; a tier can be left out to
/// play a missing binding.
#[derive(Debug, Default)]
pub struct FakeLimiter {
    missing: Vec<Tier>,
    counts: RefCell<HashMap<(Tier, String), u32>>,
}

impl FakeLimiter {
    /// A limiter with every tier's binding.
    pub fn new() -> Self {
        FakeLimiter::default()
    }

    /// The same without `tier`'s binding.
    pub fn without(mut self, tier: Tier) -> Self {
        self.missing.push(tier);
        self
    }

    /// Starts a new window: every count back to zero.
    pub fn next_window(&self) {
        self.counts.borrow_mut().clear();
    }
}

impl RateLimiter for FakeLimiter {
    fn check<'a>(&'a self, tier: Tier, key: &'a str) -> LocalBoxFuture<'a, Verdict> {
        let verdict = if self.missing.contains(&tier) {
            Verdict::Missing
        } else {
            let mut counts = self.counts.borrow_mut();
            let n = counts.entry((tier, key.to_owned())).or_insert(0);
            if *n >= tier.limit() {
                Verdict::Limited
            } else {
                *n += 1;
                Verdict::Allowed
            }
        };
        Box::pin(std::future::ready(verdict))
    }
}
