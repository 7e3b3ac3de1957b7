//! Fidelity: numbers keep the kind the vendor wrote (vendor JSON → record → response), an
//! FNO Beta entitlement is found by a line item's activation id, and the FNO link
//! (`entitlementId`) is filterable and pushed down. Each pushdown case prints the records
//! fetched with and without pushdown.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::world::{world_with, World};
use common::*;
use flexedge::model::Source;
use flexedge::upstream::{AdapterConfig, AnyUpstream, Credentials, NormCtx};
use serde_json::Value;

/// Every number under `v` (object members and array elements, recursively).
fn numbers<'a>(v: &'a Value, path: &str, out: &mut Vec<(String, &'a serde_json::Number)>) {
    match v {
        Value::Number(n) => out.push((path.to_owned(), n)),
        Value::Array(a) => a.iter().for_each(|x| numbers(x, path, out)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| numbers(x, &format!("{path}/{k}"), out)),
        _ => {}
    }
}

#[test]
fn integers_stay_integers_from_every_vendor_to_the_response() {
    let w = world_with(&[], 60);
    let a = w.get("/v1/orders?limit=500");
    assert_eq!(a.status, 200, "{}", a.text);
    let items = a.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 240);
    let mut found = Vec::new();
    for it in items {
        numbers(it, "", &mut found);
    }
    // The simulators send counts and generations as JSON integers: so must the response.
    let kinds: std::collections::BTreeSet<&str> = found
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| p.starts_with("/items") || p.starts_with("/attributes"))
        .collect();
    assert!(kinds.contains("/items/quantity"), "{kinds:?}");
    assert!(kinds.contains("/attributes/generation"), "{kinds:?}");
    for (path, n) in &found {
        assert!(n.is_u64() || n.is_i64(), "{path}: {n} is not an integer");
    }
    assert!(
        !a.text.contains(".0,") && !a.text.contains(".0}"),
        "{}",
        a.text
    );
}

fn beta_adapter() -> AnyUpstream {
    AnyUpstream::build(
        Source::FnoEntitlements,
        &AdapterConfig {
            base_url: "http://golden.invalid".to_owned(),
            credentials: Credentials::None,
        },
    )
}

#[test]
fn big_integers_and_decimals_keep_their_exact_spelling() {
    // A Beta page with a count past 2^53 (an f64 would print 9007199254740992), a decimal
    // attribute, an integral decimal (`3.0` stays a decimal) and a negative integer.
    let body = br#"{"entitlements": [{
        "entitlementId": "ent-1", "status": "DEPLOYED",
        "attributes": [{"name": "RATE", "value": 2.25}, {"name": "WHOLE", "value": 3.0},
                       {"name": "DELTA", "value": -7}],
        "lineItems": [{"activationId": "act-1", "quantity": 9007199254740993,
                       "products": [{"productName": "P", "productVersion": "1"}],
                       "startDate": "2025-01-01", "expiryDate": "2027-01-01"}]}],
        "page": 1, "limit": 10}"#;
    let page = beta_adapter()
        .parse_page(
            200,
            body,
            NormCtx {
                now_ms: NOW_MS,
                include_raw: false,
            },
        )
        .unwrap();
    let text = serde_json::to_string(&page.records).unwrap();
    for want in [
        r#""quantity":9007199254740993"#,
        r#""RATE":2.25"#,
        r#""WHOLE":3.0"#,
        r#""DELTA":-7"#,
        r#""activationId":"act-1""#,
        r#""entitlementId":"ent-1""#,
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
}

/// `GET uri` on `w`, 200, and what `source` fetched from its upstream.
fn fetched(w: &World, uri: &str, source: &str) -> (Value, u64) {
    let a = w.get(uri);
    assert_eq!(a.status, 200, "{uri}: {}", a.text);
    let n = a.source(source)["fetched"].as_u64().unwrap();
    (a.body, n)
}

