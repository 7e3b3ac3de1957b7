//! The gateway in process for the paging tests (tests/paging.rs): `Service::handle` over the simulator of
//! all four vendors through the in-process client, on a fake clock.

use std::collections::HashMap;

use flexedge::service::log::MemorySink;
use flexedge::service::{Config, Ctx, Service};
use flexedge::sim::{creds, SimConfig, Simulator};
use flexedge::testkit::{self, FakeClock, SimClient};
use flexedge::upstream::HttpClient;
use serde_json::Value;

use super::{block_on, NOW_MS};

/// The client keys of these tests.
pub const KEYS: &str = r#"[
    {"key": "paging-key-all", "sources": ["*"], "raw": true, "debug": true},
    {"key": "paging-key-two", "sources": ["*"]},
    {"key": "paging-key-hpe", "sources": ["hpe_flex"]}
]"#;

/// The key that sees everything.
pub const KEY: &str = "paging-key-all";

/// A service, its simulator and its clock.
pub struct World {
    /// The simulated vendors.
    pub sim: Simulator,
    /// Fake time.
    pub clock: FakeClock,
    /// The gateway.
    pub service: Service,
    /// The simulated client's own timeout.
    pub timeout_ms: u64,
}

/// One answer.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body as JSON (`Null` when empty).
    pub body: Value,
    /// The upstream requests it made (`METHOD path?query`).
    pub log: Vec<String>,
}

impl World {
    /// A world of `records` records per source with these configuration variables
    /// (the keys, the token secret and the simulator switch are set unless given; the
    /// circuit breaker is off unless given).
    pub fn new(records: usize, vars: &[(&str, &str)]) -> World {
        let mut map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        map.entry("FLEXEDGE_API_KEYS".into())
            .or_insert_with(|| KEYS.into());
        map.entry("FLEXEDGE_TOKEN_SECRET".into())
            .or_insert_with(|| testkit::TOKEN_SECRET.into());
        map.entry("FLEXEDGE_SIMULATOR".into())
            .or_insert_with(|| "on".into());
        // The walks fail pages on purpose; the circuit breaker is tested elsewhere.
        map.entry("FLEXEDGE_BREAKER_FAILURES".into())
            .or_insert_with(|| "0".into());
        let config = Config::from_lookup(|n| map.get(n).cloned(), creds::embedded_var);
        World {
            sim: Simulator::new(SimConfig {
                seed: 5,
                records_per_source: records,
                rate_limit_per_minute: 0,
                ..SimConfig::default()
            }),
            clock: FakeClock::new(NOW_MS),
            service: Service::new(config),
            timeout_ms: 1_000,
        }
    }

    /// Fake milliseconds since the world was made.
    pub fn clock_elapsed(&self) -> i64 {
        use flexedge::upstream::Clock;
        self.clock.now_ms() - NOW_MS
    }

    /// The in-process client over this world's simulator.
    pub fn client(&self) -> SimClient<'_> {
        SimClient::new(&self.sim, &self.clock, self.timeout_ms)
    }

    /// `GET uri` with `key`.
    pub fn get_as(&self, uri: &str, key: &str) -> Answer {
        let client = self.client();
        let mut a = self.get_via(&client, uri, key);
        a.log = client.log();
        a
    }

    /// `GET uri` with `key` through `client`.
    pub fn get_via<C: HttpClient>(&self, client: &C, uri: &str, key: &str) -> Answer {
        let req = http::Request::builder()
            .method("GET")
            .uri(uri)
            .header("authorization", format!("Bearer {key}"))
            .body(Vec::new())
            .unwrap();
        let log = MemorySink::default();
        // A fresh rate-limit window for every request: the walks make thousands.
        let limiter = testkit::FakeLimiter::new();
        let ctx = Ctx {
            client,
            clock: &self.clock,
            request_id: "00000000000000aa",
            log: &log,
            limiter: &limiter,
        };
        let res = block_on(self.service.handle(req, &ctx));
        for line in log.take() {
            assert!(!line.contains("paging-key"), "a key in a log: {line}");
        }
        let body = if res.body().is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(res.body()).unwrap()
        };
        Answer {
            status: res.status().as_u16(),
            body,
            log: Vec::new(),
        }
    }

    /// `GET uri` with the key that sees everything.
    pub fn get(&self, uri: &str) -> Answer {
        self.get_as(uri, KEY)
    }
}

impl Answer {
    /// The ids of the page's items.
    pub fn ids(&self) -> Vec<String> {
        self.items()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The page's items.
    pub fn items(&self) -> &[Value] {
        self.body["items"].as_array().map_or(&[], Vec::as_slice)
    }

    /// The continuation token, if any.
    pub fn next(&self) -> Option<String> {
        self.body["next"].as_str().map(str::to_owned)
    }

    /// The upstream calls the page made (the envelope's `budget.used`).
    pub fn calls(&self) -> u64 {
        self.body["budget"]["used"].as_u64().unwrap()
    }
}

/// `s` percent-encoded for a query string.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `path` with `next=token` appended (the path already has a query).
pub fn with_next(path: &str, token: &str) -> String {
    format!("{path}&next={token}")
}
