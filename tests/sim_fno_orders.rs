//! FNO entitlementOrders edge cases, one test per item of upstreams.md §2.6 (`s2_6_<n>_…`),
//! plus auth and the criteria the issue lists.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod sim_common;

use flexedge::sim::{FnoDateFormat, SimConfig, Simulator};
use serde_json::{json, Value};
use sim_common::{fno_basic, json, post_json, sim, NOW};

const Q: &str = "/flexnet/operations/entitlementOrders";
const COUNT: &str = "/flexnet/operations/entitlementOrders/count";

fn query(s: &Simulator, body: Value) -> Value {
    let r = s
        .handle(&post_json(Q, &body.to_string(), &fno_basic()), NOW)
        .response;
    assert_eq!(r.status(), 200, "{}", String::from_utf8_lossy(r.body()));
    json(&r)
}

fn count(s: &Simulator, criteria: Value) -> u64 {
    let r = s
        .handle(
            &post_json(
                COUNT,
                &json!({"queryParams": criteria}).to_string(),
                &fno_basic(),
            ),
            NOW,
        )
        .response;
    let v = json(&r);
    assert_eq!(v["statusInfo"]["status"], "SUCCESS", "{v}");
    v["count"].as_u64().unwrap()
}

fn items(v: &Value) -> Vec<Value> {
    v["activatableItem"].as_array().cloned().unwrap_or_default()
}

fn all(s: &Simulator) -> Vec<Value> {
    items(&query(
        s,
        json!({"activatableItemSearchCriteria": {}, "batchSize": 10_000}),
    ))
}

#[test]
fn s2_6_1_search_types() {
    let s = sim(200);
    let everything = all(&s);
    assert_eq!(everything.len(), 200);
    let sold: Vec<&str> = everything
        .iter()
        .map(|i| i["soldTo"].as_str().unwrap())
        .collect();
    let name = "Müller GmbH";
    let expect =
        |f: &dyn Fn(&str) -> bool| sold.iter().filter(|s| f(&s.to_lowercase())).count() as u64;
    for (st, value, pred) in [
        (
            "EQUALS",
            name,
            Box::new(|s: &str| s == "müller gmbh") as Box<dyn Fn(&str) -> bool>,
        ),
        (
            "STARTS_WITH",
            "Mül",
            Box::new(|s: &str| s.starts_with("mül")),
        ),
        ("ENDS_WITH", "gmbh", Box::new(|s: &str| s.ends_with("gmbh"))),
        ("CONTAINS", "a/s", Box::new(|s: &str| s.contains("a/s"))),
    ] {
        let want = expect(&*pred);
        assert!(want > 0, "{st} {value}");
        let c = json!({"soldTo": {"value": value, "searchType": st}});
        assert_eq!(count(&s, c.clone()), want, "{st} {value}");
        let got = items(&query(
            &s,
            json!({"activatableItemSearchCriteria": c, "batchSize": 1000}),
        ));
        assert_eq!(got.len() as u64, want);
    }
    // Unknown searchType: FAILURE with a reason, HTTP 200, no items.
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {"entitlementId": {"value": "E", "searchType": "LIKE"}}, "batchSize": 5}),
    );
    assert_eq!(v["statusInfo"]["status"], "FAILURE");
    assert!(v["statusInfo"]["reason"]
        .as_str()
        .unwrap()
        .contains("searchType"));
    assert!(v.get("activatableItem").is_none());
    // A string searchType on a date field is a FAILURE too.
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {"startDate": {"value": "2020-01-01", "searchType": "CONTAINS"}}}),
    );
    assert_eq!(v["statusInfo"]["status"], "FAILURE");
    // Dates: BEFORE / AFTER / ON partition the items that have the date.
    let before = count(
        &s,
        json!({"startDate": {"value": "2022-06-01", "searchType": "BEFORE"}}),
    );
    let after = count(
        &s,
        json!({"startDate": {"value": "2022-06-01", "searchType": "AFTER"}}),
    );
    let on = count(
        &s,
        json!({"startDate": {"value": "2022-06-01", "searchType": "ON"}}),
    );
    assert_eq!(before + after + on, 200);
    assert!(before > 0 && after > 0);
    // Booleans and enums.
    let perm = count(&s, json!({"isPermanent": true}));
    let notperm = count(&s, json!({"isPermanent": false}));
    assert_eq!(perm + notperm, 200);
    let web = count(&s, json!({"activatableItemType": "WEBREGKEY"}));
    let line = count(&s, json!({"activatableItemType": "LINEITEM"}));
    assert_eq!(web + line, 200);
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {"activatableItemType": "BOGUS"}}),
    );
    assert_eq!(v["statusInfo"]["status"], "FAILURE");
}

