//! Paging at real size (#13) and the bounds of one request (#14), in process over the
//! simulator: walks by `next` over 4 × 20,000 records, with and without a filter, per
//! source and under faults; sorts and offsets beyond the budget; tokens; direct look-ups;
//! the subrequest budget, the in-flight limit, retries and the one deadline. The calls
//! each page costs are printed at pages 1, 10, 100 and the last (`--nocapture`).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::Engine as _;
use common::paging_world::{enc, with_next, Answer, World, KEY};
use common::{adapter, good_creds, NOW_MS};
use flexedge::model::{Record, RecordSchema, Source};
use flexedge::query::{Query, QueryParams};
use flexedge::service::gateway::{merge_order, sort_keys};
use flexedge::sim::Fault;
use flexedge::upstream::{Budget, HttpClient, PlanInput, TransportError};
use serde_json::Value;

/// Records per source in the walks.
const N: usize = 20_000;

/// A whole walk: every item, and what each page cost.
struct Walked {
    items: Vec<Value>,
    calls: Vec<u64>,
}

/// Follows `next` from `path` until it is absent (at most `max_pages` pages), moving the
/// clock a second per page as a client would; `each` sees every page. No token may come
/// back twice.
fn walk(w: &World, path: &str, max_pages: usize, mut each: impl FnMut(usize, &Answer)) -> Walked {
    let mut out = Walked {
        items: Vec::new(),
        calls: Vec::new(),
    };
    let mut uri = path.to_owned();
    let mut tokens = BTreeSet::new();
    for page in 0..max_pages {
        let a = w.get(&uri);
        assert_eq!(a.status, 200, "page {}: {}", page + 1, a.body);
        each(page, &a);
        out.calls.push(a.calls());
        out.items.extend(a.items().iter().cloned());
        match a.next() {
            Some(t) => {
                assert!(
                    tokens.insert(t.clone()),
                    "page {}: a token came back",
                    page + 1
                );
                uri = with_next(path, &t);
            }
            None => return out,
        }
        w.clock.advance(1_000);
    }
    panic!("{path}: no end after {max_pages} pages");
}

/// Prints a figure, and keeps it in `target/tmp/paging-calls.txt`, which `make test`
/// prints after the tests (their output is captured).
fn report(line: String) {
    use std::io::Write as _;
    println!("{line}");
    let path = concat!(env!("CARGO_TARGET_TMPDIR"), "/paging-calls.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}

fn print_calls(label: &str, calls: &[u64]) {
    let at = |n: usize| calls.get(n - 1).copied().unwrap_or(0);
    report(format!(
        "[paging] {label}: {} pages; upstream calls per page: page 1 = {}, page 10 = {}, page 100 = {}, last (page {}) = {}; most = {}",
        calls.len(),
        at(1),
        at(10),
        at(100),
        calls.len(),
        calls.last().copied().unwrap_or(0),
        calls.iter().max().copied().unwrap_or(0)
    ));
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn distinct(ids: &[String]) -> usize {
    ids.iter().collect::<BTreeSet<_>>().len()
}

/// Asserts the native interleave over a whole walk: every record comes from the source
/// that has given the fewest so far among those that still have records (canonical
/// order on ties).
fn assert_interleaved(items: &[Value]) {
    let mut totals: HashMap<&str, usize> = HashMap::new();
    for i in items {
        *totals.entry(i["source"].as_str().unwrap()).or_default() += 1;
    }
    let order: Vec<&str> = Source::ALL
        .iter()
        .map(|s| s.as_str())
        .filter(|s| totals.contains_key(s))
        .collect();
    let mut given = vec![0usize; order.len()];
    for (k, i) in items.iter().enumerate() {
        let next = (0..order.len())
            .filter(|j| given[*j] < totals[order[*j]])
            .min_by_key(|j| (given[*j], *j))
            .unwrap();
        assert_eq!(i["source"], order[next], "record {k} breaks the interleave");
        given[next] += 1;
    }
}

/// Each source's records, in the order given.
fn per_source(ids: &[String]) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for id in ids {
        let s = id.split_once(':').unwrap().0;
        m.entry(s.to_owned()).or_default().push(id.clone());
    }
    m
}

#[test]
fn walking_80000_records_by_next_sees_each_once_in_order_at_a_flat_cost() {
    let w = World::new(N, &[]);
    // One walk per source: each source's native order, and the reference for the rest.
    let mut single: HashMap<String, Vec<String>> = HashMap::new();
    for s in Source::ALL {
        let path = format!("/v1/sources/{}/orders?limit=100", s.as_str());
        let walked = walk(&w, &path, 1_000, |_, a| {
            assert_eq!(a.body["order"], "native");
        });
        let got = ids(&walked.items);
        assert_eq!(got.len(), N, "{s}");
        assert_eq!(distinct(&got), N, "{s}: repeats");
        print_calls(&format!("{s} alone, limit=100"), &walked.calls);
        assert!(
            walked.calls.iter().all(|c| *c <= 3),
            "{s}: {:?}",
            walked.calls
        );
        single.insert(s.as_str().to_owned(), got);
    }
    // The unified walk: 80,000 distinct ids, the interleave of the four native orders.
    let walked = walk(&w, "/v1/orders?limit=100", 2_000, |page, a| {
        assert_eq!(a.body["order"], "native");
        assert!(
            a.body.get("partial").is_none(),
            "page {}: {}",
            page + 1,
            a.body
        );
        assert_eq!(a.body["offset"].as_u64(), Some(100 * page as u64));
    });
    print_calls("/v1/orders?limit=100 over 4 x 20,000", &walked.calls);
    let all = ids(&walked.items);
    assert_eq!(all.len(), 4 * N);
    assert_eq!(distinct(&all), 4 * N, "repeats");
    assert_interleaved(&walked.items);
    assert_eq!(per_source(&all), single);
    // Flat: about one call per source a page, whatever the depth (a token call, or a
    // page boundary of the FNO lists, now and then).
    assert!(walked.calls.iter().all(|c| *c <= 8), "{:?}", walked.calls);

    // Deep offsets seek instead of reading from zero, even with a budget of 2 calls
    // (the issue's example: an empty page pointing back at itself).
    let tiny = World::new(N, &[("FLEXEDGE_MAX_SUBREQUESTS", "2")]);
    let a = tiny.get("/v1/sources/hpe_flex/orders?limit=10&offset=5000");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.ids(), single["hpe_flex"][5000..5010].to_vec());
    let b = tiny.get(&with_next(
        "/v1/sources/hpe_flex/orders?limit=10",
        &a.next().unwrap(),
    ));
    assert_eq!(b.ids(), single["hpe_flex"][5010..5020].to_vec());
    assert_eq!(b.body["offset"], 5010);
    // Every source seeks: GreenLake and TelecomX by offset, the FNO lists by page.
    for s in Source::ALL {
        let path = format!("/v1/sources/{}/orders?limit=10", s.as_str());
        let a = w.get(&format!("{path}&offset=15000"));
        assert_eq!(a.ids(), single[s.as_str()][15_000..15_010].to_vec(), "{s}");
        assert!(a.calls() <= 2, "{s}: {}", a.calls());
    }
    // The unified offset: each source's share from its count (GreenLake and TelecomX
    // totals, FNO /count, FNO Beta probes), then one page.
    let a = w.get("/v1/orders?limit=10&offset=5000");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.ids(), all[5000..5010].to_vec());
    println!(
        "[paging] /v1/orders?limit=10&offset=5000: {} upstream calls",
        a.calls()
    );
    let b = w.get(&with_next("/v1/orders?limit=10", &a.next().unwrap()));
    assert_eq!(b.ids(), all[5010..5020].to_vec());
    // Past the end: an empty page and no `next`.
    let a = w.get("/v1/orders?limit=10&offset=80000");
    assert_eq!((a.status, a.items().len()), (200, 0), "{}", a.body);
    assert!(a.next().is_none());
    // An offset that can only be walked (a residual on every source) and that the
    // budget cannot reach is a clear problem, not an empty page.
    let f = enc("status ne 'draft'");
    let a = w.get(&format!("/v1/orders?limit=10&offset=30000&filter={f}"));
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.body["code"], "query.sort.needs_scan");
    assert_eq!(a.body["parameter"], "offset");
}