#[test]
fn a_beta_entitlement_is_found_by_a_line_items_activation_id() {
    let w = world_with(&[], 2_000);
    let some = w.get("/v1/sources/fno_entitlements/orders?limit=1&offset=1234");
    let wanted = &some.body["items"][0];
    let act = wanted["items"][0]["activationId"]
        .as_str()
        .unwrap()
        .to_owned();
    let pushed = enc(&format!("items/any(i: i/activationId eq '{act}')"));
    let (body, with) = fetched(
        &w,
        &format!("/v1/sources/fno_entitlements/orders?explain=true&filter={pushed}"),
        "fno_entitlements",
    );
    assert_eq!(item_ids(&body), [wanted["id"].as_str().unwrap()]);
    let explain = &body["sources"]["fno_entitlements"]["explain"];
    let c = &explain["conjuncts"][0];
    assert_eq!(c["pushdown"], "inexact", "{explain}");
    assert_eq!(c["native"], format!("activationId={act}").as_str());
    assert!(c["reason"].as_str().unwrap().contains("maintenance"), "{c}");
    // The same question the vendor cannot answer (a substring): everything is read.
    let edge = enc(&format!("items/any(i: contains(i/activationId, '{act}'))"));
    let (body, without) = fetched(
        &w,
        &format!("/v1/sources/fno_entitlements/orders?filter={edge}"),
        "fno_entitlements",
    );
    assert_eq!(item_ids(&body), [wanted["id"].as_str().unwrap()]);
    println!("fno_entitlements by activation id: fetched {with} with pushdown, {without} without");
    assert_eq!(with, 1);
    assert_eq!(without, 2_000);
}

#[test]
fn fno_line_items_are_found_by_their_entitlement_and_activation_ids() {
    let w = world_with(&[], 2_000);
    let some = w.get("/v1/sources/fno_orders/orders?limit=1&offset=999");
    let line = &some.body["items"][0];
    let ent = line["entitlementId"].as_str().unwrap().to_owned();
    assert_eq!(line["attributes"]["entitlementId"], ent.as_str());
    for filter in [
        format!("entitlementId eq '{ent}'"),
        format!("attributes/entitlementId eq '{ent}'"),
    ] {
        let (body, with) = fetched(
            &w,
            &format!(
                "/v1/sources/fno_orders/orders?limit=500&filter={}",
                enc(&filter)
            ),
            "fno_orders",
        );
        let items = body["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{filter}");
        assert!(items.iter().all(|i| i["entitlementId"] == ent.as_str()));
        println!(
            "fno_orders {filter}: fetched {with} for {} returned (of 2000)",
            items.len()
        );
        assert_eq!(with, items.len() as u64, "{filter}: the vendor filtered");
    }
    let act = line["sourceId"].as_str().unwrap();
    let f = enc(&format!("items/any(i: i/activationId eq '{act}')"));
    let (body, with) = fetched(
        &w,
        &format!("/v1/sources/fno_orders/orders?filter={f}"),
        "fno_orders",
    );
    assert_eq!(item_ids(&body), [line["id"].as_str().unwrap()]);
    assert_eq!(with, 1);
    // The link never reaches the other vendors: they are pruned, asking nothing.
    let a = w.get(&format!(
        "/v1/orders?filter={}",
        enc(&format!("entitlementId eq '{ent}'"))
    ));
    for s in ["hpe_flex", "telecomx_flexcare"] {
        assert_eq!(a.source(s)["status"], "skipped", "{s}: {}", a.text);
        assert_eq!(a.source(s)["requests"], 0);
    }
}

