//! GreenLake Flex edge cases, one test per item of upstreams.md §1.8 (named `s1_8_<n>_…`).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod sim_common;

use flexedge::sim::{creds, Simulator};
use serde_json::Value;
use sim_common::{get, hpe_flex_token, hpe_flex_token_at, json, sim, NOW};

fn call(sim: &Simulator, tok: &str, uri: &str) -> (u16, Value) {
    let r = sim
        .handle(
            &get(uri, &[("authorization", &format!("Bearer {tok}"))]),
            NOW,
        )
        .response;
    (r.status().as_u16(), json(&r))
}

fn issue_subject(v: &Value) -> String {
    v["errorDetails"][0]["issues"][0]["subject"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn s1_8_1_limit_and_offset_bounds() {
    let s = sim(50);
    let t = hpe_flex_token(&s);
    for bad in ["limit=101", "limit=-1", "offset=-1", "limit=abc"] {
        let (st, v) = call(&s, &t, &format!("/flex/v1beta1/orders?{bad}"));
        assert_eq!(st, 400, "{bad}");
        assert_eq!(v["errorCode"], "HPE_GL_ERROR_BAD_REQUEST");
        let subject = issue_subject(&v);
        assert!(bad.starts_with(&subject), "{bad} → subject {subject}");
    }
    let (st, v) = call(&s, &t, "/flex/v1beta1/orders?limit=0");
    assert_eq!(st, 200);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["count"], 0);
    assert_eq!(v["total"], 50);
    let (st, v) = call(&s, &t, "/flex/v1beta1/orders?limit=100");
    assert_eq!(st, 200);
    assert_eq!(v["count"], 50);
    let (_, v) = call(&s, &t, "/flex/v1beta1/orders");
    assert_eq!(v["count"], 20, "default limit is 20");
}

#[test]
fn s1_8_2_offset_past_the_end() {
    let s = sim(30);
    let t = hpe_flex_token(&s);
    let (st, v) = call(&s, &t, "/flex/v1beta1/orders?offset=30&limit=10");
    assert_eq!(st, 200);
    assert_eq!(
        v,
        serde_json::json!({"items": [], "count": 0, "total": 30, "offset": 30})
    );
    let (_, v) = call(&s, &t, "/flex/v1beta1/orders?offset=25&limit=10");
    assert_eq!(v["count"], 5);
    assert_eq!(v["offset"], 25);
}

#[test]
fn s1_8_3_filter_on_non_whitelisted_field() {
    let s = sim(20);
    let t = hpe_flex_token(&s);
    for (path, filter) in [
        ("devices", "deviceType eq 'COMPUTE'"),
        ("orders", "orderStartDate eq '2025-01-01T00:00:00Z'"),
        ("orders/transform?group-by=sowId&", "id eq 'x'"),
        ("orders/transform?group-by=sowId&", "isFlexPartner eq true"),
        ("orders", "contains(customerName, 'a')"),
        ("orders", "customerName eq 'a' or sowId eq 'b'"),
    ] {
        let sep = if path.ends_with('&') { "" } else { "?" };
        let (st, v) = call(
            &s,
            &t,
            &format!("/flex/v1beta1/{path}{sep}filter={}", enc(filter)),
        );
        assert_eq!(st, 400, "{filter}");
        assert_eq!(v["message"], "Bad Request.");
        assert_eq!(
            v["errorDetails"][0]["issues"][0]["description"],
            "Invalid filter expression."
        );
        assert_eq!(issue_subject(&v), "filter");
    }
    // The same fields where they are whitelisted are fine.
    let (st, _) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/devices?filter={}",
            enc("type eq 'flex/devices'")
        ),
    );
    assert_eq!(st, 200);
}

