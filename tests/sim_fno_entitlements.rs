//! FNO Entitlements API (Beta) edge cases, one test per item of upstreams.md §3.6
//! (`s3_6_<n>_…`), plus the create-validation rules of §3.5.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod sim_common;

use flexedge::sim::Simulator;
use serde_json::{json, Value};
use sim_common::{get, json, req, sim, FNO_BEARER, NOW};

const LIST: &str = "/entitlements-api/v1/entitlements";
const CREATE: &str = "/entitlements-api/v1/entitlement";

fn list(s: &Simulator, q: &str) -> (u16, Value) {
    let r = s
        .handle(
            &get(&format!("{LIST}{q}"), &[("authorization", FNO_BEARER)]),
            NOW,
        )
        .response;
    (r.status().as_u16(), json(&r))
}

fn post(s: &Simulator, path: &str, body: &Value) -> (u16, Value) {
    send(s, "POST", path, body)
}

fn send(s: &Simulator, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let r = s
        .handle(
            &req(
                method,
                path,
                &body.to_string(),
                &[
                    ("authorization", FNO_BEARER),
                    ("content-type", "application/json"),
                ],
            ),
            NOW,
        )
        .response;
    (r.status().as_u16(), json(&r))
}

fn ents(v: &Value) -> Vec<Value> {
    v["entitlements"].as_array().cloned().unwrap_or_default()
}

/// The documented sample body (with its permanent-with-expiry and combined-tier quirks
/// fixed to valid values).
fn sample(ent: &str, act: &str) -> Value {
    json!({
        "entitlementId": ent,
        "description": "Description for entitlement",
        "allowPortalLogin": true,
        "shipToEmail": "Joe@example.com",
        "shipToAddress": "Building-Street-City",
        "accounts": [{"accountId": "SampleOrg12345", "accountName": "Sørensen A/S", "accountType": "CUSTOMER",
                      "partnerTierName": "END_CUSTOMER", "isCurrentOwner": true, "contactEmail": "Joe@example.com"}],
        "lineItems": [{
            "activationId": act,
            "product": [{"productName": "SampleProduct", "productVersion": "SampleVersion-1.0",
                         "licenseModel": {"licenseModelName": "LicenseModelName"}}],
            "quantity": 1, "quantityPerCopy": 1, "isActivatable": true, "isPermanent": true,
            "expiryDate": "2025-01-01", "startDate": "2025-01-01",
            "attributes": [{"name": "REGION", "value": "EMEA"}],
            "autoGenerate": false, "autoDeploy": true, "orderType": "NEW_ORDER", "lineItemStatus": "draft"
        }],
        "autoDeploy": true, "emailTemplateVariation": "DEFAULT",
        "attributes": [{"name": "REGION", "value": "EMEA"}],
        "autoGenerate": false, "status": "draft"
    })
}

#[test]
fn s3_6_1_singular_and_plural_paths() {
    let s = sim(10);
    let r = s
        .handle(&get(CREATE, &[("authorization", FNO_BEARER)]), NOW)
        .response;
    assert_eq!(r.status(), 405);
    let v = json(&r);
    assert_eq!(v["status"], 405);
    assert_eq!(v["path"], CREATE);
    let (st, _) = post(&s, LIST, &sample("x-1", "y-1"));
    assert_eq!(st, 405, "POST to the plural path");
    let (st, v) = list(&s, "");
    assert_eq!(st, 200);
    assert_eq!(ents(&v).len(), 10);
    let r = s
        .handle(
            &get(
                "/entitlements-api/v1/nothing",
                &[("authorization", FNO_BEARER)],
            ),
            NOW,
        )
        .response;
    assert_eq!(r.status(), 404);
}

#[test]
fn s3_6_2_status_vocabulary() {
    let s = sim(200);
    let (_, all) = list(&s, "?limit=1000");
    let obsolete = ents(&all)
        .iter()
        .filter(|e| e["status"] == "OBSOLETED")
        .count();
    assert!(obsolete > 0);
    for q in ["obsoleted", "obsolete", "OBSOLETED", "Obsolete"] {
        let (st, v) = list(&s, &format!("?status={q}&limit=1000"));
        assert_eq!(st, 200);
        assert_eq!(ents(&v).len(), obsolete, "{q}");
    }
    let (_, v) = list(&s, "?status=active&limit=1000");
    assert!(ents(&v).iter().all(|e| e["status"] == "ACTIVE"));
    let (st, v) = list(&s, "?status=expired");
    assert_eq!(st, 400);
    assert_eq!(v["error"], "Bad Request");
}

