//! The write routes in process: the service over the simulator with an in-memory
//! idempotency store. Create, add line items and maintenance line items, read back by id
//! and by filter; replays make no second upstream call; authorization; every refusal
//! before any upstream call; every vendor failure mapped to its problem, each from one
//! upstream call (never retried); one log line per write.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod write_common;

use flexedge::model::Source;
use flexedge::service::log::MemorySink;
use flexedge::service::writes::idempotency::{Begin, IdempotencyStore, StoreError, Stored};
use flexedge::service::Ctx;
use flexedge::sim::Fault;
use flexedge::testkit::{block_on, SimClient};
use serde_json::{json, Value};
use write_common::{World, VENDOR_CREATE};

const CREATE: &str = "POST /entitlements-api/v1/entitlement";

fn entitlement(id: &str, act: &str) -> Value {
    json!({
        "entitlementId": id,
        "description": "Writes through the edge SECRET-MARKER",
        "shipToEmail": "ops@example.com",
        "accounts": [{"accountId": "ACME-1", "accountName": "Acme GmbH", "accountType": "CUSTOMER", "partnerTierName": "END_CUSTOMER"}],
        "lineItems": [{
            "activationId": act,
            "product": [{"productName": "FlexPro", "productVersion": "2.0", "licenseModel": {"licenseModelName": "Floating"}}],
            "quantity": 10, "startDate": "2026-01-01", "expiryDate": "2027-12-31", "orderType": "new_order"
        }],
        "status": "deployed"
    })
}

fn lines(act: &str, product: &str) -> Value {
    json!({"lineItems": [{
        "activationId": act,
        "product": [{"productName": product, "productVersion": "1.1"}],
        "quantity": 3, "startDate": "2026-02-01", "expiryDate": "2028-01-31"
    }]})
}

fn maintenance(act: &str) -> Value {
    json!({"maintenanceLineItems": [{
        "activationId": act,
        "maintenanceProduct": {"maintenanceProductName": "Gold Support", "maintenanceProductVersion": "1.0"},
        "startDate": "2026-01-01", "expiryDate": "2026-12-31", "autoDeploy": true
    }]})
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn create_then_read_back_by_id_and_by_filter() {
    let w = World::new(30);
    let a = w.write(
        "/v1/entitlements",
        "k-create-1",
        &entitlement("ent-w-1", "act-w-1"),
    );
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.headers["location"], "/v1/orders/fno_entitlements:ent-w-1");
    assert_eq!(a.headers["content-type"], "application/json");
    assert!(a.headers.get("x-flexedge-read-back").is_none());
    // The created entitlement as a normalized record, as the reads normalize it.
    assert_eq!(a.body["id"], "fno_entitlements:ent-w-1");
    assert_eq!(a.body["kind"], "entitlement");
    assert_eq!(a.body["status"], "active", "deployed → active");
    assert_eq!(
        a.body["customer"],
        json!({"id": "ACME-1", "name": "Acme GmbH"})
    );
    assert_eq!(a.body["startDate"], "2026-01-01T00:00:00Z");
    assert_eq!(a.body["endDate"], "2027-12-31T00:00:00Z");
    assert_eq!(a.body["items"][0]["productName"], "FlexPro");
    assert_eq!(w.calls(CREATE), 1);
    // Read back by id and by a filter on its id, at once.
    let by_id = w.get("/v1/orders/fno_entitlements:ent-w-1");
    assert_eq!(by_id.status, 200, "{}", by_id.text);
    assert_eq!(by_id.body, a.body);
    let filter = enc("id eq 'fno_entitlements:ent-w-1'");
    let f = w.get(&format!("/v1/orders?filter={filter}"));
    assert_eq!(f.status, 200);
    assert_eq!(f.body["items"], json!([a.body]));
    let f = w.get(&format!(
        "/v1/sources/fno_entitlements/orders?filter={}",
        enc("customer/name eq 'Acme GmbH'")
    ));
    assert!(f.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == "fno_entitlements:ent-w-1"));
    // An auto-generated id: the Location names the vendor's id.
    let mut b = entitlement("x", "y");
    b.as_object_mut().unwrap().remove("entitlementId");
    b["lineItems"][0]
        .as_object_mut()
        .unwrap()
        .remove("activationId");
    let a = w.write("/v1/entitlements", "k-create-auto", &b);
    assert_eq!(a.status, 201, "{}", a.text);
    let id = a.body["sourceId"].as_str().unwrap();
    assert!(id.starts_with("auto-"), "{id}");
    assert_eq!(
        a.headers["location"],
        format!("/v1/orders/fno_entitlements:{id}")
    );
}

