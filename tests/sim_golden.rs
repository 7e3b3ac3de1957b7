//! Golden responses per vendor (`tests/golden/sim/*.json`, seed 7, 10 records per source)
//! and determinism (same seed, same bytes). `UPDATE_GOLDEN=1 cargo test --test sim_golden`
//! rewrites the files after an intended change.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod sim_common;

use flexedge::sim::{FnoDateFormat, SimConfig, Simulator};
use serde_json::Value;
use sim_common::{
    fno_basic, get, hpe_flex_token, post_json, telecomx_flexcare_token, FNO_BEARER, NOW,
};

fn small(fno_dates: FnoDateFormat) -> Simulator {
    Simulator::new(SimConfig {
        seed: 7,
        records_per_source: 10,
        fno_dates,
        ..SimConfig::default()
    })
}

/// Every golden case: (file name, status, body bytes), from a fresh simulator.
fn cases(fno_dates: FnoDateFormat) -> Vec<(&'static str, u16, Vec<u8>)> {
    let s = small(fno_dates);
    let gl = format!("Bearer {}", hpe_flex_token(&s));
    let tx = telecomx_flexcare_token(&s, true);
    let basic = fno_basic();
    let mut out = Vec::new();
    let mut push = |name: &'static str, r: http::Request<Vec<u8>>| {
        let resp = s.handle(&r, NOW).response;
        out.push((name, resp.status().as_u16(), resp.into_body()));
    };
    if fno_dates == FnoDateFormat::IsoDate {
        push(
            "fno_orders_iso",
            post_json(
                "/flexnet/operations/entitlementOrders",
                r#"{"batchSize":1}"#,
                &basic,
            ),
        );
        return out;
    }
    push(
        "hpe_flex_orders",
        get("/flex/v1beta1/orders?limit=3", &[("authorization", &gl)]),
    );
    push(
        "hpe_flex_orders_select",
        get(
            "/flex/v1beta1/orders?limit=2&offset=8&select=customerName,resellerName,orderEndDate",
            &[("authorization", &gl)],
        ),
    );
    push(
        "hpe_flex_transform",
        get(
            "/flex/v1beta1/orders/transform?group-by=partnerName&limit=4",
            &[("authorization", &gl)],
        ),
    );
    push(
        "hpe_flex_devices",
        get("/flex/v1beta1/devices?limit=2", &[("authorization", &gl)]),
    );
    push(
        "hpe_flex_error_400",
        get("/flex/v1beta1/orders?limit=101", &[("authorization", &gl)]),
    );
    push("hpe_flex_error_401", get("/flex/v1beta1/orders", &[]));
    push(
        "fno_orders",
        post_json(
            "/flexnet/operations/entitlementOrders",
            r#"{"activatableItemSearchCriteria":{},"batchSize":2}"#,
            &basic,
        ),
    );
    push(
        "fno_orders_count",
        post_json(
            "/flexnet/operations/entitlementOrders/count",
            r#"{"queryParams":{}}"#,
            &basic,
        ),
    );
    push(
        "fno_orders_failure",
        post_json(
            "/flexnet/operations/entitlementOrders",
            r#"{"activatableItemSearchCriteria":{"soldTo":{"value":"x","searchType":"LIKE"}}}"#,
            &basic,
        ),
    );
    push(
        "fno_entitlements",
        get(
            "/entitlements-api/v1/entitlements?limit=2",
            &[("authorization", FNO_BEARER)],
        ),
    );
    push(
        "fno_entitlements_error_400",
        get(
            "/entitlements-api/v1/entitlements?status=gone",
            &[("authorization", FNO_BEARER)],
        ),
    );
    push(
        "telecomx_flexcare",
        get("/iptv/flexcareorder?limit=3", &[("x-api-key", &tx)]),
    );
    push(
        "telecomx_flexcare_error_403",
        get("/iptv/flexcareorder", &[]),
    );
    out
}

#[test]
fn golden_responses_per_vendor() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sim");
    let mut all = cases(FnoDateFormat::EpochMillis);
    all.extend(cases(FnoDateFormat::IsoDate));
    for (name, status, body) in all {
        let value: Value = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc = serde_json::json!({"status": status, "body": value});
        let path = dir.join(format!("{name}.json"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
        let want: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc, want, "{name} differs from {}", path.display());
    }
}

#[test]
fn same_seed_same_bytes() {
    let a = cases(FnoDateFormat::EpochMillis);
    let b = cases(FnoDateFormat::EpochMillis);
    assert_eq!(a, b);
    // Larger data: whole pages of every vendor.
    let run = |seed: u64| -> Vec<Vec<u8>> {
        let s = Simulator::new(SimConfig {
            seed,
            records_per_source: 500,
            rate_limit_per_minute: 0,
            ..SimConfig::default()
        });
        let gl = format!("Bearer {}", hpe_flex_token(&s));
        let tx = telecomx_flexcare_token(&s, true);
        [
            get(
                "/flex/v1beta1/orders?limit=100&offset=400",
                &[("authorization", &gl)],
            ),
            get(
                "/flex/v1beta1/devices?limit=100&sort=model,serialNumber%20desc",
                &[("authorization", &gl)],
            ),
            post_json(
                "/flexnet/operations/entitlementOrders",
                r#"{"batchSize":100,"pageNumber":5}"#,
                &fno_basic(),
            ),
            get(
                "/entitlements-api/v1/entitlements?limit=100&page=4&sort_by=created_on",
                &[("authorization", FNO_BEARER)],
            ),
            get(
                "/iptv/flexcareorder?limit=100&offset=400",
                &[("x-api-key", &tx)],
            ),
        ]
        .iter()
        .map(|r| s.handle(r, NOW).response.into_body())
        .collect()
    };
    let x = run(99);
    assert_eq!(x, run(99));
    let y = run(100);
    for (a, b) in x.iter().zip(&y) {
        assert_ne!(a, b, "a different seed gives different data");
    }
}

#[test]
fn record_i_does_not_depend_on_the_record_count() {
    // Each record comes from its own seeded stream, so growing the data set keeps existing
    // TelecomX orders (which keep generation order) byte-identical.
    let page = |n: usize| {
        let s = Simulator::new(SimConfig {
            seed: 5,
            records_per_source: n,
            ..SimConfig::default()
        });
        let tx = telecomx_flexcare_token(&s, true);
        let v: Value = serde_json::from_slice(
            s.handle(
                &get("/iptv/flexcareorder?limit=10", &[("x-api-key", &tx)]),
                NOW,
            )
            .response
            .body(),
        )
        .unwrap();
        v["flexcareOrders"].clone()
    };
    assert_eq!(page(10), page(1000));
}
