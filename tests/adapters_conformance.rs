//! One conformance suite run against every adapter with the simulator: full walks,
//! paging edges (exact multiples of the page size), empty pages, `limit 0`, budget
//! exhaustion and resumption, nulls and absent fields, and every vendor error mapped to a
//! typed `UpstreamError` without leaking a secret.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;

use common::*;
use flexedge::filter::parse;
use flexedge::model::Source;
use flexedge::sim::{Fault, SimConfig, Simulator};
use flexedge::testkit::{FakeClock, SimClient};
use flexedge::upstream::{Budget, Clock, Fetched, PlanInput, UpstreamError, UpstreamErrorKind};

const LATE: Budget = Budget {
    max_calls: 1_000,
    deadline_ms: i64::MAX,
    read_ahead: false,
};

const BIG: Budget = Budget {
    max_calls: 1_000,
    deadline_ms: NOW_MS + 600_000,
    read_ahead: false,
};

fn fetch_with(
    sim: &Simulator,
    s: Source,
    filter: Option<&str>,
    limit: Option<u64>,
    budget: Budget,
) -> (Result<Fetched, UpstreamError>, Vec<String>) {
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(sim, &clock, 30_000);
    let up = adapter(s, good_creds(s));
    let expr = filter.map(|f| parse(f).unwrap());
    let plan = up.plan(&PlanInput::new(expr.as_ref(), vec![], 0, limit, NOW_MS));
    let out = block_on(up.fetch(&client, &clock, &plan, budget, None));
    (out, client.log())
}

fn check_records(s: Source, f: &Fetched) {
    let ids: BTreeSet<&str> = f.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), f.records.len(), "{s}: duplicate ids");
    for r in &f.records {
        assert_eq!(r.source, s);
        assert_eq!(r.id, format!("{}:{}", s.as_str(), r.source_id));
        // Absent means absent: no JSON nulls, no blank strings.
        let text = serde_json::to_string(r).unwrap();
        assert!(!text.contains("null"), "{s}: null in {text}");
        assert!(!text.contains("\"\""), "{s}: blank string in {text}");
        let back: flexedge::model::Record = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, r);
    }
}

#[test]
fn full_walk_returns_every_record_once() {
    let sim = sim(11, 250);
    for s in Source::ALL {
        let (out, log) = fetch_with(&sim, s, None, None, BIG);
        let f = out.unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(f.records.len(), 250, "{s}");
        assert_eq!(f.requests, 3, "{s}: {log:?}");
        assert!(!f.exhausted && f.next.is_none());
        check_records(s, &f);
    }
}

#[test]
fn exact_multiple_of_the_page_size() {
    let sim = sim(12, 200);
    for s in Source::ALL {
        let (out, log) = fetch_with(&sim, s, None, None, BIG);
        let f = out.unwrap();
        assert_eq!(f.records.len(), 200, "{s}");
        // With a total the walk stops at it; without one a final empty page ends it.
        let expected = match s {
            Source::HpeFlex | Source::TelecomxFlexcare => 2,
            Source::FnoOrders | Source::FnoEntitlements => 3,
        };
        assert_eq!(f.requests, expected, "{s}: {log:?}");
    }
}

#[test]
fn an_empty_upstream_page_is_an_empty_answer() {
    let sim = sim(13, 120);
    for s in Source::ALL {
        let filter = match s {
            Source::FnoEntitlements => "customer/id eq 'no-such-account'",
            Source::TelecomxFlexcare => "name eq 'no such order name zz'",
            _ => "sourceId eq 'no-such-id'",
        };
        let (out, log) = fetch_with(&sim, s, Some(filter), None, BIG);
        let f = out.unwrap();
        assert!(f.records.is_empty(), "{s}");
        assert_eq!(f.requests, 1, "{s}: {log:?}");
        assert_eq!(f.fetched, 0, "{s}");
    }
}