#[test]
fn walking_80000_records_with_a_filter() {
    let w = World::new(N, &[]);
    let filter = "status ne 'draft'";
    // The reference: the unfiltered walk's records that satisfy the filter.
    let full = walk(&w, "/v1/orders?limit=1000", 200, |_, _| {});
    let expected: Vec<String> = full
        .items
        .iter()
        .filter(|i| i["status"] != "draft")
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        expected.len() > 60_000 && expected.len() < 4 * N,
        "{}",
        expected.len()
    );
    let path = format!("/v1/orders?limit=100&filter={}", enc(filter));
    let mut short = 0;
    let walked = walk(&w, &path, 2_000, |_, a| {
        // A source that reads on without finding enough stops the page short: honest,
        // and the next page continues where it stopped.
        if a.items().len() < 100 && a.next().is_some() {
            short += 1;
        }
    });
    print_calls(
        &format!("/v1/orders?limit=100&filter={filter}"),
        &walked.calls,
    );
    let got = ids(&walked.items);
    assert_eq!(distinct(&got), got.len(), "repeats");
    assert_eq!(
        got.iter().collect::<BTreeSet<_>>(),
        expected.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(per_source(&got), per_source(&expected));
    assert!(walked.calls.iter().all(|c| *c <= 12), "{:?}", walked.calls);
    report(format!(
        "[paging] filtered walk: {short} short pages with a next"
    ));
}

#[test]
fn a_source_failing_on_one_page_loses_and_repeats_nothing() {
    let w = World::new(N, &[]);
    let path = "/v1/orders?limit=100";
    let mut seen = Vec::new();
    let mut uri = path.to_owned();
    let mut tokens = BTreeSet::new();
    let mut reported = false;
    for page in 0..2_000 {
        let failing = page == 9;
        if failing {
            w.sim.set_fault(Source::FnoEntitlements, Fault::Status500);
        }
        let a = w.get(&uri);
        w.sim.clear_faults();
        assert_eq!(a.status, 200, "page {}: {}", page + 1, a.body);
        if failing {
            // The page says so, and the others' records come in full.
            let r = &a.body["sources"]["fno_entitlements"];
            assert_eq!(r["status"], "error", "{r}");
            assert_eq!(r["error"]["code"], "upstream.server");
            assert_eq!(a.items().len(), 100);
            assert!(a.items().iter().all(|i| i["source"] != "fno_entitlements"));
            // The walk can resume from the token of the page that failed: asked again,
            // it is the complete page.
            let again = w.get(&uri);
            assert_eq!(again.body["sources"]["fno_entitlements"]["status"], "ok");
            assert_eq!(again.items().len(), 100);
            assert_interleaved(again.items());
            reported = true;
        }
        seen.extend(a.ids());
        match a.next() {
            Some(t) => {
                assert!(tokens.insert(t.clone()));
                uri = with_next(path, &t);
            }
            None => break,
        }
        w.clock.advance(1_000);
    }
    assert!(reported);
    // A client that just follows `next` from the failed page gets every record once:
    // the source that missed a page catches up on the next ones.
    assert_eq!(seen.len(), 4 * N);
    assert_eq!(distinct(&seen), 4 * N);
    for (s, own) in per_source(&seen) {
        if s == "hpe_flex" || s == "fno_entitlements" {
            assert!(own.windows(2).all(|p| p[0] < p[1]), "{s} out of its order");
        }
    }
}

