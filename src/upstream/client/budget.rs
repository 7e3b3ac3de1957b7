//! The bounds one client request puts on every upstream call it causes: one budget of
//! subrequests shared by all sources (pages, read-ahead, retries, token calls, count calls
//! and probes all draw from it), and one total deadline.
//!
//! The budget is shared fairly: each involved source has a small reserve of its own (a
//! source that scans a whole upstream cannot starve the others of their page), and the
//! rest is a pool any source draws from once its reserve is spent. A source that knows how
//! many calls a full read will take claims them up front ([`Ledger::claim`]): the claim
//! either succeeds whole (the calls are then its own) or moves nothing, so the decision
//! "can this be read within the budget" is made before reading.
//!
//! A Worker runs one request on one thread: the ledger uses `Cell`s and is not `Sync`.
//! This module imports no I/O.

use std::cell::Cell;

use crate::model::Source;

use super::error::{UpstreamError, UpstreamErrorKind};

/// The most calls reserved for each involved source (the rest of the budget is pooled).
pub const RESERVE: u32 = 4;

/// One source's account.
#[derive(Debug, Default)]
struct Account {
    /// Calls set aside for this source and not yet spent.
    reserve: Cell<u32>,
    /// Calls this source made.
    used: Cell<u32>,
}

/// The subrequest budget and the deadline of one client request.
#[derive(Debug)]
pub struct Ledger {
    limit: u32,
    deadline_ms: i64,
    read_ahead: bool,
    /// Per source, in canonical order.
    accounts: [Account; 4],
    /// Calls not reserved for any source and not yet spent.
    pool: Cell<u32>,
}

fn slot(s: Source) -> usize {
    match s {
        Source::HpeFlex => 0,
        Source::FnoOrders => 1,
        Source::FnoEntitlements => 2,
        Source::TelecomxFlexcare => 3,
    }
}

impl Ledger {
    /// A budget of `limit` subrequests until the epoch-ms `deadline_ms`, with a reserve
    /// of `min(limit / n, RESERVE)` calls for each of the `n` sources in `involved`.
    /// `read_ahead`: whether a walk without totals may request the next page together
    /// with the current one.
    pub fn new(limit: u32, deadline_ms: i64, read_ahead: bool, involved: &[Source]) -> Ledger {
        let n = u32::try_from(involved.len()).unwrap_or(u32::MAX).max(1);
        let each = (limit / n).min(RESERVE);
        let accounts: [Account; 4] = Default::default();
        let mut reserved = 0u32;
        for s in involved {
            if let Some(a) = accounts.get(slot(*s)) {
                if a.reserve.get() == 0 {
                    a.reserve.set(each);
                    reserved = reserved.saturating_add(each);
                }
            }
        }
        Ledger {
            limit,
            deadline_ms,
            read_ahead,
            accounts,
            pool: Cell::new(limit.saturating_sub(reserved)),
        }
    }

    fn account(&self, s: Source) -> Option<&Account> {
        self.accounts.get(slot(s))
    }

    /// Spends one call for `s`: from its reserve, else from the pool. `false` when
    /// neither has a call left (nothing is spent then).
    pub fn take(&self, s: Source) -> bool {
        let Some(a) = self.account(s) else {
            return false;
        };
        if a.reserve.get() > 0 {
            a.reserve.set(a.reserve.get() - 1);
        } else if self.pool.get() > 0 {
            self.pool.set(self.pool.get() - 1);
        } else {
            return false;
        }
        a.used.set(a.used.get().saturating_add(1));
        true
    }

    /// Makes sure `n` more calls are available to `s` alone: what its reserve lacks is
    /// moved from the pool into it. All or nothing: `false` (and nothing moved) when the
    /// reserve and the pool together hold fewer than `n`.
    pub fn claim(&self, s: Source, n: u32) -> bool {
        let Some(a) = self.account(s) else {
            return false;
        };
        let missing = n.saturating_sub(a.reserve.get());
        if missing > self.pool.get() {
            return false;
        }
        self.pool.set(self.pool.get() - missing);
        a.reserve.set(a.reserve.get().saturating_add(missing));
        true
    }

    /// The calls `s` could still make: its reserve plus the pool.
    pub fn left(&self, s: Source) -> u32 {
        self.account(s)
            .map_or(0, |a| a.reserve.get().saturating_add(self.pool.get()))
    }