/// `explain=true` names, per source, each conjunct as exact, inexact or edge-only, what was
/// sent for it and why.
#[test]
fn explain_gives_each_conjunct_its_pushdown_and_reason() {
    let w = world_with(&[], 50);
    let f = enc("orderRef eq 'PO-1' and startDate ge 2025-01-01 and contains(customer/name, 'x')");
    let a = w.get(&format!("/v1/orders?explain=true&filter={f}"));
    assert_eq!(a.status, 200, "{}", a.text);
    let kinds = |s: &str| -> Vec<(String, String)> {
        a.source(s)["explain"]["conjuncts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                assert!(!c["reason"].as_str().unwrap().is_empty(), "{c}");
                (
                    c["pushdown"].as_str().unwrap().to_owned(),
                    c["native"].as_str().unwrap_or("-").to_owned(),
                )
            })
            .collect()
    };
    let pair = |k: &str, n: &str| (k.to_owned(), n.to_owned());
    assert_eq!(
        kinds("hpe_flex"),
        [
            pair("exact", "sowId eq 'PO-1'"),
            pair("edge-only", "-"),
            pair("edge-only", "-")
        ]
    );
    assert_eq!(
        kinds("fno_orders"),
        [
            pair("inexact", "orderId EQUALS PO-1"),
            pair("inexact", "startDate AFTER 2024-12-31"),
            pair("edge-only", "-")
        ]
    );
    let reason = a.source("fno_orders")["explain"]["conjuncts"][1]["reason"].to_string();
    assert!(reason.contains("Pacific"), "{reason}");
    // Without pushdown every conjunct is edge-only, and says so.
    let a = w.get(&format!(
        "/v1/orders?explain=true&pushdown=false&filter={f}"
    ));
    for s in ["hpe_flex", "fno_orders"] {
        for c in a.source(s)["explain"]["conjuncts"].as_array().unwrap() {
            assert_eq!(c["pushdown"], "edge-only", "{s}: {c}");
        }
    }
}

/// One row per criterion pushed since the first fidelity pass, against the simulator: the
/// answer equals the edge-only answer (`pushdown=false`), and the vendor sent only what
/// matches (GreenLake's partner fields are exact; FNO's day ranges are the edge's days).
#[test]
fn newly_pushed_criteria_fetch_what_they_return() {
    let w = world_with(&[], 2_000);
    let order = w.get("/v1/sources/hpe_flex/orders?limit=1&offset=777");
    let partners = order.body["items"][0]["partners"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!partners.is_empty(), "{}", order.text);
    let line = w.get("/v1/sources/fno_orders/orders?limit=1&offset=555");
    let line = &line.body["items"][0];
    let start = line["startDate"].as_str().unwrap().to_owned();
    let created = line["createdAt"].as_str().unwrap().to_owned();
    let day = &start[..10];
    let next = {
        let t = flexedge::model::Timestamp::parse(day).unwrap();
        flexedge::model::Timestamp::from_millis(t.millis() + 86_400_000).to_string()
    };
    let mut rows: Vec<(&str, String, bool)> = partners
        .iter()
        .map(|p| {
            let f = format!(
                "partners/any(p: p/role eq '{}' and p/name eq '{}')",
                p["role"].as_str().unwrap(),
                p["name"].as_str().unwrap().replace('\'', "''")
            );
            ("hpe_flex", f, true)
        })
        .collect();
    // FNO line attributes that are search criteria: a line that has each.
    let lines = w.get("/v1/sources/fno_orders/orders?limit=1000");
    let attr_of = |k: &str| -> String {
        lines.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|l| l["attributes"][k].as_str())
            .unwrap_or_else(|| panic!("no line has {k}"))
            .replace('\'', "''")
    };
    for k in [
        "licenseTechnology",
        "parentBulkEntitlementId",
        "parentLineItem",
    ] {
        rows.push((
            "fno_orders",
            format!("attributes/{k} eq '{}'", attr_of(k)),
            true,
        ));
    }
    rows.push((
        "fno_orders",
        "attributes/activatableItemType eq 'WEBREGKEY'".into(),
        true,
    ));
    // A line's version date (a day, sent as the dates are): each side of it, and the day.
    let version = attr_of("versionDate");
    let vday = version[..10].to_owned();
    for f in [
        format!("attributes/versionDate ge {version}"),
        format!("attributes/versionDate lt {vday}"),
        format!("attributes/versionDate eq {version}"),
    ] {
        rows.push(("fno_orders", f, true));
    }
    // A channel partner (tier one) by name: `accountId` of any tier.
    let partner = lines.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|l| l["partners"][0]["name"].as_str())
        .expect("a line with a channel partner")
        .replace('\'', "''");
    rows.push((
        "fno_orders",
        format!("partners/any(p: p/name eq '{partner}')"),
        true,
    ));
    rows.extend([
        (
            "fno_orders",
            format!("startDate ge {day} and startDate lt {}", &next[..10]),
            true,
        ),
        ("fno_orders", format!("startDate eq {start}"), true),
        ("fno_orders", format!("startDate le {start}"), true),
        ("fno_orders", format!("startDate gt {start}"), true),
        ("fno_orders", format!("endDate lt {day}"), true),
        // Instants go with a second's margin: a line created within it may come too.
        ("fno_orders", format!("createdAt ge {created}"), false),
        ("fno_orders", format!("createdAt lt {created}"), false),
    ]);
    for (source, filter, exact_fetch) in rows {
        let uri = format!("/v1/sources/{source}/orders?filter={}", enc(&filter));
        // The answer (first 1000), then the count (`limit=0`, read to the end where the
        // vendor cannot count), each with and without pushdown.
        let (body, page_fetched) = fetched(&w, &format!("{uri}&limit=1000"), source);
        let (edge, _) = fetched(&w, &format!("{uri}&limit=1000&pushdown=false"), source);
        assert_eq!(item_ids(&body), item_ids(&edge), "{filter}");
        let (count, count_fetched) = fetched(&w, &format!("{uri}&limit=0"), source);
        let (count_edge, without) = fetched(&w, &format!("{uri}&limit=0&pushdown=false"), source);
        let n = count["total"].as_u64().unwrap();
        assert_eq!(count_edge["total"], n, "{filter}");
        // Every match fits the page (then it fetched what the vendor sent), or the count
        // read them all.
        let with = if n <= 1000 {
            page_fetched
        } else {
            count_fetched
        };
        println!("{source} {filter}: fetched {with} for {n} matching, {without} without pushdown");
        assert!(
            n > 0 || filter.contains("endDate"),
            "{filter}: nothing matched"
        );
        assert_eq!(without, 2_000, "{filter}");
        if exact_fetch {
            assert_eq!(with, n, "{filter}: the vendor sent only matches");
        } else {
            assert!(with <= n + 5, "{filter}: {with} fetched for {n}");
        }
    }
}

