//! The gateway end to end in process: `Service::handle` over the simulator of all four
//! vendors, through the in-process HTTP client on a fake clock.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;

use common::enc;
use common::world::{world, world_with, Answer};
use flexedge::model::Source;
use flexedge::sim::Fault;
use serde_json::Value;

fn ids(a: &Answer) -> Vec<String> {
    common::item_ids(&a.body)
}

#[test]
fn health_and_openapi_are_public() {
    let w = world();
    let h = w.get_with("/health", None, &[]);
    assert_eq!(h.status, 200);
    assert_eq!(h.body["sources"].as_array().unwrap().len(), 4);
    let o = w.get_with("/openapi.json", None, &[]);
    assert_eq!(o.status, 200);
    assert_eq!(o.body["openapi"], "3.1.0");
    for path in [
        "/v1/orders",
        "/v1/orders/transform",
        "/v1/orders/{id}",
        "/v1/sources",
        "/v1/sources/{source}/orders",
        "/v1/devices",
        "/health",
    ] {
        assert!(
            o.body["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
}

#[test]
fn auth_missing_wrong_and_out_of_scope() {
    let w = world();
    let a = w.get_with("/v1/orders", None, &[]);
    assert_eq!(
        (a.status, a.body["code"].as_str()),
        (401, Some("auth.unauthorized"))
    );
    let a = w.get_with("/v1/orders", Some("test-key-wrong"), &[]);
    assert_eq!(a.status, 401);
    assert!(!a.body.to_string().contains("test-key-wrong"));
    let a = w.get_with("/v1/sources/fno_orders/orders", Some("test-key-hpe"), &[]);
    assert_eq!(
        (a.status, a.body["code"].as_str()),
        (403, Some("auth.forbidden"))
    );
    let a = w.get_with("/v1/orders?include=raw", Some("test-key-hpe"), &[]);
    assert_eq!(a.status, 403);
    // A scoped key sees only its sources; the others are reported skipped.
    let a = w.get_with("/v1/orders?limit=1000", Some("test-key-hpe"), &[]);
    assert_eq!(a.status, 200);
    assert!(ids(&a).iter().all(|id| id.starts_with("hpe_flex:")));
    assert_eq!(a.body["sources"]["fno_orders"]["status"], "skipped");
}

/// Checks that `sources` (each item's source, in page order) is the native interleave:
/// every item comes from the source with the fewest items so far among those that still
/// have one (canonical order on ties), given how many each has in all.
fn assert_interleaved(sources: &[&str], totals: &[(&str, usize)]) {
    let mut given: Vec<usize> = vec![0; totals.len()];
    for (k, s) in sources.iter().enumerate() {
        let next = (0..totals.len())
            .filter(|i| given[*i] < totals[*i].1)
            .min_by_key(|i| (given[*i], *i))
            .unwrap();
        assert_eq!(*s, totals[next].0, "item {k}: not the interleave");
        given[next] += 1;
    }
}

#[test]
fn unified_list_merges_every_source_in_sort_order() {
    let w = world();
    let a = w.get("/v1/orders?limit=1000");
    assert_eq!(a.status, 200, "{}", a.body);
    let items = a.body["items"].as_array().unwrap();
    let total = a.body["total"].as_u64().unwrap();
    assert_eq!(items.len() as u64, total.min(1000));
    for s in Source::ALL {
        assert_eq!(
            a.body["sources"][s.as_str()]["status"],
            "ok",
            "{s}: {}",
            a.body
        );
        assert!(
            items.iter().any(|i| i["source"] == s.as_str()),
            "{s} has no items"
        );
    }
    // The default order: every source's native order, interleaved (the k-th record of
    // each before the (k+1)-th of any), said in the envelope.
    assert_eq!(a.body["order"], "native");
    let sources: Vec<&str> = items
        .iter()
        .map(|i| i["source"].as_str().unwrap())
        .collect();
    let totals: Vec<(&str, usize)> = Source::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                sources.iter().filter(|x| **x == s.as_str()).count(),
            )
        })
        .collect();
    assert_interleaved(&sources, &totals);
    // Native orders: GreenLake and FNO Beta by id, the other two as the vendor lists.
    for s in ["hpe_flex", "fno_entitlements"] {
        let own: Vec<&str> = items
            .iter()
            .filter(|i| i["source"] == s)
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert!(own.windows(2).all(|p| p[0] < p[1]), "{s} not in id order");
    }
    // A sort merges by its keys, then id (absent first, as OData orders nulls): `endDate asc`, the former default.
    let a = w.get("/v1/orders?limit=1000&sort=endDate");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["order"], "endDate asc, id asc");
    let items = a.body["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, total);
    let keys: Vec<(Option<String>, String)> = items
        .iter()
        .map(|i| {
            (
                i["endDate"].as_str().map(str::to_owned),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for pair in keys.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let ok = match (&a.0, &b.0) {
            (Some(x), Some(y)) => x < y || (x == y && a.1 < b.1),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => a.1 < b.1,
        };
        assert!(ok, "out of order: {a:?} then {b:?}");
    }
}

#[test]
fn paging_with_next_tokens_walks_the_whole_answer_once() {
    let w = world();
    let all = ids(&w.get("/v1/orders?limit=1000&filter=status%20ne%20'draft'"));
    let mut seen = Vec::new();
    let mut uri = "/v1/orders?limit=37&filter=status%20ne%20'draft'".to_owned();
    for _ in 0..100 {
        let a = w.get(&uri);
        assert_eq!(a.status, 200, "{}", a.body);
        seen.extend(ids(&a));
        match a.body["next"].as_str() {
            Some(t) => uri = format!("/v1/orders?limit=37&filter=status%20ne%20'draft'&next={t}"),
            None => break,
        }
    }
    assert_eq!(seen, all);
    // A token does not fit another query.
    let a = w.get("/v1/orders?limit=37");
    let t = a.body["next"].as_str().unwrap();
    let b = w.get(&format!(
        "/v1/orders?limit=37&filter=status%20eq%20'active'&next={t}"
    ));
    assert_eq!(
        (b.status, b.body["code"].as_str()),
        (400, Some("query.next.foreign"))
    );
}

#[test]
fn pushdown_off_gives_the_same_items() {
    let w = world();
    for filter in [
        "status eq 'active'",
        "contains(customer/name, 'GmbH')",
        "source eq 'fno_orders' or source eq 'hpe_flex'",
        "endDate gt 2027-01-01 and partners/any(p: p/role eq 'reseller')",
        "startswith(orderRef, 'OPE') or name ne null",
        "customer/name eq 'Müller GmbH'",
    ] {
        for sort in ["", "&sort=customer/name%20desc,id"] {
            let q = format!("/v1/orders?limit=1000&filter={}{sort}", enc(filter));
            let with = w.get(&q);
            let without = w.get(&format!("{q}&pushdown=false"));
            assert_eq!(with.status, 200, "{filter}: {}", with.body);
            assert_eq!(ids(&with), ids(&without), "{filter} {sort}");
            assert_eq!(with.body["total"], without.body["total"], "{filter}");
        }
    }
}

#[test]
fn a_source_predicate_prunes_sources_without_requests() {
    let w = world();
    let a = w.get(&format!(
        "/v1/orders?filter={}",
        enc("source eq 'telecomx_flexcare'")
    ));
    assert_eq!(a.status, 200);
    for s in ["hpe_flex", "fno_orders", "fno_entitlements"] {
        assert_eq!(a.body["sources"][s]["status"], "skipped");
        assert_eq!(a.body["sources"][s]["requests"], 0);
    }
    assert!(
        a.body["sources"]["telecomx_flexcare"]["requests"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[test]
fn query_errors_are_400_problems_with_code_and_span() {
    let w = world();
    let a = w.get(&format!("/v1/orders?filter={}", enc("custmerName eq 'x'")));
    assert_eq!(a.status, 400);
    assert_eq!(a.headers["content-type"], "application/problem+json");
    assert_eq!(a.body["parameter"], "filter");
    assert_eq!(a.body["span"]["start"], 0);
    assert_eq!(a.body["span"]["end"], 11);
    assert_eq!(a.body["requestId"], "0123456789abcdef");
    assert!(a.body["code"].as_str().unwrap().starts_with("filter."));
    let a = w.get(&format!(
        "/v1/orders?filter={}",
        enc("status eq 'active' and (")
    ));
    assert_eq!(a.status, 400);
    assert!(a.body["caret"].as_str().unwrap().contains('^'));
    for bad in [
        "limit=1001",
        "limit=-1",
        "offset=x",
        "sort=nope%20asc",
        "select=nope",
        "strict=maybe",
    ] {
        let a = w.get(&format!("/v1/orders?{bad}"));
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
        assert!(a.body["code"].is_string());
    }
}

#[test]
fn one_failing_source_gives_a_partial_answer_and_loses_nothing() {
    for source in Source::ALL {
        for fault in [
            Fault::Status500,
            Fault::MalformedJson,
            Fault::TruncatedJson,
            Fault::Hang,
            Fault::RateLimited(100),
            Fault::ExpiredToken,
        ] {
            // In process the sources run one after another on one fake clock, so the
            // time a failing source spends is seen by the next: a deadline far beyond
            // the retries keeps this about failures, not timing (e2e tests the deadline).
            let w = world_with(&[("FLEXEDGE_DEADLINE_MS", "60000")], 120);
            let others = format!("source ne '{}'", source.as_str());
            let expected = ids(&w.get(&format!("/v1/orders?limit=1000&filter={}", enc(&others))));
            w.sim.set_fault(source, fault);
            let a = w.get("/v1/orders?limit=1000");
            assert_eq!(a.status, 200, "{source} {fault:?}: {}", a.body);
            let report = &a.body["sources"][source.as_str()];
            assert_eq!(report["status"], "error", "{source} {fault:?}: {report}");
            assert!(report["error"]["code"]
                .as_str()
                .unwrap()
                .starts_with("upstream."));
            assert_eq!(
                ids(&a),
                expected,
                "{source} {fault:?}: other sources' items differ"
            );
            let strict = w.get("/v1/orders?limit=1000&strict=true");
            assert_eq!(strict.status, 502, "{source} {fault:?}");
            assert_eq!(strict.body["source"], source.as_str());
            assert!(!strict.body.to_string().contains("sim-"), "{}", strict.body);
        }
    }
}

#[test]
fn nothing_in_time_is_a_504() {
    let w = world();
    for s in Source::ALL {
        w.sim.set_fault(s, Fault::Hang);
    }
    let a = w.get("/v1/orders");
    assert_eq!(
        (a.status, a.body["code"].as_str()),
        (504, Some("upstream.all_timed_out"))
    );
}

#[test]
fn etag_and_if_none_match() {
    let w = world();
    let a = w.get("/v1/orders?limit=5");
    let etag = a.headers["etag"].to_str().unwrap().to_owned();
    assert!(a.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let b = w.get_with(
        "/v1/orders?limit=5",
        Some("test-key-all"),
        &[("if-none-match", &etag)],
    );
    assert_eq!(b.status, 304);
    let c = w.get_with(
        "/v1/orders?limit=6",
        Some("test-key-all"),
        &[("if-none-match", &etag)],
    );
    assert_eq!(c.status, 200);
}

/// The list envelope as it was written before rows were serialized in one pass: every
/// row a `serde_json::Value` (members in sorted order), the envelope a derived struct.
#[derive(serde::Serialize)]
struct ValueEnvelope<'a> {
    items: &'a Value,
    count: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<&'a Value>,
    offset: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<&'a Value>,
    order: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget: Option<&'a Value>,
    sources: &'a Value,
}

/// Each item's `raw` member as the text the response carries, `None` where an item has none.
fn raw_texts(body: &[u8]) -> Vec<Option<&str>> {
    #[derive(serde::Deserialize)]
    struct Page<'a> {
        #[serde(borrow)]
        items: Vec<Item<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct Item<'a> {
        #[serde(borrow)]
        raw: Option<&'a serde_json::value::RawValue>,
    }
    let page: Page = serde_json::from_slice(body).unwrap();
    page.items.iter().map(|i| i.raw.map(|r| r.get())).collect()
}

#[test]
fn envelopes_are_byte_identical_to_serializing_values() {
    let w = world();
    let f = enc("status eq 'active'");
    for uri in [
        "/v1/orders?limit=100".to_owned(),
        "/v1/orders?limit=100&include=raw".to_owned(),
        "/v1/orders?limit=50&select=id,customer/name,items/quantity,attributes,endDate".to_owned(),
        "/v1/orders?limit=50&include=raw&select=partners/role,contact,customer/id,isPermanent"
            .to_owned(),
        format!("/v1/orders?limit=7&offset=3&filter={f}&sort=name%20desc"),
        "/v1/sources/telecomx_flexcare/orders?limit=20&select=devices,items".to_owned(),
        "/v1/devices?limit=10&include=raw".to_owned(),
        "/v1/orders/transform?group-by=source".to_owned(),
    ] {
        let a = w.get(&uri);
        assert_eq!(a.status, 200, "{uri}: {}", a.body);
        let b = &a.body;
        // `raw` is the vendor's object as the bytes it arrived in (its member order and
        // spelling), so it is compared as text: each one stands in as a placeholder for
        // the value serialization and is put back as the text the response carries.
        let raws = raw_texts(&a.bytes);
        let mut items = b["items"].clone();
        for (i, item) in items.as_array_mut().unwrap().iter_mut().enumerate() {
            if let Some(raw) = item.get_mut("raw") {
                assert_eq!(
                    *raw,
                    serde_json::from_str::<Value>(raws[i].unwrap()).unwrap()
                );
                *raw = Value::String(format!("@raw{i}@"));
            }
        }
        let mut want = String::from_utf8(
            serde_json::to_vec(&ValueEnvelope {
                items: &items,
                count: &b["count"],
                total: b.get("total"),
                offset: &b["offset"],
                next: b.get("next"),
                order: &b["order"],
                partial: b.get("partial"),
                budget: b.get("budget"),
                sources: &b["sources"],
            })
            .unwrap(),
        )
        .unwrap();
        for (i, raw) in raws.iter().enumerate() {
            if let Some(raw) = raw {
                want = want.replace(&format!("\"@raw{i}@\""), raw);
            }
        }
        assert_eq!(String::from_utf8(a.bytes.clone()).unwrap(), want, "{uri}");
        // The ETag covers the data (items, total, offset, where `next` leads, order, each
        // source's status), not the token's issue time, timings or budgets: the same
        // answer a few seconds later revalidates.
        w.clock.advance(5_000);
        let later = w.get(&uri);
        assert_eq!(later.headers["etag"], a.headers["etag"], "{uri}");
        if let (Some(n1), Some(n2)) = (b.get("next"), later.body.get("next")) {
            assert_ne!(n1, n2, "{uri}: the issue time is in the token");
        }
    }
    // Another page is another ETag.
    let p1 = w.get("/v1/orders?limit=10");
    let p2 = w.get(&format!(
        "/v1/orders?limit=10&next={}",
        p1.body["next"].as_str().unwrap()
    ));
    assert_ne!(p1.headers["etag"], p2.headers["etag"]);
}

#[test]
fn transform_counts_groups_across_sources() {
    let w = world();
    let total = w.get("/v1/orders?limit=1000").body["total"]
        .as_u64()
        .unwrap();
    let a = w.get("/v1/orders/transform?group-by=source");
    assert_eq!(a.status, 200, "{}", a.body);
    let items = a.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    let sum: u64 = items.iter().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(sum, total);
    let a = w.get("/v1/orders/transform?group-by=partners/name&sort=count%20desc&limit=3");
    assert_eq!(a.status, 200, "{}", a.body);
    let counts: Vec<u64> = a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|p| p[0] >= p[1]), "{counts:?}");
    let missing = w.get("/v1/orders/transform");
    assert_eq!(missing.status, 400);
}

#[test]
fn get_one_by_global_id() {
    let w = world();
    let list = w.get("/v1/orders?limit=1000");
    let mut seen = BTreeSet::new();
    for item in list.body["items"].as_array().unwrap() {
        let source = item["source"].as_str().unwrap();
        if !seen.insert(source.to_owned()) {
            continue;
        }
        let id = item["id"].as_str().unwrap();
        let one = w.get(&format!("/v1/orders/{}", enc(id)));
        assert_eq!(one.status, 200, "{id}: {}", one.body);
        assert_eq!(&one.body, item);
    }
    assert_eq!(seen.len(), 4);
    let a = w.get("/v1/orders/hpe_flex:no-such-order");
    assert_eq!(
        (a.status, a.body["code"].as_str()),
        (404, Some("record.not_found"))
    );
    let a = w.get("/v1/orders/nonsense");
    assert_eq!(a.status, 404);
}

#[test]
fn explain_and_select() {
    let w = world();
    let f = enc("customer/name eq 'Müller GmbH' and contains(name, 'a')");
    let a = w.get(&format!(
        "/v1/orders?explain=true&select=id,customer/name&filter={f}"
    ));
    assert_eq!(a.status, 200, "{}", a.body);
    let mut explained = 0;
    for s in Source::ALL {
        let report = &a.body["sources"][s.as_str()];
        if report["status"] == "skipped" {
            // A source that never fills a field the filter needs is pruned, with a reason
            // and its plan, and no request.
            assert!(report["reason"].is_string(), "{s}: {report}");
            assert!(report["explain"]["plan"].is_string(), "{s}: {report}");
            assert_eq!(report["requests"], 0);
            continue;
        }
        let e = &report["explain"];
        assert!(e["plan"].is_string(), "{s}: {e}");
        assert!(
            e["requests"].as_array().is_some_and(|r| !r.is_empty()),
            "{s}: {e}"
        );
        explained += 1;
    }
    assert!(explained >= 2, "{}", a.body);
    for item in a.body["items"].as_array().unwrap() {
        let keys: BTreeSet<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.is_subset(&BTreeSet::from(["id", "customer"])),
            "{item}"
        );
    }
}

#[test]
fn sources_route_reports_last_health() {
    let w = world();
    w.sim.set_fault(Source::FnoOrders, Fault::Status500);
    let _ = w.get("/v1/orders");
    let a = w.get("/v1/sources");
    assert_eq!(a.status, 200);
    let items = a.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    let fno = items.iter().find(|i| i["id"] == "fno_orders").unwrap();
    assert_eq!(fno["lastStatus"], "error");
    let hpe = items.iter().find(|i| i["id"] == "hpe_flex").unwrap();
    assert_eq!(hpe["lastStatus"], "ok");
}

#[test]
fn unknown_routes_and_methods() {
    let w = world();
    assert_eq!(w.get("/v1/nope").status, 404);
    assert_eq!(w.get("/v1/sources/nope/orders").status, 404);
}

#[test]
fn devices_list_hpe_flex_devices_in_the_same_envelope() {
    let w = world();
    let a = w.get("/v1/devices?limit=1000&explain=true");
    assert_eq!(a.status, 200, "{}", a.body);
    let items = a.body["items"].as_array().unwrap();
    assert_eq!(a.body["total"].as_u64(), Some(items.len() as u64));
    assert!(items.len() > 100, "{}", items.len());
    let sources = a.body["sources"].as_object().unwrap();
    assert_eq!(sources.keys().collect::<Vec<_>>(), vec!["hpe_flex"]);
    let report = &sources["hpe_flex"];
    assert_eq!(report["status"], "ok", "{report}");
    // The default sort (`endDate asc, id asc`) is `id asc` for devices, pushed upstream.
    assert_eq!(report["explain"]["sortPushed"], true, "{report}");
    let requests = report["explain"]["requests"].as_array().unwrap();
    assert!(requests
        .iter()
        .all(|r| r.as_str().unwrap().contains("/flex/v1beta1/devices")));
    let all_ids = ids(&a);
    assert!(all_ids.windows(2).all(|p| p[0] < p[1]), "not in id order");
    for i in items {
        assert_eq!(i["kind"], "device", "{i}");
        assert_eq!(i["source"], "hpe_flex");
        assert_eq!(i["status"], "unknown");
        assert_eq!(i["devices"].as_array().unwrap().len(), 1, "{i}");
        assert!(i["attributes"]["make"].is_string(), "{i}");
        assert!(i.get("raw").is_none());
    }
    // A small page asks GreenLake for exactly that page.
    let a = w.get("/v1/devices?limit=5&offset=10&explain=true");
    assert_eq!(ids(&a), all_ids[10..15].to_vec());
    assert_eq!(a.body["sources"]["hpe_flex"]["requests"], 1);
    assert_eq!(a.body["total"].as_u64(), Some(items.len() as u64));
    // Orders stay orders.
    let o = w.get("/v1/sources/hpe_flex/orders?limit=1000");
    assert!(o.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["kind"] == "order"));
    // include=raw gives the vendor object.
    let r = w.get("/v1/devices?limit=2&include=raw");
    for i in r.body["items"].as_array().unwrap() {
        assert_eq!(i["raw"]["id"], i["sourceId"], "{i}");
        assert_eq!(i["raw"]["type"], "flex/devices", "{i}");
    }
}

