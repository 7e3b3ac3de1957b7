//! The validation rules of the FNO Entitlements API (Beta) document, one case or more per
//! rule (`tests/data/write_rules.json`, plus a type case per member generated from the
//! table), each run against the edge (the service over the simulator, in process) and
//! against the simulator as the vendor: both must give the verdict the case states. The
//! edge must name the broken rule's member by JSON Pointer, list every violation, and send
//! nothing to the vendor when it refuses.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod write_common;

use std::collections::BTreeSet;

use flexedge::rules::{self, fno_entitlements, Kind, Operation, Ty, Unknown};
use serde_json::{json, Value};
use write_common::{remove, set, vendor_post, World, VENDOR_CREATE};

/// The parent entitlement of the add operations (created in both simulators first).
const PARENT: &str = "rules-parent-1";

struct Op {
    name: &'static str,
    rules: &'static Operation,
    edge_path: String,
    vendor_path: String,
}

fn ops() -> Vec<Op> {
    vec![
        Op {
            name: "create",
            rules: &fno_entitlements::CREATE,
            edge_path: "/v1/entitlements".into(),
            vendor_path: VENDOR_CREATE.into(),
        },
        Op {
            name: "add_line_items",
            rules: &fno_entitlements::ADD_LINE_ITEMS,
            edge_path: format!("/v1/entitlements/{PARENT}/line-items"),
            vendor_path: format!("{VENDOR_CREATE}/{PARENT}/line-items"),
        },
        Op {
            name: "add_maintenance_line_items",
            rules: &fno_entitlements::ADD_MAINTENANCE_LINE_ITEMS,
            edge_path: format!("/v1/entitlements/{PARENT}/maintenance-line-items"),
            vendor_path: format!("{VENDOR_CREATE}/{PARENT}/maintenance-line-items"),
        },
    ]
}

fn data() -> Value {
    serde_json::from_str(include_str!("data/write_rules.json")).unwrap()
}

/// `{"$repeat": text, "times": n}` → the long string; everything else as is.
fn expand(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.contains_key("$repeat") => Value::String(
            m["$repeat"]
                .as_str()
                .unwrap()
                .repeat(m["times"].as_u64().unwrap() as usize),
        ),
        other => other.clone(),
    }
}

/// The base body of an operation with its placeholder ids made unique for case `n`.
fn base(d: &Value, op: &str, n: usize) -> Value {
    let text = d["bases"][op]
        .to_string()
        .replace("\"ID\"", &format!("\"rc-{n}\""))
        .replace("\"ACT\"", &format!("\"rc-{n}-a\""));
    serde_json::from_str(&text).unwrap()
}

/// Two worlds: the edge in front of one simulator, the other simulator asked directly as
/// the vendor (so that each sees every id once). Both hold the parent entitlement.
fn worlds() -> (World, World) {
    let (edge, vendor) = (World::new(20), World::new(20));
    let mut parent = base(&data(), "create", 0);
    parent["entitlementId"] = json!(PARENT);
    for w in [&edge, &vendor] {
        let (st, v) = vendor_post(&w.sim, VENDOR_CREATE, &parent.to_string());
        assert_eq!(st, 200, "{v}");
    }
    (edge, vendor)
}

/// The verdicts of the edge and of the vendor on one body.
struct Verdicts {
    edge: (u16, Value),
    vendor: (u16, Value),
    /// The vendor's write endpoints were called through the edge.
    sent: bool,
}

fn judge(edge: &World, vendor: &World, op: &Op, body: &Value, idem: &str) -> Verdicts {
    let before = edge.vendor_writes();
    let a = edge.write(&op.edge_path, idem, body);
    let sent = edge.vendor_writes() > before;
    Verdicts {
        edge: (a.status, a.body),
        vendor: vendor_post(&vendor.sim, &op.vendor_path, &body.to_string()),
        sent,
    }
}

fn has_violation(edge_body: &Value, pointer: &str, code: &str) -> bool {
    edge_body["violations"].as_array().is_some_and(|vs| {
        vs.iter()
            .any(|v| v["pointer"] == pointer && v["code"] == code)
    })
}

