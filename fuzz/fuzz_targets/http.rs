//! The HTTP surface: arbitrary bytes become a method, a path, a query string and headers;
//! the query string goes through `Params::parse` and the whole request through
//! `Service::handle` (the route dispatcher, auth, the rate limiter, the parameters'
//! checks, and for what gets through, the fan-out over a small in-process simulator).
//! Any answer is fine; a panic, a hang, a 500 other than a configuration problem, a body
//! that is not JSON, or a client key or upstream secret in an answer is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

use flexedge::service::log::MemorySink;
use flexedge::service::{Config, Ctx, Params, Service};
use flexedge::sim::{creds, SimConfig, Simulator};
use flexedge::testkit::{all_secrets, block_on, FakeClock, FakeLimiter, SimClient};

const KEY: &str = "fuzz-key-0123456789";
const METHODS: [&str; 8] = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "QUERY", "PATCH"];

struct World {
    sim: Simulator,
    clock: FakeClock,
    service: Service,
    limiter: FakeLimiter,
}

thread_local! {
    static WORLD: World = {
        let keys = format!(
            r#"[{{"key":"{KEY}","sources":["*"],"raw":true,"debug":true,"rateLimit":"high"}}]"#
        );
        let config = Config::from_lookup(
            |n| match n {
                "FLEXEDGE_API_KEYS" => Some(keys.clone()),
                "FLEXEDGE_SIMULATOR" => Some("on".to_owned()),
                "FLEXEDGE_CORS_ORIGINS" => Some("https://app.example".to_owned()),
                "FLEXEDGE_MAX_CALLS" => Some("3".to_owned()),
                _ => None,
            },
            creds::embedded_var,
        );
        World {
            sim: Simulator::new(SimConfig {
                seed: 3,
                records_per_source: 30,
                rate_limit_per_minute: 0,
                ..SimConfig::default()
            }),
            clock: FakeClock::new(1_777_593_600_000),
            service: Service::new(config),
            limiter: FakeLimiter::new(),
        }
    };
}

fuzz_target!(|data: &[u8]| {
    // [flags] [method] path \n query \n header lines…
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Some((&m, rest)) = rest.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let path = lines.next().unwrap_or("");
    let query = lines.next().unwrap_or("");
    // The parameters alone: never a panic, whatever the bytes.
    let _ = Params::parse(query);

    let method = METHODS[usize::from(m) % METHODS.len()];
    let uri = if query.is_empty() {
        format!("/{path}")
    } else {
        format!("/{path}?{query}")
    };
    let mut b = http::Request::builder().method(method).uri(uri.as_str());
    if flags & 1 == 1 {
        b = b.header("authorization", format!("Bearer {KEY}"));
    }
    for line in lines.take(16) {
        if let Some((k, v)) = line.split_once(':') {
            if let (Ok(k), Ok(v)) = (
                http::HeaderName::from_bytes(k.trim().as_bytes()),
                http::HeaderValue::from_str(v.trim()),
            ) {
                b = b.header(k, v);
            }
        }
    }
    // What the edge cannot receive (a URI http does not parse) is not a request.
    let Ok(req) = b.body(Vec::new()) else {
        return;
    };
    WORLD.with(|w| {
        if flags & 2 == 2 {
            w.limiter.next_window();
        }
        let client = SimClient::new(&w.sim, &w.clock, 1_000);
        let log = MemorySink::default();
        let ctx = Ctx {
            client: &client,
            clock: &w.clock,
            request_id: "0123456789abcdef",
            log: &log,
            limiter: &w.limiter,
        };
        let res = block_on(w.service.handle(req, &ctx));
        let status = res.status().as_u16();
        let body = res.body();
        if !body.is_empty() {
            let v: serde_json::Value =
                serde_json::from_slice(body).expect("every answer body is JSON");
            if status == 500 {
                assert_eq!(v["code"], "config.invalid", "an unexpected 500: {v}");
            }
        }
        let shown = String::from_utf8_lossy(body);
        assert!(!shown.contains(KEY), "the client key in an answer");
        for s in all_secrets() {
            assert!(!shown.contains(s), "a secret in an answer");
        }
        for line in log.take() {
            assert!(!line.contains(KEY), "the client key in a log line");
        }
    });
});
