//! Benchmark support (never in the `worker` or `browser` builds): the gateway's own work
//! per request, measured without the network.
//!
//! [`BenchWorld`] holds a [`Service`] whose four sources point at the embedded simulator,
//! and a [`Tape`] client that asks the simulator once per distinct upstream request and
//! replays the recorded answer afterwards. So a timed request costs exactly what the Worker
//! does for one unified query (plan, build the upstream requests, parse the vendor pages,
//! normalize, re-apply the filter, merge, serialize the envelope) plus a copy of each
//! upstream body, and nothing of the simulator. The same code runs natively
//! (`benches/gateway.rs`) and as wasm under Node (`testkit::wasm`, `tests/bench/wasm-cpu.mjs`).
//!
//! Imports no `worker`; on wasm32 only `wasm-bindgen`, for the one exported class.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;

use futures_util::FutureExt;

use super::FakeClock;
use crate::service::log::MemorySink;
use crate::service::{Config, Ctx, Service};
use crate::sim::{creds, SimConfig, Simulator};
use crate::upstream::{HttpClient, TransportError};

/// The client key every benchmark request sends.
pub const BENCH_KEY: &str = "flexedge-bench-key";

/// A fixed instant (2026-01-01T00:00:00Z) for the fake clock.
const NOW_MS: i64 = 1_767_225_600_000;

/// One recorded upstream answer.
struct Recorded {
    status: http::StatusCode,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// What identifies a recorded request: method, URI, body, `authorization`.
type TapeKey = (String, String, Vec<u8>, Vec<u8>);

/// An [`HttpClient`] that records the simulator's answer to each distinct request (method,
/// URI, body, `authorization`) and replays it on later identical requests.
pub struct Tape<'a> {
    sim: &'a Simulator,
    now_ms: i64,
    recorded: RefCell<HashMap<TapeKey, Recorded>>,
    misses: RefCell<u64>,
}

impl<'a> Tape<'a> {
    /// An empty tape over `sim`, answering at the instant `now_ms`.
    pub fn new(sim: &'a Simulator, now_ms: i64) -> Self {
        Tape {
            sim,
            now_ms,
            recorded: RefCell::new(HashMap::new()),
            misses: RefCell::new(0),
        }
    }

    /// How many requests went to the simulator (not replayed).
    pub fn misses(&self) -> u64 {
        *self.misses.borrow()
    }

    /// The distinct upstream requests recorded so far (`METHOD uri`, no headers), sorted.
    pub fn requests(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .recorded
            .borrow()
            .keys()
            .map(|(m, u, _, _)| format!("{m} {u}"))
            .collect();
        out.sort();
        out
    }

    /// Every recorded answer as a JSON array of `{"method", "uri", "status", "body"}`
    /// (the body as text), sorted by method and URI; token requests included.
    pub fn recorded_json(&self) -> String {
        let recorded = self.recorded.borrow();
        let mut rows: Vec<(&TapeKey, &Recorded)> = recorded.iter().collect();
        rows.sort_by(|a, b| (&a.0 .0, &a.0 .1).cmp(&(&b.0 .0, &b.0 .1)));
        let rows: Vec<serde_json::Value> = rows
            .into_iter()
            .map(|((method, uri, _, _), r)| {
                serde_json::json!({
                    "method": method,
                    "uri": uri,
                    "status": r.status.as_u16(),
                    "body": String::from_utf8_lossy(&r.body),
                })
            })
            .collect();
        serde_json::Value::Array(rows).to_string()
    }
}

impl HttpClient for Tape<'_> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let auth = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        let key = (
            req.method().as_str().to_owned(),
            req.uri().to_string(),
            req.body().clone(),
            auth,
        );
        let mut recorded = self.recorded.borrow_mut();
        let hit = recorded.entry(key).or_insert_with(|| {
            *self.misses.borrow_mut() += 1;
            let res = self.sim.handle(&req, self.now_ms).response;
            let (parts, body) = res.into_parts();
            Recorded {
                status: parts.status,
                headers: parts.headers,
                body,
            }
        });
        let mut res = http::Response::new(hit.body.clone());
        *res.status_mut() = hit.status;
        *res.headers_mut() = hit.headers.clone();
        Ok(res)
    }
}

/// A service over the embedded simulator (every source simulated, no edge cache), with
/// `records` records per source.
pub struct BenchWorld {
    sim: Simulator,
    clock: FakeClock,
    service: Service,
}

impl BenchWorld {
    /// A world with `records` records per source (seed 1, no rate limit, no faults).
    pub fn new(records: usize) -> Self {
        let keys = format!(r#"[{{"key":"{BENCH_KEY}","sources":["*"],"raw":true}}]"#);
        let config = Config::from_lookup(
            |n| match n {
                "FLEXEDGE_API_KEYS" => Some(keys.clone()),
                "FLEXEDGE_CACHE_TTL" => Some("0".to_owned()),
                "FLEXEDGE_TOKEN_SECRET" => Some(super::TOKEN_SECRET.to_owned()),
                "FLEXEDGE_SIMULATOR" => Some("on".to_owned()),
                _ => None,
            },
            creds::embedded_var,
        );
        BenchWorld {
            sim: Simulator::new(SimConfig {
                seed: 1,
                records_per_source: records,
                rate_limit_per_minute: 0,
                ..SimConfig::default()
            }),
            clock: FakeClock::new(NOW_MS),
            service: Service::new(config),
        }
    }

    /// A replaying client over this world's simulator; keep one per benchmark run so the
    /// upstream answers are recorded once.
    pub fn tape(&self) -> Tape<'_> {
        Tape::new(&self.sim, NOW_MS)
    }

    /// Answers `GET path_and_query` with the benchmark key through `client`: the status and
    /// the body length. `None` if the handler did not finish in one poll (it cannot wait on
    /// anything here).
    pub fn get<C: HttpClient>(&self, client: &C, path_and_query: &str) -> Option<(u16, usize)> {
        self.get_body(client, path_and_query)
            .map(|(status, body)| (status, body.len()))
    }

    /// [`BenchWorld::get`], with the body.
    pub fn get_body<C: HttpClient>(
        &self,
        client: &C,
        path_and_query: &str,
    ) -> Option<(u16, Vec<u8>)> {
        let req = http::Request::builder()
            .method("GET")
            .uri(format!("http://bench.flexedge.internal{path_and_query}"))
            .header("authorization", format!("Bearer {BENCH_KEY}"))
            .body(Vec::new())
            .ok()?;
        let log = MemorySink::default();
        let ctx = Ctx {
            client,
            clock: &self.clock,
            request_id: "0000000000000000",
            log: &log,
            limiter: &crate::service::Unlimited,
        };
        let res = now(self.service.handle(req, &ctx))?;
        Some((res.status().as_u16(), res.into_body()))
    }
}

/// Polls a future once: everything here answers synchronously.
fn now<F: Future>(f: F) -> Option<F::Output> {
    f.now_or_never()
}
