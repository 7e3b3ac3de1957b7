//! The OData service at `/odata` in process, over the simulator: documents, the list with
//! every query option against the native list's answer, server-driven paging to the end,
//! entities, `$apply`, errors in the OData format.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;

use common::world::{world, world_with, Answer, World};
use serde_json::Value;

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn ids_of(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn header<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Follows `@odata.nextLink` from `first` to the end; returns the ids and the page count.
fn walk(w: &World, first: &str, extra: &[(&str, &str)]) -> (Vec<String>, usize) {
    let mut url = first.to_owned();
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let a = w.get_with(&url, Some("test-key-all"), extra);
        assert_eq!(a.status, 200, "{url}: {}", a.body);
        pages += 1;
        ids.extend(ids_of(&a.body["value"]));
        match a.body["@odata.nextLink"].as_str() {
            Some(next) => {
                url = next
                    .strip_prefix("http://flexedge.test")
                    .unwrap_or(next)
                    .to_owned()
            }
            None => break,
        }
        assert!(pages < 100, "no end");
    }
    (ids, pages)
}

#[test]
fn service_document_and_metadata_are_public_and_describe_the_record() {
    let w = world();
    let a = w.get_with("/odata", None, &[]);
    assert_eq!(a.status, 200);
    assert_eq!(header(&a, "odata-version"), "4.0");
    assert!(header(&a, "content-type").starts_with("application/json;odata.metadata=minimal"));
    let sets: Vec<&str> = a.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(sets, ["Orders", "Devices"]);
    let x = w.get_with("/odata/$metadata", None, &[]);
    assert_eq!(x.status, 200);
    assert!(header(&x, "content-type").starts_with("application/xml"));
    let xml = String::from_utf8(x.bytes.clone()).unwrap();
    assert!(xml.contains("<EntitySet Name=\"Orders\" EntityType=\"flexedge.Record\"/>"));
    assert!(xml.contains("<Key><PropertyRef Name=\"id\"/></Key>"));
    let j = w.get_with("/odata/$metadata?$format=json", None, &[]);
    assert_eq!(j.body["$EntityContainer"], "flexedge.Service");
    let j2 = w.get_with("/odata/$metadata", None, &[("accept", "application/json")]);
    assert_eq!(j.body, j2.body);
    let api = w.get_with("/openapi.json", None, &[]);
    for path in [
        "/odata",
        "/odata/$metadata",
        "/odata/Orders",
        "/odata/Orders/$count",
        "/odata/Orders('{id}')",
        "/odata/Devices",
    ] {
        assert!(
            api.body["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
}

#[test]
fn the_list_answers_as_the_native_list() {
    let w = world();
    let f = "status eq 'active' and endDate ge 2026-01-01";
    let native = w.get(&format!(
        "/v1/orders?filter={}&sort={}&limit=7&offset=3&select=id,endDate",
        enc(f),
        enc("endDate desc,id")
    ));
    let o = w.get(&format!(
        "/odata/Orders?$filter={}&$orderby={}&$top=7&$skip=3&$select=id,endDate&$count=true",
        enc(f),
        enc("endDate desc,id")
    ));
    assert_eq!(o.status, 200, "{}", o.body);
    assert_eq!(ids_of(&o.body["value"]), ids_of(&native.body["items"]));
    // The native list counts when asked with `limit=0` (a sorted page that merges as
    // it arrives knows no total by itself).
    let total = w.get(&format!("/v1/orders?filter={}&limit=0", enc(f)));
    assert!(total.body["total"].is_u64(), "{}", total.body);
    assert_eq!(o.body["@odata.count"], total.body["total"]);
    assert_eq!(o.body["value"], native.body["items"]);
    assert!(o.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/odata/$metadata#Orders(id,endDate)"));
    // $top smaller than a page: no next link.
    assert!(o.body.get("@odata.nextLink").is_none());
}

#[test]
fn next_links_walk_the_whole_answer_once_with_the_native_token() {
    let w = world();
    let total = w.get("/v1/orders?limit=0").body["total"].as_u64().unwrap();
    let prefer = [
        ("prefer", "odata.maxpagesize=50"),
        ("host", "flexedge.test"),
    ];
    let first = w.get_with("/odata/Orders?$count=true", Some("test-key-all"), &prefer);
    assert_eq!(header(&first, "preference-applied"), "odata.maxpagesize=50");
    assert_eq!(first.body["@odata.count"].as_u64(), Some(total));
    let link = first.body["@odata.nextLink"].as_str().unwrap();
    assert!(
        link.starts_with("http://flexedge.test/odata/Orders?"),
        "{link}"
    );
    // The link carries the native API's continuation token.
    let native = w.get("/v1/orders?limit=50");
    let token = native.body["next"].as_str().unwrap();
    assert!(
        link.ends_with(&format!("$skiptoken={}", enc(token))),
        "{link} vs {token}"
    );
    let (ids, pages) = walk(&w, "/odata/Orders?$count=true", &prefer);
    assert_eq!(ids.len() as u64, total);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "a record twice"
    );
    assert_eq!(pages as u64, total.div_ceil(50));
    // $top across pages: exactly $top records.
    let (ids, pages) = walk(&w, "/odata/Orders?$top=120&$orderby=id", &prefer);
    assert_eq!((ids.len(), pages), (120, 3));
    let native = w.get("/v1/orders?sort=id&limit=120");
    assert_eq!(ids, ids_of(&native.body["items"]));
}

#[test]
fn search_aliases_entities_and_count() {
    let w = world();
    let native = w.get(&format!(
        "/v1/orders?limit=1000&filter={}",
        enc("contains(tolower(customer/name), 'acme')")
    ));
    let n = native.body["total"].as_u64().unwrap();
    let s = w.get("/odata/Orders?$search=ACME&$count=true");
    assert_eq!(s.status, 200, "{}", s.body);
    assert!(s.body["@odata.count"].as_u64().unwrap() >= n);
    for item in s.body["value"].as_array().unwrap() {
        assert!(item.to_string().to_lowercase().contains("acme"), "{item}");
    }
    let a = w.get("/odata/Orders?$filter=status%20eq%20@s&@s='active'&$count=true");
    let b = w.get("/odata/Orders?$filter=status%20eq%20'active'&$count=true");
    assert_eq!(a.body["@odata.count"], b.body["@odata.count"]);
    let id = ids_of(&b.body["value"]).remove(0);
    let e = w.get(&format!("/odata/Orders('{}')", enc(&id)));
    assert_eq!(e.status, 200);
    assert_eq!(e.body["id"], id.as_str());
    assert!(e.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#Orders/$entity"));
    let c = w.get("/odata/Orders/$count?$filter=status%20eq%20'active'");
    assert_eq!(
        String::from_utf8(c.bytes).unwrap(),
        b.body["@odata.count"].to_string()
    );
    let full = w.get("/odata/Orders?$top=1&$format=application/json;odata.metadata=full");
    let first = &full.body["value"][0];
    assert_eq!(first["@odata.type"], "#flexedge.Record");
    assert!(first["@odata.id"]
        .as_str()
        .unwrap()
        .contains("/odata/Orders('"));
    let none = w.get("/odata/Orders?$top=1&$format=application/json;odata.metadata=none");
    assert!(none.body.get("@odata.context").is_none());
    let d = w.get("/odata/Devices?$top=2");
    assert_eq!(d.status, 200, "{}", d.body);
    assert!(d.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["kind"] == "device"));
}

#[test]
fn apply_groups_as_the_native_transform() {
    let w = world();
    let native = w.get("/v1/orders/transform?group-by=status&limit=1000");
    let o = w.get(&format!(
        "/odata/Orders?$apply={}",
        enc("groupby((status),aggregate($count as count))")
    ));
    assert_eq!(o.status, 200, "{}", o.body);
    assert_eq!(o.body["value"], native.body["items"]);
    let o = w.get(&format!(
        "/odata/Orders?$apply={}&$orderby={}",
        enc("filter(kind eq 'order')/groupby((source,customer/name),aggregate($count as n))"),
        enc("n desc")
    ));
    assert_eq!(o.status, 200, "{}", o.body);
    let rows = o.body["value"].as_array().unwrap();
    assert!(
        rows[0]["customer"].is_object() && rows[0]["n"].is_u64(),
        "{}",
        o.body
    );
    let counts: Vec<u64> = rows.iter().map(|r| r["n"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|p| p[0] >= p[1]));
    let total = w.get(&format!(
        "/odata/Orders?$apply={}",
        enc("aggregate($count as n)")
    ));
    let native_total = w.get("/v1/orders?limit=0").body["total"].clone();
    assert_eq!(total.body["value"][0]["n"], native_total);
}

#[test]
fn errors_are_odata_errors_with_codes_targets_and_positions() {
    let w = world();
    let a = w.get(&format!(
        "/odata/Orders?$filter={}",
        enc("custmerName eq 'x'")
    ));
    assert_eq!(a.status, 400);
    assert_eq!(header(&a, "odata-version"), "4.0");
    let e = &a.body["error"];
    assert_eq!(e["code"], "filter.field.unknown");
    assert_eq!(e["target"], "$filter");
    assert_eq!(e["details"][0]["target"], "$filter");
    assert_eq!(e["innererror"]["span"]["start"], 0);
    assert_eq!(e["innererror"]["span"]["end"], 11);
    assert!(e["message"].as_str().unwrap().starts_with("unknown field"));
    let a = w.get(&format!("/odata/Orders?$orderby={}", enc("nope asc")));
    assert_eq!(
        (
            a.body["error"]["code"].as_str(),
            a.body["error"]["target"].as_str()
        ),
        (Some("query.field.unknown"), Some("$orderby"))
    );
    let a = w.get("/odata/Orders?$search=(acme");
    assert_eq!(
        (
            a.body["error"]["code"].as_str(),
            a.body["error"]["innererror"]["span"]["start"].as_u64()
        ),
        (Some("query.search.syntax"), Some(5))
    );
    let a = w.get("/odata/Orders?$expand=partners");
    assert_eq!(a.body["error"]["code"], "odata.unsupported_option");
    let a = w.get("/odata/Orders?$skiptoken=garbage");
    assert_eq!(
        (a.status, a.body["error"]["target"].as_str()),
        (400, Some("$skiptoken"))
    );
    let a = w.get("/odata/Orders('hpe_flex:nope')");
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (404, Some("record.not_found"))
    );
    let a = w.get("/odata/Nope");
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (404, Some("route.not_found"))
    );
    let a = w.get_with("/odata/Orders", None, &[]);
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (401, Some("auth.unauthorized"))
    );
    assert_eq!(header(&a, "www-authenticate"), "Bearer realm=\"flexedge\"");
    let a = w.get_with("/odata/Orders", Some("test-key-hpe"), &[]);
    assert_eq!(a.status, 200);
    assert!(ids_of(&a.body["value"])
        .iter()
        .all(|id| id.starts_with("hpe_flex:")));
    let a = w.get(&format!("/odata/Orders?$apply={}", enc("topcount(2,x)")));
    assert_eq!(a.body["error"]["code"], "query.apply.syntax");
}

/// The e2e tests walk 4 × 2,000 records with a client library (tests/e2e/odata-walk/);
/// in process, 4 × 500 in pages of 300 keep the native suite fast.
#[test]
fn a_bigger_walk_sees_every_record_once() {
    let w = world_with(&[], 500);
    let total = w.get("/v1/orders?limit=0").body["total"].as_u64().unwrap();
    assert_eq!(total, 2000);
    let (ids, pages) = walk(&w, "/odata/Orders", &[("prefer", "odata.maxpagesize=300")]);
    assert_eq!(ids.len(), 2000);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 2000);
    assert_eq!(pages, 7);
}