#[test]
fn every_rule_of_the_document_gives_the_same_verdict_at_the_edge_and_at_the_vendor() {
    let d = data();
    let ops = ops();
    let (edge, vendor) = worlds();
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let cases = d["cases"].as_array().unwrap();
    for (n, c) in cases.iter().enumerate() {
        let n = n + 1;
        let op = ops.iter().find(|o| o.name == c["op"]).unwrap();
        let mut body = base(&d, op.name, n);
        for (ptr, v) in c["set"].as_object().into_iter().flatten() {
            set(&mut body, ptr, expand(v));
        }
        for ptr in c["remove"].as_array().into_iter().flatten() {
            remove(&mut body, ptr.as_str().unwrap());
        }
        let rule = c["rule"].as_str().unwrap();
        let what = format!("case {n} ({rule}, {}): {body}", c["op"]);
        let v = judge(&edge, &vendor, op, &body, &format!("rules-case-{n}"));
        let node = rules::parse(body.to_string().as_bytes()).unwrap();
        let (found, _) = rules::check(op.rules, &node, Unknown::Reject);
        if c["valid"] == true {
            assert_eq!(v.edge.0, 201, "edge, {what}: {}", v.edge.1);
            assert!(v.sent, "{what}");
            assert_eq!(v.vendor.0, 200, "vendor, {what}: {}", v.vendor.1);
            assert!(found.is_empty(), "{what}: {found:?}");
            continue;
        }
        let (pointer, code) = (c["pointer"].as_str().unwrap(), c["code"].as_str().unwrap());
        assert_eq!(v.edge.0, 400, "edge, {what}: {}", v.edge.1);
        assert_eq!(v.edge.1["code"], "write.invalid", "{what}");
        assert!(
            has_violation(&v.edge.1, pointer, code),
            "edge, {what}: no {code} at {pointer} in {}",
            v.edge.1
        );
        assert!(!v.sent, "{what}: the edge sent a body it refused");
        if c["edgeOnly"] == true {
            assert_eq!(
                v.vendor.0, 200,
                "the vendor ignores unknown members, {what}"
            );
            continue;
        }
        assert_eq!(v.vendor.0, 400, "vendor, {what}: {}", v.vendor.1);
        let vendor_path = found
            .iter()
            .find(|f| f.pointer == pointer)
            .map(|f| f.vendor_path())
            .unwrap();
        let message = v.vendor.1["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("{vendor_path}: ")),
            "vendor, {what}: {message}"
        );
        assert!(
            found.iter().any(|f| f.rule == rule && f.pointer == pointer),
            "{what}: the table's rule `{rule}` did not fire: {found:?}"
        );
        covered.insert(rule.to_owned());
    }
    // Every rule of the table other than a member's type has an invalid case above.
    let all: BTreeSet<String> = fno_entitlements::OPERATIONS
        .iter()
        .flat_map(|o| o.rules())
        .filter(|r| !matches!(r.kind, Kind::Type(_)))
        .map(|r| r.id.to_owned())
        .collect();
    let missing: Vec<&String> = all.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "rules without an invalid case: {missing:?}"
    );
}

/// A value of the wrong JSON type for `t`.
fn wrong(t: Ty) -> Vec<Value> {
    match t {
        Ty::Str => vec![json!(42), json!(true)],
        Ty::Bool => vec![json!("true")],
        Ty::Int32 => vec![json!("1"), json!(1.5), json!(2_147_483_648_i64)],
        Ty::Obj => vec![json!("x"), json!([])],
        Ty::Arr => vec![json!({"a": 1}), json!("x")],
        Ty::Any => vec![],
    }
}