#[test]
fn sorts_beyond_the_budget_are_refused_or_marked_partial() {
    let w = World::new(N, &[]);
    let a = w.get("/v1/orders?limit=50&sort=endDate");
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.body["code"], "query.sort.needs_scan");
    assert_eq!(a.body["parameter"], "sort");
    assert_eq!(a.body["budget"], 45);
    let needs = a.body["needsScan"].as_array().unwrap();
    let named: Vec<&str> = needs
        .iter()
        .map(|n| n["source"].as_str().unwrap())
        .collect();
    // FNO entitlementOrders counts first, TelecomX's first page has a total: both are
    // known not to fit before they are read. GreenLake serves this sort itself.
    assert_eq!(named, vec!["fno_orders", "telecomx_flexcare"], "{}", a.body);
    for n in needs {
        assert_eq!(n["records"], N as u64, "{n}");
    }
    let detail = a.body["detail"].as_str().unwrap();
    assert!(detail.contains("partial=allow") && detail.contains("FLEXEDGE_MAX_SUBREQUESTS"));
    // Opted in: the page sorted among what the budget read, and marked partial.
    let p = w.get("/v1/orders?limit=50&sort=endDate&partial=allow");
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["partial"], true);
    assert!(p.body["budget"]["used"].as_u64().unwrap() <= 45);
    let ends: Vec<Option<&str>> = p.items().iter().map(|i| i["endDate"].as_str()).collect();
    assert!(
        ends.windows(2).all(|e| match (e[0], e[1]) {
            (Some(x), Some(y)) => x <= y,
            (Some(_), None) | (None, None) => true,
            (None, Some(_)) => false,
        }),
        "{ends:?}"
    );
    assert!(p.body["sources"]["fno_orders"]["partial"] == true);
    // A sort GreenLake serves exactly, on GreenLake alone, pages at any depth.
    let walked = walk(
        &w,
        "/v1/sources/hpe_flex/orders?limit=500&sort=endDate",
        100,
        |_, a| {
            assert!(a.calls() <= 7, "{}", a.calls());
        },
    );
    assert_eq!(walked.items.len(), N);
    print_calls("hpe_flex alone, sort=endDate, limit=500", &walked.calls);
    let a = w.get("/v1/sources/hpe_flex/orders?limit=5&sort=endDate&offset=19000");
    assert_eq!(a.ids(), ids(&walked.items[19_000..19_005]));
}

#[test]
fn a_full_read_that_fits_the_budget_is_whole_even_when_its_last_page_is_full() {
    // 500 records per source: FNO entitlementOrders counts 500 and reads five full pages
    // of 100; the count, not a short page, says the read is complete.
    let w = World::new(500, &[]);
    for sort in ["id", "endDate desc"] {
        let path = format!("/v1/orders?limit=1000&sort={}", enc(sort));
        let a = w.get(&path);
        assert_eq!(a.status, 200, "{sort}: {}", a.body["code"]);
        assert_ne!(a.body["partial"], true, "{sort}");
        assert_eq!(a.body["total"], 4 * 500, "{sort}");
        let b = w.get(&with_next(&path, &a.next().unwrap()));
        assert_eq!(b.status, 200, "{}", b.body["code"]);
        assert_ne!(b.body["partial"], true, "{sort}");
        assert!(b.next().is_none());
        let want: Vec<String> = oracle(&w, "", sort).into_iter().map(|r| r.id).collect();
        assert_eq!(want.len(), 4 * 500);
        assert_eq!([a.ids(), b.ids()].concat(), want, "{sort}");
    }
    let t = w.get("/v1/orders/transform?group-by=source");
    assert_eq!(t.status, 200, "{}", t.body);
}

/// The answer the walks must give, computed without the merge machine: every source read
/// whole by the adapters, filtered and ordered by the query engine.
fn oracle(w: &World, filter: &str, sort: &str) -> Vec<Record> {
    let q = Query::parse(&QueryParams {
        filter: (!filter.is_empty()).then_some(filter),
        sort: (!sort.is_empty()).then_some(sort),
        ..QueryParams::default()
    })
    .unwrap();
    let plan = q.plan::<Record>(RecordSchema::default(), NOW_MS).unwrap();
    let client = w.client();
    let mut streams = Vec::new();
    for s in Source::ALL {
        let up = adapter(s, good_creds(s));
        let input = PlanInput::new(q.filter.as_ref(), sort_keys(&q.sort), 0, None, NOW_MS);
        let p = up.plan(&input);
        let budget = Budget {
            max_calls: 1_000,
            deadline_ms: i64::MAX,
            read_ahead: false,
        };
        let f = common::block_on(up.fetch(&client, &w.clock, &p, budget, None)).unwrap();
        streams.push(
            f.records
                .into_iter()
                .filter(|r| plan.matches(r))
                .collect::<Vec<_>>(),
        );
    }
    if sort.is_empty() {
        // Interleave by rank, canonical order on ties.
        let mut out = Vec::new();
        let mut at = vec![0usize; streams.len()];
        loop {
            let next = (0..streams.len())
                .filter(|i| at[*i] < streams[*i].len())
                .min_by_key(|i| (at[*i], *i));
            let Some(i) = next else { break };
            out.push(streams[i][at[i]].clone());
            at[i] += 1;
        }
        out
    } else {
        let mut all: Vec<Record> = streams.into_iter().flatten().collect();
        all.sort_by(|a, b| merge_order(&plan, a, b));
        all
    }
}

const FILTERS: &[&str] = &[
    "",
    "status eq 'active'",
    "customer/name ne null",
    "startswith(orderRef, 'OPE') or name ne null",
    "source in ('hpe_flex', 'fno_entitlements')",
    "endDate gt 2026-01-01",
];

const SORTS: &[&str] = &[
    "",
    "endDate",
    "id desc",
    "customer/name desc,endDate",
    "createdAt",
];