/// A count (`limit=0`) or group-by over FNO line items with a filter it cannot push reads
/// every page exactly once: the vendor's `/count` sizes the read, and those pages are not
/// also read ahead (which read each page twice and counted its matches twice).
#[test]
fn counts_and_groups_over_fno_read_each_page_once() {
    let w = world_with(&[], 2_000);
    let f = enc("contains(name, 'a')");
    let all = w.get(&format!(
        "/v1/sources/fno_orders/orders?limit=1000&filter={f}"
    ));
    let mut listed = all.body["items"].as_array().unwrap().len();
    if let Some(next) = all.body["next"].as_str() {
        let more = w.get(&format!(
            "/v1/sources/fno_orders/orders?limit=1000&filter={f}&next={}",
            enc(next)
        ));
        listed += more.body["items"].as_array().unwrap().len();
        assert!(more.body["next"].is_null(), "{}", more.text);
    }
    assert!(listed > 0 && listed < 2_000, "{listed}");
    for q in ["limit=0", "limit=0&pushdown=false"] {
        let (count, fetched_n) = fetched(
            &w,
            &format!(
                "/v1/sources/fno_orders/orders?{q}&filter={}",
                enc("contains(name, 'a')")
            ),
            "fno_orders",
        );
        assert_eq!(count["total"], listed as u64, "{q}");
        assert_eq!(fetched_n, 2_000, "{q}: each record read once");
    }
    let (groups, fetched_n) = fetched(
        &w,
        &format!(
            "/v1/orders/transform?group-by=status&filter={}",
            enc("source eq 'fno_orders' and contains(name, 'a')")
        ),
        "fno_orders",
    );
    let sum: u64 = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, listed as u64, "{groups}");
    assert_eq!(fetched_n, 2_000);
}

