//! `make bench`: over-fetch — records read from the vendor per record returned, for a
//! fixed set of common filters, with pushdown and without (`pushdown=false`, the same
//! query filtered only at the edge) side by side, over 10,000 simulated records per
//! source. Close to 1 with pushdown is the goal wherever the vendor can filter; a filter a
//! vendor cannot evaluate (GreenLake partners, FNO part numbers) reads everything either
//! way, and the table says so. Plain `main` (no harness); prints figures, asserts nothing.

//! Then a transform over GreenLake at 20,000 and 100,000 orders: the calls and records a
//! `group-by` takes when GreenLake counts its groups, against reading every order.

#![allow(clippy::unwrap_used)] // a benchmark may unwrap

#[path = "support/results.rs"]
mod results;

#[path = "../tests/common/mod.rs"]
mod common;

use common::enc;
use common::world::{world_seeded, World};
use serde_json::Value;

const RECORDS: usize = 10_000;

/// Walks `/v1/sources/{source}/orders?filter=…` to its end; (records returned, records
/// fetched from the vendor, upstream requests, whether any page was partial).
fn walk(w: &World, source: &str, filter: &str, pushdown: bool) -> (u64, u64, u64, bool) {
    let path = format!(
        "/v1/sources/{source}/orders?limit=1000&select=id&pushdown={pushdown}&filter={}",
        enc(filter)
    );
    let (mut returned, mut fetched, mut requests, mut partial) = (0, 0, 0, false);
    let mut uri = path.clone();
    // Bounded: 10,000 records are at most 10 pages of 1,000.
    for _ in 0..20 {
        let a = w.get(&uri);
        assert_eq!(a.status, 200, "{uri}: {}", a.text);
        returned += a.body["items"].as_array().map_or(0, Vec::len) as u64;
        let s = a.source(source);
        fetched += s["fetched"].as_u64().unwrap_or(0);
        requests += s["requests"].as_u64().unwrap_or(0);
        partial |= s["partial"] == true;
        match a.body["next"].as_str() {
            Some(t) => uri = format!("{path}&next={t}"),
            None => break,
        }
    }
    (returned, fetched, requests, partial)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().replace('\'', "''")
}

fn main() {
    // A budget that lets a full read finish, so that "without" is the honest baseline.
    let w = world_seeded(
        &[
            ("FLEXEDGE_MAX_SUBREQUESTS", "1000"),
            ("FLEXEDGE_MAX_CALLS", "1000"),
            ("FLEXEDGE_DEADLINE_MS", "600000"),
        ],
        RECORDS,
        11,
    );
    let one = |source: &str| -> Value {
        let a = w.get(&format!("/v1/sources/{source}/orders?limit=1&offset=4321"));
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["items"][0].clone()
    };
    // The first FNO line item from offset 4321 on whose product has a part number.
    let part = {
        let a = w.get("/v1/sources/fno_orders/orders?limit=200&offset=4321&select=items");
        a.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["items"].as_array().cloned().unwrap_or_default())
            .find_map(|i| i["partNumber"].as_str().map(|p| p.replace('\'', "''")))
            .expect("a part number in 200 line items")
    };
    let hpe = one("hpe_flex");
    let fno = one("fno_orders");
    let beta = one("fno_entitlements");
    let tx = one("telecomx_flexcare");
    let day = fno["startDate"].as_str().unwrap_or("2025-01-01T00:00:00Z")[..10].to_owned();
    let next_day = {
        let t = flexedge::model::Timestamp::parse(&format!("{day}T00:00:00Z")).unwrap();
        flexedge::model::Timestamp::from_millis(t.millis() + 86_400_000).to_string()[..10]
            .to_owned()
    };
    let partner = hpe["partners"]
        .as_array()
        .and_then(|p| p.first())
        .cloned()
        .unwrap_or_default();
    let (reseller, role) = (text(&partner["name"]), text(&partner["role"]));
    // An FNO line with a channel partner (tier one), among 200.
    let fno_partner = {
        let a = w.get("/v1/sources/fno_orders/orders?limit=200&offset=4321&select=partners");
        a.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|l| l["partners"][0]["name"].as_str().map(str::to_owned))
            .expect("a channel partner in 200 line items")
    };
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "customer",
            "hpe_flex",
            format!("customer/name eq '{}'", text(&hpe["customer"]["name"])),
        ),
        (
            "customer",
            "fno_entitlements",
            format!("customer/id eq '{}'", text(&beta["customer"]["id"])),
        ),
        (
            "reseller",
            "hpe_flex",
            format!("partners/any(p: p/name eq '{reseller}')"),
        ),
        (
            "reseller (with role)",
            "hpe_flex",
            format!("partners/any(p: p/role eq '{role}' and p/name eq '{reseller}')"),
        ),
        (
            "reseller",
            "fno_orders",
            format!(
                "partners/any(p: p/name eq '{}')",
                fno_partner.replace('\'', "''")
            ),
        ),
        (
            "product",
            "fno_entitlements",
            format!(
                "items/any(i: i/productName eq '{}')",
                text(&beta["items"][0]["productName"])
            ),
        ),
        (
            "part number",
            "fno_orders",
            format!("items/any(i: i/partNumber eq '{part}')"),
        ),
        (
            "entitlement id",
            "fno_orders",
            format!("entitlementId eq '{}'", text(&fno["entitlementId"])),
        ),
        (
            "activation id",
            "fno_orders",
            format!("sourceId eq '{}'", text(&fno["sourceId"])),
        ),
        (
            "activation id",
            "fno_entitlements",
            format!(
                "items/any(i: i/activationId eq '{}')",
                text(&beta["items"][0]["activationId"])
            ),
        ),
        (
            "start date (one day)",
            "fno_orders",
            format!("startDate ge {day} and startDate lt {next_day}"),
        ),
        (
            "PO number",
            "telecomx_flexcare",
            format!("orderRef eq '{}'", text(&tx["orderRef"])),
        ),
    ];
    println!(
        "over-fetch: records fetched per record returned, {RECORDS} records per source (pushdown | pushdown=false)"
    );
    println!(
        "{:<22} {:<18} {:>8} {:>10} {:>10} {:>8} {:>10}  filter",
        "case", "source", "returned", "fetched", "per rec", "fetched", "per rec"
    );
    for (name, source, filter) in &cases {
        let (n, with, req_with, p1) = walk(&w, source, filter, true);
        let (n2, without, req_without, p2) = walk(&w, source, filter, false);
        assert_eq!(n, n2, "{filter}: the same answer either way");
        let per = |f: u64| {
            if n == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}", f as f64 / n as f64)
            }
        };
        println!(
            "{name:<22} {source:<18} {n:>8} {with:>10} {:>10} {without:>8} {:>10}  {filter}  (requests {req_with} vs {req_without}{})",
            per(with),
            per(without),
            if p1 || p2 { "; PARTIAL" } else { "" }
        );
        if n > 0 {
            let without_name = format!("overfetch_no_pushdown/{name}");
            let per = |f: u64| f as f64 / n as f64;
            results::record(
                &format!("overfetch/{name}"),
                per(with),
                "fetched/returned",
                Some(&without_name),
            );
            results::record(&without_name, per(without), "fetched/returned", None);
        }
    }
    transforms();
}