#[test]
fn s2_6_1_custom_attributes_and_account_tiers() {
    let s = sim(300);
    let everything = all(&s);
    let seats: Vec<i64> = everything
        .iter()
        .filter_map(|i| {
            i["entitlementAttributes"]["attribute"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["attributeName"] == "SEATS")
                .and_then(|a| a["integerValue"].as_i64())
        })
        .collect();
    for (op, f) in [
        (
            "GREATER_THAN",
            Box::new(|v: i64| v > 1000) as Box<dyn Fn(i64) -> bool>,
        ),
        ("GREATER_THAN_EQUALS", Box::new(|v: i64| v >= 1000)),
        ("LESS_THAN", Box::new(|v: i64| v < 1000)),
        ("LESS_THAN_EQUALS", Box::new(|v: i64| v <= 1000)),
        ("NOT_EQUALS", Box::new(|v: i64| v != 1000)),
    ] {
        let want = seats.iter().filter(|v| f(**v)).count() as u64;
        let c = json!({"customAttributes": {"attribute": [{"attributeName": "SEATS", "numberValue": {"value": 1000, "searchType": op}}]}});
        assert_eq!(count(&s, c), want, "{op}");
    }
    let renew = count(
        &s,
        json!({"customAttributes": {"attribute": [{"attributeName": "RENEWABLE", "booleanValue": true}]}}),
    );
    let norenew = count(
        &s,
        json!({"customAttributes": {"attribute": [{"attributeName": "RENEWABLE", "booleanValue": "false"}]}}),
    );
    assert_eq!(renew + norenew, 300);
    let emea = count(
        &s,
        json!({"customAttributes": {"attribute": [{"attributeName": "REGION", "stringValue": {"value": "EMEA", "searchType": "EQUALS"}}]}}),
    );
    assert!(emea > 0);
    // accountId: end-customer tier by default, ANY for every tier.
    let reseller = everything
        .iter()
        .flat_map(|i| {
            i["channelPartners"]["channelPartner"]
                .as_array()
                .unwrap()
                .clone()
        })
        .find(|p| p["tierName"] == "bo.constants.partnertiernames.partnertierone")
        .map(|p| {
            p["account"]["primaryKeys"]["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .unwrap();
    let default_tier = count(
        &s,
        json!({"accountId": {"value": reseller, "searchType": "EQUALS"}}),
    );
    let any = count(
        &s,
        json!({"accountId": {"value": reseller, "searchType": "EQUALS", "partnerTier": "ANY"}}),
    );
    let tier_one = count(
        &s,
        json!({"accountId": {"value": reseller, "searchType": "EQUALS", "partnerTier": "bo.constants.partnertiernames.partnertierone"}}),
    );
    assert_eq!(default_tier, 0, "a reseller is not an end customer");
    assert!(any > 0 && any == tier_one);
}

#[test]
fn s2_6_2_pages_are_one_based_without_total() {
    let s = sim(25);
    let p1 = query(
        &s,
        json!({"activatableItemSearchCriteria": {}, "batchSize": 10, "pageNumber": 1}),
    );
    let p3 = query(
        &s,
        json!({"activatableItemSearchCriteria": {}, "batchSize": 10, "pageNumber": 3}),
    );
    let p4 = query(
        &s,
        json!({"activatableItemSearchCriteria": {}, "batchSize": 10, "pageNumber": 4}),
    );
    let dflt = query(
        &s,
        json!({"activatableItemSearchCriteria": {}, "batchSize": 10}),
    );
    assert_eq!(items(&p1).len(), 10);
    assert_eq!(items(&p3).len(), 5);
    assert_eq!(p1, dflt, "pageNumber defaults to 1");
    assert_eq!(p4["statusInfo"]["status"], "SUCCESS");
    assert!(items(&p4).is_empty());
    for v in [&p1, &p3] {
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys.len(),
            2,
            "only statusInfo and activatableItem: {keys:?}"
        );
    }
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {}, "batchSize": 10, "pageNumber": 0}),
    );
    assert_eq!(v["statusInfo"]["status"], "FAILURE", "pages start at 1");
    assert_eq!(count(&s, json!({})), 25, "totals only via /count");
}

