//! Fault injection: per vendor (`set_fault`, the `/__sim/faults` admin endpoint) and per
//! request (`x-sim-fault`), each vendor's fault bodies, and that token endpoints are exempt.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod sim_common;

use flexedge::model::Source;
use flexedge::sim::{Fault, Simulator, HANG_DELAY_MS};
use serde_json::{json, Value};
use sim_common::{
    fno_basic, get, hpe_flex_token, json, post_json, req, sim, telecomx_flexcare_token, FNO_BEARER,
    NOW,
};

/// One data request per vendor, with valid credentials.
fn requests(s: &Simulator) -> Vec<(Source, http::Request<Vec<u8>>)> {
    let gl = hpe_flex_token(s);
    let tx = telecomx_flexcare_token(s, true);
    vec![
        (
            Source::HpeFlex,
            get(
                "/flex/v1beta1/orders?limit=2",
                &[("authorization", &format!("Bearer {gl}"))],
            ),
        ),
        (
            Source::FnoOrders,
            post_json(
                "/flexnet/operations/entitlementOrders",
                r#"{"batchSize":2}"#,
                &fno_basic(),
            ),
        ),
        (
            Source::FnoEntitlements,
            get(
                "/entitlements-api/v1/entitlements?limit=2",
                &[("authorization", FNO_BEARER)],
            ),
        ),
        (
            Source::TelecomxFlexcare,
            get("/iptv/flexcareorder?limit=2", &[("x-api-key", &tx)]),
        ),
    ]
}

fn with_header(r: &http::Request<Vec<u8>>, fault: &str) -> http::Request<Vec<u8>> {
    let mut c = http::Request::builder().method(r.method()).uri(r.uri());
    for (k, v) in r.headers() {
        c = c.header(k, v);
    }
    c.header("x-sim-fault", fault)
        .body(r.body().clone())
        .unwrap()
}

#[test]
fn every_fault_on_every_vendor() {
    let s = sim(10);
    for (vendor, r) in requests(&s) {
        let ok = s.handle(&r, NOW);
        assert_eq!(ok.response.status(), 200, "{vendor}");
        assert_eq!(ok.delay_ms, None);
        let normal = ok.response.body().clone();

        let f = s.handle(&with_header(&r, "latency(250)"), NOW);
        assert_eq!(f.delay_ms, Some(250));
        assert_eq!(f.response.status(), 200);

        let f = s.handle(&with_header(&r, "hang"), NOW);
        assert_eq!(f.delay_ms, Some(HANG_DELAY_MS));

        let f = s.handle(&with_header(&r, "rate_limited(7)"), NOW).response;
        assert_eq!(f.status(), 429, "{vendor}");
        assert_eq!(f.headers()["retry-after"], "7");
        let _: Value = json(&f);

        let f = s.handle(&with_header(&r, "status500"), NOW).response;
        assert_eq!(f.status(), 500, "{vendor}");
        let _: Value = json(&f);

        for bend in ["malformed_json", "truncated_json"] {
            let f = s.handle(&with_header(&r, bend), NOW).response;
            assert_eq!(f.status(), 200);
            assert_eq!(f.headers()["content-type"], "application/json");
            assert!(
                serde_json::from_slice::<Value>(f.body()).is_err(),
                "{vendor} {bend}"
            );
            assert_ne!(f.body(), &normal);
        }

        let f = s.handle(&with_header(&r, "expired_token"), NOW).response;
        let want = if vendor == Source::TelecomxFlexcare {
            403
        } else {
            401
        };
        assert_eq!(f.status(), want, "{vendor}");

        let f = s.handle(&with_header(&r, "explode"), NOW).response;
        assert_eq!(f.status(), 400);
    }
}

