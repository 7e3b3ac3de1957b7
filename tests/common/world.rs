//! The whole service in process: `Service::handle` over the simulator of all four vendors,
//! through the in-process HTTP client on a fake clock (`tests/gateway.rs`,
//! `tests/odata.rs`, `tests/safety.rs`).

use std::collections::HashMap;

use super::{block_on, NOW_MS};
use flexedge::service::log::MemorySink;
use flexedge::service::{Config, Ctx, Service};
use flexedge::sim::{creds, SimConfig, Simulator};
use flexedge::testkit::{FakeClock, FakeLimiter, SimClient};
use flexedge::upstream::HttpClient;
use serde_json::Value;

pub const KEYS: &str = r#"[
    {"key": "test-key-all", "sources": ["*"], "raw": true, "debug": true},
    {"key": "test-key-hpe", "sources": ["hpe_flex"]},
    {"key": "test-key-fno", "sources": ["fno_orders", "fno_entitlements"], "raw": true}
]"#;

pub struct World {
    pub sim: Simulator,
    pub clock: FakeClock,
    pub service: Service,
    pub limiter: FakeLimiter,
    /// The key of [`World::get`].
    pub key: &'static str,
}

/// A world of `records` generated records per source (simulator seed `seed`), configured
/// by `vars` over the defaults (the test keys, the simulator switched on, the tests'
/// token secret); a blank value leaves a setting unset.
pub fn world_seeded(vars: &[(&str, &str)], records: usize, seed: u64) -> World {
    let mut map: HashMap<String, String> = [
        ("FLEXEDGE_API_KEYS", KEYS),
        ("FLEXEDGE_SIMULATOR", "on"),
        ("FLEXEDGE_TOKEN_SECRET", flexedge::testkit::TOKEN_SECRET),
    ]
    .iter()
    .chain(vars)
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    map.retain(|_, v| !v.is_empty());
    let config = Config::from_lookup(|n| map.get(n).cloned(), creds::embedded_var);
    World {
        sim: Simulator::new(SimConfig {
            seed,
            records_per_source: records,
            rate_limit_per_minute: 0,
            ..SimConfig::default()
        }),
        clock: FakeClock::new(NOW_MS),
        service: Service::new(config),
        limiter: FakeLimiter::new(),
        key: "test-key-all",
    }
}

pub fn world_with(vars: &[(&str, &str)], records: usize) -> World {
    world_seeded(vars, records, 7)
}

pub fn world() -> World {
    world_with(&[], 120)
}

pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
    pub text: String,
}

impl Answer {
    /// A response header as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The report of source `s` in a list answer.
    pub fn source(&self, s: &str) -> &Value {
        &self.body["sources"][s]
    }
}

impl World {
    /// A request to `uri`, with `key` as its bearer token.
    pub fn request(&self, method: &str, uri: &str, key: Option<&str>) -> http::request::Builder {
        let mut b = http::Request::builder().method(method).uri(uri);
        if let Some(k) = key {
            b = b.header("authorization", format!("Bearer {k}"));
        }
        b
    }

    /// Answers `req` with upstream requests through `client`; no client key or simulated
    /// credential may reach a log line.
    pub fn send_via<C: HttpClient>(&self, client: &C, req: http::Request<Vec<u8>>) -> Answer {
        let log = MemorySink::default();
        let ctx = Ctx {
            client,
            clock: &self.clock,
            request_id: "0123456789abcdef",
            log: &log,
            limiter: &self.limiter,
        };
        let res = block_on(self.service.handle(req, &ctx));
        for line in log.take() {
            for fragment in ["test-key", "safety-", "sim-"] {
                assert!(
                    !line.contains(fragment),
                    "a client key or credential leaked into a log: {line}"
                );
            }
        }
        let bytes = res.body().clone();
        Answer {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    /// A `GET` of `uri` with `key`, its upstream requests through `client`.
    pub fn get_via<C: HttpClient>(&self, client: &C, uri: &str, key: Option<&str>) -> Answer {
        self.send_via(
            client,
            self.request("GET", uri, key).body(Vec::new()).unwrap(),
        )
    }

    pub fn get_with(&self, uri: &str, key: Option<&str>, extra: &[(&str, &str)]) -> Answer {
        let mut b = self.request("GET", uri, key);
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let req = b.body(Vec::new()).unwrap();
        // The fake clock is shared and the futures run one after another, so time spent by
        // one source's timeouts is seen by the others: keep timeouts well below the deadline.
        self.send_via(&SimClient::new(&self.sim, &self.clock, 1_000), req)
    }

    pub fn get_as(&self, uri: &str, key: Option<&str>) -> Answer {
        self.get_with(uri, key, &[])
    }

    pub fn get(&self, uri: &str) -> Answer {
        self.get_as(uri, Some(self.key))
    }
}