#[test]
fn s2_6_3_wrappers_and_batch_placements() {
    let s = sim(40);
    let crit = json!({"productName": {"value": "a", "searchType": "CONTAINS"}});
    let want = count(&s, crit.clone());
    assert!(want > 0 && want < 40);
    // The count wrapper is `queryParams`; `activatableItemSearchCriteria` there is ignored
    // (unknown keys are ignored), so the count is of everything.
    let r = s
        .handle(
            &post_json(
                COUNT,
                &json!({"activatableItemSearchCriteria": crit}).to_string(),
                &fno_basic(),
            ),
            NOW,
        )
        .response;
    assert_eq!(json(&r)["count"], 40);
    // And the other way round for the query endpoint.
    let v = query(&s, json!({"queryParams": crit, "batchSize": 100}));
    assert_eq!(items(&v).len(), 40);
    // batchSize/pageNumber as siblings (SOAP shape) or inside the criteria (REST doc).
    let mut inside = crit.clone();
    inside["batchSize"] = json!(2);
    inside["pageNumber"] = json!(2);
    let a = query(&s, json!({"activatableItemSearchCriteria": inside}));
    let b = query(
        &s,
        json!({"activatableItemSearchCriteria": crit, "batchSize": 2, "pageNumber": 2}),
    );
    assert_eq!(a, b);
    assert_eq!(items(&a).len(), 2);
    // Strings for numbers (as the doc's placeholders suggest) are accepted.
    let c = query(
        &s,
        json!({"activatableItemSearchCriteria": crit, "batchSize": "2", "pageNumber": "2"}),
    );
    assert_eq!(a, c);
    // An empty body works (the public script posts `{}`).
    let r = s.handle(&post_json(Q, "", &fno_basic()), NOW).response;
    assert_eq!(r.status(), 200);
    assert_eq!(items(&json(&r)).len(), 40);
}

#[test]
fn s2_6_4_false_flags_are_no_ops() {
    let s = sim(120);
    assert_eq!(count(&s, json!({"withNoOrderId": false})), 120);
    assert_eq!(count(&s, json!({"restrictToItemsWithCount": false})), 120);
    assert_eq!(
        count(
            &s,
            json!({"withNoOrderId": "false", "restrictToItemsWithCount": "false"})
        ),
        120
    );
    let no_order = count(&s, json!({"withNoOrderId": true}));
    let with_count = count(&s, json!({"restrictToItemsWithCount": true}));
    assert!(no_order > 0 && no_order < 120);
    assert!(with_count > 0 && with_count < 120);
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {"withNoOrderId": true}, "batchSize": 200}),
    );
    assert!(items(&v)
        .iter()
        .all(|i| i["activatableItemData"]["orderId"].is_null()));
}

