//! The platform's side of the upstream seam: an [`HttpClient`] over Fetch (the whole
//! exchange, body included, raced against `Delay`, and aborted when it loses; redirects
//! are not followed, `redirect: "manual"`, so credentials never go to another location),
//! the Cache API for upstream answers, and the embedded simulator for simulated sources;
//! and a [`Clock`] over `Date.now()` and `Delay`.
//!
//! Bodies are read with a byte cap (`FLEXEDGE_MAX_UPSTREAM_BYTES`): a `Content-Length`
//! over it is refused before reading; a body with a trustworthy length under it is read
//! with one `arrayBuffer()` (read as a stream of chunks, each crossing into wasm, the
//! four-source query took 7 ms more at p50 under workerd); a body without one (chunked,
//! or content-encoded, whose decoded size the length does not bound) is read as a stream
//! with a running count and cancelled once over the cap.
//!
//! Only requests marked [`Call::Page`] are cached, never a token call. A cacheable 2xx
//! is not written at once: it is held back ([`Staged`]) until the adapter's verdict on
//! the fetch ([`HttpClient::settle`]), so a 200 that is a failure in its body (FNO
//! `statusInfo: FAILURE`, a body that does not parse) is never cached. Kept answers are
//! written under `waitUntil`: the answer does not wait for the write.
//!
//! Writes and the cache: a request marked `cache-control: no-store` is never looked up or
//! stored, and one that is not a GET is a write (the upstream layer marks them). Every
//! cache key mixes in a generation, kept as an entry of the same Cache API (so it is
//! exactly as local as the answers it guards, and every isolate of the data center reads
//! the same one); a write that may have changed the upstream (any answer but a 4xx, or no
//! answer) sets a new generation before the client hears back, so no answer cached
//! before it is served after it. A missing generation entry (evicted) is replaced by a new
//! one: eviction costs misses, never stale answers.

use std::cell::{Cell, RefCell};
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
use crate::upstream::{BypassCache, Call, Clock, HttpClient, Staged, TransportError};

/// Wall-clock time from the JavaScript runtime.
pub struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }

    async fn sleep_ms(&self, ms: u64) {
        Delay::from(Duration::from_millis(ms)).await;
    }

    /// Back-off jitter from the platform's random source (the midpoint if it fails).
    fn jitter_ms(&self, upto: u64) -> u64 {
        let mut buf = [0u8; 8];
        match getrandom::fill(&mut buf) {
            Ok(()) => u64::from_le_bytes(buf) % upto.saturating_add(1),
            Err(_) => upto / 2,
        }
    }
}