#[test]
fn s1_8_4_in_lists_and_chains_and_escaping() {
    let s = sim(300);
    let t = hpe_flex_token(&s);
    let (_, all) = call(&s, &t, "/flex/v1beta1/orders?limit=100");
    let items = all["items"].as_array().unwrap();
    let a = items[0]["billingAccountId"].as_str().unwrap();
    let b = items[1]["billingAccountId"].as_str().unwrap();
    let f = format!("billingAccountId in ('{a}', '{b}')");
    let (st, v) = call(
        &s,
        &t,
        &format!("/flex/v1beta1/orders?limit=100&filter={}", enc(&f)),
    );
    assert_eq!(st, 200);
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["billingAccountId"] == a || o["billingAccountId"] == b));
    assert!(v["total"].as_u64().unwrap() >= 2);
    // Property on the right of `in`.
    let (_, v2) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders?limit=100&filter={}",
            enc(&format!("('{a}', '{b}') in billingAccountId"))
        ),
    );
    assert_eq!(v["total"], v2["total"]);
    // `and` chains narrow.
    let name = items[0]["billingAccountName"]
        .as_str()
        .unwrap()
        .replace('\'', "''");
    let f = format!("billingAccountId in ('{a}', '{b}') and billingAccountName eq '{name}'");
    let (_, v3) = call(
        &s,
        &t,
        &format!("/flex/v1beta1/orders?limit=100&filter={}", enc(&f)),
    );
    assert!(v3["total"].as_u64().unwrap() >= 1 && v3["total"].as_u64() <= v["total"].as_u64());
    // '' escaping and reserved characters (percent-encoded in the URL): every customer name
    // with `'`, `&`, `/` or non-ASCII letters round-trips through a filter.
    let (_, groups) = call(
        &s,
        &t,
        "/flex/v1beta1/orders/transform?group-by=customerName&limit=100",
    );
    let tricky: Vec<String> = col(&groups, "customerName")
        .into_iter()
        .filter(|c| c.contains(['\'', '&', '/']) || !c.is_ascii())
        .collect();
    assert!(tricky.iter().any(|c| c.contains('\'')), "{tricky:?}");
    assert!(tricky.iter().any(|c| c.contains('/')), "{tricky:?}");
    for customer in &tricky {
        let f = format!("customerName eq '{}'", customer.replace('\'', "''"));
        let (st, v) = call(
            &s,
            &t,
            &format!("/flex/v1beta1/orders?limit=100&filter={}", enc(&f)),
        );
        assert_eq!(st, 200, "{f}");
        let got = v["items"].as_array().unwrap();
        assert!(!got.is_empty(), "no orders for {customer}: {v}");
        assert!(got.iter().all(|o| o["customerName"] == customer.as_str()));
    }
    // eq is case-sensitive.
    let (_, v) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders?filter={}",
            enc("customerName eq 'müller gmbh'")
        ),
    );
    assert_eq!(v["total"], 0);
    // Unterminated literal.
    let (st, _) = call(
        &s,
        &t,
        &format!("/flex/v1beta1/orders?filter={}", enc("customerName eq 'x")),
    );
    assert_eq!(st, 400);
}

#[test]
fn s1_8_5_boolean_literals() {
    let s = sim(200);
    let t = hpe_flex_token(&s);
    let (st, v) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders?limit=100&filter={}",
            enc("isFlexPartner eq true")
        ),
    );
    assert_eq!(st, 200);
    assert!(v["total"].as_u64().unwrap() > 0);
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["isFlexPartner"] == true));
    let (st, v) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders?filter={}",
            enc("isFlexPartner eq 'true'")
        ),
    );
    assert_eq!(st, 400, "a quoted boolean is a type error");
    assert_eq!(
        v["errorDetails"][0]["issues"][0]["description"],
        "Invalid filter expression."
    );
    // ne includes orders where the optional field is absent.
    let (_, ne) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders?filter={}",
            enc("isFlexPartner ne true")
        ),
    );
    let (_, eq) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders?filter={}",
            enc("isFlexPartner eq true")
        ),
    );
    assert_eq!(
        ne["total"].as_u64().unwrap() + eq["total"].as_u64().unwrap(),
        200
    );
}

#[test]
fn s1_8_6_optional_fields_are_absent_not_null() {
    let s = sim(200);
    let t = hpe_flex_token(&s);
    let mut absent = std::collections::BTreeSet::new();
    for page in 0..2 {
        let (_, v) = call(
            &s,
            &t,
            &format!("/flex/v1beta1/orders?limit=100&offset={}", page * 100),
        );
        for o in v["items"].as_array().unwrap() {
            for (k, val) in o.as_object().unwrap() {
                assert!(!val.is_null(), "{k} is null");
            }
            for k in [
                "resellerName",
                "distributorName",
                "partnerName",
                "isFlexPartner",
            ] {
                if o.get(k).is_none() {
                    absent.insert(k);
                }
            }
        }
    }
    assert_eq!(
        absent.len(),
        4,
        "each optional order field is absent somewhere: {absent:?}"
    );
    let (_, v) = call(&s, &t, "/flex/v1beta1/devices?limit=100");
    let mut absent = std::collections::BTreeSet::new();
    for d in v["items"].as_array().unwrap() {
        for (k, val) in d.as_object().unwrap() {
            assert!(!val.is_null(), "{k} is null");
        }
        for k in ["name", "tags", "billingAccountName", "billingTier"] {
            if d.get(k).is_none() {
                absent.insert(k);
            }
        }
    }
    assert_eq!(absent.len(), 4, "{absent:?}");
}