#[test]
fn vendor_bodies_for_429_and_500() {
    let s = sim(5);
    let reqs = requests(&s);
    let body = |i: usize, fault: &str| -> Value {
        let (_, r) = &reqs[i];
        json(&s.handle(&with_header(r, fault), NOW).response)
    };
    assert_eq!(
        body(0, "rate_limited")["errorCode"],
        "HPE_GL_ERROR_TOO_MANY_REQUESTS"
    );
    assert_eq!(
        body(0, "status500")["errorCode"],
        "HPE_GL_ERROR_INTERNAL_SERVER_ERROR"
    );
    assert_eq!(body(1, "status500")["statusInfo"]["status"], "FAILURE");
    assert!(body(1, "status500")["statusInfo"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("9999; "));
    assert_eq!(body(2, "status500")["error"], "Internal Server Error");
    assert_eq!(body(2, "rate_limited")["status"], 429);
    assert_eq!(body(3, "status500"), json!({"message": "internal_error"}));
    assert_eq!(
        body(0, "expired_token")["errorCode"],
        "HPE_GL_ERROR_UNAUTHORIZED"
    );
}

#[test]
fn switch_per_vendor_in_process_and_by_admin_endpoint() {
    let s = sim(5);
    let reqs = requests(&s);
    s.set_fault(Source::FnoOrders, Fault::Status500);
    for (v, r) in &reqs {
        let st = s.handle(r, NOW).response.status();
        assert_eq!(st == 500, *v == Source::FnoOrders, "{v}");
    }
    // The header wins over the switch.
    let st = s
        .handle(&with_header(&reqs[1].1, "none"), NOW)
        .response
        .status();
    assert_eq!(st, 200);
    s.clear_fault(Source::FnoOrders);
    assert_eq!(s.handle(&reqs[1].1, NOW).response.status(), 200);

    let admin = |method: &str, body: &str| -> (u16, Value) {
        let r = s
            .handle(&req(method, "/__sim/faults", body, &[]), NOW)
            .response;
        (r.status().as_u16(), json(&r))
    };
    let (st, v) = admin(
        "POST",
        r#"{"vendor":"telecomx_flexcare","fault":"rate_limited(3)"}"#,
    );
    assert_eq!(st, 200);
    assert_eq!(v["faults"]["telecomx_flexcare"], "rate_limited(3)");
    assert_eq!(v["faults"]["hpe_flex"], Value::Null);
    assert_eq!(
        s.fault(Source::TelecomxFlexcare),
        Some(Fault::RateLimited(3))
    );
    let r = s.handle(&reqs[3].1, NOW).response;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3");
    let (st, _) = admin("POST", r#"{"fault":"latency(40)"}"#);
    assert_eq!(st, 200, "no vendor = all vendors");
    assert!(Source::ALL
        .iter()
        .all(|v| s.fault(*v) == Some(Fault::Latency(40))));
    let (st, v) = admin("DELETE", r#"{"vendor":"hpe_flex"}"#);
    assert_eq!(st, 200);
    assert_eq!(v["faults"]["hpe_flex"], Value::Null);
    assert_eq!(v["faults"]["fno_orders"], "latency(40)");
    let (st, _) = admin("DELETE", "");
    assert_eq!(st, 200);
    assert!(Source::ALL.iter().all(|v| s.fault(*v).is_none()));
    let (st, _) = admin("POST", r#"{"vendor":"nobody","fault":"hang"}"#);
    assert_eq!(st, 400);
    let (st, _) = admin("POST", r#"{"vendor":"hpe_flex","fault":"melt"}"#);
    assert_eq!(st, 400);
    let (st, v) = admin("GET", "");
    assert_eq!(st, 200);
    assert_eq!(v["faults"].as_object().unwrap().len(), 4);
}

#[test]
fn token_endpoints_are_exempt() {
    let s = sim(5);
    for v in Source::ALL {
        s.set_fault(v, Fault::Status500);
    }
    // Logins still work, so a test can get a token and then see the data fault.
    let _ = hpe_flex_token(&s);
    let _ = telecomx_flexcare_token(&s, true);
    let r = s.handle(&get("/__sim/health", &[]), NOW).response;
    assert_eq!(r.status(), 200);
}

#[test]
fn unknown_paths_are_404() {
    let s = sim(5);
    for p in [
        "/",
        "/nothing",
        "/flex/v2/orders",
        "/iptv/other",
        "/flexnet/operations/other",
    ] {
        assert_eq!(s.handle(&get(p, &[]), NOW).response.status(), 404, "{p}");
    }
    // Absolute URIs (as an in-process client passes them) route by path.
    let r = s
        .handle(
            &get(
                "https://us-west.api.greenlake.hpe.com/flex/v1beta1/orders",
                &[],
            ),
            NOW,
        )
        .response;
    assert_eq!(r.status(), 401);
}
