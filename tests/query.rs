//! Table-driven pipeline tests: `tests/data/query_cases.json` over the records of
//! `tests/data/filter_eval.json`.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::cmp::Ordering;

mod common;

use common::CaseParams;
use flexedge::model::{Record, RecordSchema, Timestamp};
use flexedge::query::{Param, Query, QueryParams, DEFAULT_LIMIT};
use serde::Deserialize;

#[derive(Deserialize)]
struct Records {
    now: String,
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Case {
    params: CaseParams,
    limit_ids: Option<Vec<String>>,
    items: Option<Vec<serde_json::Value>>,
    groups: Option<Vec<(serde_json::Map<String, serde_json::Value>, usize)>>,
    total: Option<usize>,
    error: Option<(String, String, usize, usize)>,
    suggestion: Option<String>,
}

fn records() -> (Vec<Record>, i64) {
    let t: Records = serde_json::from_str(include_str!("data/filter_eval.json")).unwrap();
    (t.records, Timestamp::parse(&t.now).unwrap().millis())
}

fn param_name(p: Param) -> &'static str {
    p.as_str()
}

#[test]
fn query_table() {
    let (rows, now) = records();
    let cases: Vec<Case> = serde_json::from_str(include_str!("data/query_cases.json")).unwrap();
    let mut failures = Vec::new();
    for (n, c) in cases.iter().enumerate() {
        let params = c.params.as_query();
        let plan =
            Query::parse(&params).and_then(|q| q.plan::<Record>(RecordSchema::default(), now));
        match (plan, &c.error) {
            (Ok(plan), None) => {
                if let Some(groups) = &c.groups {
                    let r = plan.run_group(&rows).unwrap();
                    let got: Vec<_> = r.groups.iter().map(|g| (g.key.clone(), g.count)).collect();
                    if &got != groups || Some(r.total) != c.total || r.count != got.len() {
                        failures.push(format!("case {n}: groups {got:?} total {}", r.total));
                    }
                    continue;
                }
                let r = plan.run_list(&rows);
                if Some(r.total) != c.total || r.count != r.items.len() {
                    failures.push(format!("case {n}: total {} count {}", r.total, r.count));
                }
                if let Some(ids) = &c.limit_ids {
                    let got: Vec<&str> =
                        r.items.iter().map(|i| i["id"].as_str().unwrap()).collect();
                    if &got != ids {
                        failures.push(format!("case {n}: ids {got:?}, want {ids:?}"));
                    }
                }
                if let Some(items) = &c.items {
                    if &r.items != items {
                        failures.push(format!("case {n}: items {:?}", r.items));
                    }
                }
            }
            (Err(e), Some((param, code, s, end))) => {
                if param_name(e.param) != param
                    || e.error.code() != code
                    || (e.error.span.start, e.error.span.end) != (*s, *end)
                    || e.error.suggestion != c.suggestion
                {
                    failures.push(format!("case {n}: got {e:?}"));
                }
            }
            (Ok(_), Some(_)) => failures.push(format!("case {n}: planned, want an error")),
            (Err(e), None) => failures.push(format!("case {n}: unexpected {e:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn defaults_and_canonical_text() {
    let q = Query::parse(&QueryParams::default()).unwrap();
    assert_eq!((q.offset, q.limit), (0, DEFAULT_LIMIT));
    let q = Query::parse(&QueryParams {
        filter: Some("STATUS  EQ 'a'"),
        sort: Some("name  DESC,id"),
        limit: Some("5"),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        q.canonical(),
        "filter=STATUS eq 'a'&sort=name desc,id asc&offset=0&limit=5"
    );
}

#[test]
fn plan_exposes_matches_and_compare() {
    let (rows, now) = records();
    let q = Query::parse(&QueryParams {
        filter: Some("status eq 'active'"),
        sort: Some("createdAt desc"),
        ..Default::default()
    })
    .unwrap();
    let plan = q.plan::<Record>(RecordSchema::default(), now).unwrap();
    let hits: Vec<&Record> = rows.iter().filter(|r| plan.matches(r)).collect();
    assert_eq!(hits.len(), 2);
    // fno_orders:o1 was created after hpe_flex:a1, so it sorts first descending.
    assert_eq!(plan.compare(hits[1], hits[0]), Ordering::Less);
    assert_eq!(plan.compare(hits[0], hits[0]), Ordering::Equal);
}

#[test]
fn sort_is_stable_for_equal_keys() {
    let (rows, now) = records();
    let q = Query::parse(&QueryParams {
        sort: Some("kind desc"),
        ..Default::default()
    })
    .unwrap();
    let r = q
        .plan::<Record>(RecordSchema::default(), now)
        .unwrap()
        .run_list(&rows);
    let orders: Vec<&str> = r
        .items
        .iter()
        .filter(|i| i["kind"] == "order")
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let input: Vec<&str> = rows
        .iter()
        .filter(|r| r.kind.as_str() == "order")
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(orders, input);
}

/// A transform stops at its caps with an error, never a truncated count: more distinct
/// groups than it may answer, or one record with more combinations than it may count.
#[test]
fn transforms_stop_at_their_caps() {
    use flexedge::model::{Kind, Source};
    use flexedge::query::{TooManyGroups, MAX_GROUPS, MAX_KEYS_PER_ROW};
    let group = |rows: &[Record], by: &str| {
        Query::parse(&QueryParams {
            group_by: Some(by),
            ..QueryParams::default()
        })
        .unwrap()
        .plan::<Record>(RecordSchema::default(), 0)
        .unwrap()
        .run_group(rows)
    };
    let many: Vec<Record> = (0..=MAX_GROUPS)
        .map(|i| Record::new(Source::HpeFlex, format!("r{i}"), Kind::Order))
        .collect();
    assert_eq!(group(&many, "id").unwrap_err(), TooManyGroups::Groups);
    assert_eq!(group(&many[..MAX_GROUPS], "id").unwrap().total, MAX_GROUPS);
    let mut wide = Record::new(Source::FnoOrders, "w", Kind::LineItem);
    wide.items = (0..=MAX_KEYS_PER_ROW)
        .map(|i| flexedge::model::Item {
            product_name: Some(format!("p{i}")),
            ..Default::default()
        })
        .collect();
    let rows = [wide];
    assert_eq!(
        group(&rows, "items/productName").unwrap_err(),
        TooManyGroups::PerRow
    );
    // Two fields of one collection are read element by element: 40 pairs, not 40².
    let mut few = rows[0].clone();
    few.items.truncate(40);
    let g = group(&[few], "items/productName,items/partNumber,kind").unwrap();
    assert_eq!(g.total, 40);
}