const FAULTS: &[Fault] = &[Fault::Status500, Fault::MalformedJson];

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Random walks: limits, filters, sorts, pushdown on or off, and a source failing
        /// on one page. No token repeats a position (the clock stands still, so equal
        /// positions would be equal tokens); no id is lost or repeated; without a fault
        /// the order is exactly the declared one, with one each source's own order holds
        /// (a source that missed a page rejoins where it stood).
        #[test]
        fn random_walks_keep_every_record_once_in_the_declared_order(
            limit in 10usize..=120,
            f in 0..FILTERS.len(),
            s in 0..SORTS.len(),
            pushdown in any::<bool>(),
            fault in proptest::option::of((0usize..6, 0usize..4, 0..FAULTS.len())),
        ) {
            let w = World::new(150, &[]);
            let (filter, sort) = (FILTERS[f], SORTS[s]);
            let want: Vec<String> = oracle(&w, filter, sort).into_iter().map(|r| r.id).collect();
            let mut path = format!("/v1/orders?limit={limit}");
            if !filter.is_empty() {
                path.push_str(&format!("&filter={}", enc(filter)));
            }
            if !sort.is_empty() {
                path.push_str(&format!("&sort={}", enc(sort)));
            }
            if !pushdown {
                path.push_str("&pushdown=false");
            }
            let mut got = Vec::new();
            let mut tokens = BTreeSet::new();
            let mut uri = path.clone();
            let mut failed = false;
            for page in 0..200 {
                if let Some((p, src, kind)) = fault {
                    if p == page {
                        w.sim.set_fault(Source::ALL[src], FAULTS[kind]);
                    }
                }
                let mut a = w.get(&uri);
                w.sim.clear_faults();
                if a.status == 503 {
                    // Only a failed source had records left: the page cannot be given,
                    // and the same request, sent again, continues.
                    prop_assert_eq!(&a.body["code"], "upstream.unavailable");
                    failed = true;
                    a = w.get(&uri);
                }
                prop_assert_eq!(a.status, 200, "{}", a.body);
                failed |= a.body["sources"].as_object().unwrap().values().any(|r| r["status"] == "error");
                prop_assert!(a.items().len() <= limit);
                let page_ids = a.ids();
                if !sort.is_empty() {
                    // Within every page, the declared order.
                    let pos: HashMap<&String, usize> = want.iter().enumerate().map(|(i, x)| (x, i)).collect();
                    prop_assert!(page_ids.windows(2).all(|p| pos[&p[0]] < pos[&p[1]]), "page {} out of order", page);
                }
                got.extend(page_ids);
                match a.next() {
                    Some(t) => {
                        prop_assert!(tokens.insert(t.clone()), "page {}: a position came back", page);
                        uri = with_next(&path, &t);
                    }
                    None => break,
                }
            }
            prop_assert_eq!(distinct(&got), got.len(), "repeated ids");
            if failed {
                prop_assert_eq!(per_source(&got), per_source(&want));
            } else {
                prop_assert_eq!(got, want);
            }
        }
    }
}

#[test]
fn tokens_are_signed_bound_and_expire() {
    let w = World::new(300, &[]);
    let a = w.get("/v1/orders?limit=10");
    let t = a.next().unwrap();
    let ok = w.get(&with_next("/v1/orders?limit=10", &t));
    assert_eq!(ok.status, 200);
    let code = |a: &Answer| (a.status, a.body["code"].as_str().unwrap_or("").to_owned());
    // Tampered: any changed character.
    let mut chars: Vec<char> = t.chars().collect();
    let mid = chars.len() / 2;
    chars[mid] = if chars[mid] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let r = w.get(&with_next("/v1/orders?limit=10", &tampered));
    assert_eq!(code(&r), (400, "query.next.invalid".into()), "{}", r.body);
    assert_eq!(r.body["parameter"], "next");
    // Forged: well-formed base64 of anything.
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 60]);
    let r = w.get(&with_next("/v1/orders?limit=10", &forged));
    assert_eq!(code(&r), (400, "query.next.invalid".into()));
    let r = w.get("/v1/orders?limit=10&next=not%20a%20token");
    assert_eq!(code(&r), (400, "query.next.invalid".into()));
    // Foreign: another key (with the same scope), another route, another query.
    let r = w.get_as(&with_next("/v1/orders?limit=10", &t), "paging-key-two");
    assert_eq!(code(&r), (400, "query.next.foreign".into()), "{}", r.body);
    let r = w.get(&with_next("/v1/sources/hpe_flex/orders?limit=10", &t));
    assert_eq!(code(&r), (400, "query.next.foreign".into()));
    let r = w.get(&with_next("/v1/orders?limit=11", &t));
    assert_eq!(code(&r), (400, "query.next.foreign".into()));
    let r = w.get(&with_next("/v1/orders?limit=10&partial=allow", &t));
    assert_eq!(code(&r), (400, "query.next.foreign".into()));
    // An offset beside a token: the token holds the position.
    let r = w.get(&with_next("/v1/orders?limit=10&offset=3", &t));
    assert_eq!(code(&r), (400, "query.invalid_parameter".into()));
    // The token holds no key.
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&t)
        .unwrap();
    assert!(!raw.windows(KEY.len()).any(|x| x == KEY.as_bytes()));
    // Stale after 24 hours.
    w.clock.advance(24 * 3_600 * 1_000 + 1_000);
    let r = w.get(&with_next("/v1/orders?limit=10", &t));
    assert_eq!(code(&r), (400, "query.next.stale".into()));
    // Without a secret, list routes refuse to issue unsigned tokens (and name the
    // setting, not a value).
    let bare = World::new(10, &[("FLEXEDGE_TOKEN_SECRET", "")]);
    let r = bare.get("/v1/orders");
    assert_eq!(code(&r), (500, "config.invalid".into()));
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .contains("FLEXEDGE_TOKEN_SECRET"));
    assert_eq!(bare.get("/v1/orders/hpe_flex:x").status, 404);
    let secret = flexedge::testkit::TOKEN_SECRET;
    for a in [&ok, &r] {
        assert!(!a.body.to_string().contains(secret));
    }
}