/// An FNO Beta entitlement's items keep their own line's status, order type and dates,
/// and filters on them see each line (the record's dates are the span of all lines).
#[test]
fn beta_items_keep_their_lines_status_order_type_and_dates() {
    let w = world_with(&[], 300);
    let all = w.get("/v1/sources/fno_entitlements/orders?limit=300");
    let ents = all.body["items"].as_array().unwrap();
    let items: Vec<&Value> = ents
        .iter()
        .flat_map(|e| e["items"].as_array().into_iter().flatten())
        .collect();
    assert!(
        items.iter().all(|i| i["startDate"].is_string()),
        "every line has a start"
    );
    assert!(items.iter().any(|i| i["orderType"] == "RENEWAL_ORDER"));
    assert!(
        items.iter().any(|i| i["status"] == "draft")
            || items.iter().any(|i| i["status"] == "obsolete")
    );
    // A line's start is never before its entitlement's (the earliest line's).
    for e in ents {
        for i in e["items"].as_array().into_iter().flatten() {
            assert!(i["startDate"].as_str() >= e["startDate"].as_str(), "{e}");
        }
    }
    let f = "items/any(i: i/orderType eq 'RENEWAL_ORDER' and i/status eq 'active')";
    let want: Vec<&str> = ents
        .iter()
        .filter(|e| {
            e["items"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|i| i["orderType"] == "RENEWAL_ORDER" && i["status"] == "active")
        })
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let got = w.get(&format!(
        "/v1/sources/fno_entitlements/orders?limit=300&filter={}",
        enc(f)
    ));
    assert_eq!(got.status, 200, "{}", got.text);
    assert!(!want.is_empty());
    assert_eq!(item_ids(&got.body), want);
}

/// A transform over GreenLake alone and its figures: the groups, the total, and the
/// GreenLake report (requests, records fetched, explain's `groupBy`).
fn transform_of(w: &World, group: &str, filter: &str, more: &str) -> (Value, Value) {
    let f = enc(filter);
    let a = w.get(&format!(
        "/v1/orders/transform?group-by={}&filter={f}&limit=1000&explain=true{more}",
        enc(group)
    ));
    assert_eq!(a.status, 200, "{group} {filter}: {}", a.text);
    let report = a.body["sources"]["hpe_flex"].clone();
    let answer = serde_json::json!({"items": a.body["items"], "total": a.body["total"]});
    (answer, report)
}

