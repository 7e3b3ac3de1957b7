//! The engine over plain JSON rows (what the browser module uses): typing from the
//! values, ISO date strings compared as instants, arrays of scalars in lambdas and
//! group-by.

#![allow(clippy::unwrap_used)] // tests may unwrap

use flexedge::filter::Filter;
use flexedge::query::JsonSchema;
use flexedge::query::{Query, QueryParams};
use serde_json::{json, Value};

fn rows() -> Vec<Value> {
    vec![
        json!({"id": "1", "tags": ["a", "b"], "when": "2025-01-01T10:00:00+02:00", "n": 5, "nested": {"x": "y"}}),
        json!({"id": "2", "tags": [], "when": "2024-01-01", "n": "five"}),
        json!({"id": "3", "tags": ["b"], "lines": [{"qty": 2}, {"qty": 9}]}),
    ]
}

fn ids(filter: &str) -> Vec<String> {
    let rows = rows();
    let f = Filter::<Value>::parse(filter, JsonSchema::infer(&rows), 0).unwrap();
    rows.iter()
        .filter(|r| f.matches(r))
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn json_semantics() {
    assert_eq!(ids("tags/any(t: t eq 'a')"), ["1"]);
    assert_eq!(ids("tags/all(t: t eq 'b')"), ["2", "3"]);
    // 10:00+02:00 is 08:00Z: instants compare in UTC.
    assert_eq!(ids("when gt 2025-01-01T07:00:00Z"), ["1"]);
    assert_eq!(ids("when lt 2025-01-01T08:30:00Z"), ["1", "2"]);
    assert_eq!(ids("when lt '2025-01-01T08:00:00Z'"), ["2"]);
    assert_eq!(ids("when eq null"), ["3"]);
    // `n` holds a number and a string: typed `any`, compared per value.
    assert_eq!(ids("n eq 5"), ["1"]);
    assert_eq!(ids("n eq 'five'"), ["2"]);
    assert_eq!(ids("nested/x eq 'y'"), ["1"]);
    assert_eq!(ids("lines/any(l: l/qty gt 5)"), ["3"]);
}

#[test]
fn collections_of_values_in_the_odata_collection_operators() {
    // `x in collection` is `collection/any(t: t eq x)`.
    assert_eq!(ids("'b' in tags"), ["1", "3"]);
    assert_eq!(ids("'a' in tags or id in ['2']"), ["1", "2"]);
    assert_eq!(ids("hassubset(tags, ['b'])"), ["1", "3"]);
    assert_eq!(ids("hassubset(tags, ['b', 'a'])"), ["1"]);
    assert_eq!(ids("hassubset(['a', 'b', 'c'], tags)"), ["1", "2", "3"]);
    assert_eq!(
        ids("hassubsequence(tags, ['b', 'a'])"),
        Vec::<String>::new()
    );
    assert_eq!(ids("hassubsequence(tags, ['a', 'b'])"), ["1"]);
    assert_eq!(ids("tags/$count eq 0"), ["2"]);
    assert_eq!(ids("tags/$count($filter=$it eq 'b') eq 1"), ["1", "3"]);
    assert_eq!(ids("tags/$filter($this ne 'b')/any()"), ["1"]);
    assert_eq!(ids("lines/$filter(qty gt 5)/$count eq 1"), ["3"]);
    assert_eq!(
        ids("lines/$filter(qty gt 1)/all(l: l/qty gt 5)"),
        ["1", "2"]
    );
}

#[test]
fn json_errors_suggest() {
    let rows = rows();
    let e = Filter::<Value>::parse("nestd/x eq 'y'", JsonSchema::infer(&rows), 0).unwrap_err();
    assert_eq!(
        (e.code(), e.suggestion.as_deref()),
        ("filter.field.unknown", Some("nested/x"))
    );
    let e = Filter::<Value>::parse("when gt 'soon'", JsonSchema::infer(&rows), 0).unwrap_err();
    assert_eq!(e.code(), "filter.type.invalid_date");
}

#[test]
fn json_group_by_scalar_array_counts_each_value() {
    let rows = rows();
    let q = Query::parse(&QueryParams {
        group_by: Some("tags"),
        ..Default::default()
    })
    .unwrap();
    let r = q
        .plan::<Value>(JsonSchema::infer(&rows), 0)
        .unwrap()
        .run_group(&rows);
    let got: Vec<(Value, usize)> = r
        .groups
        .iter()
        .map(|g| (g.key["tags"].clone(), g.count))
        .collect();
    // Groups in key order, the `null` group first (OData orders nulls first).
    assert_eq!(
        got,
        vec![(Value::Null, 1), (json!("a"), 1), (json!("b"), 2)]
    );
    assert_eq!(r.rows, 3);
}