#[test]
fn s3_6_3_no_total_page_until_short() {
    let s = sim(45);
    let mut seen = Vec::new();
    for page in 0..10 {
        let (st, v) = list(&s, &format!("?page={page}&limit=20"));
        assert_eq!(st, 200);
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["entitlements", "limit", "page"]);
        assert_eq!(v["page"], page);
        let got = ents(&v);
        let short = got.len() < 20;
        seen.extend(
            got.into_iter()
                .map(|e| e["entitlementId"].as_str().unwrap().to_string()),
        );
        if short {
            break;
        }
    }
    assert_eq!(seen.len(), 45);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "default sort is entitlement_id asc");
    // Spring paging: limit=0 (the doc's curl) → default 20; negative page → 0.
    let (_, v) = list(&s, "?page=0&limit=0");
    assert_eq!(v["limit"], 20);
    assert_eq!(ents(&v).len(), 20);
    let (_, v) = list(&s, "?page=-3");
    assert_eq!(v["page"], 0);
    let (st, _) = list(&s, "?page=abc");
    assert_eq!(st, 400);
    // Sorting.
    let (_, v) = list(&s, "?sort_by=created_on&sort_order=desc&limit=100");
    let created: Vec<String> = ents(&v)
        .iter()
        .map(|e| e["createdOn"].as_str().unwrap().to_string())
        .collect();
    let mut d = created.clone();
    d.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, d);
    let (st, _) = list(&s, "?sort_by=name");
    assert_eq!(st, 400);
    let (st, _) = list(&s, "?sort_order=up");
    assert_eq!(st, 400);
}

