//! Shared support of the write tests: the service over a simulator with an in-memory
//! idempotency store, a writing and a read-only key, and requests to the vendor directly.
#![allow(dead_code)]

use std::collections::HashMap;

use flexedge::service::log::MemorySink;
use flexedge::service::{Config, Ctx, MemoryStore, Service};
use flexedge::sim::{creds, SimConfig, Simulator};
use flexedge::testkit::{block_on, FakeClock, SimClient};
use serde_json::Value;

/// 2026-05-01T00:00:00Z.
pub const NOW_MS: i64 = 1_777_593_600_000;

/// The keys: one may write, one may only read, one may write but not see the Beta API.
pub const KEYS: &str = r#"[
    {"key": "test-key-writer", "sources": ["*"], "write": true},
    {"key": "test-key-reader", "sources": ["*"], "raw": true},
    {"key": "test-key-writer-hpe", "sources": ["hpe_flex"], "write": true}
]"#;

/// The vendor's token (the simulator's).
pub const FNO_BEARER: &str = "Bearer rna_51d0c0ffee5eed0000000000000000000000000000000000";

/// The Beta API's write paths at the vendor.
pub const VENDOR_CREATE: &str = "/entitlements-api/v1/entitlement";

/// The service, its simulator, a fake clock and the idempotency store.
pub struct World {
    pub sim: Simulator,
    pub clock: FakeClock,
    pub service: Service,
    pub store: MemoryStore,
    /// Every log line written so far.
    pub logs: std::cell::RefCell<Vec<String>>,
}

/// An answer of the service.
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl World {
    pub fn new(records: usize) -> World {
        let mut map: HashMap<String, String> = HashMap::new();
        map.insert("FLEXEDGE_API_KEYS".into(), KEYS.into());
        map.insert("FLEXEDGE_DEADLINE_MS".into(), "5000".into());
        map.insert("FLEXEDGE_SIMULATOR".into(), "on".into());
        map.insert(
            "FLEXEDGE_TOKEN_SECRET".into(),
            flexedge::testkit::TOKEN_SECRET.into(),
        );
        let config = Config::from_lookup(|n| map.get(n).cloned(), creds::embedded_var);
        World {
            sim: Simulator::new(SimConfig {
                seed: 3,
                records_per_source: records,
                rate_limit_per_minute: 0,
                ..SimConfig::default()
            }),
            clock: FakeClock::new(NOW_MS),
            service: Service::new(config),
            store: MemoryStore::default(),
            logs: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Sends a request to the service (with the store), checking that no log line holds a
    /// key, a credential or `secret` (a marker the caller put in the body).
    pub fn send(&self, req: http::Request<Vec<u8>>) -> Answer {
        let client = SimClient::new(&self.sim, &self.clock, 1_000);
        let log = MemorySink::default();
        let limiter = flexedge::testkit::FakeLimiter::new();
        let ctx = Ctx {
            client: &client,
            clock: &self.clock,
            request_id: "0123456789abcdef",
            log: &log,
            limiter: &limiter,
        };
        let res = block_on(self.service.handle_with_store(req, &ctx, &self.store));
        for line in log.take() {
            for leak in ["test-key", "rna_", "sim-", "SECRET-MARKER"] {
                assert!(!line.contains(leak), "{leak} leaked into a log: {line}");
            }
            self.logs.borrow_mut().push(line);
        }
        let text = String::from_utf8_lossy(res.body()).into_owned();
        Answer {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    /// `POST path` with a JSON body, a key and an idempotency key.
    pub fn post(&self, path: &str, key: Option<&str>, idem: Option<&str>, body: &str) -> Answer {
        let mut b = http::Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/json");
        if let Some(k) = key {
            b = b.header("authorization", format!("Bearer {k}"));
        }
        if let Some(i) = idem {
            b = b.header("idempotency-key", i);
        }
        self.send(b.body(body.as_bytes().to_vec()).unwrap())
    }

    /// A write with the writing key.
    pub fn write(&self, path: &str, idem: &str, body: &Value) -> Answer {
        self.post(path, Some("test-key-writer"), Some(idem), &body.to_string())
    }

    /// `GET path` with the reading key (fresh, no conditional headers).
    pub fn get(&self, path: &str) -> Answer {
        let req = http::Request::builder()
            .method("GET")
            .uri(path)
            .header("authorization", "Bearer test-key-reader")
            .body(Vec::new())
            .unwrap();
        self.send(req)
    }

    /// Requests the vendor received at `METHOD path` so far.
    pub fn calls(&self, method_path: &str) -> u64 {
        self.sim.calls().get(method_path).copied().unwrap_or(0)
    }

    /// Every request to any write endpoint of the vendor so far.
    pub fn vendor_writes(&self) -> u64 {
        self.sim
            .calls()
            .iter()
            .filter(|(k, _)| k.starts_with("POST /entitlements-api/"))
            .map(|(_, n)| n)
            .sum()
    }
}

/// `POST` to the simulator as the vendor (its own path and token): status and body.
pub fn vendor_post(sim: &Simulator, path: &str, body: &str) -> (u16, Value) {
    let req = http::Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", FNO_BEARER)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap();
    let r = sim.handle(&req, NOW_MS).response;
    let v = serde_json::from_slice(r.body()).unwrap_or(Value::Null);
    (r.status().as_u16(), v)
}

/// Sets the member at a JSON Pointer, creating it in its (existing) parent object, or
/// replacing an array item.
pub fn set(v: &mut Value, pointer: &str, new: Value) {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let last = last.replace("~1", "/").replace("~0", "~");
    match v
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no parent for {pointer}"))
    {
        Value::Object(m) => {
            m.insert(last, new);
        }
        Value::Array(a) => a[last.parse::<usize>().unwrap()] = new,
        other => panic!("{pointer}: parent is {other}"),
    }
}

/// Removes the member at a JSON Pointer.
pub fn remove(v: &mut Value, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    if let Some(Value::Object(m)) = v.pointer_mut(parent) {
        m.remove(last);
    }
}
