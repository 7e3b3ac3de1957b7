//! Pushdown planning per source, as data (`tests/data/adapters_plan.json`): for a filter and
//! sort, which conjuncts each dialect pushes (exact / inexact / unsupported), the native
//! parameters or body it sends, whether sort+window go upstream, and source pruning.

#![allow(clippy::unwrap_used)] // tests may unwrap

use flexedge::filter::parse;
use flexedge::model::Source;
use flexedge::upstream::{AdapterConfig, AnyUpstream, Credentials, PlanInput, SortField};

fn sort_keys(v: &serde_json::Value) -> Vec<SortField> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let s = s.as_str().unwrap();
            let mut w = s.split_whitespace();
            let field = w.next().unwrap().to_owned();
            SortField {
                field,
                desc: w.next() == Some("desc"),
            }
        })
        .collect()
}

#[test]
fn dialects_plan_as_the_table_says() {
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("data/adapters_plan.json")).unwrap();
    for case in &cases {
        let filter = case["filter"].as_str().unwrap();
        let source = Source::from_id(case["source"].as_str().unwrap()).unwrap();
        let up = AnyUpstream::build(
            source,
            &AdapterConfig {
                base_url: "http://sim".into(),
                credentials: Credentials::None,
            },
        );
        let expr = parse(filter).unwrap();
        let input = PlanInput::new(Some(&expr), sort_keys(&case["sort"]), 0, Some(10), 0);
        let plan = up.plan(&input);
        let ctx = format!("{source} / {filter}\n{plan}");
        if case["pruned"].as_bool() == Some(true) {
            assert!(plan.pruned, "{ctx}");
            continue;
        }
        assert!(!plan.pruned, "{ctx}");
        let got: Vec<&str> = plan.conjuncts.iter().map(|c| c.pushdown.as_str()).collect();
        let want: Vec<&str> = case["pushdown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{ctx}");
        if let Some(params) = case.get("params") {
            let got: serde_json::Map<String, serde_json::Value> = plan
                .native
                .params
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            assert_eq!(&serde_json::Value::Object(got), params, "{ctx}");
        }
        if let Some(body) = case.get("body") {
            assert_eq!(plan.native.body.as_deref(), body.as_str(), "{ctx}");
        }
        assert_eq!(
            plan.window.is_some(),
            case["window"].as_bool().unwrap(),
            "{ctx}"
        );
        // Everything not exact is in the residual, and nothing exact is.
        for (i, c) in plan.conjuncts.iter().enumerate() {
            assert_eq!(
                plan.residual.contains(&i),
                c.pushdown.as_str() != "exact",
                "{ctx}"
            );
        }
        let explain = up.explain(&plan);
        assert!(explain.contains("residual:"), "{explain}");
    }
}

#[test]
fn explain_shows_the_native_request_and_no_secret() {
    let expr = parse(
        "orderRef ne 'PO-0' and startDate ge 2025-01-01T00:00:00Z and contains(name, 'Hotel')",
    )
    .unwrap();
    let input = PlanInput::new(
        Some(&expr),
        vec![SortField {
            field: "customer/name".into(),
            desc: false,
        }],
        0,
        Some(20),
        0,
    );
    let secret = "top-secret-value-123";
    for s in Source::ALL {
        let creds = match s {
            Source::HpeFlex => Credentials::ClientCredentials {
                token_url: "http://sim/as/token.oauth2".into(),
                client_id: "id".into(),
                client_secret: flexedge::upstream::Secret::new(secret),
            },
            Source::TelecomxFlexcare => Credentials::Login {
                username: "u".into(),
                password: flexedge::upstream::Secret::new(secret),
            },
            _ => Credentials::Bearer {
                token: flexedge::upstream::Secret::new(secret),
            },
        };
        let up = AnyUpstream::build(
            s,
            &AdapterConfig {
                base_url: "http://sim".into(),
                credentials: creds,
            },
        );
        let plan = up.plan(&input);
        let text = up.explain(&plan);
        println!("{text}");
        if plan.pruned {
            assert!(
                text.contains("no request") && !text.contains("first request:"),
                "{text}"
            );
        } else {
            assert!(text.contains("first request:"), "{text}");
        }
        assert!(!text.contains(secret), "{text}");
        assert!(!format!("{up:?}").contains(secret));
    }
}