#[test]
fn every_member_of_the_wrong_type_is_refused_by_both() {
    let d = data();
    let ops = ops();
    let (edge, vendor) = worlds();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    let mut n = 10_000;
    for op in &ops {
        for r in op.rules.rules() {
            let Kind::Type(t) = r.kind else { continue };
            let pointer = r.at.replace('*', "0");
            for bad in wrong(t) {
                n += 1;
                let mut body = base(&d, op.name, n);
                if pointer.is_empty() {
                    body = bad;
                } else if body.pointer(pointer.rsplit_once('/').unwrap().0).is_some() {
                    set(&mut body, &pointer, bad);
                } else {
                    continue;
                }
                let what = format!("{} {pointer}: {body}", op.name);
                let v = judge(&edge, &vendor, op, &body, &format!("type-case-{n}"));
                assert_eq!(v.edge.0, 400, "edge, {what}: {}", v.edge.1);
                assert!(
                    has_violation(&v.edge.1, &pointer, "type"),
                    "{what}: {}",
                    v.edge.1
                );
                assert!(!v.sent, "{what}");
                assert_eq!(v.vendor.0, 400, "vendor, {what}: {}", v.vendor.1);
                covered.insert(r.id);
            }
        }
    }
    let missing: Vec<&str> = fno_entitlements::OPERATIONS
        .iter()
        .flat_map(|o| o.rules())
        .filter(|r| matches!(r.kind, Kind::Type(t) if t != Ty::Any))
        .map(|r| r.id)
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "type rules never exercised: {missing:?}"
    );
}

/// Every violation is listed, not only the first, each with its pointer, a stable code and
/// the vendor's wording; the vendor lists the same members.
#[test]
fn every_violation_is_listed_with_its_pointer() {
    let d = data();
    let (edge, vendor) = worlds();
    let mut body = base(&d, "create", 1);
    set(&mut body, "/entitlementId", json!("bad/id"));
    set(&mut body, "/shipToAddress", json!("Main St. 1"));
    set(&mut body, "/lineItems/0/quantity", json!(-3));
    remove(&mut body, "/lineItems/0/startDate");
    set(&mut body, "/lineItems/0/orderType", json!("BIG"));
    set(&mut body, "/status", json!("gone"));
    set(&mut body, "/a~b", json!(1));
    let ops = ops();
    let v = judge(&edge, &vendor, &ops[0], &body, "all-violations");
    assert_eq!(v.edge.0, 400);
    let mut got: Vec<(String, String)> = v.edge.1["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["pointer"].as_str().unwrap().to_owned(),
                x["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut want: Vec<(String, String)> = [
        ("/entitlementId", "pattern"),
        ("/shipToAddress", "pattern"),
        ("/lineItems/0/startDate", "required"),
        ("/lineItems/0/quantity", "minimum"),
        ("/lineItems/0/orderType", "enum"),
        ("/status", "enum"),
        ("/a~0b", "unknown_member"),
    ]
    .iter()
    .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
    .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "{}", v.edge.1);
    let quantity = v.edge.1["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["pointer"] == "/lineItems/0/quantity")
        .unwrap();
    assert_eq!(quantity["message"], "must be greater than or equal to 0");
    assert!(v.edge.1["detail"].as_str().unwrap().contains("7 rules"));
    assert!(!v.sent);
    let message = v.vendor.1["message"].as_str().unwrap();
    for field in [
        "entitlementId:",
        "shipToAddress:",
        "lineItems[0].startDate:",
        "lineItems[0].quantity:",
        "lineItems[0].orderType:",
        "status:",
    ] {
        assert!(message.contains(field), "{field} in {message}");
    }
    // Many broken line items: the first 100 violations, and a flag saying there were more.
    let mut body = base(&d, "create", 2);
    let line = body["lineItems"][0].clone();
    let lines: Vec<Value> = (0..150)
        .map(|i| {
            let mut l = line.clone();
            l["activationId"] = json!(format!("many-{i}"));
            l["quantity"] = json!(-1);
            l
        })
        .collect();
    body["lineItems"] = Value::Array(lines);
    let a = edge.write("/v1/entitlements", "many", &body);
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body["violations"].as_array().unwrap().len(),
        rules::MAX_VIOLATIONS
    );
    assert_eq!(a.body["violationsTruncated"], true);
}