#[test]
fn devices_paging_with_next_tokens() {
    let w = world();
    let all = ids(&w.get("/v1/devices?limit=1000"));
    let mut seen = Vec::new();
    let mut uri = "/v1/devices?limit=23".to_owned();
    for _ in 0..100 {
        let a = w.get(&uri);
        assert_eq!(a.status, 200, "{}", a.body);
        seen.extend(ids(&a));
        match a.body["next"].as_str() {
            Some(t) => uri = format!("/v1/devices?limit=23&next={t}"),
            None => break,
        }
    }
    assert_eq!(seen, all);
    // A devices token does not continue an orders query of the same source.
    let t = w.get("/v1/devices?limit=23").body["next"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = w.get(&format!("/v1/sources/hpe_flex/orders?limit=23&next={t}"));
    assert_eq!(
        (b.status, b.body["code"].as_str()),
        (400, Some("query.next.foreign"))
    );
}

#[test]
fn devices_pushdown_off_gives_the_same_items() {
    let w = world();
    let all = w.get("/v1/devices?limit=1000");
    let items = all.body["items"].as_array().unwrap();
    let first = &items[3];
    let serial = first["devices"][0]["serial"].as_str().unwrap();
    let part = first["attributes"]["partNumber"].as_str().unwrap();
    let named = items.iter().find(|i| i["name"].is_string()).unwrap();
    let name = named["name"].as_str().unwrap();
    let filters = [
        "attributes/make eq 'HPE'".to_owned(),
        "attributes/make ne 'HPE' and billingAccount/name ne null".to_owned(),
        format!("devices/any(d: d/serial eq '{serial}')"),
        format!("devices/any(d: d/serial ne '{serial}') and attributes/partNumber ne '{part}'"),
        format!("name eq '{name}' or devices/any(d: d/type eq 'AP')"),
        format!("name ne '{name}'"),
        "partners/any(p: p/name eq 'TD SYNNEX') or contains(name, 'ap')".to_owned(),
        "devices/any(d: d/type in ('COMPUTE', 'STORAGE'))".to_owned(),
        format!("sourceId eq '{}'", first["sourceId"].as_str().unwrap()),
    ];
    let mut pushed = 0;
    for filter in &filters {
        for sort in [
            "",
            "&sort=attributes/partNumber%20desc",
            "&sort=name,createdAt",
        ] {
            for window in ["limit=1000", "limit=7&offset=3"] {
                let q = format!(
                    "/v1/devices?{window}&explain=true&filter={}{sort}",
                    enc(filter)
                );
                let with = w.get(&q);
                let without = w.get(&format!("{q}&pushdown=false"));
                assert_eq!(with.status, 200, "{filter}: {}", with.body);
                assert_eq!(ids(&with), ids(&without), "{filter} {sort} {window}");
                // A total is given only when known: an exact pushdown knows it from the
                // vendor, the edge only once it has read everything. Known twice, equal.
                if !without.body["total"].is_null() {
                    assert_eq!(with.body["total"], without.body["total"], "{filter} {sort}");
                }
                let e = &with.body["sources"]["hpe_flex"]["explain"];
                pushed += usize::from(e["residual"].is_null());
            }
        }
    }
    // Four of these filters (make, serial, serial + part number, sourceId) go upstream
    // whole under every sort and window; the others keep a residual at the edge.
    assert_eq!(pushed, 4 * 3 * 2);
    // The exact serial lookup found its device with one request.
    let a = w.get(&format!(
        "/v1/devices?filter={}",
        enc(&format!("devices/any(d: d/serial eq '{serial}')"))
    ));
    assert_eq!(ids(&a), vec![first["id"].as_str().unwrap().to_owned()]);
    assert_eq!(a.body["sources"]["hpe_flex"]["requests"], 1);
    assert_eq!(a.body["sources"]["hpe_flex"]["fetched"], 1);
}

#[test]
fn a_failing_hpe_flex_fails_devices_softly_or_strictly() {
    for fault in [
        Fault::Status500,
        Fault::MalformedJson,
        Fault::RateLimited(100),
    ] {
        let w = world();
        w.sim.set_fault(Source::HpeFlex, fault);
        // Its only source failed: no page can be given (an empty one without `next`
        // would end a walk that has records left), a 503 naming the source's error.
        let a = w.get("/v1/devices");
        assert_eq!(a.status, 503, "{fault:?}: {}", a.body);
        assert_eq!(a.body["code"], "upstream.unavailable");
        assert_eq!(a.body["source"], "hpe_flex");
        assert!(a.body["detail"].as_str().unwrap().contains("upstream."));
        let strict = w.get("/v1/devices?strict=true");
        assert_eq!(strict.status, 502, "{fault:?}: {}", strict.body);
        assert_eq!(strict.body["source"], "hpe_flex");
        assert!(!strict.body.to_string().contains("sim-"), "{}", strict.body);
    }
    let w = world();
    w.sim.set_fault(Source::HpeFlex, Fault::Hang);
    assert_eq!(w.get("/v1/devices").status, 504);
}

#[test]
fn devices_need_a_key_that_may_see_hpe_flex() {
    let w = world();
    assert_eq!(w.get_with("/v1/devices", None, &[]).status, 401);
    let a = w.get_with("/v1/devices", Some("test-key-fno"), &[]);
    assert_eq!(
        (a.status, a.body["code"].as_str()),
        (403, Some("auth.forbidden"))
    );
    let a = w.get_with("/v1/devices", Some("test-key-hpe"), &[]);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["items"].as_array().unwrap().len(), 20);
    let a = w.get_with("/v1/devices?include=raw", Some("test-key-hpe"), &[]);
    assert_eq!(a.status, 403);
    let a = w.get(&format!("/v1/devices?filter={}", enc("custmerName eq 'x'")));
    assert_eq!(a.status, 400);
    assert_eq!(a.body["parameter"], "filter");
}

/// The benchmark world (`make bench`, `tests/bench/wasm-cpu.mjs`) answers its two requests,
/// replays them from its tape, and hands the recorded vendor pages to the JavaScript twin.
/// (Its client key once fell under the key-length rule and every timed request was a 500.)
#[test]
fn the_benchmark_world_answers_and_replays() {
    use flexedge::testkit::bench::BenchWorld;
    let world = BenchWorld::new(20);
    let tape = world.tape();
    for path in ["/v1/orders?limit=100", "/v1/orders?limit=100&include=raw"] {
        let (status, body) = world.get_body(&tape, path).unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["items"].as_array().unwrap().len(), 80, "{path}");
        let misses = tape.misses();
        assert_eq!(world.get_body(&tape, path).unwrap().0, 200);
        assert_eq!(
            tape.misses(),
            misses,
            "{path}: the second answer is replayed"
        );
    }
    let pages: Value = serde_json::from_str(&tape.recorded_json()).unwrap();
    let pages = pages.as_array().unwrap();
    assert_eq!(pages.len() as u64, tape.misses());
    assert!(pages
        .iter()
        .any(|p| p["uri"].as_str().unwrap().contains("flexcareorder")));
}