#[test]
fn direct_lookups_find_the_last_record_of_every_source() {
    let w = World::new(N, &[]);
    for s in Source::ALL {
        // The last record in the source's native order (an offset seek to it).
        let last = w.get(&format!(
            "/v1/sources/{}/orders?limit=1&offset={}",
            s.as_str(),
            N - 1
        ));
        let want = &last.items()[0];
        let id = want["id"].as_str().unwrap();
        let a = w.get(&format!("/v1/orders/{}", enc(id)));
        assert_eq!(a.status, 200, "{s}: {}", a.body);
        assert_eq!(&a.body, want, "{s}");
        report(format!(
            "[paging] GET /v1/orders/{{id}} of {s}'s last record: {} upstream requests",
            a.log.len()
        ));
        // The look-up is the vendor's own, not a scan (TelecomX must scan: its filter
        // does not cover _id; 40 pages of 500 fit the budget of 45 at 20,000).
        let max = if s == Source::TelecomxFlexcare { 45 } else { 3 };
        assert!(a.log.len() <= max, "{s}: {:?}", a.log);
        // An id that does not exist is a 404 only because the vendor's answer is whole.
        let missing = format!("{}:does-not-exist", s.as_str());
        let a = w.get(&format!("/v1/orders/{}", enc(&missing)));
        assert_eq!(a.status, 404, "{s}: {}", a.body);
        assert_eq!(a.body["code"], "record.not_found");
    }
    // Where the scan needs more than the budget, the answer says the record may exist.
    let big = World::new(30_000, &[]);
    let a = big.get("/v1/orders/telecomx_flexcare:000000000000000000000000");
    assert_eq!(a.status, 503, "{}", a.body);
    assert_eq!(a.body["code"], "lookup.incomplete");
    assert!(a.body["detail"].as_str().unwrap().contains("may exist"));
    // GreenLake's record by its exact filter, FNO Beta's through its line items.
    assert!(w
        .get("/v1/orders/fno_entitlements:ent-nope")
        .log
        .iter()
        .any(|l| l.contains("/line-items")));
}

#[test]
fn devices_by_id_read_the_one_device() {
    let w = World::new(500, &[]);
    let list = w.get("/v1/devices?limit=3");
    let d = &list.items()[2];
    let id = d["id"].as_str().unwrap();
    let a = w.get(&format!("/v1/devices/{}", enc(id)));
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(&a.body, d);
    assert!(
        a.log.iter().any(|l| l.ends_with(&format!(
            "/flex/v1beta1/devices/{}",
            d["sourceId"].as_str().unwrap()
        ))),
        "{:?}",
        a.log
    );
    // The vendor id alone names the same device.
    let b = w.get(&format!("/v1/devices/{}", d["sourceId"].as_str().unwrap()));
    assert_eq!(&b.body, d);
    assert_eq!(w.get("/v1/devices/hpe_flex:no-such-device").status, 404);
    assert_eq!(w.get("/v1/devices/fno_orders:x").status, 404);
    let r = w.get(&format!("/v1/devices/{}?include=raw", enc(id)));
    assert_eq!(r.body["raw"]["id"], d["sourceId"]);
    assert_eq!(
        w.get_as(&format!("/v1/devices/{}", enc(id)), "paging-key-two")
            .status,
        200
    );
    let scoped = World::new(
        20,
        &[(
            "FLEXEDGE_API_KEYS",
            r#"[{"key": "paging-key-fno-only", "sources": ["fno_orders"]}]"#,
        )],
    );
    assert_eq!(
        scoped
            .get_as("/v1/devices/hpe_flex:x", "paging-key-fno-only")
            .status,
        403
    );
}

/// Returns `Pending` once, so that requests sent together are in flight together.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Rewrites an answer's body, given the request's URI.
type Rewrite<'a> = &'a dyn Fn(&str, Vec<u8>) -> Vec<u8>;

/// Counts the requests in flight at once and can rewrite answers.
struct Watch<'a, C> {
    inner: C,
    in_flight: Cell<u32>,
    most: Cell<u32>,
    rewrite: Option<Rewrite<'a>>,
}

impl<C: HttpClient> HttpClient for Watch<'_, C> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.in_flight.set(self.in_flight.get() + 1);
        self.most.set(self.most.get().max(self.in_flight.get()));
        YieldOnce(false).await;
        let path = req.uri().to_string();
        let out = self.inner.send(req).await;
        self.in_flight.set(self.in_flight.get() - 1);
        match (out, self.rewrite) {
            (Ok(res), Some(f)) => {
                let (parts, body) = res.into_parts();
                Ok(http::Response::from_parts(parts, f(&path, body)))
            }
            (out, _) => out,
        }
    }
}

fn watch<C>(inner: C) -> Watch<'static, C> {
    Watch {
        inner,
        in_flight: Cell::new(0),
        most: Cell::new(0),
        rewrite: None,
    }
}

#[test]
fn at_most_six_upstream_fetches_are_in_flight() {
    let w = World::new(4_000, &[]);
    // A TelecomX sort is a full read: the first page tells 4,000 records, the other seven
    // pages are requested together — six at a time.
    let c = watch(w.client());
    let a = w.get_via(
        &c,
        "/v1/sources/telecomx_flexcare/orders?limit=20&sort=name",
        KEY,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["sources"]["telecomx_flexcare"]["requests"], 8);
    assert_eq!(c.most.get(), 6);
    // Without sorting the four sources are read together, and each FNO page with its
    // one-record end probe (a page of 5 is exactly what each source's share wants).
    let c = watch(w.client());
    let a = w.get_via(&c, "/v1/orders?limit=20", KEY);
    assert_eq!(c.most.get(), 6);
    for s in ["fno_orders", "fno_entitlements"] {
        assert_eq!(
            a.body["sources"][s]["requests"], 2,
            "{s}: {}",
            a.body["sources"]
        );
    }
}