#[test]
fn s1_8_7_select_trims_items() {
    let s = sim(30);
    let t = hpe_flex_token(&s);
    let (st, v) = call(
        &s,
        &t,
        "/flex/v1beta1/orders?select=resellerName,billingAccountName,orderEndDate&limit=5",
    );
    assert_eq!(st, 200);
    assert_eq!(v["count"], 5);
    assert_eq!(v["total"], 30);
    for o in v["items"].as_array().unwrap() {
        for k in o.as_object().unwrap().keys() {
            assert!(
                ["resellerName", "billingAccountName", "orderEndDate"].contains(&k.as_str()),
                "{k}"
            );
        }
        assert!(o.get("id").is_none(), "select keeps only the listed fields");
    }
    // The documented devices example names orderEndDate, which devices do not have.
    let (st, v) = call(
        &s,
        &t,
        "/flex/v1beta1/devices?select=serialNumber,type,make,orderEndDate,billingTier",
    );
    assert_eq!(st, 400);
    assert_eq!(issue_subject(&v), "select");
    let (st, _) = call(
        &s,
        &t,
        "/flex/v1beta1/devices?select=serialNumber,type,make,billingTier",
    );
    assert_eq!(st, 200);
}

fn col(v: &Value, k: &str) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[k].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn s1_8_8_sorting() {
    let s = sim(100);
    let t = hpe_flex_token(&s);
    let (_, v) = call(&s, &t, "/flex/v1beta1/orders?limit=100");
    let ends = col(&v, "orderEndDate");
    let mut sorted = ends.clone();
    sorted.sort();
    assert_eq!(ends, sorted, "default orders sort is orderEndDate asc");
    let (_, v) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders?limit=100&sort={}",
            enc("customerName,orderStartDate desc")
        ),
    );
    let items = v["items"].as_array().unwrap();
    for w in items.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let (ca, cb) = (
            a["customerName"].as_str().unwrap(),
            b["customerName"].as_str().unwrap(),
        );
        assert!(ca <= cb);
        if ca == cb {
            assert!(a["orderStartDate"].as_str() >= b["orderStartDate"].as_str());
        }
    }
    let (_, v) = call(&s, &t, "/flex/v1beta1/devices?limit=100");
    let ids = col(&v, "resourceId");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "default devices sort is resourceId asc");
    let (st, _) = call(
        &s,
        &t,
        &format!("/flex/v1beta1/devices?sort={}", enc("resourceId,model asc")),
    );
    assert_eq!(st, 200);
    let (st, v) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders/transform?group-by=partnerName&sort={}",
            enc("customerName asc")
        ),
    );
    assert_eq!(st, 400);
    assert_eq!(issue_subject(&v), "sort");
    let (st, v) = call(
        &s,
        &t,
        &format!(
            "/flex/v1beta1/orders/transform?group-by=partnerName&sort={}",
            enc("partnerName desc")
        ),
    );
    assert_eq!(st, 200);
    let names = col(&v, "partnerName");
    let mut desc = names.clone();
    desc.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, desc);
    let (st, _) = call(&s, &t, "/flex/v1beta1/orders?sort=nosuchfield");
    assert_eq!(st, 400);
}