    /// The calls `s` made.
    pub fn used(&self, s: Source) -> u32 {
        self.account(s).map_or(0, |a| a.used.get())
    }

    /// The calls all sources made.
    pub fn used_total(&self) -> u32 {
        self.accounts
            .iter()
            .fold(0u32, |t, a| t.saturating_add(a.used.get()))
    }

    /// The budget's size.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The epoch ms after which no call starts and no answer is waited for.
    pub fn deadline_ms(&self) -> i64 {
        self.deadline_ms
    }

    /// Whether a walk without totals may read a page ahead.
    pub fn read_ahead(&self) -> bool {
        self.read_ahead
    }

    /// The handle one source spends through.
    pub fn spend(&self, source: Source) -> Spend<'_> {
        Spend {
            ledger: self,
            source,
        }
    }
}

/// One source's handle on a [`Ledger`]: what the exchange and the token calls spend
/// through.
#[derive(Debug, Clone, Copy)]
pub struct Spend<'a> {
    ledger: &'a Ledger,
    source: Source,
}

impl<'a> Spend<'a> {
    /// The ledger.
    pub fn ledger(&self) -> &'a Ledger {
        self.ledger
    }

    /// The source spending.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Spends one call, or the `upstream.budget_exhausted` error.
    pub fn take(&self) -> Result<(), UpstreamError> {
        if self.ledger.take(self.source) {
            Ok(())
        } else {
            Err(exhausted(self.source, self.ledger.limit))
        }
    }

    /// [`Ledger::claim`] for this source.
    pub fn claim(&self, n: u32) -> bool {
        self.ledger.claim(self.source, n)
    }

    /// [`Ledger::left`] for this source.
    pub fn left(&self) -> u32 {
        self.ledger.left(self.source)
    }

    /// [`Ledger::used`] for this source.
    pub fn used(&self) -> u32 {
        self.ledger.used(self.source)
    }

    /// The request's deadline (epoch ms).
    pub fn deadline_ms(&self) -> i64 {
        self.ledger.deadline_ms
    }
}

/// The error of a call the budget cannot pay for.
pub fn exhausted(source: Source, limit: u32) -> UpstreamError {
    UpstreamError::new(
        source,
        UpstreamErrorKind::BudgetExhausted,
        None,
        format!("the request's budget of {limit} upstream subrequests is spent"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Source; 4] = Source::ALL;

    #[test]
    fn reserves_keep_a_share_for_every_source() {
        let l = Ledger::new(45, 0, true, &ALL);
        // A greedy source gets its reserve and the whole pool, not the others' reserves.
        let mut greedy = 0;
        while l.take(Source::FnoEntitlements) {
            greedy += 1;
        }
        assert_eq!(greedy, 45 - 3 * RESERVE);
        for s in [Source::HpeFlex, Source::FnoOrders, Source::TelecomxFlexcare] {
            for _ in 0..RESERVE {
                assert!(l.take(s), "{s}");
            }
            assert!(!l.take(s), "{s}");
        }
        assert_eq!(l.used_total(), 45);
        assert_eq!(l.used(Source::FnoEntitlements), greedy);
    }

    #[test]
    fn claims_are_all_or_nothing() {
        let l = Ledger::new(20, 0, true, &ALL);
        assert_eq!(l.left(Source::HpeFlex), 4 + 4);
        assert!(!l.claim(Source::HpeFlex, 9));
        assert_eq!(l.left(Source::HpeFlex), 8, "a failed claim moves nothing");
        assert!(l.claim(Source::HpeFlex, 7));
        // Three of the pool's four went to hpe_flex: the others keep their reserves and
        // the one call left in the pool.
        assert_eq!(l.left(Source::FnoOrders), 4 + 1);
        for _ in 0..7 {
            assert!(l.take(Source::HpeFlex));
        }
        assert!(
            l.take(Source::HpeFlex),
            "the eighth call is the rest of the pool"
        );
        assert!(!l.take(Source::HpeFlex));
    }

    #[test]
    fn a_tiny_budget_is_first_come() {
        let l = Ledger::new(2, 0, false, &ALL);
        assert!(l.take(Source::TelecomxFlexcare));
        assert!(l.take(Source::HpeFlex));
        assert!(!l.take(Source::FnoOrders));
        assert_eq!(
            l.spend(Source::FnoOrders).take().unwrap_err().code(),
            "upstream.budget_exhausted"
        );
    }
}
