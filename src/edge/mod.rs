//! The Cloudflare Worker entry: the only code that imports `worker`.
//!
//! It converts `worker` types to `http` types, reads configuration from the Worker's `Env`,
//! provides the platform's HTTP client (Fetch, the Cache API, and the embedded simulator
//! for simulated sources), clock and idempotency store (a Durable Object, `store`), and
//! calls the platform-free [`crate::service::Service`].
//! No decision about a request is made here.

mod client;
mod limiter;
mod store;

use std::cell::RefCell;
use std::rc::Rc;

use worker::{console_log, event, Context, Env, Headers, Request, Response, Result};

use crate::service::log::MemorySink;
use crate::service::{writes, Config, Ctx, Service};
use crate::sim::{creds, SimConfig, Simulator};

use client::{EdgeClient, WorkerClock};
use limiter::EdgeLimiter;
use store::DurableStore;

thread_local! {
    /// The service (and its upstream token caches) lives as long as the isolate.
    static SERVICE: RefCell<Option<Rc<Service>>> = const { RefCell::new(None) };
    /// The embedded simulator, built on first use by a simulated source.
    static SIM: RefCell<Option<Rc<Simulator>>> = const { RefCell::new(None) };
}

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let request_id = request_id();
    let service = service(&env);
    let sim = service
        .config()
        .uses_simulator()
        .then(|| simulator(service.config()));
    let clock = WorkerClock;
    let client = EdgeClient::new(sim, service.config(), ctx);
    let limiter = EdgeLimiter::new(&env);
    let log = MemorySink::default();
    let ctx = Ctx {
        client: &client,
        clock: &clock,
        request_id: &request_id,
        log: &log,
        limiter: &limiter,
    };
    let store = DurableStore::from_env(&env);
    let res = service
        .handle_with_store(to_http(req).await?, &ctx, &store)
        .await;
    for line in log.take() {
        console_log!("{line}");
    }
    from_http(res, &request_id)
}

fn service(env: &Env) -> Rc<Service> {
    SERVICE.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                // Sources without a base URL run on the embedded simulator, wired here.
                let config = Config::from_lookup(|n| lookup(env, n), creds::embedded_var);
                Rc::new(Service::new(config))
            })
            .clone()
    })
}

fn simulator(config: &Config) -> Rc<Simulator> {
    SIM.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                Rc::new(Simulator::new(SimConfig {
                    seed: config.sim_seed,
                    records_per_source: config.sim_records,
                    ..SimConfig::default()
                }))
            })
            .clone()
    })
}

/// A `[vars]` value or a secret, by name.
fn lookup(env: &Env, name: &str) -> Option<String> {
    if let Ok(v) = env.var(name) {
        return Some(v.to_string());
    }
    env.secret(name).ok().map(|s| s.to_string())
}

/// 8 random bytes as hex; falls back to the time if the platform RNG fails.
fn request_id() -> String {
    let mut buf = [0u8; 8];
    if getrandom::fill(&mut buf).is_err() {
        buf = (js_sys::Date::now() as u64).to_le_bytes();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The request as the service sees it: method, URL and headers, and a body only for a
/// `POST` to a write route that declares (`Content-Length`) at most
/// [`writes::MAX_BODY_BYTES`]: no other route takes one (the service refuses a declared
/// body over its cap with 413 and answers any other method with 405), so a 100 MB upload
/// costs nothing here. A write sent without a declared length (`Transfer-Encoding:
/// chunked`) is read up to one byte past the cap, so an endless one is refused with 413
/// after at most that much.
async fn to_http(mut req: Request) -> Result<http::Request<Vec<u8>>> {
    // The method as sent (`worker::Method` reads any method it does not know, `QUERY`
    // say, as GET; the service must see it to answer 405).
    let method = req.inner().method();
    let url = req.url()?;
    let mut builder = http::Request::builder()
        .method(method.as_str())
        .uri(url.as_str());
    for (name, value) in req.headers().entries() {
        builder = builder.header(name, value);
    }
    let segments: Vec<&str> = url
        .path()
        .trim_end_matches('/')
        .split('/')
        .skip(1)
        .collect();
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let cap = writes::MAX_BODY_BYTES as u64;
    let body = if method != "POST" || writes::route(&segments).is_none() {
        Vec::new()
    } else {
        match declared {
            Some(n) if n <= cap => req.bytes().await.unwrap_or_default(),
            Some(_) => Vec::new(),
            None => read_capped(&mut req, writes::MAX_BODY_BYTES).await,
        }
    };
    builder
        .body(body)
        .map_err(|e| worker::Error::RustError(format!("bad request: {e}")))
}

/// The body of a request that declares no length, read chunk by chunk and no further than
/// `cap + 1` bytes (enough for the service to see it is over the cap). A stream that fails
/// reads as what arrived before the failure.
async fn read_capped(req: &mut Request, cap: usize) -> Vec<u8> {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    let Ok(mut stream) = req.stream() else {
        return body;
    };
    while body.len() <= cap {
        match stream.next().await {
            Some(Ok(chunk)) => {
                let room = cap + 1 - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            _ => break,
        }
    }
    body
}

fn from_http(res: http::Response<Vec<u8>>, request_id: &str) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in res.headers() {
        if let Ok(v) = value.to_str() {
            headers.append(name.as_str(), v)?;
        }
    }
    headers.set("x-request-id", request_id)?;
    let status = res.status().as_u16();
    let body = res.into_body();
    let res = if body.is_empty() {
        Response::empty()?
    } else {
        Response::from_bytes(body)?
    };
    Ok(res.with_status(status).with_headers(headers))
}