#[test]
fn add_line_items_and_maintenance_line_items() {
    let w = World::new(30);
    assert_eq!(
        w.write("/v1/entitlements", "k1", &entitlement("ent-w-2", "act-w-2"))
            .status,
        201
    );
    let a = w.write(
        "/v1/entitlements/ent-w-2/line-items",
        "k2",
        &lines("act-w-3", "FlexLite"),
    );
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.headers["location"], "/v1/orders/fno_entitlements:ent-w-2");
    let products: Vec<&str> = a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["productName"].as_str().unwrap())
        .collect();
    assert_eq!(products, ["FlexPro", "FlexLite"]);
    assert_eq!(
        a.body["endDate"], "2028-01-31T00:00:00Z",
        "the latest expiry"
    );
    let m = w.write(
        "/v1/entitlements/ent-w-2/maintenance-line-items",
        "k3",
        &maintenance("mnt-w-1"),
    );
    assert_eq!(m.status, 201, "{}", m.text);
    assert_eq!(m.body["id"], "fno_entitlements:ent-w-2");
    // Maintenance lines are not normalized fields; the vendor object shows them.
    let raw = w.get("/v1/orders/fno_entitlements:ent-w-2?include=raw");
    assert_eq!(raw.status, 200);
    let items = &raw.body["raw"]["maintenanceLineItems"];
    assert_eq!(items[0]["activationId"], "mnt-w-1");
    assert_eq!(items[0]["lineItemState"], "DEPLOYED");
    // To a generated entitlement, and an id with characters a path must escape.
    let listed = w.get("/v1/sources/fno_entitlements/orders?limit=1");
    let generated = listed.body["items"][0]["sourceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = w.write(
        &format!("/v1/entitlements/{generated}/line-items"),
        "k4",
        &lines("act-w-4", "FlexEdu"),
    );
    assert_eq!(a.status, 201, "{}", a.text);
    let spaced = "ent with space+plus";
    assert_eq!(
        w.write("/v1/entitlements", "k5", &entitlement(spaced, "act-w-5"))
            .status,
        201
    );
    let a = w.write(
        "/v1/entitlements/ent%20with%20space%2Bplus/line-items",
        "k6",
        &lines("act-w-6", "FlexLab"),
    );
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(
        a.headers["location"],
        "/v1/orders/fno_entitlements:ent%20with%20space%2Bplus"
    );
    let by_id = w.get("/v1/orders/fno_entitlements:ent%20with%20space%2Bplus");
    assert_eq!(by_id.status, 200, "{}", by_id.text);
}