#[test]
fn s3_6_3_exact_match_params() {
    let s = sim(150);
    let (_, all) = list(&s, "?limit=1000");
    let all = ents(&all);
    let e = &all[7];
    let acc = e["accounts"][0]["accountId"].as_str().unwrap();
    let act = e["lineItems"][0]["activationId"].as_str().unwrap();
    let name = e["accounts"][0]["accountName"].as_str().unwrap();
    let enc = |s: &str| -> String { form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let (_, v) = list(&s, &format!("?accountId={acc}&limit=1000"));
    let want = all
        .iter()
        .filter(|x| {
            x["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["accountId"] == acc)
        })
        .count();
    assert_eq!(ents(&v).len(), want);
    let (_, v) = list(&s, &format!("?activationId={act}"));
    assert_eq!(ents(&v).len(), 1);
    assert_eq!(ents(&v)[0]["entitlementId"], e["entitlementId"]);
    let (_, v) = list(&s, &format!("?activationId={}", &act[..act.len() - 1]));
    assert!(ents(&v).is_empty(), "exact match, not prefix");
    let (_, v) = list(
        &s,
        &format!("?accountName={}&limit=1000", enc(&name.to_uppercase())),
    );
    assert!(!ents(&v).is_empty(), "names match case-insensitively");
    let product = e["lineItems"][0]["products"][0]["productName"]
        .as_str()
        .unwrap();
    let (_, v) = list(&s, &format!("?product={}&limit=1000", enc(product)));
    assert!(ents(&v).iter().all(|x| x["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["products"][0]["productName"] == product)));
    let r = s.handle(&get(LIST, &[]), NOW).response;
    assert_eq!(r.status(), 401);
    assert_eq!(json(&r)["error"], "Unauthorized");
}

#[test]
fn s3_6_4_error_body_is_spring_style() {
    let s = sim(5);
    let (st, v) = post(&s, CREATE, &json!({"lineItems": []}));
    assert_eq!(st, 400);
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["error", "message", "path", "status", "timestamp"]);
    assert_eq!(v["status"], 400);
    assert_eq!(v["path"], CREATE);
    assert_eq!(v["timestamp"], "2026-01-01T00:00:00.000Z");
    assert!(v["message"].as_str().unwrap().contains("lineItems"));
}

#[test]
fn s3_6_5_ids_unique_and_auto_generate() {
    let s = sim(20);
    let (st, v) = post(&s, CREATE, &sample("ent-new-1", "act-new-1"));
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "SUCCESS");
    assert_eq!(v["entitlementId"], "ent-new-1");
    // The created entitlement is listed.
    let (_, l) = list(&s, "?activationId=act-new-1");
    assert_eq!(ents(&l).len(), 1);
    assert_eq!(ents(&l)[0]["status"], "DRAFT");
    assert!(
        ents(&l)[0]["lineItems"][0]["expiryDate"].is_null(),
        "permanent ⇒ no expiry"
    );
    // Duplicates across entitlements and line items: 409 (a body that is otherwise valid).
    let (st, v) = post(&s, CREATE, &sample("ent-new-1", "act-new-2"));
    assert_eq!(st, 409);
    assert_eq!(v["error"], "Conflict");
    assert_eq!(
        v["message"],
        "entitlementId: 'ent-new-1' is already in use by an entitlement or line item"
    );
    let (st, v) = post(&s, CREATE, &sample("ent-new-2", "ent-new-1"));
    assert_eq!(st, 409, "an activation id may not reuse an entitlement id");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("lineItems[0].activationId: 'ent-new-1'"));
    // A body that also breaks a rule is a 400 for the rule.
    let mut b = sample("ent-new-1", "act-new-9");
    b["lineItems"][0]["quantity"] = json!(-1);
    let (st, v) = post(&s, CREATE, &b);
    assert_eq!(st, 400, "{v}");
    let (_, all) = list(&s, "?limit=1");
    let existing_act = ents(&all)[0]["lineItems"][0]["activationId"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _) = post(&s, CREATE, &sample("ent-new-3", &existing_act));
    assert_eq!(st, 409, "generated ids count too");
    // An id together with autoGenerate: true.
    let mut b = sample("ent-new-4", "act-new-4");
    b["autoGenerate"] = json!(true);
    let (st, v) = post(&s, CREATE, &b);
    assert_eq!(st, 400);
    assert!(v["message"].as_str().unwrap().contains("autoGenerate"));
    // No ids: generated.
    let mut b = sample("x", "y");
    b.as_object_mut().unwrap().remove("entitlementId");
    b["lineItems"][0]
        .as_object_mut()
        .unwrap()
        .remove("activationId");
    b["autoGenerate"] = json!(true);
    let (st, v) = post(&s, CREATE, &b);
    assert_eq!(st, 200, "{v}");
    assert!(v["entitlementId"].as_str().unwrap().starts_with("auto-"));
    assert!(v["lineItems"][0]["activationId"]
        .as_str()
        .unwrap()
        .starts_with("auto-"));
    // Line items added to an existing entitlement; unknown entitlement → 404.
    let id = ents(&all)[0]["entitlementId"].as_str().unwrap().to_string();
    let line = sample("z", "act-added-1")["lineItems"].clone();
    let (st, v) = post(
        &s,
        &format!("{CREATE}/{id}/line-items"),
        &json!({"lineItems": line}),
    );
    assert_eq!(st, 200, "{v}");
    let (_, l) = list(&s, "?activationId=act-added-1");
    assert_eq!(ents(&l)[0]["entitlementId"], id.as_str());
    let r = s
        .handle(
            &get(
                &format!("{CREATE}/{id}/line-items?activationId=act-added-1"),
                &[("authorization", FNO_BEARER)],
            ),
            NOW,
        )
        .response;
    assert_eq!(json(&r)["lineItems"].as_array().map(Vec::len), Some(1));
    let (st, _) = post(
        &s,
        &format!("{CREATE}/no-such-ent/line-items"),
        &json!({"lineItems": line}),
    );
    assert_eq!(st, 404);
    let (st, _) = post(
        &s,
        &format!("{CREATE}/{id}/line-items"),
        &json!({"lineItems": line}),
    );
    assert_eq!(st, 409, "act-added-1 now exists");
}

#[test]
fn s3_5_validation_rules() {
    let s = sim(5);
    type Mutate = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutate)> = vec![
        (
            "entitlementId",
            Box::new(|b| b["entitlementId"] = json!("bad/id")),
        ),
        (
            "entitlementId",
            Box::new(|b| b["entitlementId"] = json!("   ")),
        ),
        (
            "entitlementId",
            Box::new(|b| b["entitlementId"] = json!("x".repeat(256))),
        ),
        (
            "activationId",
            Box::new(|b| b["lineItems"][0]["activationId"] = json!("a&b")),
        ),
        (
            "description",
            Box::new(|b| b["description"] = json!("d".repeat(2001))),
        ),
        (
            "shipToEmail",
            Box::new(|b| b["shipToEmail"] = json!("e".repeat(1001))),
        ),
        (
            "shipToAddress",
            Box::new(|b| b["shipToAddress"] = json!("Main St. 1, Copenhagen")),
        ),
        (
            "accountType",
            Box::new(|b| b["accounts"][0]["accountType"] = json!("FRIEND")),
        ),
        (
            "partnerTierName",
            Box::new(|b| {
                b["accounts"][0]["partnerTierName"] = json!("END_CUSTOMER/PARTNER_TIER_ONE")
            }),
        ),
        (
            "accountId",
            Box::new(|b| {
                b["accounts"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("accountId");
            }),
        ),
        (
            "lineItems",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("lineItems");
            }),
        ),
        (
            "product",
            Box::new(|b| b["lineItems"][0]["product"] = json!([])),
        ),
        (
            "productVersion",
            Box::new(|b| {
                b["lineItems"][0]["product"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("productVersion");
            }),
        ),
        (
            "licenseModelName",
            Box::new(|b| b["lineItems"][0]["product"][0]["licenseModel"] = json!({"issuer": "x"})),
        ),
        (
            "quantity",
            Box::new(|b| b["lineItems"][0]["quantity"] = json!(-1)),
        ),
        (
            "quantityPerCopy",
            Box::new(|b| b["lineItems"][0]["quantityPerCopy"] = json!(0)),
        ),
        (
            "startDate",
            Box::new(|b| {
                b["lineItems"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("startDate");
            }),
        ),
        (
            "startDate",
            Box::new(|b| b["lineItems"][0]["startDate"] = json!("2025/01/01")),
        ),
        (
            "expiryDate",
            Box::new(|b| b["lineItems"][0]["expiryDate"] = json!("01-01-2025")),
        ),
        (
            "orderType",
            Box::new(|b| b["lineItems"][0]["orderType"] = json!("BIG_ORDER")),
        ),
        (
            "lineItemStatus",
            Box::new(|b| b["lineItems"][0]["lineItemStatus"] = json!("active")),
        ),
        (
            "emailTemplateVariation",
            Box::new(|b| b["emailTemplateVariation"] = json!("   ")),
        ),
        ("status", Box::new(|b| b["status"] = json!("obsoleted"))),
        (
            "attributes[0].name",
            Box::new(|b| b["attributes"] = json!([{"value": "x"}])),
        ),
    ];
    for (i, (field, mutate)) in cases.iter().enumerate() {
        let mut b = sample(&format!("ent-v-{i}"), &format!("act-v-{i}"));
        mutate(&mut b);
        let (st, v) = post(&s, CREATE, &b);
        assert_eq!(st, 400, "{field}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains(field),
            "{field}: {}",
            v["message"]
        );
    }
    // The sample itself (orderType in upper case, as its example) is valid.
    let (st, v) = post(&s, CREATE, &sample("ent-ok", "act-ok"));
    assert_eq!(st, 200, "{v}");
    let (st, _) = post(&s, CREATE, &json!("not an object"));
    assert_eq!(st, 400);
}

#[test]
fn s3_6_6_dates_are_date_only() {
    let s = sim(100);
    let (_, v) = list(&s, "?limit=100");
    let mut permanent = 0;
    for e in ents(&v) {
        for l in e["lineItems"].as_array().unwrap() {
            let start = l["startDate"].as_str().unwrap();
            assert_eq!(start.len(), 10);
            assert_eq!(start.as_bytes()[4], b'-');
            if l["permanent"] == true {
                permanent += 1;
                assert!(l["expiryDate"].is_null());
            } else {
                let end = l["expiryDate"].as_str().unwrap();
                assert_eq!(end.len(), 10);
                assert!(end > start);
            }
        }
    }
    assert!(permanent > 0);
}

/// Maintenance line items (§3.5): added to a created or a generated entitlement, listed on
/// it, found by the `activationId` filter; the rules and the uniqueness of ids hold; an
/// unknown entitlement is a 404.
#[test]
fn s3_5_maintenance_line_items() {
    let s = sim(10);
    let (st, v) = post(&s, CREATE, &sample("ent-m-1", "act-m-1"));
    assert_eq!(st, 200, "{v}");
    let (_, all) = list(&s, "?limit=1");
    let generated = ents(&all)[0]["entitlementId"].as_str().unwrap().to_string();
    let item = |act: &str| {
        json!({"maintenanceLineItems": [{
            "activationId": act,
            "maintenanceProduct": {"maintenanceProductName": "Gold Support", "maintenanceProductVersion": "1.0", "partNumber": "GS-1"},
            "isPermanent": false, "expiryDate": "2027-01-01", "startDate": "2026-01-01",
            "attributes": [{"name": "REGION", "value": "EMEA"}], "autoGenerate": false, "autoDeploy": true
        }]})
    };
    for (ent, act) in [("ent-m-1", "mnt-1"), (generated.as_str(), "mnt-2")] {
        let (st, v) = post(
            &s,
            &format!("{CREATE}/{ent}/maintenance-line-items"),
            &item(act),
        );
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["lineItems"][0]["activationId"], act);
        let (_, l) = list(&s, &format!("?activationId={act}"));
        let found = ents(&l);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["entitlementId"], ent);
        let m = &found[0]["maintenanceLineItems"][0];
        assert_eq!(
            m["maintenanceProduct"]["maintenanceProductName"],
            "Gold Support"
        );
        assert_eq!(m["lineItemState"], "DEPLOYED");
        assert_eq!(m["expiryDate"], "2027-01-01");
    }
    // Generated entitlements without maintenance items list none (the member is absent).
    let (_, l) = list(&s, "?limit=5");
    assert!(ents(&l)
        .iter()
        .filter(|e| e["entitlementId"] != generated.as_str())
        .all(|e| e.get("maintenanceLineItems").is_none()));
    // Ids are unique across everything.
    let path = format!("{CREATE}/ent-m-1/maintenance-line-items");
    for taken in ["mnt-2", "act-m-1", "ent-m-1"] {
        let (st, v) = post(&s, &path, &item(taken));
        assert_eq!(st, 409, "{taken}: {v}");
    }
    // The rules: missing product name, a bad date, an id with autoGenerate.
    let mut b = item("mnt-3");
    b["maintenanceLineItems"][0]["maintenanceProduct"]
        .as_object_mut()
        .unwrap()
        .remove("maintenanceProductName");
    b["maintenanceLineItems"][0]["startDate"] = json!("2026-02-30");
    b["maintenanceLineItems"][0]["autoGenerate"] = json!(true);
    let (st, v) = post(&s, &path, &b);
    assert_eq!(st, 400);
    let m = v["message"].as_str().unwrap();
    for field in [
        "maintenanceLineItems[0].maintenanceProduct.maintenanceProductName: must not be null",
        "maintenanceLineItems[0].startDate:",
        "maintenanceLineItems[0].activationId: must not be given when autoGenerate is true",
    ] {
        assert!(m.contains(field), "{field} in {m}");
    }
    let (st, _) = post(
        &s,
        &format!("{CREATE}/no-such/maintenance-line-items"),
        &item("mnt-4"),
    );
    assert_eq!(st, 404);
    let (st, _) = post(&s, &path, &json!({"maintenanceLineItems": []}));
    assert_eq!(st, 400);
    // GET is not an operation of the document.
    let r = s
        .handle(&get(&path, &[("authorization", FNO_BEARER)]), NOW)
        .response;
    assert_eq!(r.status(), 405);
}

