//! The platform's side of the upstream seam: an [`HttpClient`] over Fetch (the whole
//! exchange, body included, raced against `Delay`, and aborted when it loses; the body read
//! with one `arrayBuffer()`: read as a stream of chunks, each crossing into wasm, the
//! four-source query took 7 ms more at p50 under workerd), the Cache API for upstream
//! answers (written under `waitUntil`: a miss does not wait for the write), and the
//! embedded simulator for simulated sources; and a [`Clock`] over `Date.now()` and `Delay`.

use std::rc::Rc;
use std::time::Duration;

use futures_util::future::{select, Either};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{web_sys, Cache, Context, Delay, Headers, Response};

use crate::service::gateway::CACHE_HEADER;
use crate::service::Config;
use crate::sim::creds::EMBEDDED_BASE_URL;
use crate::sim::Simulator;
use crate::upstream::{Clock, HttpClient, TransportError};

/// Wall-clock time from the JavaScript runtime.
pub struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }

    async fn sleep_ms(&self, ms: u64) {
        Delay::from(Duration::from_millis(ms)).await;
    }
}

/// Fetch, the Cache API and the embedded simulator behind one [`HttpClient`].
pub struct EdgeClient {
    sim: Option<Rc<Simulator>>,
    timeout_ms: u64,
    cache_ttl_s: u32,
    no_cache: bool,
    /// The request's context: cache writes finish under `waitUntil`, after the answer.
    ctx: Context,
}

impl EdgeClient {
    /// A client for one request (`no_cache`: the client sent `Cache-Control: no-cache`).
    pub fn new(sim: Option<Rc<Simulator>>, config: &Config, no_cache: bool, ctx: Context) -> Self {
        EdgeClient {
            sim,
            timeout_ms: u64::try_from(config.limits.deadline_ms).unwrap_or(8_000),
            cache_ttl_s: config.cache_ttl_s,
            no_cache,
            ctx,
        }
    }

    async fn simulated(
        &self,
        sim: &Simulator,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        match sim.answer_within(&req, js_sys::Date::now() as i64, self.timeout_ms) {
            Ok((response, delay)) => {
                if delay > 0 {
                    WorkerClock.sleep_ms(delay).await;
                }
                Ok(response)
            }
            Err(_) => {
                WorkerClock.sleep_ms(self.timeout_ms).await;
                Err(TransportError::Timeout)
            }
        }
    }

    async fn fetch(
        &self,
        req: &http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let connect = |e: JsValue| TransportError::Connect(js_error(&e));
        let headers = web_sys::Headers::new().map_err(connect)?;
        for (k, v) in req.headers() {
            if let Ok(v) = v.to_str() {
                headers.append(k.as_str(), v).map_err(connect)?;
            }
        }
        let controller = web_sys::AbortController::new().map_err(connect)?;
        let init = web_sys::RequestInit::new();
        init.set_method(req.method().as_str());
        init.set_headers(&headers);
        init.set_signal(Some(&controller.signal()));
        if !req.body().is_empty() {
            init.set_body(&js_sys::Uint8Array::from(req.body().as_slice()));
        }
        let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let send = Box::pin(async {
            let res: web_sys::Response =
                JsFuture::from(global.fetch_with_str_and_init(&req.uri().to_string(), &init))
                    .await?
                    .dyn_into()?;
            read(res).await
        });
        let timer = Box::pin(Delay::from(Duration::from_millis(self.timeout_ms)));
        let answer = match select(send, timer).await {
            Either::Left((Ok(res), _)) => Ok(res),
            Either::Left((Err(e), _)) => Err(connect(e)),
            Either::Right(_) => {
                controller.abort();
                Err(TransportError::Timeout)
            }
        };
        answer
    }

    /// The cache key: method, URL, body and credentials, hashed (the key never holds a
    /// secret in clear). Different credentials never share an entry.
    fn cache_key(req: &http::Request<Vec<u8>>) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(req.method().as_str().as_bytes());
        h.update(req.uri().to_string().as_bytes());
        h.update(req.body());
        for name in ["authorization", "x-api-key"] {
            if let Some(v) = req.headers().get(name) {
                h.update(v.as_bytes());
            }
        }
        format!(
            "https://upstream-cache.flexedge.internal/{:032x}",
            h.digest128()
        )
    }
}

impl HttpClient for EdgeClient {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let is_token_call = req.uri().path().ends_with("/token.oauth2")
            || req.uri().path().ends_with("/auth/login");
        // The key (a hash over the request body) and the Cache object only when the
        // answer may be cached.
        let cache = (self.cache_ttl_s > 0 && !is_token_call)
            .then(|| (Self::cache_key(&req), Cache::default()));
        if let Some((key, cache)) = cache.as_ref().filter(|_| !self.no_cache) {
            if let Ok(Some(hit)) = cache.get(key.as_str(), true).await {
                if let Ok(mut res) = read(hit.into()).await {
                    res.headers_mut()
                        .insert(CACHE_HEADER, http::HeaderValue::from_static("hit"));
                    return Ok(res);
                }
            }
        }
        let res = match (
            &self.sim,
            req.uri().to_string().starts_with(EMBEDDED_BASE_URL),
        ) {
            (Some(sim), true) => self.simulated(sim, req).await?,
            _ => self.fetch(&req).await?,
        };
        if let Some((key, cache)) = cache.filter(|_| res.status().is_success()) {
            if let Ok(stored) = from_http_for_cache(&res, self.cache_ttl_s) {
                // Written in the background: the answer does not wait for the cache (a
                // failed write only means a later miss).
                self.ctx.wait_until(async move {
                    let _ = cache.put(key.as_str(), stored).await;
                });
            }
        }
        Ok(res)
    }
}

fn from_http_for_cache(res: &http::Response<Vec<u8>>, ttl_s: u32) -> worker::Result<Response> {
    let headers = Headers::new();
    if let Some(ct) = res
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        headers.set("content-type", ct)?;
    }
    headers.set("cache-control", &format!("public, max-age={ttl_s}"))?;
    Ok(Response::from_bytes(res.body().clone())?
        .with_status(res.status().as_u16())
        .with_headers(headers))
}

/// A Fetch or Cache answer as an `http` response, its body read with one `arrayBuffer()`
/// (not a stream of chunks, each crossing into wasm).
async fn read(res: web_sys::Response) -> Result<http::Response<Vec<u8>>, JsValue> {
    let buf = JsFuture::from(res.array_buffer()?).await?;
    let mut out = http::Response::new(js_sys::Uint8Array::new(&buf).to_vec());
    *out.status_mut() =
        http::StatusCode::from_u16(res.status()).unwrap_or(http::StatusCode::BAD_GATEWAY);
    if let Ok(Some(entries)) = js_sys::try_iter(&res.headers()) {
        for pair in entries.flatten() {
            let pair: js_sys::Array = pair.unchecked_into();
            let (k, v) = (pair.get(0).as_string(), pair.get(1).as_string());
            if let (Some(k), Some(v)) = (k, v) {
                if let (Ok(k), Ok(v)) = (
                    http::HeaderName::from_bytes(k.as_bytes()),
                    http::HeaderValue::from_str(&v),
                ) {
                    out.headers_mut().append(k, v);
                }
            }
        }
    }
    Ok(out)
}

/// A thrown JavaScript value's message.
fn js_error(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".to_owned())
}