#[test]
fn the_same_key_and_body_is_answered_again_without_a_second_upstream_call() {
    let w = World::new(30);
    let body = entitlement("ent-w-10", "act-w-10");
    let first = w.write("/v1/entitlements", "idem-1", &body);
    assert_eq!(first.status, 201);
    assert_eq!(w.calls(CREATE), 1);
    let reads = w.calls("GET /entitlements-api/v1/entitlements");
    // The same body, written differently (member order, white space): the same request.
    let mut members: Vec<String> = body
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{}: {v}", json!(k)))
        .collect();
    members.reverse();
    let reordered = format!("{{\n  {}\n}}", members.join(",\n  "));
    for text in [body.to_string(), reordered] {
        let again = w.post(
            "/v1/entitlements",
            Some("test-key-writer"),
            Some("idem-1"),
            &text,
        );
        assert_eq!(again.status, 201, "{}", again.text);
        assert_eq!(again.text, first.text);
        assert_eq!(again.headers["location"], first.headers["location"]);
        assert_eq!(again.headers["idempotent-replayed"], "true");
    }
    assert_eq!(w.calls(CREATE), 1, "no second create");
    assert_eq!(
        w.calls("GET /entitlements-api/v1/entitlements"),
        reads,
        "no read-back either"
    );
    // The same key with another body, or on another route: 422, nothing sent.
    let other = w.write(
        "/v1/entitlements",
        "idem-1",
        &entitlement("ent-w-11", "act-w-11"),
    );
    assert_eq!(other.status, 422, "{}", other.text);
    assert_eq!(other.body["code"], "idempotency.key_reused");
    let other = w.write(
        "/v1/entitlements/ent-w-10/line-items",
        "idem-1",
        &lines("act-w-12", "P"),
    );
    assert_eq!(other.status, 422);
    assert_eq!(w.vendor_writes(), 1);
    // Keys are per client: another key's "idem-1" is its own.
    let other_client = w.post(
        "/v1/entitlements",
        Some("test-key-writer-hpe"),
        Some("idem-1"),
        &body.to_string(),
    );
    assert_eq!(
        other_client.status, 403,
        "that key may not see the Beta API"
    );
    // A refused body reserves nothing: after a 400, the key is still free.
    let mut bad = entitlement("ent-w-13", "act-w-13");
    bad["lineItems"][0]["quantity"] = json!(-1);
    assert_eq!(w.write("/v1/entitlements", "idem-2", &bad).status, 400);
    assert_eq!(
        w.write(
            "/v1/entitlements",
            "idem-2",
            &entitlement("ent-w-13", "act-w-13")
        )
        .status,
        201
    );
    // After 24 hours the record is gone: the key is free again (this body now conflicts
    // at the vendor: the entitlement exists).
    w.clock.advance(24 * 60 * 60 * 1000);
    let late = w.write("/v1/entitlements", "idem-1", &body);
    assert_eq!(late.status, 409, "{}", late.text);
    assert_eq!(late.body["code"], "write.conflict");
    assert_eq!(w.calls(CREATE), 3);
}