/// `/__sim/stats` counts the requests each vendor endpoint received; DELETE resets.
#[test]
fn sim_stats_count_calls_per_endpoint() {
    let s = sim(5);
    let _ = list(&s, "");
    let _ = list(&s, "?page=1");
    let _ = post(&s, CREATE, &json!({"lineItems": []}));
    let stats = |m: &str| {
        let r = s.handle(&req(m, "/__sim/stats", "", &[]), NOW).response;
        assert_eq!(r.status(), 200);
        json(&r)["calls"].clone()
    };
    let c = stats("GET");
    assert_eq!(c[format!("GET {LIST}")], 2, "{c}");
    assert_eq!(c[format!("POST {CREATE}")], 1, "{c}");
    assert!(
        c.get("GET /__sim/stats").is_none(),
        "admin calls are not counted"
    );
    assert_eq!(stats("DELETE"), json!({}));
    assert_eq!(s.calls().len(), 0);
}

/// The two `PATCH` operations of upstreams.md §3.2: line item properties and policies,
/// checked by their rule tables, visible in the list afterwards, 404 for unknown ids.
#[test]
fn s3_2_patch_line_item_properties_and_policies() {
    let s = sim(10);
    let (st, v) = post(&s, CREATE, &sample("ent-p-1", "act-p-1"));
    assert_eq!(st, 200, "{v}");
    let props = format!("{CREATE}/ent-p-1/additional-properties");
    let body = json!({"lineItems": [{
        "activationId": "act-p-1", "orderType": "renewal_order", "parentActivationId": "act-parent",
        "deploy": true, "product": {"partNumber": "PN-7"},
        "attributes": [{"name": "REGION", "type": "STRING", "value": "APAC"},
                       {"name": "TIER", "type": "STRING", "value": "gold"}]
    }]});
    let (st, v) = send(&s, "PATCH", &props, &body);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["lineItems"][0]["activationId"], "act-p-1");
    assert_eq!(v["lineItems"][0]["status"], "SUCCESS");
    let line = |s: &Simulator| {
        let (_, l) = list(s, "?activationId=act-p-1");
        ents(&l)[0]["lineItems"][0].clone()
    };
    let l = line(&s);
    assert_eq!(l["orderType"], "RENEWAL_ORDER", "{l}");
    assert_eq!(l["lineItemState"], "DEPLOYED", "{l}");
    assert_eq!(l["partNumber"], "PN-7", "{l}");
    assert_eq!(l["parentActivationId"], "act-parent", "{l}");
    assert_eq!(
        l["attributes"],
        json!([{"name": "REGION", "value": "APAC"}, {"name": "TIER", "value": "gold"}]),
        "an attribute is replaced by name, a new one added"
    );
    // The table's verdicts: every violation at once, and nothing changes.
    let bad = json!({"lineItems": [{
        "activationId": "act/p", "orderType": "SPECIAL_ORDER", "deploy": "yes",
        "attributes": [{"value": "x"}]
    }]});
    let (st, v) = send(&s, "PATCH", &props, &bad);
    assert_eq!(st, 400, "{v}");
    let m = v["message"].as_str().unwrap();
    for field in [
        "lineItems[0].activationId",
        "lineItems[0].orderType",
        "lineItems[0].deploy",
        "lineItems[0].attributes[0].name",
        "lineItems[0].attributes[0].type",
    ] {
        assert!(m.contains(field), "{field} in {m}");
    }
    assert_eq!(line(&s)["orderType"], "RENEWAL_ORDER");
    let (st, _) = send(&s, "PATCH", &props, &json!({"lineItems": []}));
    assert_eq!(st, 400, "at least one line item");
    let unknown_line = json!({"lineItems": [{"activationId": "act-nowhere"}]});
    assert_eq!(send(&s, "PATCH", &props, &unknown_line).0, 404);
    let elsewhere = format!("{CREATE}/no-such/additional-properties");
    assert_eq!(send(&s, "PATCH", &elsewhere, &body).0, 404);

    // Policies: the object as configured, listed on the line item.
    let policies = format!("{CREATE}/ent-p-1/line-items/act-p-1/policies");
    let policy = json!({"cancelLicense": true, "extraActivations": 2, "virtualLicense": false});
    let (st, v) = send(&s, "PATCH", &policies, &policy);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["activationId"], "act-p-1");
    assert_eq!(line(&s)["policies"], policy);
    let (st, v) = send(&s, "PATCH", &policies, &json!({"extraActivations": "2"}));
    assert_eq!(st, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("extraActivations"));
    assert_eq!(
        line(&s)["policies"],
        policy,
        "a refused body changes nothing"
    );
    let other = format!("{CREATE}/ent-p-1/line-items/act-nowhere/policies");
    assert_eq!(send(&s, "PATCH", &other, &policy).0, 404);
    // POST is not one of these operations.
    assert_eq!(send(&s, "POST", &policies, &policy).0, 405);
}
