//! The whole service in process: `Service::handle` over the simulator of all four vendors,
//! through the in-process HTTP client on a fake clock (`tests/gateway.rs`,
//! `tests/odata.rs`).

use std::collections::HashMap;

use super::{block_on, NOW_MS};
use flexedge::service::log::MemorySink;
use flexedge::service::{Config, Ctx, Service};
use flexedge::sim::{creds, SimConfig, Simulator};
use flexedge::testkit::{FakeClock, SimClient};
use serde_json::Value;

pub const KEYS: &str = r#"[
    {"key": "test-key-all", "sources": ["*"], "raw": true},
    {"key": "test-key-hpe", "sources": ["hpe_flex"]},
    {"key": "test-key-fno", "sources": ["fno_orders", "fno_entitlements"], "raw": true}
]"#;

pub struct World {
    pub sim: Simulator,
    pub clock: FakeClock,
    pub service: Service,
}

pub fn world_with(vars: &[(&str, &str)], records: usize) -> World {
    let mut map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    map.insert("FLEXEDGE_API_KEYS".into(), KEYS.into());
    let config = Config::from_lookup(|n| map.get(n).cloned(), creds::embedded_var);
    World {
        sim: Simulator::new(SimConfig {
            seed: 7,
            records_per_source: records,
            rate_limit_per_minute: 0,
            ..SimConfig::default()
        }),
        clock: FakeClock::new(NOW_MS),
        service: Service::new(config),
    }
}

pub fn world() -> World {
    world_with(&[], 120)
}

pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl World {
    pub fn get_with(&self, uri: &str, key: Option<&str>, extra: &[(&str, &str)]) -> Answer {
        let mut b = http::Request::builder().method("GET").uri(uri);
        if let Some(k) = key {
            b = b.header("authorization", format!("Bearer {k}"));
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let req = b.body(Vec::new()).unwrap();
        // The fake clock is shared and the futures run one after another, so time spent by
        // one source's timeouts is seen by the others: keep timeouts well below the deadline.
        let client = SimClient::new(&self.sim, &self.clock, 1_000);
        let log = MemorySink::default();
        let ctx = Ctx {
            client: &client,
            clock: &self.clock,
            request_id: "0123456789abcdef",
            log: &log,
        };
        let res = block_on(self.service.handle(req, &ctx));
        for line in log.take() {
            assert!(
                !line.contains("test-key"),
                "a client key leaked into a log: {line}"
            );
            assert!(
                !line.contains("sim-"),
                "a credential leaked into a log: {line}"
            );
        }
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = if res.body().is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(res.body()).unwrap_or(Value::Null)
        };
        Answer {
            status,
            headers,
            body,
            bytes: res.body().clone(),
        }
    }

    pub fn get(&self, uri: &str) -> Answer {
        self.get_with(uri, Some("test-key-all"), &[])
    }
}