#[test]
fn limit_zero_makes_no_request_where_the_window_is_pushed() {
    let sim = sim(14, 50);
    for s in Source::ALL {
        let (out, log) = fetch_with(&sim, s, None, Some(0), BIG);
        let f = out.unwrap();
        let up = adapter(s, good_creds(s));
        let plan = up.plan(&PlanInput::new(None, vec![], 0, Some(0), NOW_MS));
        if plan.window.is_some() {
            assert_eq!(f.requests, 0, "{s}");
            assert!(log.is_empty(), "{s}: {log:?}");
            assert!(f.records.is_empty());
        } else {
            // Not pushed: the source is walked and the edge applies the window.
            assert_eq!(f.records.len(), 50, "{s}");
        }
    }
}

#[test]
fn a_pushed_window_fetches_only_what_it_needs() {
    let sim = sim(15, 300);
    for s in [Source::HpeFlex, Source::FnoEntitlements] {
        let (all, _) = fetch_with(&sim, s, None, None, BIG);
        let all = all.unwrap();
        let clock = FakeClock::new(NOW_MS);
        let client = SimClient::new(&sim, &clock, 30_000);
        let up = adapter(s, good_creds(s));
        let plan = up.plan(&PlanInput::new(None, vec![], 130, Some(20), NOW_MS));
        assert!(plan.window.is_some(), "{s}");
        let f = block_on(up.fetch(&client, &clock, &plan, BIG, None)).unwrap();
        let mut want: Vec<&str> = all.records.iter().map(|r| r.id.as_str()).collect();
        want.sort();
        let got: Vec<&str> = f.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(got, want[130..150].to_vec(), "{s}");
        assert!(f.requests <= 2, "{s}: {:?}", client.log());
    }
}

#[test]
fn running_out_of_budget_is_reported_and_resumable() {
    let sim = sim(16, 250);
    for s in Source::ALL {
        let clock = FakeClock::new(NOW_MS);
        let client = SimClient::new(&sim, &clock, 30_000);
        let up = adapter(s, good_creds(s));
        let plan = up.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
        let one = Budget {
            max_calls: 1,
            ..BIG
        };
        let mut seen = Vec::new();
        let mut resume = None;
        let mut rounds = 0;
        loop {
            let f = block_on(up.fetch(&client, &clock, &plan, one, resume)).unwrap();
            rounds += 1;
            seen.extend(f.records.iter().map(|r| r.id.clone()));
            if !f.exhausted {
                break;
            }
            assert!(f.next.is_some(), "{s}: exhausted without a continuation");
            assert!(rounds < 10, "{s}: does not converge");
            resume = f.next;
        }
        let uniq: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(seen.len(), 250, "{s}");
        assert_eq!(uniq.len(), 250, "{s}");
        assert!(rounds >= 3, "{s}");
    }
}

fn fault_error(s: Source, fault: Fault) -> UpstreamError {
    let sim = sim(17, 30);
    sim.set_fault(s, fault);
    let (out, _) = fetch_with(
        &sim,
        s,
        None,
        None,
        Budget {
            max_calls: 10,
            deadline_ms: NOW_MS + 20_000,
            read_ahead: false,
        },
    );
    out.expect_err("a fault must surface as an error")
}