#[test]
fn refusals_before_any_upstream_call() {
    let w = World::new(10);
    let body = entitlement("ent-w-20", "act-w-20").to_string();
    let check = |a: &write_common::Answer, status: u16, code: &str| {
        assert_eq!(a.status, status, "{}", a.text);
        assert_eq!(a.body["code"], code, "{}", a.text);
        assert_eq!(a.headers["content-type"], "application/problem+json");
    };
    check(
        &w.post("/v1/entitlements", None, Some("k"), &body),
        401,
        "auth.unauthorized",
    );
    check(
        &w.post(
            "/v1/entitlements",
            Some("test-key-reader"),
            Some("k"),
            &body,
        ),
        403,
        "auth.write_forbidden",
    );
    check(
        &w.post(
            "/v1/entitlements",
            Some("test-key-writer-hpe"),
            Some("k"),
            &body,
        ),
        403,
        "auth.forbidden",
    );
    let writer = Some("test-key-writer");
    check(
        &w.post("/v1/entitlements", writer, None, &body),
        400,
        "idempotency.key_missing",
    );
    for bad in ["", &"k".repeat(256), "spaced key"] {
        check(
            &w.post("/v1/entitlements", writer, Some(bad), &body),
            400,
            "idempotency.key_invalid",
        );
    }
    let two = http::Request::builder()
        .method("POST")
        .uri("/v1/entitlements")
        .header("authorization", "Bearer test-key-writer")
        .header("content-type", "application/json")
        .header("idempotency-key", "a")
        .header("idempotency-key", "b")
        .body(body.clone().into_bytes())
        .unwrap();
    check(&w.send(two), 400, "idempotency.key_missing");
    let form = http::Request::builder()
        .method("POST")
        .uri("/v1/entitlements")
        .header("authorization", "Bearer test-key-writer")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("idempotency-key", "k")
        .body(body.clone().into_bytes())
        .unwrap();
    check(&w.send(form), 415, "write.unsupported_media_type");
    let huge = format!("{{\"description\": \"{}\"}}", "x".repeat(1 << 20));
    check(
        &w.post("/v1/entitlements", writer, Some("k"), &huge),
        413,
        "write.too_large",
    );
    check(
        &w.post("/v1/entitlements?dry=1", writer, Some("k"), &body),
        400,
        "query.invalid_parameter",
    );
    let get = http::Request::builder()
        .method("GET")
        .uri("/v1/entitlements")
        .header("authorization", "Bearer test-key-writer")
        .body(Vec::new())
        .unwrap();
    let a = w.send(get);
    check(&a, 405, "route.method_not_allowed");
    assert_eq!(a.headers["allow"], "POST");
    // Malformed JSON: the byte where reading stopped.
    let text = "{\"entitlementId\": \"e\",\n \"lineItems\": [1, 2,]}";
    let a = w.post("/v1/entitlements", writer, Some("k"), text);
    check(&a, 400, "write.malformed");
    let at = a.body["position"].as_u64().unwrap() as usize;
    assert_eq!(&text[at..at + 1], "]", "{}", a.text);
    let deep = "[".repeat(100_000);
    let a = w.post("/v1/entitlements", writer, Some("k"), &deep);
    check(&a, 400, "write.malformed");
    assert!(a.body["detail"].as_str().unwrap().contains("nesting"));
    check(
        &w.post(
            "/v1/entitlements",
            writer,
            Some("k"),
            "{\"a\": 1, \"a\": 2}",
        ),
        400,
        "write.malformed",
    );
    // The id of a path follows the document's id rules.
    let a = w.post(
        "/v1/entitlements/bad%7Cid/line-items",
        writer,
        Some("k"),
        &lines("a", "p").to_string(),
    );
    check(&a, 400, "write.invalid_path");
    assert_eq!(a.body["parameter"], "entitlementId");
    assert_eq!(w.vendor_writes(), 0, "nothing reached the vendor");
    assert!(w.store.is_empty(), "no refusal reserved a key");
}

