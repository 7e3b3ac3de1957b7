//! The reader the browser module uses (`run_json_text`: only the members a query names are
//! read, items are the rows' original text) against the full readers, over every case of
//! `tests/data/filter_eval.json` and `tests/data/query_cases.json`: the same ids, totals,
//! items, groups and errors as whole `serde_json::Value` rows with inferred types, and as
//! `Record`s with the Record schema.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::CaseParams as Params;
use flexedge::model::{Record, RecordSchema, Timestamp};
use flexedge::query::json::split_array;
use flexedge::query::JsonSchema;
use flexedge::query::{run_json_text, Query, QueryError, RunError, Typing};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Table {
    now: String,
    records: Vec<Value>,
    cases: Vec<FilterCase>,
}

#[derive(Deserialize)]
struct FilterCase {
    filter: String,
}

#[derive(Deserialize)]
struct QueryCase {
    params: Params,
}

/// Every case as query parameters: the filter table's filters (all rows, sorted by id so
/// the page is deterministic) and the query table's cases as they are.
fn cases() -> (Vec<Value>, i64, Vec<Params>) {
    let t: Table = serde_json::from_str(include_str!("data/filter_eval.json")).unwrap();
    let q: Vec<QueryCase> = serde_json::from_str(include_str!("data/query_cases.json")).unwrap();
    let mut params: Vec<Params> = t
        .cases
        .iter()
        .map(|c| Params {
            filter: Some(c.filter.clone()),
            sort: Some("id".into()),
            limit: Some("1000".into()),
            ..Params::default()
        })
        .collect();
    params.extend(q.into_iter().map(|c| c.params));
    // A few more shapes: group-by over a collection, select of a parent, an unknown
    // name only the whole rows could suggest.
    for (g, s) in [
        (Some("partners/role"), None),
        (None, Some("customer, items/quantity")),
        (None, Some("attributes/tier, id")),
    ] {
        params.push(Params {
            group_by: g.map(str::to_owned),
            select: s.map(str::to_owned),
            ..Params::default()
        });
    }
    params.push(Params {
        filter: Some("contcat/name eq 'x'".into()),
        ..Params::default()
    });
    (
        t.records,
        Timestamp::parse(&t.now).unwrap().millis(),
        params,
    )
}

fn parse(p: &Params) -> Result<Query, QueryError> {
    Query::parse(&p.as_query())
}

/// The answer of a full reader in the browser module's shape.
fn full<R: flexedge::filter::Row>(
    q: &Query,
    rows: &[R],
    schema: R::Schema,
    now: i64,
) -> Result<Value, QueryError> {
    let plan = q.plan::<R>(schema, now)?;
    Ok(if q.group_by.is_empty() {
        let r = plan.run_list(rows);
        serde_json::json!({"items": r.items, "count": r.count, "total": r.total, "offset": r.offset})
    } else {
        let r = plan.run_group(rows).unwrap();
        serde_json::json!({"items": r.groups, "count": r.count, "total": r.total,
            "rows": r.rows, "offset": r.offset})
    })
}

/// Numbers as JavaScript holds them (`10` and `10.0` are the same number).
fn as_js(v: &Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64()),
        Value::Array(a) => Value::Array(a.iter().map(as_js).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), as_js(x))).collect()),
        x => x.clone(),
    }
}

fn ids(v: &Value) -> Vec<Value> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.get("id").cloned().unwrap_or(i.clone()))
        .collect()
}