/// A cache write held back until the adapter's verdict.
struct Held {
    id: u64,
    key: String,
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// Fetch, the Cache API and the embedded simulator behind one [`HttpClient`].
pub struct EdgeClient {
    sim: Option<Rc<Simulator>>,
    timeout_ms: u64,
    cache_ttl_s: u32,
    max_body: u64,
    /// The request's context: cache writes finish under `waitUntil`, after the answer.
    ctx: Context,
    held: RefCell<Vec<Held>>,
    next_id: Cell<u64>,
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
    /// A client for one request.
    pub fn new(sim: Option<Rc<Simulator>>, config: &Config, ctx: Context) -> Self {
        EdgeClient {
            sim,
            timeout_ms: u64::try_from(config.limits.deadline_ms).unwrap_or(8_000),
            cache_ttl_s: config.cache_ttl_s,
            max_body: config.max_upstream_bytes,
            ctx,
            held: RefCell::new(Vec::new()),
            next_id: Cell::new(0),
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
        timeout_ms: u64,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        match sim.answer_within(&req, js_sys::Date::now() as i64, timeout_ms) {
            Ok((response, delay)) => {
                if delay > 0 {
                    WorkerClock.sleep_ms(delay).await;
                }
                crate::sim::deliver(response, self.max_body).map_err(|_| TransportError::TooLarge {
                    limit: self.max_body,
                })
            }
            Err(_) => {
                WorkerClock.sleep_ms(timeout_ms).await;
                Err(TransportError::Timeout)
            }
        }
    }

    /// One Fetch, aborted after `timeout_ms` (what is left of the request's deadline).
    async fn fetch(
        &self,
        req: &http::Request<Vec<u8>>,
        timeout_ms: u64,
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
        // A 3xx comes back as it is (the adapter reports it); credentials never follow it.
        init.set_redirect(web_sys::RequestRedirect::Manual);
        if !req.body().is_empty() {
            init.set_body(&js_sys::Uint8Array::from(req.body().as_slice()));
        }
        let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let max_body = self.max_body;
        let send = Box::pin(async move {
            let res: web_sys::Response =
                JsFuture::from(global.fetch_with_str_and_init(&req.uri().to_string(), &init))
                    .await
                    .map_err(connect)?
                    .dyn_into()
                    .map_err(connect)?;
            read(res, max_body).await
        });
        let timer = Box::pin(Delay::from(Duration::from_millis(timeout_ms)));
        let answer = match select(send, timer).await {
            Either::Left((res, _)) => res,
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
        self.send_within(req, self.timeout_ms).await
    }

    /// Sends with the earlier of the configured deadline and `timeout_ms` (what is left
    /// of the request's one deadline) as the exchange's timeout: a late answer is aborted,
    /// not waited for.
    async fn send_within(
        &self,
        req: http::Request<Vec<u8>>,
        timeout_ms: u64,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let timeout_ms = timeout_ms.min(self.timeout_ms);
        // Only pages are cached (a token call, a write, or anything unmarked, never is).
        // The key (a hash over the request body and the cache generation) and the Cache
        // object only when the answer may be.
        let is_write = req.method() != http::Method::GET
            && req
                .headers()
                .get(http::header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("no-store"));
        let cacheable = self.cache_ttl_s > 0 && Call::of(&req) == Some(Call::Page);
        let bypass = req.extensions().get::<BypassCache>().is_some();
        let cache = if cacheable {
            let cache = Cache::default();
            let generation = self.generation(&cache).await;
            Some((Self::cache_key(&req, &generation), cache))
        } else {
            None
        };
        if let Some((key, cache)) = cache.as_ref().filter(|_| !bypass) {
            if let Ok(Some(hit)) = cache.get(key.as_str(), true).await {
                if let Ok(mut res) = read(hit.into(), self.max_body).await {
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
            (Some(sim), true) => self.simulated(sim, req, timeout_ms).await,
            _ => self.fetch(&req, timeout_ms).await,
        };
        // A write the upstream may have acted on makes every cached answer suspect.
        if is_write
            && self.cache_ttl_s > 0
            && !answer.as_ref().is_ok_and(|r| r.status().is_client_error())
        {
            self.store_generation(&Cache::default()).await;
        }
        let mut res = answer?;
        if let Some((key, _)) = cache.filter(|_| res.status().is_success()) {
            // Held back until the adapter says the answer is good (`settle`).
            let id = self.next_id.get();
            self.next_id.set(id.wrapping_add(1));
            self.held.borrow_mut().push(Held {
                id,
                key,
                status: res.status().as_u16(),
                content_type: res
                    .headers()
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body: res.body().clone(),
            });
            res.extensions_mut().insert(Staged(id));
        }
        Ok(res)
    }

    fn settle(&self, staged: &[Staged], keep: bool) {
        let mut held = self.held.borrow_mut();
        let (settled, rest): (Vec<Held>, Vec<Held>) = std::mem::take(&mut *held)
            .into_iter()
            .partition(|h| staged.contains(&Staged(h.id)));
        *held = rest;
        if !keep {
            return;
        }
        for h in settled {
            if let Ok(stored) = for_cache(&h, self.cache_ttl_s) {
                // Written in the background: the answer does not wait for the cache (a
                // failed write only means a later miss).
                self.ctx.wait_until(async move {
                    let _ = Cache::default().put(h.key.as_str(), stored).await;
                });
            }
        }
    }
}

fn for_cache(h: &Held, ttl_s: u32) -> worker::Result<Response> {
    let headers = Headers::new();
    if let Some(ct) = &h.content_type {
        headers.set("content-type", ct)?;
    }
    headers.set("cache-control", &format!("public, max-age={ttl_s}"))?;
    Ok(Response::from_bytes(h.body.clone())?
        .with_status(h.status)
        .with_headers(headers))
}

/// The body length a response's headers promise, when it bounds what will be read: a
/// `Content-Length` on a body that is not content-encoded (the runtime decodes gzip and
/// brotli, and a decoded body may be far larger than its length).
fn trusted_length(res: &web_sys::Response) -> Option<u64> {
    let h = res.headers();
    let encoded = h
        .get("content-encoding")
        .ok()
        .flatten()
        .is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity") && !e.trim().is_empty());
    if encoded {
        return None;
    }
    h.get("content-length").ok().flatten()?.trim().parse().ok()
}

/// A Fetch or Cache answer as an `http` response, its body read with a cap of `max`
/// bytes: refused by its `Content-Length` before reading, read with one `arrayBuffer()`
/// when that length bounds it, else read as a stream with a running count and cancelled
/// once over the cap.
async fn read(res: web_sys::Response, max: u64) -> Result<http::Response<Vec<u8>>, TransportError> {
    let fail = |e: JsValue| TransportError::Connect(js_error(&e));
    let too_large = TransportError::TooLarge { limit: max };
    let body = match (trusted_length(&res), res.body()) {
        (Some(len), Some(stream)) if len > max => {
            let _ = stream.cancel();
            return Err(too_large);
        }
        (Some(_), _) | (None, None) => {
            let buf = JsFuture::from(res.array_buffer().map_err(fail)?)
                .await
                .map_err(fail)?;
            let bytes = js_sys::Uint8Array::new(&buf);
            if u64::from(bytes.length()) > max {
                return Err(too_large);
            }
            bytes.to_vec()
        }
        (None, Some(stream)) => read_capped(stream, max).await?,
    };
    let mut out = http::Response::new(body);
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

/// Bytes asked of the stream per read.
const READ_BLOCK: u32 = 256 * 1024;

/// Reads a body stream with a running count; over `max` bytes the stream is cancelled
/// (the rest is never read) and the answer is `TooLarge`. It reads with a BYOB reader
/// into a 256 KiB buffer, with workerd's `readAtLeast` where there is one (a default
/// reader hands over 4 KiB chunks, one crossing into wasm each: 8 MiB took over a second),
/// else with a default reader.
async fn read_capped(stream: web_sys::ReadableStream, max: u64) -> Result<Vec<u8>, TransportError> {
    let fail = |e: JsValue| TransportError::Connect(js_error(&e));
    let too_large = TransportError::TooLarge { limit: max };
    let key = |k: &str| JsValue::from_str(k);
    let mut out: Vec<u8> = Vec::new();
    let append = |bytes: &js_sys::Uint8Array, out: &mut Vec<u8>| -> bool {
        let total = (out.len() as u64).saturating_add(u64::from(bytes.length()));
        if total > max {
            return false;
        }
        let start = out.len();
        out.resize(start + bytes.length() as usize, 0);
        if let Some(dst) = out.get_mut(start..) {
            bytes.copy_to(dst);
        }
        true
    };
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &key("mode"), &key("byob"));
    let byob = js_sys::Reflect::get(&stream, &key("getReader"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(&stream, &opts).ok());
    if let Some(reader) = byob {
        let read_at_least = js_sys::Reflect::get(&reader, &key("readAtLeast"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let read = js_sys::Reflect::get(&reader, &key("read"))
            .map_err(fail)?
            .dyn_into::<js_sys::Function>()
            .map_err(fail)?;
        let mut buffer = js_sys::ArrayBuffer::new(READ_BLOCK);
        loop {
            let view = js_sys::Uint8Array::new(&buffer);
            let promise = match &read_at_least {
                Some(f) => f.call2(&reader, &JsValue::from(READ_BLOCK), &view),
                None => read.call1(&reader, &view),
            }
            .map_err(fail)?;
            let chunk = JsFuture::from(js_sys::Promise::from(promise))
                .await
                .map_err(fail)?;
            let value = js_sys::Reflect::get(&chunk, &key("value")).map_err(fail)?;
            let done = js_sys::Reflect::get(&chunk, &key("done"))
                .map(|d| d.is_truthy())
                .unwrap_or(true);
            if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
                if !append(bytes, &mut out) {
                    cancel(&reader);
                    return Err(too_large);
                }
                // The buffer was handed over and comes back in the answer: read into it.
                buffer = bytes.buffer();
            }
            if done {
                return Ok(out);
            }
        }
    }
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(fail)?;
        let done = js_sys::Reflect::get(&chunk, &key("done"))
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            return Ok(out);
        }
        let value = js_sys::Reflect::get(&chunk, &key("value")).map_err(fail)?;
        if !append(value.unchecked_ref(), &mut out) {
            let _ = reader.cancel();
            return Err(too_large);
        }
    }
}

/// Cancels a reader's stream (its answer is not awaited: nothing more is read).
fn cancel(reader: &JsValue) {
    if let Ok(f) = js_sys::Reflect::get(reader, &JsValue::from_str("cancel"))
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = f.call0(reader);
    }
}

/// A thrown JavaScript value's message.
pub(super) fn js_error(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".to_owned())
}