/// Each vendor failure: one upstream call (a write is never retried), a stable problem, and
/// a record or not depending on whether the vendor may have acted.
#[test]
fn vendor_failures_map_to_stable_problems() {
    let w = World::new(10);
    let v = Source::FnoEntitlements;
    let mut n = 0;
    let mut try_write = |fault: Option<Fault>, body: &Value| {
        n += 1;
        match fault {
            Some(f) => w.sim.set_fault(v, f),
            None => w.sim.clear_fault(v),
        }
        let before = w.calls(CREATE);
        let a = w.write("/v1/entitlements", &format!("fail-{n}"), body);
        assert_eq!(
            w.calls(CREATE),
            before + 1,
            "exactly one upstream call: {}",
            a.text
        );
        w.sim.clear_fault(v);
        (a, format!("fail-{n}"))
    };
    let expect = |a: &write_common::Answer, status: u16, code: &str| {
        assert_eq!(
            (a.status, a.body["code"].as_str()),
            (status, Some(code)),
            "{}",
            a.text
        );
        assert_eq!(a.body["source"], "fno_entitlements");
    };
    // 5xx: recorded (the vendor may have acted): the retry is answered from the record.
    let (a, key) = try_write(Some(Fault::Status500), &entitlement("ent-f-1", "act-f-1"));
    expect(&a, 502, "write.upstream_failed");
    let again = w.write("/v1/entitlements", &key, &entitlement("ent-f-1", "act-f-1"));
    assert_eq!((again.status, again.text.clone()), (502, a.text.clone()));
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // A timeout: outcome unknown. Here the vendor did act (the simulator's hang answers
    // late): the entitlement exists, and the retry does not write it twice.
    let (a, key) = try_write(Some(Fault::Hang), &entitlement("ent-f-2", "act-f-2"));
    expect(&a, 504, "write.outcome_unknown");
    let creates = w.calls(CREATE);
    let again = w.write("/v1/entitlements", &key, &entitlement("ent-f-2", "act-f-2"));
    assert_eq!(again.status, 504);
    assert_eq!(w.calls(CREATE), creates, "not retried blindly");
    assert_eq!(w.get("/v1/orders/fno_entitlements:ent-f-2").status, 200);
    // An unreadable answer: outcome unknown too.
    let (a, _) = try_write(
        Some(Fault::MalformedJson),
        &entitlement("ent-f-3", "act-f-3"),
    );
    expect(&a, 504, "write.outcome_unknown");
    // 429: the vendor did not act; not recorded, so the same key may go again.
    let (a, key) = try_write(
        Some(Fault::RateLimited(7)),
        &entitlement("ent-f-4", "act-f-4"),
    );
    expect(&a, 503, "write.rate_limited");
    assert!(a.body["detail"]
        .as_str()
        .unwrap()
        .contains("retry after 7 s"));
    let again = w.write("/v1/entitlements", &key, &entitlement("ent-f-4", "act-f-4"));
    assert_eq!(again.status, 201, "{}", again.text);
    // The vendor refuses the credentials: not acted, not recorded.
    let (a, _) = try_write(
        Some(Fault::ExpiredToken),
        &entitlement("ent-f-5", "act-f-5"),
    );
    expect(&a, 502, "write.upstream_auth");
    // An id in use: the vendor's 409.
    let (a, _) = try_write(None, &entitlement("ent-f-4", "act-f-6"));
    expect(&a, 409, "write.conflict");
    assert!(a.body["detail"]
        .as_str()
        .unwrap()
        .contains("already in use"));
    // An unknown entitlement for line items: the vendor's 404.
    let before = w.calls("POST /entitlements-api/v1/entitlement/no-such-ent/line-items");
    let a = w.write(
        "/v1/entitlements/no-such-ent/line-items",
        "fail-404",
        &lines("act-f-7", "P"),
    );
    expect(&a, 404, "write.entitlement_not_found");
    assert_eq!(
        w.calls("POST /entitlements-api/v1/entitlement/no-such-ent/line-items"),
        before + 1
    );
    assert!(!a.text.contains("rna_"), "no credential in an answer");
}

/// A store that answers every `begin` the same way (concurrent duplicates, abandoned
/// requests, an unreachable store).
struct Fixed(Result<Begin, StoreError>);