#[test]
fn the_pruned_reader_answers_as_the_full_readers() {
    let (records, now, params) = cases();
    // The rows as a page would get them: pretty-printed (whitespace inside items), in the
    // table's member order.
    let text = serde_json::to_string_pretty(&records).unwrap();
    let typed: Vec<Record> = records
        .iter()
        .map(|r| serde_json::from_value(r.clone()).unwrap())
        .collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in &params {
        let q = match parse(p) {
            Ok(q) => q,
            Err(_) => continue, // syntax errors never reach the reader
        };
        for typing in [Typing::Infer, Typing::Record] {
            let want = match typing {
                Typing::Infer => full(&q, &records, JsonSchema::infer(&records), now),
                Typing::Record => full(&q, &typed, RecordSchema::default(), now),
            };
            let got = run_json_text(&q, &text, typing, now)
                .map(|s| serde_json::from_str::<Value>(&s).unwrap());
            checked += 1;
            match (want, got) {
                (Ok(w), Ok(g)) => {
                    let same = match typing {
                        // Items are the input rows (the same JSON as the full reader's).
                        Typing::Infer => w == g,
                        // A Record re-serializes (whole rows normalized, numbers as
                        // floats); compare what it decides, and selections as JS sees them.
                        Typing::Record => {
                            ids(&as_js(&w)) == ids(&as_js(&g))
                                && ["count", "total", "offset", "rows"]
                                    .iter()
                                    .all(|k| w.get(k) == g.get(k))
                                && (!q.group_by.is_empty()
                                    || q.select.is_empty()
                                    || as_js(&w) == as_js(&g))
                        }
                    };
                    if !same {
                        failures.push(format!("{typing:?} {:?}: got {g}, want {w}", p.filter));
                    }
                }
                (Err(w), Err(RunError::Query(g))) if w == g => {}
                (w, g) => {
                    failures.push(format!("{typing:?} {:?}: got {g:?}, want {w:?}", p.filter))
                }
            }
        }
    }
    assert!(checked > 200, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn items_are_the_input_text_unchanged() {
    let (records, now, _) = cases();
    let text = serde_json::to_string_pretty(&records).unwrap();
    let raw = split_array(text.as_bytes()).unwrap();
    let q = parse(&Params {
        filter: Some("status ne 'expired'".into()),
        sort: Some("endDate desc".into()),
        ..Params::default()
    })
    .unwrap();
    for typing in [Typing::Infer, Typing::Record] {
        let out = run_json_text(&q, &text, typing, now).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        let items = v["items"].as_array().unwrap();
        assert!(items.len() >= 2);
        let mut expect = String::from("{\"items\":[");
        for (n, item) in items.iter().enumerate() {
            let at = records.iter().position(|r| r["id"] == item["id"]).unwrap();
            if n > 0 {
                expect.push(',');
            }
            expect.push_str(std::str::from_utf8(raw[at]).unwrap());
        }
        expect.push(']');
        assert!(out.starts_with(&expect), "{out}");
        assert!(expect.contains("\n  "), "the rows keep their whitespace");
    }
}

#[test]
fn bad_records_are_errors() {
    let q = parse(&Params::default()).unwrap();
    for (text, typing) in [
        ("{\"not\":\"an array\"}", Typing::Infer),
        ("[1, 2", Typing::Infer),
        ("[{\"a\":1}, {\"b\": tru}]", Typing::Infer),
        ("[{\"a\":1}] [", Typing::Infer),
        ("[{\"a\":1}]", Typing::Record),
        (
            r#"[{"id":"x:1","source":"x","sourceId":"1","kind":"order"}]"#,
            Typing::Record,
        ),
    ] {
        match run_json_text(&q, text, typing, 0) {
            Err(RunError::Records(m)) => assert!(m.starts_with("records are not"), "{m}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    // Members the query does not read are still checked as JSON.
    let q = parse(&Params {
        filter: Some("a eq 1".into()),
        ..Params::default()
    })
    .unwrap();
    assert!(run_json_text(&q, "[{\"a\":1,\"b\":[1,}]", Typing::Infer, 0).is_err());
    assert!(run_json_text(&q, "[{\"a\":1,\"b\":[1,{}]}]", Typing::Infer, 0).is_ok());
}

#[test]
fn the_query_names_its_roots() {
    let q = parse(&Params {
        filter: Some(
            "customer/name eq 'x' and items/any(i: i/quantity gt n) or contains(tolower(name), 'a')"
                .into(),
        ),
        sort: Some("endDate desc, customer/id".into()),
        select: Some("id, contact/email".into()),
        ..Params::default()
    })
    .unwrap();
    assert_eq!(
        q.roots(),
        ["customer", "items", "i", "n", "name", "endDate", "id", "contact"]
    );
}
