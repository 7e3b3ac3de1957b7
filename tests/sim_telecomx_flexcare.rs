//! TelecomX FlexCare edge cases, one test per item of upstreams.md §4.5 (`s4_5_<n>_…`),
//! plus login and the sliding token expiry of §4.3.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod sim_common;

use flexedge::sim::{creds, Simulator};
use serde_json::Value;
use sim_common::{get, json, req, sim, telecomx_flexcare_token, NOW};

fn list(s: &Simulator, tok: &str, q: &str) -> (u16, Value) {
    let r = s
        .handle(
            &get(
                &format!("/iptv/flexcareorder{q}"),
                &[("authorization", &format!("Bearer {tok}"))],
            ),
            NOW,
        )
        .response;
    (r.status().as_u16(), json(&r))
}

fn orders(v: &Value) -> Vec<Value> {
    v["flexcareOrders"].as_array().cloned().unwrap_or_default()
}

#[test]
fn s4_5_1_strict_json() {
    let s = sim(20);
    let t = telecomx_flexcare_token(&s, true);
    let r = s
        .handle(
            &get(
                "/iptv/flexcareorder",
                &[("authorization", &format!("Bearer {t}"))],
            ),
            NOW,
        )
        .response;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let text = String::from_utf8(r.body().clone()).unwrap();
    assert!(text.starts_with("{\""), "quoted keys: {}", &text[..20]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["offset"], 0);
    assert_eq!(v["limit"], 100);
    assert_eq!(v["total"], 20);
}

