//! Reading a page ahead (`Budget::read_ahead`) on the upstreams whose pages carry no total
//! (the two FNO APIs): the same records as the one-page-at-a-time walk, in about half the
//! round trips, at most one extra request, inside the budget, and a failed read-ahead
//! page matters only when its records were needed.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::cell::Cell;

use common::*;
use flexedge::model::Source;
use flexedge::testkit::{FakeClock, SimClient};
use flexedge::upstream::{
    Budget, Fetched, HttpClient, PlanInput, TransportError, UpstreamError, UpstreamErrorKind,
};

const SEQUENTIAL: Budget = Budget {
    max_calls: 1_000,
    deadline_ms: NOW_MS + 600_000,
    read_ahead: false,
};

const AHEAD: Budget = Budget {
    read_ahead: true,
    ..SEQUENTIAL
};

/// Wraps the simulator client: counts round trips (a request sent while none is in
/// flight starts one), the most requests in flight at once, and fails with a 500 every
/// request whose path, query or body contains `fail_on`.
struct Rounds<'a> {
    inner: SimClient<'a>,
    in_flight: Cell<u32>,
    most: Cell<u32>,
    rounds: Cell<u32>,
    fail_on: Option<&'static str>,
}

impl<'a> Rounds<'a> {
    fn new(inner: SimClient<'a>, fail_on: Option<&'static str>) -> Self {
        Rounds {
            inner,
            in_flight: Cell::new(0),
            most: Cell::new(0),
            rounds: Cell::new(0),
            fail_on,
        }
    }
}

impl HttpClient for Rounds<'_> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        if self.in_flight.get() == 0 {
            self.rounds.set(self.rounds.get() + 1);
        }
        self.in_flight.set(self.in_flight.get() + 1);
        self.most.set(self.most.get().max(self.in_flight.get()));
        flexedge::testkit::yield_once().await;
        let text = format!(
            "{} {}",
            req.uri(),
            String::from_utf8_lossy(req.body().as_slice())
        );
        let out = match self.fail_on {
            Some(f) if text.contains(f) => Ok(http::Response::builder()
                .status(500)
                .body(b"{\"message\":\"injected\"}".to_vec())
                .unwrap()),
            _ => self.inner.send(req).await,
        };
        self.in_flight.set(self.in_flight.get() - 1);
        out
    }
}

struct Walk {
    out: Result<Fetched, UpstreamError>,
    rounds: u32,
    most: u32,
}

fn walk(
    s: Source,
    n: usize,
    limit: Option<u64>,
    budget: Budget,
    fail_on: Option<&'static str>,
) -> Walk {
    let sim = sim(21, n);
    let clock = FakeClock::new(NOW_MS);
    let client = Rounds::new(SimClient::new(&sim, &clock, 30_000), fail_on);
    let up = adapter(s, good_creds(s));
    let plan = up.plan(&PlanInput::new(None, vec![], 0, limit, NOW_MS));
    let out = block_on(up.fetch(&client, &clock, &plan, budget, None));
    Walk {
        out,
        rounds: client.rounds.get(),
        most: client.most.get(),
    }
}

fn ids(f: &Fetched) -> Vec<&str> {
    f.records.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn the_same_records_in_half_the_round_trips() {
    for s in Source::ALL {
        for n in [1, 50, 100, 200, 250, 430] {
            let seq = walk(s, n, None, SEQUENTIAL, None);
            let ahead = walk(s, n, None, AHEAD, None);
            let (a, b) = (seq.out.unwrap(), ahead.out.unwrap());
            assert_eq!(ids(&a), ids(&b), "{s} n={n}");
            assert_eq!(b.records.len(), n, "{s} n={n}");
            assert_eq!(seq.most, 1, "{s} n={n}");
            if matches!(s, Source::FnoOrders | Source::FnoEntitlements) {
                // Pages go in pairs; only the page after the last one can be wasted.
                assert_eq!(ahead.most, 2, "{s} n={n}");
                assert_eq!(ahead.rounds, seq.rounds.div_ceil(2), "{s} n={n}");
                assert!(b.requests <= a.requests + 1, "{s} n={n}: {b:?}");
                assert_eq!(b.native_requests.len() as u32, b.requests, "{s} n={n}");
            } else {
                // A total says when the walk is done: nothing to read ahead.
                assert_eq!(ahead.most, 1, "{s} n={n}");
                assert_eq!(b.requests, a.requests, "{s} n={n}");
            }
        }
    }
}

#[test]
fn a_window_one_page_fills_is_not_read_ahead() {
    // Only the FNO Entitlements planner pushes a window among the no-total upstreams.
    let w = walk(Source::FnoEntitlements, 300, Some(100), AHEAD, None);
    let f = w.out.unwrap();
    assert_eq!(f.records.len(), 100);
    assert_eq!((f.requests, w.most), (1, 1), "{:?}", f.native_requests);
    // 150 records need the second page whatever the first holds: both go at once.
    let w = walk(Source::FnoEntitlements, 300, Some(150), AHEAD, None);
    let f = w.out.unwrap();
    assert_eq!(f.records.len(), 150);
    assert_eq!((f.requests, w.rounds, w.most), (2, 1, 2));
}

#[test]
fn the_budget_bounds_read_ahead_and_the_walk_resumes() {
    for s in [Source::FnoOrders, Source::FnoEntitlements] {
        for max_calls in [1, 2, 3] {
            let budget = Budget { max_calls, ..AHEAD };
            let w = walk(s, 430, None, budget, None);
            let f = w.out.unwrap();
            assert!(f.requests <= max_calls, "{s} {max_calls}: {f:?}");
            assert!(f.exhausted && f.next.is_some(), "{s} {max_calls}");
            assert_eq!(f.records.len() as u32, 100 * max_calls, "{s} {max_calls}");
            assert_eq!(w.most, max_calls.min(2), "{s} {max_calls}");
        }
    }
}

#[test]
fn a_failed_read_ahead_page_matters_only_when_it_was_needed() {
    for (s, second_page) in [
        (Source::FnoOrders, "\"pageNumber\":2"),
        (Source::FnoEntitlements, "page=1&"),
    ] {
        // The first page is the last: the failed read-ahead is not an error.
        let w = walk(s, 60, None, AHEAD, Some(second_page));
        let f = w.out.unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(f.records.len(), 60, "{s}");
        assert_eq!(f.requests, 2, "{s}");
        // The first page is full: the second was needed and its failure is the walk's.
        let w = walk(s, 160, None, AHEAD, Some(second_page));
        let e = w.out.unwrap_err();
        assert_eq!(e.kind, UpstreamErrorKind::Server, "{s}: {e}");
    }
}