#[test]
fn s1_8_9_transform_group_by() {
    let s = sim(300);
    let t = hpe_flex_token(&s);
    let (st, v) = call(&s, &t, "/flex/v1beta1/orders/transform");
    assert_eq!(st, 400);
    assert_eq!(issue_subject(&v), "group-by");
    assert_eq!(
        v["errorDetails"][0]["issues"][0]["description"],
        "Required parameter is missing."
    );
    // partnerName = distinct union of resellerName and distributorName.
    let mut expected = std::collections::BTreeSet::new();
    for page in 0..3 {
        let (_, v) = call(
            &s,
            &t,
            &format!("/flex/v1beta1/orders?limit=100&offset={}", page * 100),
        );
        for o in v["items"].as_array().unwrap() {
            for k in ["resellerName", "distributorName"] {
                if let Some(n) = o[k].as_str() {
                    expected.insert(n.to_string());
                }
            }
        }
    }
    let (st, v) = call(
        &s,
        &t,
        "/flex/v1beta1/orders/transform?group-by=partnerName&limit=100",
    );
    assert_eq!(st, 200);
    let got: std::collections::BTreeSet<String> = col(&v, "partnerName").into_iter().collect();
    assert_eq!(got, expected);
    assert_eq!(v["total"].as_u64(), Some(expected.len() as u64));
    for item in v["items"].as_array().unwrap() {
        assert_eq!(
            item.as_object().unwrap().len(),
            1,
            "only the grouped key is present"
        );
    }
    let (st, v) = call(
        &s,
        &t,
        "/flex/v1beta1/orders/transform?group-by=customerName&limit=3&offset=1",
    );
    assert_eq!(st, 200);
    assert_eq!(v["count"], 3);
    assert_eq!(v["offset"], 1);
    let (st, _) = call(
        &s,
        &t,
        "/flex/v1beta1/orders/transform?group-by=resellerName",
    );
    assert_eq!(st, 400, "resellerName is not a group-by field");
}

#[test]
fn s1_8_10_unknown_device_is_404() {
    let s = sim(10);
    let t = hpe_flex_token(&s);
    let (_, v) = call(&s, &t, "/flex/v1beta1/devices?limit=1");
    let id = v["items"][0]["id"].as_str().unwrap().to_string();
    let (st, d) = call(&s, &t, &format!("/flex/v1beta1/devices/{id}"));
    assert_eq!(st, 200);
    assert_eq!(d["id"], id.as_str());
    assert!(d.get("items").is_none(), "a bare device, no envelope");
    let (st, e) = call(
        &s,
        &t,
        "/flex/v1beta1/devices/00000000-0000-4000-8000-000000000000",
    );
    assert_eq!(st, 404);
    assert_eq!(e["errorCode"], "HPE_GL_ERROR_NOT_FOUND");
    assert_eq!(e["httpStatusCode"], 404);
}

#[test]
fn s1_8_11_auth_401_and_403() {
    let s = sim(10);
    let r = s.handle(&get("/flex/v1beta1/orders", &[]), NOW).response;
    assert_eq!(r.status(), 401);
    let v = json(&r);
    assert_eq!(v["errorCode"], "HPE_GL_ERROR_UNAUTHORIZED");
    assert_eq!(v["message"], "Unauthorized Request");
    assert_eq!(
        v["errorDetails"][0]["metadata"]["access_token"],
        "Token provided is invalid"
    );
    // Tokens live 15 minutes.
    let t = hpe_flex_token(&s);
    let at = |ms: i64| {
        s.handle(
            &get(
                "/flex/v1beta1/orders?limit=1",
                &[("authorization", &format!("Bearer {t}"))],
            ),
            NOW + ms,
        )
        .response
        .status()
    };
    assert_eq!(at(15 * 60 * 1000 - 1), 200);
    assert_eq!(at(15 * 60 * 1000), 401);
    // Client auth by HTTP Basic works too; wrong secrets do not.
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!(
            "{}:{}",
            creds::HPE_FLEX_CLIENT_ID,
            creds::HPE_FLEX_CLIENT_SECRET
        ),
    );
    let r = s.handle(
        &sim_common::req(
            "POST",
            "/as/token.oauth2",
            "grant_type=client_credentials",
            &[("authorization", &format!("Basic {basic}"))],
        ),
        NOW,
    );
    assert_eq!(r.response.status(), 200);
    assert_eq!(json(&r.response)["expires_in"], 900);
    let r = s.handle(
        &sim_common::req(
            "POST",
            "/as/token.oauth2",
            "grant_type=client_credentials&client_id=sim-greenlake-client&client_secret=nope",
            &[],
        ),
        NOW,
    );
    assert_eq!(r.response.status(), 401);
    // A client without the View permission gets 403.
    let t = hpe_flex_token_at(
        &s,
        creds::HPE_FLEX_NOPERM_CLIENT_ID,
        creds::HPE_FLEX_NOPERM_CLIENT_SECRET,
        NOW,
    );
    let (st, v) = call(&s, &t, "/flex/v1beta1/devices");
    assert_eq!(st, 403);
    assert_eq!(v["errorCode"], "HPE_GL_ERROR_FORBIDDEN");
    assert_eq!(
        v["errorDetails"][0]["metadata"]["access_token"],
        "Permission is denied to perform requested operation."
    );
}