#[test]
fn s2_6_5_maintenance_items_never_returned() {
    let s = sim(200);
    assert_eq!(count(&s, json!({"productType": "MAINTENANCE"})), 0);
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {"productType": "MAINTENANCE"}, "batchSize": 100}),
    );
    assert_eq!(v["statusInfo"]["status"], "SUCCESS");
    assert!(items(&v).is_empty());
    let lic = count(&s, json!({"productType": "LICENSED_PRODUCT"}));
    let suite = count(&s, json!({"productType": "SUITE"}));
    assert_eq!(lic + suite, 200);
    assert!(all(&s)
        .iter()
        .all(|i| i["activatableItemData"]["product"]["primaryKeys"]["name"] != "Support Plus"));
}

#[test]
fn s2_6_6_null_heavy_payloads() {
    let s = sim(100);
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {}, "batchSize": 100}),
    );
    assert_eq!(
        v["statusInfo"],
        json!({"status": "SUCCESS", "reason": null})
    );
    let items = items(&v);
    assert!(items
        .iter()
        .any(|i| i["activatableItemData"]["orderId"].is_null()));
    assert!(items
        .iter()
        .any(|i| i["activatableItemData"]["partNumber"].is_null()));
    assert!(items.iter().any(|i| i["shipToEmail"] == ""));
    assert!(items.iter().any(|i| i["parentBulkEntitlementId"].is_null()));
    for i in &items {
        let d = &i["activatableItemData"];
        assert!(d.as_object().unwrap().contains_key("fnptimeZoneValue"));
        assert!(d["alternateLicenseModel1"].is_null());
        for a in d["licenseModelAttributes"]["attribute"].as_array().unwrap() {
            for slot in [
                "stringValue",
                "dateValue",
                "booleanValue",
                "integerValue",
                "arrayValue",
            ] {
                assert!(
                    a.as_object().unwrap().contains_key(slot),
                    "every slot present"
                );
            }
        }
        assert!(d["id"].is_u64());
        assert!(d["product"]["uniqueId"]
            .as_str()
            .unwrap()
            .starts_with("HID-"));
    }
}

#[test]
fn s2_6_7_permanent_items_have_no_expiration() {
    let s = sim(150);
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {"isPermanent": true}, "batchSize": 200}),
    );
    let items = items(&v);
    assert!(!items.is_empty());
    for i in &items {
        assert_eq!(i["activatableItemData"]["isPermanent"], true);
        assert!(i["activatableItemData"]["expirationDate"].is_null());
    }
    assert_eq!(
        count(
            &s,
            json!({"isPermanent": true, "expirationDate": {"value": "2100-01-01", "searchType": "BEFORE"}})
        ),
        0
    );
}

