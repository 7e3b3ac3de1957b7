//! The browser module's exports, run in headless Chromium by `scripts/wasm-test.sh`.

#![allow(clippy::unwrap_used)] // tests may unwrap
#![cfg(target_arch = "wasm32")]

use flexedge::browser::{compile_query, group_by, parse_filter, run_query};
use js_sys::{Array, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RECORDS: &str = r#"[
  {"id":"hpe_flex:1","source":"hpe_flex","kind":"order","status":"active","customer":{"name":"Søren & Co"},"endDate":"2027-01-01T00:00:00Z","items":[{"quantity":5}]},
  {"id":"fno_orders:2","source":"fno_orders","kind":"line_item","status":"expired","customer":{"name":"Tōkyō Telecom"},"endDate":"2024-03-01T00:00:00Z","items":[{"quantity":50}]},
  {"id":"telecomx_flexcare:3","source":"telecomx_flexcare","kind":"order","status":"active","customer":{"name":"Acme 😀"},"endDate":"2026-06-30T12:00:00+02:00"}
]"#;

fn get(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(name)).unwrap()
}

fn num(v: &JsValue, name: &str) -> f64 {
    get(v, name).as_f64().unwrap()
}

fn opts(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn ids(result: &JsValue) -> Vec<String> {
    Array::from(&get(result, "items"))
        .iter()
        .map(|r| get(&r, "id").as_string().unwrap())
        .collect()
}

/// The JS `String.prototype.slice(start, end)` of `text`, by UTF-16 offsets.
fn js_slice(text: &str, err: &JsValue) -> String {
    js_sys::JsString::from(text)
        .slice(num(err, "start") as u32, num(err, "end") as u32)
        .into()
}

#[wasm_bindgen_test]
fn version_matches_the_crate() {
    assert_eq!(flexedge::browser::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn parse_filter_returns_the_canonical_text() {
    let r = parse_filter("status  EQ 'active' AND kundenName eq 'Søren'").unwrap();
    assert_eq!(
        get(&r, "canonical").as_string().unwrap(),
        "status eq 'active' and kundenName eq 'Søren'"
    );
}

#[wasm_bindgen_test]
fn syntax_errors_are_js_errors_with_utf16_offsets() {
    // Before the error: 2-byte (ø), 3-byte (東) and 4-byte (😀, a surrogate pair) characters.
    let text = "name eq 'Søren 東 😀' xor status eq 'active'";
    let err = parse_filter(text).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(
        get(&err, "code").as_string().unwrap(),
        "filter.syntax.unexpected_token"
    );
    assert_eq!(js_slice(text, &err), "xor");
    assert_eq!(num(&err, "start"), 21.0); // UTF-16 units, not bytes (26) nor chars (20)
    assert!(get(&err, "message").as_string().unwrap().contains("xor"));
    assert_eq!(get(&err, "param").as_string().unwrap(), "filter");
}

#[wasm_bindgen_test]
fn an_emoji_where_a_token_should_be_is_spanned_as_one_character() {
    let text = "a eq 😀";
    let err = parse_filter(text).unwrap_err();
    assert_eq!(js_slice(text, &err), "😀");
    assert_eq!((num(&err, "start"), num(&err, "end")), (5.0, 7.0));
}

#[wasm_bindgen_test]
fn run_query_filters_sorts_and_pages_from_every_input_kind() {
    let o = opts(r#"{"filter":"status eq 'active'","sort":"endDate desc","limit":1}"#);
    let from_str = run_query(&JsValue::from_str(RECORDS), &o).unwrap();
    let bytes: JsValue = Uint8Array::from(RECORDS.as_bytes()).into();
    let from_bytes = run_query(&bytes, &o).unwrap();
    let from_objects = run_query(&JSON::parse(RECORDS).unwrap(), &o).unwrap();
    for r in [&from_str, &from_bytes, &from_objects] {
        assert_eq!(ids(r), ["hpe_flex:1"]);
        assert_eq!(num(r, "count"), 1.0);
        assert_eq!(num(r, "total"), 2.0);
        assert_eq!(num(r, "offset"), 0.0);
    }
}

#[wasm_bindgen_test]
fn iso_strings_compare_as_instants_against_date_literals() {
    // 2026-06-30T12:00:00+02:00 is 10:00Z.
    let o = opts(r#"{"filter":"endDate lt 2026-06-30T11:00:00Z and endDate gt 2025-01-01"}"#);
    let r = run_query(&JsValue::from_str(RECORDS), &o).unwrap();
    assert_eq!(ids(&r), ["telecomx_flexcare:3"]);
}

#[wasm_bindgen_test]
fn non_ascii_values_and_collections_filter() {
    let o = opts(
        r#"{"filter":"contains(customer/name, '😀') or items/any(i: i/quantity gt 10)","sort":"id"}"#,
    );
    let r = run_query(&JsValue::from_str(RECORDS), &o).unwrap();
    assert_eq!(ids(&r), ["fno_orders:2", "telecomx_flexcare:3"]);
}

#[wasm_bindgen_test]
fn select_keeps_only_the_named_paths() {
    let o = opts(r#"{"select":"id, customer/name","limit":1,"sort":"id"}"#);
    let r = run_query(&JsValue::from_str(RECORDS), &o).unwrap();
    let item = Array::from(&get(&r, "items")).get(0);
    let keys: Vec<String> = js_sys::Object::keys(item.unchecked_ref::<js_sys::Object>())
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect();
    assert_eq!(keys, ["customer", "id"]);
}

#[wasm_bindgen_test]
fn query_errors_carry_param_span_and_suggestion() {
    let text = "kind eq 'order' and custmerName eq 'x'";
    let o = opts(&format!(r#"{{"filter":"{text}"}}"#).replace("'x'", "'😀'"));
    let text = text.replace("'x'", "'😀'");
    let err = run_query(&JsValue::from_str(RECORDS), &o).unwrap_err();
    assert_eq!(get(&err, "param").as_string().unwrap(), "filter");
    assert_eq!(js_slice(&text, &err), "custmerName");

    let sort = "endDate desc, kindd";
    let err = run_query(
        &JsValue::from_str(RECORDS),
        &opts(&format!(r#"{{"sort":"{sort}"}}"#)),
    )
    .unwrap_err();
    assert_eq!(get(&err, "param").as_string().unwrap(), "sort");
    assert_eq!(js_slice(sort, &err), "kindd");
    assert_eq!(get(&err, "suggestion").as_string().unwrap(), "kind");
}

#[wasm_bindgen_test]
fn bad_records_are_errors_not_panics() {
    for bad in [
        JsValue::from_str("{\"not\":\"an array\"}"),
        JsValue::from_str("[1, 2"),
        JsValue::from_f64(3.0),
    ] {
        let err = run_query(&bad, &JsValue::UNDEFINED).unwrap_err();
        assert_eq!(get(&err, "code").as_string().unwrap(), "records.invalid");
    }
}

#[wasm_bindgen_test]
fn group_by_counts_per_key() {
    let o = opts(r#"{"groupBy":"kind","sort":"count desc"}"#);
    let r = group_by(&JsValue::from_str(RECORDS), &o).unwrap();
    let first = Array::from(&get(&r, "items")).get(0);
    assert_eq!(
        get(&get(&first, "key"), "kind").as_string().unwrap(),
        "order"
    );
    assert_eq!(num(&first, "count"), 2.0);
    assert_eq!(num(&r, "total"), 2.0);
    assert_eq!(num(&r, "rows"), 3.0);
    let missing = group_by(&JsValue::from_str(RECORDS), &opts("{}")).unwrap_err();
    assert_eq!(
        get(&missing, "code").as_string().unwrap(),
        "query.group_by.missing"
    );
}

#[wasm_bindgen_test]
fn a_compiled_query_runs_over_several_record_sets() {
    let q = compile_query(&opts(r#"{"filter":"kind eq 'order'","sort":"id"}"#)).unwrap();
    let all = q.run(&JsValue::from_str(RECORDS)).unwrap();
    assert_eq!(ids(&all), ["hpe_flex:1", "telecomx_flexcare:3"]);
    let other = r#"[{"id":"x:1","kind":"device"},{"id":"x:2","kind":"order"}]"#;
    let some = q.run(&JsValue::from_str(other)).unwrap();
    assert_eq!(ids(&some), ["x:2"]);
    // Names are resolved against the records of each run: none has `kind` here.
    let err = q.run(&JsValue::from_str(r#"[{"id":"y"}]"#)).unwrap_err();
    assert_eq!(
        get(&err, "code").as_string().unwrap(),
        "filter.field.unknown"
    );
    assert!(q
        .canonical()
        .starts_with("filter=kind eq 'order'&sort=id asc"));
}

#[wasm_bindgen_test]
fn schema_record_reads_normalized_records() {
    let recs = r#"[
      {"id":"hpe_flex:1","source":"hpe_flex","sourceId":"1","kind":"order","status":"active","endDate":"2027-01-01T00:00:00Z"},
      {"id":"fno_orders:2","source":"fno_orders","sourceId":"2","kind":"line_item","status":"expired"}
    ]"#;
    let o = opts(
        r#"{"filter":"endDate gt 2026-01-01 or contact/email eq null","sort":"id desc","schema":"record"}"#,
    );
    let r = run_query(&JsValue::from_str(recs), &o).unwrap();
    // `contact/email` is in no record, yet known to the Record schema.
    assert_eq!(ids(&r), ["hpe_flex:1", "fno_orders:2"]);
    let bad = run_query(&JsValue::from_str(RECORDS), &o).unwrap_err();
    assert_eq!(get(&bad, "code").as_string().unwrap(), "records.invalid");
    let wrong = run_query(&JsValue::from_str(recs), &opts(r#"{"schema":"yaml"}"#)).unwrap_err();
    assert_eq!(
        get(&wrong, "code").as_string().unwrap(),
        "query.option.schema"
    );
}

#[wasm_bindgen_test]
fn items_are_the_records_as_given() {
    // Without `select`, an item is the input record's own text parsed by JSON.parse: its
    // members keep their order and spelling (a re-serialized object would sort them).
    for schema in ["json", "record"] {
        let recs = r#"[{"sourceId":"1","id":"hpe_flex:1","kind":"order","source":"hpe_flex","zz":1.50,"aa":[1]}]"#;
        let o = opts(&format!(r#"{{"schema":"{schema}"}}"#));
        let r = run_query(&JsValue::from_str(recs), &o).unwrap();
        let item = Array::from(&get(&r, "items")).get(0);
        let keys: Vec<String> = js_sys::Object::keys(item.unchecked_ref::<js_sys::Object>())
            .iter()
            .map(|k| k.as_string().unwrap())
            .collect();
        assert_eq!(keys, ["sourceId", "id", "kind", "source", "zz", "aa"]);
        assert_eq!(num(&item, "zz"), 1.5);
    }
}