#[test]
fn s1_8_12_rate_limit_and_500_body() {
    let s = sim(10);
    let t = hpe_flex_token(&s);
    let h = format!("Bearer {t}");
    for i in 0..100 {
        let r = s
            .handle(
                &get("/flex/v1beta1/orders?limit=1", &[("authorization", &h)]),
                NOW + i,
            )
            .response;
        assert_eq!(r.status(), 200, "request {i}");
        assert_eq!(r.headers()["x-ratelimit-limit"], "100");
        assert_eq!(
            r.headers()["x-ratelimit-remaining"],
            (99 - i).to_string().as_str()
        );
    }
    let r = s
        .handle(
            &get("/flex/v1beta1/orders?limit=1", &[("authorization", &h)]),
            NOW + 1000,
        )
        .response;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(r.headers()["retry-after"], "59");
    assert_eq!(r.headers()["x-ratelimit-reset"], "59");
    let v = json(&r);
    assert_eq!(v["errorCode"], "HPE_GL_ERROR_TOO_MANY_REQUESTS");
    assert_eq!(
        v["errorDetails"][0]["metadata"]["apiRateLimit"],
        "Too Many Requests. Rate limit has exceeded a predefined value."
    );
    // Per endpoint: devices still has its own budget.
    let r = s
        .handle(
            &get("/flex/v1beta1/devices?limit=1", &[("authorization", &h)]),
            NOW + 1000,
        )
        .response;
    assert_eq!(r.status(), 200);
    // A new window a minute later.
    let r = s
        .handle(
            &get("/flex/v1beta1/orders?limit=1", &[("authorization", &h)]),
            NOW + 60_000,
        )
        .response;
    assert_eq!(r.status(), 200);
    // The 500 body.
    let r = s
        .handle(
            &get(
                "/flex/v1beta1/orders",
                &[("authorization", &h), ("x-sim-fault", "status500")],
            ),
            NOW + 60_001,
        )
        .response;
    assert_eq!(r.status(), 500);
    let v = json(&r);
    assert_eq!(v["errorCode"], "HPE_GL_ERROR_INTERNAL_SERVER_ERROR");
    assert_eq!(v["errorDetails"][0]["type"], "hpe.greenlake.retry_info");
    assert_eq!(v["errorDetails"][0]["retryAfterSeconds"], 30);
}

#[test]
fn s1_8_13_error_code_spellings() {
    let s = sim(10);
    let t = hpe_flex_token(&s);
    let (_, v) = call(&s, &t, "/flex/v1beta1/orders?limit=500");
    assert_eq!(
        v["message"], "Bad Request.",
        "400 message has a trailing period"
    );
    assert_eq!(v["httpStatusCode"], 400);
    assert!(v["debugId"].as_str().is_some_and(|d| d.len() == 36));
    let r = s
        .handle(
            &get(
                "/flex/v1beta1/orders",
                &[
                    ("authorization", &format!("Bearer {t}")),
                    ("accept", "text/csv"),
                ],
            ),
            NOW,
        )
        .response;
    assert_eq!(r.status(), 422);
    let v = json(&r);
    assert_eq!(
        v["errorCode"], "HPE_GL_UNPROCESSABLE_CONTENT",
        "422 lacks the ERROR_ infix"
    );
    assert_eq!(v["message"], "Unprocessable Content");
}

#[test]
fn s1_8_14_dates_and_generation() {
    let s = sim(100);
    let t = hpe_flex_token(&s);
    let (_, v) = call(&s, &t, "/flex/v1beta1/orders?limit=100");
    for o in v["items"].as_array().unwrap() {
        for k in ["createdAt", "updatedAt", "orderStartDate", "orderEndDate"] {
            let d = o[k].as_str().unwrap();
            assert_eq!(d.len(), 20, "{d}");
            assert!(d.ends_with('Z') && d.as_bytes()[10] == b'T', "{d}");
            assert!(flexedge::model::Timestamp::parse(d).is_ok(), "{d}");
        }
        assert!(o["createdAt"].as_str() <= o["updatedAt"].as_str());
        assert!(o["orderStartDate"].as_str() < o["orderEndDate"].as_str());
        assert!(o["generation"].as_u64().unwrap() >= 1);
        assert_eq!(o["type"], "flex/orders");
    }
}