#[test]
fn s2_6_8_date_formats_and_pacific_zone() {
    // Epoch milliseconds (default): date-only values are midnight America/Los_Angeles.
    let s = sim(50);
    for i in all(&s) {
        let ms = i["activatableItemData"]["startDate"].as_i64().unwrap();
        let hour_utc = ms.rem_euclid(86_400_000) / 3_600_000;
        assert!(
            hour_utc == 7 || hour_utc == 8,
            "midnight PDT/PST is 07:00/08:00 UTC, got {hour_utc}"
        );
        assert!(i["activatableItemData"]["createdOnDateTime"].is_i64());
    }
    // The yyyy-MM-dd switch prints the same calendar days.
    let iso = Simulator::new(SimConfig {
        seed: 42,
        records_per_source: 50,
        fno_dates: FnoDateFormat::IsoDate,
        ..SimConfig::default()
    });
    let a = all(&s);
    let b = all(&iso);
    for (x, y) in a.iter().zip(&b) {
        let ms = x["activatableItemData"]["startDate"].as_i64().unwrap();
        let day = y["activatableItemData"]["startDate"].as_str().unwrap();
        let utc_day = flexedge::model::Timestamp::parse(day).unwrap().millis();
        assert!(
            ms - utc_day == 7 * 3_600_000 || ms - utc_day == 8 * 3_600_000,
            "{day} vs {ms}"
        );
        let created = y["activatableItemData"]["createdOnDateTime"]
            .as_str()
            .unwrap();
        assert_eq!(
            flexedge::model::Timestamp::parse(created).unwrap().millis(),
            x["activatableItemData"]["createdOnDateTime"]
                .as_i64()
                .unwrap()
        );
    }
    // Date-times without an offset are read in the Pacific zone: 08:00 (PST) = 16:00Z.
    let pick = &a[0]["activatableItemData"]["createdOnDateTime"]
        .as_i64()
        .unwrap();
    let pick_iso = flexedge::model::Timestamp::from_millis(*pick).to_string();
    let with_z = count(
        &s,
        json!({"createdOnDateTime": {"value": pick_iso, "searchType": "AFTER"}}),
    );
    let just_before = flexedge::model::Timestamp::from_millis(pick - 1).to_string();
    let incl = count(
        &s,
        json!({"createdOnDateTime": {"value": just_before, "searchType": "AFTER"}}),
    );
    assert_eq!(incl, with_z + 1, "AFTER is strict at the millisecond");
    let winter_utc = count(
        &s,
        json!({"createdOnDateTime": {"value": "2020-01-15T16:00:00Z", "searchType": "BEFORE"}}),
    );
    let winter_local = count(
        &s,
        json!({"createdOnDateTime": {"value": "2020-01-15T08:00:00", "searchType": "BEFORE"}}),
    );
    let winter_offset = count(
        &s,
        json!({"createdOnDateTime": {"value": "2020-01-15T08:00:00-08:00", "searchType": "BEFORE"}}),
    );
    assert_eq!(winter_utc, winter_local);
    assert_eq!(winter_utc, winter_offset);
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {"startDate": {"value": "15/01/2020", "searchType": "ON"}}}),
    );
    assert_eq!(v["statusInfo"]["status"], "FAILURE", "dates are yyyy-MM-dd");
}

#[test]
fn s2_6_9_arrays_and_empty_results() {
    let s = sim(30);
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {}, "batchSize": 1}),
    );
    assert!(v["activatableItem"].is_array());
    assert_eq!(items(&v).len(), 1);
    let any = &items(&v)[0];
    assert!(any["channelPartners"]["channelPartner"].is_array());
    assert!(any["activatableItemData"]["entitledProducts"]["entitledProduct"].is_array());
    let v = query(
        &s,
        json!({"activatableItemSearchCriteria": {"entitlementId": {"value": "no-such", "searchType": "EQUALS"}}, "batchSize": 5}),
    );
    assert_eq!(
        v,
        json!({"statusInfo": {"status": "SUCCESS", "reason": null}}),
        "an empty result omits activatableItem"
    );
}

#[test]
fn auth_basic_or_bearer() {
    let s = sim(10);
    let r = s.handle(&post_json(Q, "{}", &[]), NOW).response;
    assert_eq!(r.status(), 401);
    assert!(r.body().is_empty());
    assert!(r.headers().contains_key("www-authenticate"));
    let bearer = vec![(
        "authorization".to_string(),
        sim_common::FNO_BEARER.to_string(),
    )];
    assert_eq!(
        s.handle(&post_json(Q, "{}", &bearer), NOW)
            .response
            .status(),
        200
    );
    let wrong = vec![(
        "authorization".to_string(),
        "Basic c2ltOm5vcGU=".to_string(),
    )];
    assert_eq!(
        s.handle(&post_json(Q, "{}", &wrong), NOW).response.status(),
        401
    );
    let r = s
        .handle(
            &sim_common::get(Q, &[("authorization", sim_common::FNO_BEARER)]),
            NOW,
        )
        .response;
    assert_eq!(r.status(), 405);
    let r = s
        .handle(&post_json(Q, "{not json", &fno_basic()), NOW)
        .response;
    assert_eq!(r.status(), 400);
    assert_eq!(json(&r)["statusInfo"]["status"], "FAILURE");
}