#[test]
fn retries_draw_from_the_budget_and_back_off_with_jitter_within_the_deadline() {
    // A failing GreenLake beside FNO with a budget of 6: each has a reserve of 3, so
    // GreenLake's token call and two tries spend its share and FNO still answers.
    let w = World::new(50, &[("FLEXEDGE_MAX_SUBREQUESTS", "6")]);
    w.sim.set_fault(Source::HpeFlex, Fault::Status500);
    let two = enc("source in ('hpe_flex', 'fno_orders')");
    let a = w.get(&format!("/v1/orders?filter={two}"));
    assert_eq!(a.status, 200, "{}", a.body);
    let r = &a.body["sources"]["hpe_flex"];
    assert_eq!(r["error"]["code"], "upstream.server", "{r}");
    assert_eq!(r["subrequests"], 3, "{r}");
    assert_eq!(a.body["sources"]["fno_orders"]["status"], "ok");
    assert!(a.body["budget"]["used"].as_u64().unwrap() <= 6);
    // With room, four tries; three jittered back-offs of 200–400, 400–800 and 800–1600 ms,
    // the same in every run (the fake clock's jitter is a fixed sequence).
    let elapsed = || {
        let w = World::new(50, &[]);
        w.sim.set_fault(Source::FnoOrders, Fault::Status500);
        let pair = enc("source in ('fno_orders', 'fno_entitlements')");
        let a = w.get(&format!("/v1/orders?filter={pair}"));
        // Four tries of the page, one of the end probe beside it (never retried).
        assert_eq!(
            a.body["sources"]["fno_orders"]["subrequests"], 5,
            "{}",
            a.body
        );
        w.clock_elapsed()
    };
    let (e1, e2) = (elapsed(), elapsed());
    assert_eq!(e1, e2);
    assert!((1_400..=2_800).contains(&e1), "{e1}");
    // Retry-After is waited only when it fits the deadline: 30 s does not fit 8 s. (Its
    // only source failed: a 503 that says why.)
    let w = World::new(50, &[]);
    w.sim
        .set_fault(Source::TelecomxFlexcare, Fault::RateLimited(30));
    let a = w.get("/v1/sources/telecomx_flexcare/orders");
    assert_eq!(a.status, 503, "{}", a.body);
    assert!(a.body["detail"]
        .as_str()
        .unwrap()
        .contains("upstream.rate_limited"));
    assert!(w.clock_elapsed() < 100, "{}", w.clock_elapsed());
}

#[test]
fn a_deadline_that_cuts_the_retries_reports_the_vendors_last_answer() {
    // Three 500s, then a fourth try that hangs past the 2.5 s deadline: the source's
    // error is the vendor's 500 (its code, its status, its words), saying that the
    // deadline ended the retries, not a bare timeout that would hide why it failed.
    let mut w = World::new(50, &[("FLEXEDGE_DEADLINE_MS", "2500")]);
    w.timeout_ms = 30_000;
    w.sim.queue_faults(
        Source::HpeFlex,
        [
            Some(Fault::Status500),
            Some(Fault::Status500),
            Some(Fault::Status500),
            Some(Fault::Hang),
        ],
    );
    // (Its only source failed: a 503 that names the error.)
    let a = w.get("/v1/sources/hpe_flex/orders?limit=5");
    assert_eq!(a.status, 503, "{}", a.body);
    let d = a.body["detail"].as_str().unwrap();
    assert!(
        d.contains("hpe_flex: upstream.server (HPE_GL_ERROR_INTERNAL_SERVER_ERROR: "),
        "{d}"
    );
    assert!(
        d.contains("(not retried again: the request's deadline passed))"),
        "{d}"
    );
    assert!(w.clock_elapsed() <= 2_500, "{}", w.clock_elapsed());
    // A first try that hangs has no answer to tell: that is still a timeout (a 504).
    let mut w = World::new(50, &[("FLEXEDGE_DEADLINE_MS", "2500")]);
    w.timeout_ms = 30_000;
    w.sim.queue_faults(Source::HpeFlex, [Some(Fault::Hang)]);
    let a = w.get("/v1/sources/hpe_flex/orders?limit=5");
    assert_eq!(a.status, 504, "{}", a.body);
}

