//! Table-driven evaluation tests: `tests/data/filter_eval.json` holds records and filters
//! with the ids they must match (or the error code, span and suggestion they must give).
//! Every match case runs on `Record` rows and on the same records as plain JSON rows.

#![allow(clippy::unwrap_used)] // tests may unwrap

use flexedge::filter::{parse, Filter};
use flexedge::model::{Record, RecordSchema, Timestamp};
use flexedge::query::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize)]
struct Table {
    now: String,
    records: Vec<Record>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    filter: String,
    ids: Option<Vec<String>>,
    error: Option<String>,
    span: Option<[usize; 2]>,
    suggestion: Option<String>,
    #[serde(default)]
    record_only: bool,
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn eval_table() {
    let t: Table = serde_json::from_str(include_str!("data/filter_eval.json")).unwrap();
    let now = Timestamp::parse(&t.now).unwrap().millis();
    let json: Vec<serde_json::Value> = t
        .records
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    let mut failures = Vec::new();
    for c in &t.cases {
        let expr = match parse(&c.filter) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{:?}: parse error {e:?}", c.filter));
                continue;
            }
        };
        match (
            Filter::<Record>::new(&expr, RecordSchema::default(), now),
            &c.ids,
            &c.error,
        ) {
            (Ok(f), Some(want), None) => {
                let got: Vec<String> = t
                    .records
                    .iter()
                    .filter(|r| f.matches(r))
                    .map(|r| r.id.clone())
                    .collect();
                if sorted(got.clone()) != sorted(want.clone()) {
                    failures.push(format!(
                        "{:?} (Record): got {got:?}, want {want:?}",
                        c.filter
                    ));
                }
                if !c.record_only {
                    match Filter::<serde_json::Value>::new(&expr, JsonSchema::infer(&json), now) {
                        Ok(jf) => {
                            let got: Vec<String> = json
                                .iter()
                                .filter(|r| jf.matches(r))
                                .map(|r| r["id"].as_str().unwrap().to_owned())
                                .collect();
                            if sorted(got.clone()) != sorted(want.clone()) {
                                failures.push(format!(
                                    "{:?} (JSON): got {got:?}, want {want:?}",
                                    c.filter
                                ));
                            }
                        }
                        Err(e) => failures.push(format!("{:?} (JSON): {e:?}", c.filter)),
                    }
                }
            }
            (Err(e), None, Some(code)) => {
                let span = [e.span.start, e.span.end];
                if e.code() != code || Some(span) != c.span || e.suggestion != c.suggestion {
                    failures.push(format!(
                        "{:?}: got {} {:?} {:?}, want {code} {:?} {:?}",
                        c.filter,
                        e.code(),
                        span,
                        e.suggestion,
                        c.span,
                        c.suggestion
                    ));
                }
            }
            (Ok(_), _, Some(code)) => {
                failures.push(format!("{:?}: compiled, want {code}", c.filter))
            }
            (Err(e), ..) => failures.push(format!("{:?}: unexpected {e:?}", c.filter)),
            _ => failures.push(format!("{:?}: bad case", c.filter)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