fn no_secret(e: &UpstreamError) {
    let text = format!("{e} {e:?}");
    for secret in all_secrets() {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
}

#[test]
fn every_vendor_error_is_typed() {
    for s in Source::ALL {
        let e = fault_error(s, Fault::RateLimited(1));
        assert_eq!(
            e.kind,
            UpstreamErrorKind::RateLimited {
                retry_after: Some(1)
            },
            "{s}: {e}"
        );
        assert_eq!(e.code(), "upstream.rate_limited");
        no_secret(&e);

        let e = fault_error(s, Fault::Status500);
        assert_eq!(e.kind, UpstreamErrorKind::Server, "{s}: {e}");
        assert_eq!(e.status, Some(500));
        no_secret(&e);

        for f in [Fault::MalformedJson, Fault::TruncatedJson] {
            let e = fault_error(s, f);
            assert_eq!(e.kind, UpstreamErrorKind::Malformed, "{s}: {e}");
            no_secret(&e);
        }

        let e = fault_error(s, Fault::Hang);
        assert_eq!(e.kind, UpstreamErrorKind::Timeout, "{s}: {e}");

        let e = fault_error(s, Fault::ExpiredToken);
        assert!(
            matches!(
                e.kind,
                UpstreamErrorKind::Auth | UpstreamErrorKind::Forbidden
            ),
            "{s}: {e}"
        );
        no_secret(&e);
    }
}

#[test]
fn wrong_and_unprivileged_credentials() {
    let sim = sim(18, 10);
    for s in Source::ALL {
        let clock = FakeClock::new(NOW_MS);
        let client = SimClient::new(&sim, &clock, 30_000);
        let plan_in = PlanInput::new(None, vec![], 0, None, NOW_MS);
        let up = adapter(s, bad_creds(s));
        let e = block_on(up.fetch(&client, &clock, &up.plan(&plan_in), BIG, None)).unwrap_err();
        assert!(
            matches!(
                e.kind,
                UpstreamErrorKind::Auth | UpstreamErrorKind::Forbidden
            ),
            "{s}: {e}"
        );
        no_secret(&e);
        assert!(!format!("{up:?}").contains("wrong-"), "{s}: Debug leaks");
        if let Some(c) = unprivileged_creds(s) {
            let up = adapter(s, c);
            let e = block_on(up.fetch(&client, &clock, &up.plan(&plan_in), BIG, None)).unwrap_err();
            assert_eq!(e.kind, UpstreamErrorKind::Forbidden, "{s}: {e}");
            no_secret(&e);
        }
    }
}

#[test]
fn a_vendor_failure_in_a_200_body_is_typed() {
    let sim = sim(19, 10);
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(&sim, &clock, 30_000);
    let up = adapter(Source::FnoOrders, good_creds(Source::FnoOrders));
    let mut plan = up.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
    plan.native.body = Some(r#"{"activationId":{"value":"x","searchType":"SOUNDS_LIKE"}}"#.into());
    let e = block_on(up.fetch(&client, &clock, &plan, BIG, None)).unwrap_err();
    assert!(
        matches!(&e.kind, UpstreamErrorKind::VendorFailure { reason } if reason.contains("1002")),
        "{e}"
    );
    assert_eq!(e.code(), "upstream.vendor_failure");
}

#[test]
fn rate_limits_are_waited_out_within_the_deadline() {
    // GreenLake's own limit: 2 requests per minute; 5 pages need the window to reset.
    let sim = Simulator::new(SimConfig {
        seed: 20,
        records_per_source: 450,
        rate_limit_per_minute: 2,
        ..SimConfig::default()
    });
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(&sim, &clock, 30_000);
    let up = adapter(Source::HpeFlex, good_creds(Source::HpeFlex));
    let plan = up.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
    let f = block_on(up.fetch(
        &client,
        &clock,
        &plan,
        Budget {
            max_calls: 10,
            deadline_ms: NOW_MS + 10 * 60_000,
            read_ahead: false,
        },
        None,
    ))
    .unwrap();
    assert_eq!(f.records.len(), 450);
    assert_eq!(f.requests, 5);
    assert!(
        f.http_calls > f.requests,
        "no retry happened: {:?}",
        client.log()
    );
    assert!(clock.now_ms() > NOW_MS + 60_000, "did not wait");
    // With a short deadline the same walk gives up with a typed rate-limit error.
    let clock = FakeClock::new(NOW_MS + 3_600_000);
    let client = SimClient::new(&sim, &clock, 30_000);
    let e = block_on(up.fetch(
        &client,
        &clock,
        &plan,
        Budget {
            max_calls: 10,
            deadline_ms: NOW_MS + 3_600_000 + 5_000,
            read_ahead: false,
        },
        None,
    ))
    .unwrap_err();
    assert!(
        matches!(e.kind, UpstreamErrorKind::RateLimited { .. }),
        "{e}"
    );
}

#[test]
fn tokens_are_cached_and_refreshed_once() {
    let sim = sim(21, 250);
    for s in [Source::HpeFlex, Source::TelecomxFlexcare] {
        let clock = FakeClock::new(NOW_MS);
        let client = SimClient::new(&sim, &clock, 30_000);
        let up = adapter(s, good_creds(s));
        let plan = up.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
        block_on(up.fetch(&client, &clock, &plan, LATE, None)).unwrap();
        block_on(up.fetch(&client, &clock, &plan, LATE, None)).unwrap();
        let logins = client
            .log()
            .iter()
            .filter(|l| l.contains("token.oauth2") || l.contains("/auth/login"))
            .count();
        assert_eq!(logins, 1, "{s}: {:?}", client.log());
        // Much later the token has expired: one new login, then success.
        clock.advance(3_600_000);
        client.clear_log();
        block_on(up.fetch(&client, &clock, &plan, LATE, None)).unwrap();
        let logins = client
            .log()
            .iter()
            .filter(|l| l.contains("token.oauth2") || l.contains("/auth/login"))
            .count();
        assert_eq!(logins, 1, "{s}: {:?}", client.log());
    }
}

#[test]
fn a_source_predicate_prunes_without_a_request() {
    let sim = sim(22, 20);
    for s in Source::ALL {
        let other = Source::ALL.into_iter().find(|o| *o != s).unwrap();
        let (out, log) = fetch_with(&sim, s, Some(&format!("source eq '{other}'")), None, BIG);
        let f = out.unwrap();
        assert!(
            f.records.is_empty() && f.requests == 0 && log.is_empty(),
            "{s}: {log:?}"
        );
        let (out, _) = fetch_with(&sim, s, Some(&format!("source eq '{s}'")), None, BIG);
        assert_eq!(out.unwrap().records.len(), 20, "{s}");
    }
}

#[test]
fn a_rejected_request_is_a_bad_request_with_the_vendor_detail() {
    let sim = sim(23, 10);
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(&sim, &clock, 30_000);
    let up = adapter(Source::HpeFlex, good_creds(Source::HpeFlex));
    let mut plan = up.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
    plan.native
        .params
        .push(("filter".into(), "deviceType eq 'AP'".into()));
    let e = block_on(up.fetch(&client, &clock, &plan, BIG, None)).unwrap_err();
    assert_eq!(e.kind, UpstreamErrorKind::BadRequest, "{e}");
    assert_eq!(e.status, Some(400));
    assert!(e.message.contains("HPE_GL_ERROR_BAD_REQUEST"), "{e}");
    assert!(e.message.contains("filter"), "{e}");
    // Only one attempt: a 400 is not retried.
    assert_eq!(
        client.log().iter().filter(|l| l.contains("/flex/")).count(),
        1
    );
}

#[test]
fn fno_dates_read_the_same_in_both_wire_forms() {
    use flexedge::sim::FnoDateFormat;
    let walk = |fmt| {
        let sim = Simulator::new(SimConfig {
            seed: 24,
            records_per_source: 60,
            fno_dates: fmt,
            rate_limit_per_minute: 0,
        });
        let (out, _) = fetch_with(&sim, Source::FnoOrders, None, None, BIG);
        out.unwrap().records
    };
    let epoch = walk(FnoDateFormat::EpochMillis);
    let iso = walk(FnoDateFormat::IsoDate);
    assert_eq!(epoch.len(), iso.len());
    let day = 86_400_000;
    let mut with_dates = 0;
    for (a, b) in epoch.iter().zip(&iso) {
        assert_eq!(a.id, b.id);
        // Instants (created/updated) are identical; calendar dates differ only by the
        // vendor's zone (epoch = Pacific midnight, `yyyy-MM-dd` = midnight UTC).
        assert_eq!(a.created_at, b.created_at, "{}", a.id);
        assert_eq!(a.updated_at, b.updated_at, "{}", a.id);
        for (x, y) in [(a.start_date, b.start_date), (a.end_date, b.end_date)] {
            assert_eq!(x.is_some(), y.is_some(), "{}", a.id);
            if let (Some(x), Some(y)) = (x, y) {
                with_dates += 1;
                assert!(
                    (x.millis() - y.millis()).abs() < day,
                    "{}: {x} vs {y}",
                    a.id
                );
            }
        }
    }
    assert!(with_dates > 60);
}