impl IdempotencyStore for Fixed {
    async fn begin(&self, _: &str, _: &str, _: i64) -> Result<Begin, StoreError> {
        self.0.clone()
    }
    async fn finish(&self, _: &str, _: &str, _: &Stored) -> Result<(), StoreError> {
        Ok(())
    }
    async fn release(&self, _: &str, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

#[test]
fn concurrent_duplicates_abandoned_requests_and_no_store() {
    let w = World::new(10);
    // A create by the writer key, answered by the service with `store` (None: no store).
    let answer = |store: Option<&Fixed>, idem: &str, id: &str| {
        let req = http::Request::builder()
            .method("POST")
            .uri("/v1/entitlements")
            .header("authorization", "Bearer test-key-writer")
            .header("content-type", "application/json")
            .header("idempotency-key", idem)
            .body(entitlement(id, &format!("{id}-a")).to_string().into_bytes())
            .unwrap();
        let client = SimClient::new(&w.sim, &w.clock, 1_000);
        let log = MemorySink::default();
        let limiter = flexedge::testkit::FakeLimiter::new();
        let ctx = Ctx {
            client: &client,
            clock: &w.clock,
            request_id: "r",
            log: &log,
            limiter: &limiter,
        };
        match store {
            Some(store) => block_on(w.service.handle_with_store(req, &ctx, store)),
            None => block_on(w.service.handle(req, &ctx)),
        }
    };
    let send = |store: &Fixed| {
        let res = answer(Some(store), "dup", "ent-c-1");
        let body: Value = serde_json::from_slice(res.body()).unwrap();
        (res.status().as_u16(), res.headers().clone(), body)
    };
    let (st, h, b) = send(&Fixed(Ok(Begin::InProgress)));
    assert_eq!(
        (st, b["code"].as_str()),
        (409, Some("idempotency.in_progress"))
    );
    assert_eq!(h["retry-after"], "1");
    let (st, _, b) = send(&Fixed(Ok(Begin::Abandoned)));
    assert_eq!(
        (st, b["code"].as_str()),
        (504, Some("write.outcome_unknown"))
    );
    let (st, _, b) = send(&Fixed(Err(StoreError("down".into()))));
    assert_eq!(
        (st, b["code"].as_str()),
        (503, Some("write.store_unavailable"))
    );
    assert_eq!(w.vendor_writes(), 0);
    // `Service::handle` has no store: writes are refused, reads still work.
    let res = answer(None, "k", "ent-c-2");
    assert_eq!(res.status(), 503);
    assert_eq!(w.vendor_writes(), 0);
}

#[test]
fn one_log_line_per_write_without_body_or_credentials() {
    let w = World::new(10);
    w.write(
        "/v1/entitlements",
        "log-1",
        &entitlement("ent-l-1", "act-l-1"),
    );
    w.write(
        "/v1/entitlements",
        "log-1",
        &entitlement("ent-l-1", "act-l-1"),
    );
    let mut bad = entitlement("ent-l-2", "act-l-2");
    bad["status"] = json!("nope");
    w.write("/v1/entitlements", "log-2", &bad);
    w.post(
        "/v1/entitlements",
        Some("test-key-reader"),
        Some("log-3"),
        "{}",
    );
    let writes: Vec<Value> = w
        .logs
        .borrow()
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["event"] == "write")
        .collect();
    let seen: Vec<(String, String, u64)> = writes
        .iter()
        .map(|l| {
            assert_eq!(l["requestId"], "0123456789abcdef");
            assert_eq!(l["route"], "POST /v1/entitlements");
            (
                l["key"].as_str().unwrap().to_owned(),
                l["outcome"].as_str().unwrap().to_owned(),
                l["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("key#0".to_owned(), "created".to_owned(), 201),
            ("key#0".to_owned(), "replayed".to_owned(), 201),
            ("key#0".to_owned(), "invalid".to_owned(), 400),
            ("key#1".to_owned(), "forbidden".to_owned(), 403),
        ]
    );
    // World::send checked every line for keys, the vendor token and the body's marker.
    let _ = VENDOR_CREATE;
}

/// The request schemas of the OpenAPI document are the rule tables rendered as JSON Schema
/// (`rules::json_schema`), so the document cannot drift from what the edge checks. On a
/// mismatch the expected schemas are written to `target/openapi-write-schemas.json`.
#[test]
fn the_openapi_request_schemas_are_the_rule_tables() {
    use flexedge::rules::{fno_entitlements, json_schema};
    let doc: Value = serde_json::from_str(flexedge::service::OPENAPI).unwrap();
    let want = json!({
        "CreateEntitlement": json_schema(&fno_entitlements::CREATE),
        "AddLineItems": json_schema(&fno_entitlements::ADD_LINE_ITEMS),
        "AddMaintenanceLineItems": json_schema(&fno_entitlements::ADD_MAINTENANCE_LINE_ITEMS),
    });
    let got: serde_json::Map<String, Value> = want
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (k.clone(), doc["components"]["schemas"][k].clone()))
        .collect();
    if Value::Object(got) != want {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/openapi-write-schemas.json"
        );
        std::fs::write(path, serde_json::to_string_pretty(&want).unwrap()).unwrap();
        panic!("src/service/openapi.json: the write schemas differ from the rule tables; expected in {path}");
    }
    for (path, schema) in [
        ("/v1/entitlements", "CreateEntitlement"),
        (
            "/v1/entitlements/{entitlementId}/line-items",
            "AddLineItems",
        ),
        (
            "/v1/entitlements/{entitlementId}/maintenance-line-items",
            "AddMaintenanceLineItems",
        ),
    ] {
        let op = &doc["paths"][path]["post"];
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            format!("#/components/schemas/{schema}"),
            "{path}"
        );
        for status in [
            "201", "400", "403", "409", "413", "415", "422", "502", "503", "504",
        ] {
            assert!(op["responses"].get(status).is_some(), "{path}: no {status}");
        }
    }
}