/// `group-by` over GreenLake alone, counted by the vendor and read at the edge.
fn transforms() {
    println!();
    println!("transform over hpe_flex: upstream calls and orders fetched (vendor-counted | pushdown=false)");
    println!(
        "{:>8} {:<20} {:>7} {:>9} {:>9} {:>9}",
        "orders", "group-by", "groups", "calls", "calls", "fetched"
    );
    for n in [20_000, 100_000] {
        let w = world_seeded(
            &[
                ("FLEXEDGE_MAX_SUBREQUESTS", "2000"),
                ("FLEXEDGE_DEADLINE_MS", "600000"),
            ],
            n,
            11,
        );
        for group in ["customer/name", "billingAccount/id", "orderRef"] {
            let uri = |pushdown: bool| {
                format!(
                    "/v1/orders/transform?group-by={}&filter={}&limit=1&pushdown={pushdown}",
                    enc(group),
                    enc("source eq 'hpe_flex'")
                )
            };
            let (a, b) = (w.get(&uri(true)), w.get(&uri(false)));
            let code = |x: &common::world::Answer| {
                format!("{} {}", x.status, x.body["code"].as_str().unwrap_or(""))
            };
            let u = |v: &Value| v.as_u64().unwrap_or(0);
            if a.status != 200 {
                // orderRef at 20,000+ orders is more groups than a transform answers.
                println!("{n:>8} {group:<20} {} | {}", code(&a), code(&b));
                continue;
            }
            let r = a.source("hpe_flex");
            if b.status != 200 {
                // The edge cannot read every order within the budget: only the vendor's
                // counts answer.
                println!(
                    "{n:>8} {group:<20} {:>7} {:>9} {:>19}  (vendor-counted fetched {}; {})",
                    u(&a.body["total"]),
                    u(&r["requests"]),
                    code(&b),
                    u(&r["fetched"]),
                    b.body["detail"].as_str().unwrap_or("")
                );
                continue;
            }
            assert_eq!(a.body["total"], b.body["total"], "{group}: the same groups");
            let e = b.source("hpe_flex");
            println!(
                "{n:>8} {group:<20} {:>7} {:>9} {:>9} {:>9}  (vendor-counted fetched {})",
                u(&a.body["total"]),
                u(&r["requests"]),
                u(&e["requests"]),
                u(&e["fetched"]),
                u(&r["fetched"])
            );
        }
    }
}
