//! The Cloudflare Worker entry: the only code that imports `worker`.
//!
//! It converts `worker` types to `http` types, reads configuration from the Worker's `Env`,
//! and calls the platform-free [`crate::service::Service`]. No decision is made here.

use worker::{event, Context, Env, Headers, Request, Response, Result};

use crate::service::{Config, Service};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let request_id = request_id();
    let config = Config::from_lookup(|name| lookup(&env, name));
    let service = Service::new(config);
    let http_req = to_http(req).await?;
    let res = service.handle(http_req, &request_id).await;
    from_http(res, &request_id)
}

/// A `[vars]` value or a secret, by name.
fn lookup(env: &Env, name: &str) -> Option<String> {
    if let Ok(v) = env.var(name) {
        return Some(v.to_string());
    }
    env.secret(name).ok().map(|s| s.to_string())
}

/// 16 random bytes as hex; falls back to a time-based id if the platform RNG fails.
fn request_id() -> String {
    let mut buf = [0u8; 8];
    if getrandom::fill(&mut buf).is_err() {
        let now = js_sys::Date::now() as u64;
        buf = now.to_le_bytes();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

async fn to_http(mut req: Request) -> Result<http::Request<Vec<u8>>> {
    let body = req.bytes().await.unwrap_or_default();
    let mut builder = http::Request::builder()
        .method(req.method().as_ref())
        .uri(req.url()?.as_str());
    for (name, value) in req.headers().entries() {
        builder = builder.header(name, value);
    }
    builder
        .body(body)
        .map_err(|e| worker::Error::RustError(format!("bad request: {e}")))
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
    Ok(Response::from_bytes(res.into_body())?
        .with_status(status)
        .with_headers(headers))
}
