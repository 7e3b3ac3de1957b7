//! Helpers shared by the `sim_*` integration tests: request builders, credentials, tokens.
#![allow(dead_code)]

use base64::Engine as _;
use flexedge::sim::{creds, SimConfig, Simulator};

/// A fixed "now" (2026-01-01T00:00:00Z) so tests are deterministic.
pub const NOW: i64 = 1_767_225_600_000;

/// A simulator with a small data set.
pub fn sim(records: usize) -> Simulator {
    Simulator::new(SimConfig {
        seed: 42,
        records_per_source: records,
        ..SimConfig::default()
    })
}

/// A GET request with headers.
pub fn get(uri: &str, headers: &[(&str, &str)]) -> http::Request<Vec<u8>> {
    let mut b = http::Request::get(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Vec::new()).unwrap()
}

/// A request with a method, body and headers.
pub fn req(
    method: &str,
    uri: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> http::Request<Vec<u8>> {
    let mut b = http::Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.as_bytes().to_vec()).unwrap()
}

/// A JSON POST.
pub fn post_json(uri: &str, body: &str, headers: &[(String, String)]) -> http::Request<Vec<u8>> {
    let mut b = http::Request::post(uri).header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(body.as_bytes().to_vec()).unwrap()
}

/// FNO basic auth header.
pub fn fno_basic() -> Vec<(String, String)> {
    let v = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        creds::FNO_USER,
        creds::FNO_PASSWORD
    ));
    vec![("authorization".into(), format!("Basic {v}"))]
}

/// FNO bearer header (as `&str` pairs for `get`).
pub fn fno_bearer() -> Vec<(&'static str, &'static str)> {
    vec![("authorization", FNO_BEARER)]
}

/// `Bearer <FNO token>`.
pub const FNO_BEARER: &str = "Bearer rna_51d0c0ffee5eed0000000000000000000000000000000000";

/// The body as JSON.
pub fn json(resp: &http::Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(resp.body()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(resp.body())
                .chars()
                .take(300)
                .collect::<String>()
        )
    })
}

/// A GreenLake token for the permitted client, issued at `NOW`.
pub fn hpe_flex_token(sim: &Simulator) -> String {
    hpe_flex_token_at(
        sim,
        creds::HPE_FLEX_CLIENT_ID,
        creds::HPE_FLEX_CLIENT_SECRET,
        NOW,
    )
}

/// A GreenLake token for a client, issued at `now`.
pub fn hpe_flex_token_at(sim: &Simulator, id: &str, secret: &str, now: i64) -> String {
    let body = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let r = sim.handle(
        &req(
            "POST",
            "/as/token.oauth2",
            &body,
            &[("content-type", "application/x-www-form-urlencoded")],
        ),
        now,
    );
    assert_eq!(r.response.status(), 200);
    json(&r.response)["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A TelecomX login token (admin or viewer), issued at `NOW`.
pub fn telecomx_flexcare_token(sim: &Simulator, admin: bool) -> String {
    let (u, p) = if admin {
        (creds::TELECOMX_ADMIN_USER, creds::TELECOMX_ADMIN_PASSWORD)
    } else {
        (creds::TELECOMX_VIEWER_USER, creds::TELECOMX_VIEWER_PASSWORD)
    };
    let r = sim.handle(
        &req(
            "POST",
            "/auth/login",
            &format!(r#"{{"username":"{u}","password":"{p}"}}"#),
            &[],
        ),
        NOW,
    );
    assert_eq!(r.response.status(), 200);
    json(&r.response)["token"].as_str().unwrap().to_string()
}