/// The answer's `items` listed twice over, for requests to a path holding `part`.
fn items_twice(path: &str, part: &str, body: Vec<u8>) -> Vec<u8> {
    if !path.contains(part) {
        return body;
    }
    let mut v: Value = serde_json::from_slice(&body).unwrap();
    let items = v["items"].as_array().unwrap().clone();
    v["items"].as_array_mut().unwrap().extend(items);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn a_page_with_more_items_than_asked_is_an_upstream_error() {
    let w = World::new(50, &[]);
    let double = |path: &str, body: Vec<u8>| items_twice(path, "/flex/v1beta1/orders", body);
    let c = Watch {
        rewrite: Some(&double),
        ..watch(w.client())
    };
    let a = w.get_via(&c, "/v1/orders?limit=20", KEY);
    assert_eq!(a.status, 200);
    let r = &a.body["sources"]["hpe_flex"];
    assert_eq!(r["error"]["code"], "upstream.too_large", "{r}");
    assert_eq!(a.body["sources"]["fno_orders"]["status"], "ok");
}

#[test]
fn a_transform_value_listed_twice_is_counted_once() {
    // GreenLake's transform pages list every value twice (as a list that changed between
    // its pages could): the vendor-counted groups are still the edge's.
    let w = World::new(15_000, &[("FLEXEDGE_MAX_SUBREQUESTS", "1000")]);
    let twice =
        |path: &str, body: Vec<u8>| items_twice(path, "/flex/v1beta1/orders/transform", body);
    let c = Watch {
        rewrite: Some(&twice),
        ..watch(w.client())
    };
    let uri = format!(
        "/v1/orders/transform?group-by=customer/name&limit=1000&explain=true&filter={}",
        enc("source eq 'hpe_flex'")
    );
    let a = w.get_via(&c, &uri, KEY);
    assert_eq!(a.status, 200, "{}", a.body);
    let how = a.body["sources"]["hpe_flex"]["explain"]["groupBy"].as_str();
    assert!(
        how.is_some_and(|h| h.starts_with("group-by pushed")),
        "{}",
        a.body
    );
    let b = w.get(&format!("{uri}&pushdown=false"));
    assert_eq!(a.body["items"], b.body["items"]);
    assert_eq!(a.body["total"], b.body["total"]);
}

#[test]
fn one_deadline_covers_every_page_and_keeps_what_arrived() {
    // Page 1 at 7.5 s, page 2 never: with an 8 s deadline the answer comes at 8 s with
    // page 1, the source marked partial, and a `next` that continues after it.
    let mut w = World::new(500, &[("FLEXEDGE_DEADLINE_MS", "8000")]);
    w.timeout_ms = 30_000;
    w.sim.queue_faults(
        Source::HpeFlex,
        [Some(Fault::Latency(7_500)), Some(Fault::Hang)],
    );
    let a = w.get("/v1/sources/hpe_flex/orders?limit=150");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.items().len(), 100);
    assert_eq!(a.body["partial"], true);
    let r = &a.body["sources"]["hpe_flex"];
    assert_eq!(r["partial"], true, "{r}");
    assert_eq!(r["reason"], "the request's deadline passed");
    assert!(w.clock_elapsed() <= 8_000, "{}", w.clock_elapsed());
    let b = w.get(&with_next(
        "/v1/sources/hpe_flex/orders?limit=150",
        &a.next().unwrap(),
    ));
    assert_eq!(b.body["offset"], 100);
    assert_eq!(b.items().len(), 150);
    // Nothing in time at all is still a 504.
    let w = World::new(50, &[]);
    w.sim.set_fault(Source::HpeFlex, Fault::Hang);
    assert_eq!(w.get("/v1/sources/hpe_flex/orders").status, 504);
}

/// Creates `n` FNO Beta entitlements in the simulator at one instant (`at_ms`), stored
/// in an order that is not their ids' (`ENT-TIE-00` … shuffled).
fn create_ties(w: &World, n: usize, at_ms: i64) -> Vec<String> {
    let mut ids = Vec::new();
    for k in 0..n {
        let id = format!("ENT-TIE-{:02}", (k * 17 + 5) % n);
        let body = serde_json::json!({
            "entitlementId": id,
            "accounts": [{"accountId": "TieOrg", "accountName": "Tie Org", "accountType": "CUSTOMER",
                          "partnerTierName": "END_CUSTOMER", "isCurrentOwner": true}],
            "lineItems": [{
                "activationId": format!("ACT-TIE-{k:02}"),
                "product": [{"productName": "TieProduct", "productVersion": "1.0"}],
                "quantity": 1, "isPermanent": true, "startDate": "2026-01-01"
            }],
            "status": "draft"
        });
        let req = http::Request::builder()
            .method("POST")
            .uri("/entitlements-api/v1/entitlement")
            .header(
                "authorization",
                format!("Bearer {}", flexedge::sim::creds::FNO_TOKEN),
            )
            .header("content-type", "application/json")
            .body(body.to_string().into_bytes())
            .unwrap();
        let r = w.sim.handle(&req, at_ms).response;
        assert_eq!(r.status(), 200, "{}", String::from_utf8_lossy(r.body()));
        ids.push(id);
    }
    ids
}

/// FNO Beta's `sort_by=created_on` orders by the instant alone: its order among equal
/// instants is undocumented (the simulator keeps the order they were stored in). With 40
/// entitlements created in one instant and pages that cut that run, a `createdAt` walk
/// pushed to the vendor gives exactly the edge's own order (`pushdown=false`: ties by
/// the later keys, then the id), in both directions and merged with the other sources,
/// while its first page reads only as deep as it goes.
#[test]
fn beta_created_on_ties_are_ordered_at_the_edge() {
    let w = World::new(300, &[]);
    let tied = create_ties(&w, 40, NOW_MS - 86_400_000);
    for sort in ["createdAt", "createdAt desc", "createdAt desc,status desc"] {
        for route in ["/v1/sources/fno_entitlements/orders", "/v1/orders"] {
            let path = format!("{route}?limit=7&sort={}", enc(sort));
            let mut first = None;
            let pushed = walk(&w, &path, 400, |page, a| {
                if page == 0 {
                    first = Some(a.calls());
                    let e = w.get(&format!("{path}&explain=true"));
                    let req =
                        e.body["sources"]["fno_entitlements"]["explain"]["requests"].to_string();
                    assert!(req.contains("created_on"), "{sort}: {req}");
                }
            });
            let edge = walk(&w, &format!("{path}&pushdown=false"), 400, |_, _| {});
            let alone = route.contains("sources");
            let (got, want) = (ids(&pushed.items), ids(&edge.items));
            assert_eq!(got, want, "{route} sort={sort}");
            assert_eq!(
                distinct(&got),
                got.len(),
                "{route} sort={sort}: repeated ids"
            );
            let oracle: Vec<String> = oracle(&w, "", sort)
                .into_iter()
                .filter(|r| !alone || r.source == Source::FnoEntitlements)
                .map(|r| r.id)
                .collect();
            assert_eq!(got, oracle, "{route} sort={sort}: not the declared order");
            // The tied run is whole, and cut by pages of 7.
            let at: Vec<usize> = got
                .iter()
                .enumerate()
                .filter(|(_, id)| tied.iter().any(|t| id.ends_with(t.as_str())))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(at.len(), 40, "{route} sort={sort}");
            assert_eq!(at[39] - at[0], 39, "{route} sort={sort}: the run is split");
            if alone {
                // An offset that ends inside the run (walked, not seeked), then pages on.
                let offset = at[0] + 3;
                let mut a = w.get(&format!("{path}&offset={offset}"));
                let mut from = Vec::new();
                for _ in 0..400 {
                    assert_eq!(a.status, 200, "{}", a.body);
                    from.extend(a.ids());
                    match a.next() {
                        Some(t) => a = w.get(&with_next(&path, &t)),
                        None => break,
                    }
                }
                assert_eq!(from, &got[offset..], "sort={sort} offset={offset}");
            }
            if alone {
                report(format!(
                    "[paging] fno_entitlements sort={sort}, 340 records, pages of 7: page 1 = {} calls pushed (sort_by=created_on), {} sorted at the edge",
                    first.unwrap(),
                    edge.calls[0]
                ));
                assert!(
                    first.unwrap() < edge.calls[0],
                    "{sort}: pushed first page {} calls, the edge's sort {}",
                    first.unwrap(),
                    edge.calls[0]
                );
            }
        }
    }
}

