//! The platform's side of the upstream seam: an [`HttpClient`] over Fetch (the whole
//! exchange, body included, raced against `Delay`, and aborted when it loses; the body read
//! with one `arrayBuffer()`: read as a stream of chunks, each crossing into wasm, the
//! four-source query took 7 ms more at p50 under workerd), the Cache API for upstream
//! answers (written under `waitUntil`: a miss does not wait for the write), and the
//! embedded simulator for simulated sources; and a [`Clock`] over `Date.now()` and `Delay`.
//!
//! Writes and the cache: a request marked `cache-control: no-store` is never looked up or
//! stored, and one that is not a GET is a write (the upstream layer marks them). Every
//! cache key mixes in a generation, kept as an entry of the same Cache API (so it is
//! exactly as local as the answers it guards, and every isolate of the data center reads
//! the same one); a write that may have changed the upstream (any answer but a 4xx, or no
//! answer) sets a new generation before the client hears back, so no answer cached
//! before it is served after it. A missing generation entry (evicted) is replaced by a new
//! one: eviction costs misses, never stale answers.

use std::cell::RefCell;
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
    /// The cache generation, read at most once per request (and set by a write).
    generation: RefCell<Option<String>>,
}

/// The Cache API entry holding the generation of the upstream cache.
const GENERATION_KEY: &str = "https://upstream-cache.flexedge.internal/generation";

/// 16 random hex digits (a new generation), or the time if the platform RNG fails.
fn random_hex() -> String {
    let mut buf = [0u8; 8];
    if getrandom::fill(&mut buf).is_err() {
        buf = (js_sys::Date::now() as u64).to_le_bytes();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
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
            generation: RefCell::new(None),
        }
    }

    /// The current generation of the upstream cache: the one this request already read or
    /// set, else the stored one, else a new one (stored).
    async fn generation(&self, cache: &Cache) -> String {
        if let Some(g) = self.generation.borrow().clone() {
            return g;
        }
        let stored = match cache.get(GENERATION_KEY, true).await {
            Ok(Some(mut hit)) => hit.text().await.ok().filter(|g| !g.is_empty()),
            _ => None,
        };
        let g = match stored {
            Some(g) => g,
            None => self.store_generation(cache).await,
        };
        *self.generation.borrow_mut() = Some(g.clone());
        g
    }

    /// Sets a new generation (awaited: the next request must see it).
    async fn store_generation(&self, cache: &Cache) -> String {
        let g = random_hex();
        let headers = Headers::new();
        let _ = headers.set("cache-control", "public, max-age=31536000");
        if let Ok(res) = Response::ok(g.as_str()) {
            let _ = cache.put(GENERATION_KEY, res.with_headers(headers)).await;
        }
        *self.generation.borrow_mut() = Some(g.clone());
        g
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

    /// The cache key: generation, method, URL, body and credentials, hashed (the key never
    /// holds a secret in clear). Different credentials never share an entry.
    fn cache_key(req: &http::Request<Vec<u8>>, generation: &str) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(generation.as_bytes());
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
        let no_store = req
            .headers()
            .get(http::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"));
        let is_write = no_store && req.method() != http::Method::GET;
        // The key (a hash over the request body) and the Cache object only when the
        // answer may be cached.
        let cache = if self.cache_ttl_s > 0 && !is_token_call && !no_store {
            let cache = Cache::default();
            let generation = self.generation(&cache).await;
            Some((Self::cache_key(&req, &generation), cache))
        } else {
            None
        };
        if let Some((key, cache)) = cache.as_ref().filter(|_| !self.no_cache) {
            if let Ok(Some(hit)) = cache.get(key.as_str(), true).await {
                if let Ok(mut res) = read(hit.into()).await {
                    res.headers_mut()
                        .insert(CACHE_HEADER, http::HeaderValue::from_static("hit"));
                    return Ok(res);
                }
            }
        }
        let answer = match (
            &self.sim,
            req.uri().to_string().starts_with(EMBEDDED_BASE_URL),
        ) {
            (Some(sim), true) => self.simulated(sim, req).await,
            _ => self.fetch(&req).await,
        };
        // A write the upstream may have acted on makes every cached answer suspect.
        if is_write
            && self.cache_ttl_s > 0
            && !answer.as_ref().is_ok_and(|r| r.status().is_client_error())
        {
            self.store_generation(&Cache::default()).await;
        }
        let res = answer?;
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
pub(super) fn js_error(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".to_owned())
}