#[test]
fn greenlake_groups_come_from_its_transform_and_equal_the_edges_group_by() {
    // 20,000 GreenLake orders: reading them is 200 pages, the transform of a field with
    // 120 values is a count, 2 values pages and 120 counts.
    let n = 20_000;
    let w = world_with(&[("FLEXEDGE_MAX_SUBREQUESTS", "1000")], n);
    let gl = "source eq 'hpe_flex'";
    let some = w.get("/v1/sources/hpe_flex/orders?limit=1&offset=4321");
    let customer = some.body["items"][0]["customer"]["name"]
        .as_str()
        .unwrap()
        .replace('\'', "''");
    let page = w.get("/v1/sources/hpe_flex/orders?limit=100");
    let reseller = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["partners"].as_array().into_iter().flatten())
        .find(|p| p["role"] == "reseller")
        .map(|p| p["name"].as_str().unwrap().replace('\'', "''"))
        .unwrap();
    // Five customers' orders: about 800, so 8 pages against some 800 count calls.
    let mut five: Vec<String> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "'{}'",
                o["customer"]["name"].as_str().unwrap().replace('\'', "''")
            )
        })
        .collect();
    five.sort();
    five.dedup();
    five.truncate(5);
    let five = five.join(", ");
    let pushed_cases = [
        ("customer/name", gl.to_owned()),
        ("billingAccount/name", gl.to_owned()),
        ("billingAccount/id", gl.to_owned()),
        (
            "customer/name",
            format!("{gl} and customer/name ne '{customer}'"),
        ),
    ];
    for (group, filter) in &pushed_cases {
        let (vendor, r) = transform_of(&w, group, filter, "");
        let (edge, e) = transform_of(&w, group, filter, "&pushdown=false");
        assert_eq!(vendor, edge, "{group} {filter}");
        let groups = vendor["items"].as_array().unwrap();
        assert!(groups.len() > 50, "{group}: {}", groups.len());
        let sum: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
        assert_eq!(sum, r["total"].as_u64().unwrap(), "{r}");
        assert_eq!(r["fetched"], 0, "{group} {filter}: {r}");
        assert!(e["fetched"].as_u64().unwrap() >= sum, "{e}");
        let how = r["explain"]["groupBy"].as_str().unwrap();
        assert!(how.starts_with("group-by pushed: "), "{how}");
        let (rq, eq) = (
            r["requests"].as_u64().unwrap(),
            e["requests"].as_u64().unwrap(),
        );
        assert!(rq < eq, "{group} {filter}: {rq} requests against {eq}");
        println!(
            "[transform] {group} | {filter}: {} groups; vendor-counted {rq} requests, 0 records fetched; edge {eq} requests, {} records fetched",
            groups.len(),
            e["fetched"]
        );
    }
    // Where the vendor's groups are not the edge's, or would cost more calls, or the
    // filter is not all pushed exactly, the edge groups what it reads: the same answer.
    // (group-by, filter, whether GreenLake is asked first: the filter is pushed exactly
    // onto a field the transform groups, and reading takes 4 pages or more)
    let edge_cases = [
        // One order per value: counting costs more calls than reading.
        (
            "orderRef",
            format!("{gl} and customer/name in ({five})"),
            true,
        ),
        ("partners/name", gl.to_owned(), false),
        (
            "customer/name",
            format!("{gl} and contains(customer/name, 'a')"),
            false,
        ),
        (
            "customer/name",
            format!("{gl} and attributes/isFlexPartner eq true"),
            false,
        ),
        // Pushed exactly, but one reseller's ~1,500 orders are 15 pages against ~120
        // count calls: read them.
        (
            "customer/name",
            format!("{gl} and partners/any(p: p/role eq 'reseller' and p/name eq '{reseller}')"),
            true,
        ),
    ];
    for (group, filter, asked) in &edge_cases {
        let (vendor, r) = transform_of(&w, group, filter, "");
        let (edge, _) = transform_of(&w, group, filter, "&pushdown=false");
        assert_eq!(vendor, edge, "{group} {filter}");
        assert!(
            r["explain"].get("groupBy").is_none(),
            "{group} {filter}: {r}"
        );
        assert!(r["fetched"].as_u64().unwrap() > 0, "{r}");
        // Every call is listed, those that decided to read too.
        let listed = r["explain"]["requests"].as_array().unwrap();
        assert_eq!(r["requests"], listed.len(), "{r}");
        let asked_transform = listed
            .iter()
            .any(|q| q.as_str().unwrap().contains("/orders/transform"));
        assert_eq!(asked_transform, *asked, "{group} {filter}: {r}");
    }
    // Beside a source the edge groups: the counts of one customer add up across both.
    let two = "source in ('hpe_flex', 'telecomx_flexcare')";
    let (both, r) = transform_of(&w, "customer/name", two, "");
    let (edge, _) = transform_of(&w, "customer/name", two, "&pushdown=false");
    assert_eq!(both, edge);
    assert!(r["explain"]["groupBy"].is_string(), "{r}");
}

