//! The conformance table over the OData 4.01 expression grammar
//! (`tests/data/filter_conformance.json`, one row per ABNF production of `commonExpr` /
//! `boolCommonExpr`, many of them drawn from the OData ABNF test cases): every valid input
//! parses and round-trips through canonical printing; every invalid input fails at the
//! byte offset of the first character that cannot continue a valid expression (and the
//! UTF-16 offset the JavaScript API reports agrees); `checked` inputs parse and are
//! rejected by the checker on the record schema with their code at their offset.

#![allow(clippy::unwrap_used)] // tests may unwrap

use flexedge::filter::{parse, Filter};
use flexedge::model::{Record, RecordSchema};
use serde::Deserialize;

#[derive(Deserialize)]
struct Row {
    production: String,
    valid: Vec<String>,
    invalid: Vec<Bad>,
    #[serde(default)]
    checked: Vec<Bad>,
}

#[derive(Deserialize)]
struct Bad {
    input: String,
    at: usize,
    code: Option<String>,
}

fn shape(e: &flexedge::filter::Expr) -> String {
    format!("{:?}", e.without_spans())
}

#[test]
fn every_production_has_valid_and_invalid_cases_and_they_hold() {
    let rows: Vec<Row> =
        serde_json::from_str(include_str!("data/filter_conformance.json")).unwrap();
    assert!(rows.len() >= 45, "{} rows", rows.len());
    let mut failures = Vec::new();
    for r in &rows {
        let p = &r.production;
        if r.valid.is_empty() || r.invalid.is_empty() {
            failures.push(format!("{p}: needs a valid and an invalid case"));
        }
        for v in &r.valid {
            match parse(v) {
                Ok(e) => {
                    let printed = e.to_string();
                    match parse(&printed) {
                        Ok(again) if shape(&again) == shape(&e) && again.to_string() == printed => {
                        }
                        other => failures.push(format!(
                            "{p}: {v:?} prints {printed:?}, which reparses as {other:?}"
                        )),
                    }
                }
                Err(err) => failures.push(format!("{p}: {v:?} should parse: {err:?}")),
            }
        }
        for b in &r.invalid {
            match parse(&b.input) {
                Ok(e) => failures.push(format!("{p}: {:?} should fail, parsed {e}", b.input)),
                Err(err) => {
                    let code_ok = b.code.as_deref().is_none_or(|c| c == err.code());
                    let (u16_start, _) = err.utf16_span(&b.input);
                    let want16 = b.input.get(..b.at).map(|s| s.encode_utf16().count());
                    if err.span.start != b.at || !code_ok || Some(u16_start) != want16 {
                        failures.push(format!(
                            "{p}: {:?} fails at {} ({}), want {} {:?}",
                            b.input,
                            err.span.start,
                            err.code(),
                            b.at,
                            b.code
                        ));
                    }
                }
            }
        }
        for b in &r.checked {
            let res = parse(&b.input)
                .map_err(|e| format!("parse error {e:?}"))
                .and_then(|e| {
                    Filter::<Record>::new(&e, RecordSchema::default(), 0)
                        .map(|_| ())
                        .map_err(|e| format!("{} at {}", e.code(), e.span.start))
                });
            let want = format!("{} at {}", b.code.as_deref().unwrap_or("?"), b.at);
            if res.as_ref().err() != Some(&want) {
                failures.push(format!("{p}: {:?}: got {res:?}, want {want}", b.input));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