/// A client that loses every list request to the Beta API (the read-back), and passes the
/// rest to the simulator.
struct NoReadBack<'a>(SimClient<'a>);

impl flexedge::upstream::HttpClient for NoReadBack<'_> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, flexedge::upstream::TransportError> {
        if req.method() == http::Method::GET
            && req
                .uri()
                .path()
                .ends_with("/entitlements-api/v1/entitlements")
        {
            return Err(flexedge::upstream::TransportError::Timeout);
        }
        self.0.send(req).await
    }
}

/// The write was made but reading it back failed: the 201 stands (the vendor acted), with
/// a record of the id alone and `x-flexedge-read-back: unavailable`; a replay gets the same.
#[test]
fn a_failed_read_back_keeps_the_201() {
    let w = World::new(10);
    let body = entitlement("ent-rb-1", "act-rb-1").to_string();
    let send = || {
        let req = http::Request::builder()
            .method("POST")
            .uri("/v1/entitlements")
            .header("authorization", "Bearer test-key-writer")
            .header("content-type", "application/json")
            .header("idempotency-key", "rb")
            .body(body.clone().into_bytes())
            .unwrap();
        let client = NoReadBack(SimClient::new(&w.sim, &w.clock, 1_000));
        let log = MemorySink::default();
        let limiter = flexedge::testkit::FakeLimiter::new();
        let ctx = Ctx {
            client: &client,
            clock: &w.clock,
            request_id: "r",
            log: &log,
            limiter: &limiter,
        };
        let res = block_on(w.service.handle_with_store(req, &ctx, &w.store));
        let lines = log.take();
        (res, lines)
    };
    let (res, lines) = send();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["x-flexedge-read-back"], "unavailable");
    assert_eq!(
        res.headers()["location"],
        "/v1/orders/fno_entitlements:ent-rb-1"
    );
    let rec: Value = serde_json::from_slice(res.body()).unwrap();
    assert_eq!(rec["id"], "fno_entitlements:ent-rb-1");
    assert_eq!(rec["kind"], "entitlement");
    assert!(
        lines.iter().any(|l| l.contains("created_unread")),
        "{lines:?}"
    );
    assert_eq!(w.calls(&format!("POST {VENDOR_CREATE}")), 1);
    // The entitlement is there (an ordinary read finds it) and a replay sends nothing.
    assert_eq!(w.get("/v1/orders/fno_entitlements:ent-rb-1").status, 200);
    let (again, _) = send();
    assert_eq!(again.status(), 201);
    assert_eq!(again.body(), res.body());
    assert_eq!(again.headers()["x-flexedge-read-back"], "unavailable");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(w.calls(&format!("POST {VENDOR_CREATE}")), 1);
}