/// At 20,000 Beta entitlements, the newest 50 are one pushed page (`sort_by=created_on`),
/// while sorting at the edge must read all 20,000, more than the default budget allows.
#[test]
fn beta_newest_first_is_one_page_at_size() {
    let w = World::new(N, &[]);
    let path = "/v1/sources/fno_entitlements/orders?limit=50&sort=createdAt%20desc";
    let a = w.get(path);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.items().len(), 50);
    let edge = w.get(&format!("{path}&pushdown=false"));
    assert_eq!(edge.status, 422, "{}", edge.body);
    assert_eq!(edge.body["code"], "query.sort.needs_scan");
    let wide = w.get(&format!("{path}&pushdown=false&partial=allow"));
    report(format!(
        "[paging] fno_entitlements sort=createdAt desc, {N} records: page 1 of 50 = {} calls, {} records fetched pushed; pushdown=false is refused (query.sort.needs_scan; {} calls for a partial page)",
        a.calls(),
        a.body["sources"]["fno_entitlements"]["fetched"],
        wide.calls()
    ));
    // The newest 50 by the simulator's own data, in order.
    let want: Vec<String> = oracle(&w, "source eq 'fno_entitlements'", "createdAt desc")
        .into_iter()
        .take(50)
        .map(|r| r.id)
        .collect();
    assert_eq!(a.ids(), want);
}

/// A Beta page sorted by `created_on` that puts a record out of the edge's order (here
/// one without `createdOn`, which the edge sorts first, in the middle of the second page)
/// stops the stream there: the page holds only what came in order, the source is partial
/// with the reason, and the record is not given out of order.
#[test]
fn a_beta_record_out_of_created_on_order_stops_the_source() {
    let w = World::new(300, &[]);
    let null_one = |path: &str, body: Vec<u8>| {
        if !path.contains("sort_by=created_on") || path.contains("page=0") {
            return body;
        }
        let mut v: Value = serde_json::from_slice(&body).unwrap();
        if let Some(e) = v["entitlements"].get_mut(3) {
            e["createdOn"] = Value::Null;
        }
        serde_json::to_vec(&v).unwrap()
    };
    let c = Watch {
        rewrite: Some(&null_one),
        ..watch(w.client())
    };
    let a = w.get_via(
        &c,
        "/v1/sources/fno_entitlements/orders?limit=200&sort=createdAt",
        KEY,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let r = &a.body["sources"]["fno_entitlements"];
    assert_eq!(r["partial"], true, "{r}");
    assert!(
        r["reason"].as_str().unwrap().contains("vendor's order"),
        "{r}"
    );
    let items = a.items();
    assert!(!items.is_empty() && items.len() < 200, "{}", items.len());
    let at: Vec<&str> = items
        .iter()
        .map(|i| i["createdAt"].as_str().unwrap())
        .collect();
    assert!(at.windows(2).all(|p| p[0] <= p[1]), "out of order");
    let want: Vec<String> = oracle(&w, "source eq 'fno_entitlements'", "createdAt")
        .into_iter()
        .take(items.len())
        .map(|r| r.id)
        .collect();
    assert_eq!(a.ids(), want);
}

/// A sort the vendor serves exactly is pushed whatever stays at the edge: at 20,000
/// GreenLake orders, the first 50 by `endDate` among those whose customer name contains
/// "a" (a filter GreenLake cannot evaluate) are a few sorted pages, where sorting at the
/// edge must read all 20,000 and is refused within the default budget.
#[test]
fn a_sort_is_pushed_beside_a_filter_that_stays_at_the_edge() {
    let w = World::new(N, &[]);
    let filter = "contains(customer/name, 'a')";
    let path = format!(
        "/v1/sources/hpe_flex/orders?limit=50&sort=endDate&filter={}",
        enc(filter)
    );
    let a = w.get(&format!("{path}&explain=true"));
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.items().len(), 50);
    let e = &a.body["sources"]["hpe_flex"]["explain"];
    assert_eq!(e["sortPushed"], true, "{e}");
    assert!(e["residual"].as_str().is_some(), "{e}");
    let want: Vec<String> = oracle(&w, &format!("source eq 'hpe_flex' and {filter}"), "endDate")
        .into_iter()
        .take(50)
        .map(|r| r.id)
        .collect();
    assert_eq!(a.ids(), want);
    let edge = w.get(&format!("{path}&pushdown=false"));
    assert_eq!(edge.status, 422, "{}", edge.body);
    report(format!(
        "[paging] hpe_flex sort=endDate, filter kept at the edge, {N} records: page 1 of 50 = {} calls, {} records fetched; pushdown=false is refused (query.sort.needs_scan)",
        a.calls(),
        a.body["sources"]["hpe_flex"]["fetched"],
    ));
}