#[test]
fn s4_5_2_object_ids_are_24_hex() {
    let s = sim(100);
    let t = telecomx_flexcare_token(&s, true);
    let (_, v) = list(&s, &t, "?limit=100");
    let hex24 = |x: &Value| {
        x.as_str()
            .is_some_and(|s| s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let mut ids = std::collections::HashSet::new();
    for o in orders(&v) {
        assert!(hex24(&o["_id"]), "{}", o["_id"]);
        assert!(
            ids.insert(o["_id"].as_str().unwrap().to_string()),
            "unique ids"
        );
        for k in ["reseller", "serviceAgreement"] {
            if let Some(x) = o.get(k) {
                assert!(hex24(x), "{k}: {x}");
            }
        }
    }
}

#[test]
fn s4_5_3_devices_may_be_non_mac() {
    let s = sim(200);
    let t = telecomx_flexcare_token(&s, true);
    let (_, v) = list(&s, &t, "?limit=200");
    let devices: Vec<String> = orders(&v)
        .iter()
        .flat_map(|o| {
            o.get("devices")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    let is_mac = |d: &str| d.len() == 17 && d.split(':').count() == 6;
    assert!(devices.iter().any(|d| is_mac(d)));
    assert!(devices
        .iter()
        .any(|d| !is_mac(d) && d.bytes().all(|b| b.is_ascii_digit())));
}

#[test]
fn s4_5_4_free_text_filter_over_hidden_fields() {
    let s = sim(300);
    let t = telecomx_flexcare_token(&s, true);
    let (_, all) = list(&s, &t, "?limit=500");
    let all = orders(&all);
    // Names: case-insensitive substring.
    let (_, v) = list(&s, &t, "?filter=M%C3%BCLLER&limit=500");
    let hits = orders(&v);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|o| o["name"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("müller")));
    assert_eq!(v["total"].as_u64(), Some(hits.len() as u64));
    // poNumber (returned).
    let po = all.iter().find_map(|o| o["poNumber"].as_str()).unwrap();
    let (_, v) = list(&s, &t, &format!("?filter={po}"));
    assert!(orders(&v).iter().any(|o| o["poNumber"] == po));
    // Hidden fields: p1TaskId, licenses.active, changes.* are searched but never returned.
    for hidden in ["P1-", "LIC-", ":"] {
        let (_, v) = list(
            &s,
            &t,
            &format!(
                "?filter={}&limit=500",
                form_urlencoded::byte_serialize(hidden.as_bytes()).collect::<String>()
            ),
        );
        let hits = orders(&v);
        assert!(!hits.is_empty(), "{hidden}");
        let visible = |o: &Value| {
            let mut text = o["name"].as_str().unwrap_or("").to_lowercase();
            text.push(' ');
            text.push_str(&o["poNumber"].as_str().unwrap_or("").to_lowercase());
            text.contains(&hidden.to_lowercase())
        };
        assert!(
            hits.iter().any(|o| !visible(o)),
            "{hidden}: some hits match only on hidden fields"
        );
    }
    for o in &all {
        for k in ["p1TaskId", "licenses", "changes"] {
            assert!(o.get(k).is_none(), "{k} is not returned");
        }
    }
    // devices[] is not a searched field.
    let dev = all
        .iter()
        .find_map(|o| {
            o["devices"]
                .as_array()
                .and_then(|d| d.first())
                .and_then(Value::as_str)
        })
        .unwrap();
    let (_, v) = list(
        &s,
        &t,
        &format!(
            "?filter={}",
            form_urlencoded::byte_serialize(dev.as_bytes()).collect::<String>()
        ),
    );
    assert!(orders(&v).len() < all.len());
}

#[test]
fn s4_5_5_empty_fields_omitted() {
    let s = sim(200);
    let t = telecomx_flexcare_token(&s, true);
    let (_, v) = list(&s, &t, "?limit=200");
    let mut absent = std::collections::BTreeSet::new();
    for o in orders(&v) {
        for (k, val) in o.as_object().unwrap() {
            assert!(!val.is_null(), "{k} is null");
            if let Some(a) = val.as_array() {
                assert!(!a.is_empty(), "{k} is an empty array");
            }
        }
        for k in [
            "snowId",
            "poNumber",
            "reseller",
            "eanNumber",
            "powernetItemNumber",
            "devices",
            "orderer",
            "serviceAgreement",
        ] {
            if o.get(k).is_none() {
                absent.insert(k);
            }
        }
        if let Some(ord) = o.get("orderer") {
            for (k, val) in ord.as_object().unwrap() {
                assert!(!val.is_null(), "orderer.{k}");
            }
        }
    }
    assert_eq!(absent.len(), 8, "{absent:?}");
}

#[test]
fn s4_5_6_access_levels_and_tokens() {
    let s = sim(10);
    let viewer = telecomx_flexcare_token(&s, false);
    let (st, v) = list(&s, &viewer, "");
    assert_eq!(st, 403);
    assert_eq!(v["message"], "access_denied");
    let (st, v) = list(&s, "not-a-token", "");
    assert_eq!(st, 403, "bad tokens are 403 access_denied too");
    assert_eq!(v["message"], "access_denied");
    let r = s.handle(&get("/iptv/flexcareorder", &[]), NOW).response;
    assert_eq!(r.status(), 403);
    // Three ways to present the token.
    let admin = telecomx_flexcare_token(&s, true);
    for r in [
        get(
            "/iptv/flexcareorder",
            &[("authorization", &format!("Bearer {admin}"))],
        ),
        get("/iptv/flexcareorder", &[("x-api-key", &admin)]),
        get(&format!("/iptv/flexcareorder?token={admin}"), &[]),
    ] {
        assert_eq!(s.handle(&r, NOW).response.status(), 200);
    }
    // Sliding expiry: each call resets the 15-minute window.
    let min = 60_000;
    let at = |ms: i64| {
        s.handle(
            &get("/iptv/flexcareorder?limit=1", &[("x-api-key", &admin)]),
            ms,
        )
        .response
        .status()
        .as_u16()
    };
    assert_eq!(at(NOW + 14 * min), 200);
    assert_eq!(at(NOW + 28 * min), 200);
    assert_eq!(at(NOW + 43 * min + 1), 403);
    // Login errors and the GET form.
    let r = s
        .handle(
            &req(
                "POST",
                "/auth/login",
                r#"{"username":"admin@sim.telecomx.test","password":"x"}"#,
                &[],
            ),
            NOW,
        )
        .response;
    assert_eq!(r.status(), 401);
    let r = s
        .handle(
            &get(
                &format!(
                    "/auth/login?username={}&password={}&persist=true",
                    creds::TELECOMX_ADMIN_USER,
                    creds::TELECOMX_ADMIN_PASSWORD
                ),
                &[],
            ),
            NOW,
        )
        .response;
    let v = json(&r);
    assert_eq!(v["accessLevel"], "RESELLER_ADMIN");
    assert_eq!(v["expiresInMinutes"], -1, "persistent tokens");
    let persistent = v["token"].as_str().unwrap();
    let r = s
        .handle(
            &get("/iptv/flexcareorder?limit=1", &[("x-api-key", persistent)]),
            NOW + 1000 * min,
        )
        .response;
    assert_eq!(r.status(), 200);
    // 500 internal_error.
    let r = s
        .handle(
            &get(
                "/iptv/flexcareorder",
                &[("x-api-key", &admin), ("x-sim-fault", "status500")],
            ),
            NOW,
        )
        .response;
    assert_eq!(r.status(), 500);
    assert_eq!(json(&r)["message"], "internal_error");
}

/// The document's third level, ADMIN (above RESELLER_ADMIN), lists the same orders as a
/// reseller admin; each login is its own employee.
#[test]
fn s4_5_6_admin_lists_like_reseller_admin() {
    let s = sim(10);
    let login = |u: &str, p: &str| {
        let r = s.handle(
            &req(
                "POST",
                "/auth/login",
                &format!(r#"{{"username":"{u}","password":"{p}"}}"#),
                &[],
            ),
            NOW,
        );
        json(&r.response)
    };
    let admin = login(
        creds::TELECOMX_SUPERADMIN_USER,
        creds::TELECOMX_SUPERADMIN_PASSWORD,
    );
    assert_eq!(admin["accessLevel"], "ADMIN");
    let reseller = login(creds::TELECOMX_ADMIN_USER, creds::TELECOMX_ADMIN_PASSWORD);
    assert_eq!(reseller["accessLevel"], "RESELLER_ADMIN");
    assert_ne!(admin["employee"]["_id"], reseller["employee"]["_id"]);
    let wrong = login(creds::TELECOMX_SUPERADMIN_USER, "sim-telecomx-admin");
    assert_eq!(wrong["message"], "invalid_login");
    let (st, a) = list(&s, admin["token"].as_str().unwrap(), "?limit=50");
    assert_eq!(st, 200, "{a}");
    let (_, r) = list(&s, reseller["token"].as_str().unwrap(), "?limit=50");
    assert_eq!(orders(&a).len(), 10);
    assert_eq!(orders(&a), orders(&r));
}

#[test]
fn s4_5_7_no_dates_or_status_on_orders() {
    let s = sim(50);
    let t = telecomx_flexcare_token(&s, true);
    let (_, v) = list(&s, &t, "?limit=50");
    let allowed = [
        "_id",
        "name",
        "snowId",
        "poNumber",
        "reseller",
        "eanNumber",
        "powernetItemNumber",
        "devices",
        "orderer",
        "serviceAgreement",
    ];
    for o in orders(&v) {
        for k in o.as_object().unwrap().keys() {
            assert!(allowed.contains(&k.as_str()), "unexpected field {k}");
        }
    }
}

#[test]
fn s4_5_8_offset_and_limit_bounds() {
    let s = sim(30);
    let t = telecomx_flexcare_token(&s, true);
    for (q, msg) in [
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=x", "limit"),
        ("?offset=-1", "offset"),
    ] {
        let (st, v) = list(&s, &t, q);
        assert_eq!(st, 400, "{q}");
        assert_eq!(v["message"], msg);
    }
    let (st, v) = list(&s, &t, "?limit=500&offset=25");
    assert_eq!(st, 200);
    assert_eq!(v["limit"], 500, "limit echoes the request");
    assert_eq!(v["offset"], 25);
    assert_eq!(v["total"], 30);
    assert_eq!(orders(&v).len(), 5);
    let (_, v) = list(&s, &t, "?offset=100");
    assert_eq!(orders(&v).len(), 0);
    assert_eq!(v["total"], 30);
}