#[test]
fn channel_partners_keep_their_tier_in_one_spelling_and_filter_on_it() {
    let w = world_with(&[], 300);
    let f = enc("partners/any(p: p/tier eq 'partnertierone')");
    let a = w.get(&format!("/v1/orders?limit=1000&filter={f}&explain=true"));
    assert_eq!(a.status, 200, "{}", a.text);
    let items = a.body["items"].as_array().unwrap();
    // FNO's `bo.constants.partnertiernames.partnertierone` and FNO Beta's
    // `PARTNER_TIER_ONE` are the same word; GreenLake and TelecomX have no tiers.
    let mut by_source = std::collections::BTreeMap::new();
    for it in items {
        assert!(
            it["partners"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["tier"] == "partnertierone" && p["role"] == "channel"),
            "{it}"
        );
        *by_source
            .entry(it["source"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    assert!(
        by_source.get("fno_orders").is_some_and(|n| *n > 0),
        "{by_source:?}"
    );
    assert!(
        by_source.get("fno_entitlements").is_some_and(|n| *n > 0),
        "{by_source:?}"
    );
    for s in ["hpe_flex", "telecomx_flexcare"] {
        assert_eq!(
            a.body["sources"][s]["status"], "skipped",
            "{s}: {}",
            a.body["sources"][s]
        );
    }
    // The end customer is the customer, never a partner with a tier.
    let all = w.get("/v1/sources/fno_orders/orders?limit=300");
    for it in all.body["items"].as_array().unwrap() {
        for p in it["partners"].as_array().into_iter().flatten() {
            assert_ne!(p["tier"], "endcustomer", "{it}");
        }
    }
    println!("tier one partners: {by_source:?}");
}

#[test]
fn greenlake_is_asked_only_for_the_fields_a_select_reads() {
    let w = world_with(&[], 2_000);
    // (select, filter, sort, the `select` GreenLake is sent, or none)
    let cases: [(&str, &str, &str, Option<&str>); 7] = [
        ("id", "", "", Some("id")),
        ("customer/name", "", "", Some("id,customerName")),
        (
            "orderRef",
            "status eq 'active' and contains(customer/name, 'a')",
            "endDate desc",
            Some("id,sowId,customerName,orderStartDate,orderEndDate"),
        ),
        (
            "id,attributes/generation",
            "partners/any(p: p/name eq 'x' or p/role eq 'reseller')",
            "",
            Some("id,generation,resellerName,distributorName,partnerName"),
        ),
        // A member orders never have costs nothing; `contact` and `items` are absent.
        (
            "name,contact,billingAccount",
            "",
            "createdAt",
            Some("id,billingAccountId,billingAccountName,createdAt"),
        ),
        // `$it` cannot be told apart: every field.
        ("id", "$it/customer/name eq 'x' or true", "", None),
        // No select: every field.
        ("", "", "", None),
    ];
    for (select, filter, sort, sent) in cases {
        let mut q = String::from("/v1/sources/hpe_flex/orders?limit=300&explain=true");
        for (k, v) in [("select", select), ("filter", filter), ("sort", sort)] {
            if !v.is_empty() {
                q.push_str(&format!("&{k}={}", enc(v)));
            }
        }
        let a = w.get(&q);
        assert_eq!(a.status, 200, "{q}: {}", a.text);
        let b = w.get(&format!("{q}&pushdown=false"));
        assert_eq!(a.body["items"], b.body["items"], "{q}");
        assert_eq!(a.body["total"], b.body["total"], "{q}");
        assert!(
            !a.body["items"].as_array().unwrap().is_empty() || !filter.is_empty(),
            "{q}"
        );
        let first = a.body["sources"]["hpe_flex"]["explain"]["requests"][0]
            .as_str()
            .unwrap()
            .to_owned();
        let fields = |list: &str| {
            let mut v: Vec<String> = list.split(',').map(str::to_owned).collect();
            v.sort();
            v
        };
        let got = first
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("select="))
            .map(fields);
        assert_eq!(got, sent.map(fields), "{q}: {first}");
    }
    // With `include=raw` the vendor's whole objects are wanted: no select.
    let a = w.get("/v1/sources/hpe_flex/orders?limit=3&select=id&include=raw&explain=true");
    assert_eq!(a.status, 200, "{}", a.text);
    let first = a.body["sources"]["hpe_flex"]["explain"]["requests"][0]
        .as_str()
        .unwrap();
    assert!(!first.contains("select="), "{first}");
}
