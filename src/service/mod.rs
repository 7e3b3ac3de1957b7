//! Platform-free request handling: routing, auth, configuration, error mapping and the
//! response envelope.
//!
//! [`Service::handle`] takes an `http::Request` and returns an `http::Response`; the Worker
//! entry (`edge`) only converts types, provides an [`HttpClient`] and a [`Clock`], and calls
//! it, so every decision here is testable with plain `cargo test` against the simulator.
//! The HTTP status of every error is decided here ([`Problem`]). This module imports no
//! `worker` and no wasm crates.

mod auth;
mod config;
pub mod gateway;
mod http_util;
pub mod log;
mod odata;
mod params;
mod problem;
mod routes;
pub mod writes;

pub use auth::{ApiKeys, AuthError, Scope};
pub use config::{base_url_var, credentials, Config, SourceConfig, SourceMode};
pub use http_util::{conditional, etag_for, Cors};
pub use problem::{Extra, Problem, SpanOut};
pub use writes::idempotency::{IdempotencyStore, MemoryStore, NoStore};

use std::sync::Mutex;

use http::{header, Method, Request, Response, StatusCode};
use serde::Serialize;

use crate::model::Source;
use crate::upstream::{self, AnyUpstream, Clock, Collection, HttpClient};

use log::LogSink;

/// The crate version, reported by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The OpenAPI 3.1 document served at `/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// What the platform provides to one request.
pub struct Ctx<'a, C, K> {
    /// Sends upstream requests.
    pub client: &'a C,
    /// Time and waiting.
    pub clock: &'a K,
    /// The request id (random, hex).
    pub request_id: &'a str,
    /// Where structured log lines go.
    pub log: &'a dyn LogSink,
}

/// The last answer of a source, for `/v1/sources`.
#[derive(Debug, Clone, Serialize)]
struct LastStatus {
    #[serde(rename = "lastStatus")]
    status: &'static str,
    #[serde(rename = "lastError", skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(rename = "lastMs")]
    ms: i64,
    #[serde(rename = "lastAt")]
    at: String,
}

/// The request handler shared by the Worker and the native tests. It keeps the upstream
/// adapters (and their token caches) for as long as it lives.
pub struct Service {
    config: Config,
    keys: Result<ApiKeys, String>,
    upstreams: Vec<AnyUpstream>,
    last: Mutex<[Option<LastStatus>; 4]>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("config", &self.config)
            .field("keys", &self.keys.as_ref().map(ApiKeys::len))
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Health<'a> {
    name: &'static str,
    version: &'static str,
    status: &'static str,
    sources: Vec<HealthSource<'a>>,
}

#[derive(Serialize)]
struct HealthSource<'a> {
    id: &'static str,
    mode: SourceMode,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<&'a str>,
}

fn source_index(s: Source) -> usize {
    Source::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

impl Service {
    /// A service over this configuration.
    pub fn new(config: Config) -> Self {
        let keys = match &config.api_keys {
            Some(secret) => ApiKeys::parse(secret.expose()).map_err(|e| e.to_string()),
            None => Ok(ApiKeys::default()),
        };
        let mut upstreams = Vec::new();
        for s in &config.sources {
            let cfg = upstream::AdapterConfig {
                base_url: s.base_url.clone(),
                credentials: s.credentials.clone(),
            };
            let orders = AnyUpstream::build(s.source, &cfg);
            // GreenLake devices share the orders adapter's token cache.
            let devices = orders.devices();
            upstreams.push(orders);
            upstreams.extend(devices);
        }
        Service {
            config,
            keys,
            upstreams,
            last: Mutex::new(Default::default()),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Answers one request. Never panics; every failure is a problem response. CORS,
    /// `ETag`/304 and `Cache-Control` are applied here for every route. Without an
    /// idempotency store, writes are refused (503): see [`Service::handle_with_store`].
    pub async fn handle<C: HttpClient, K: Clock>(
        &self,
        req: Request<Vec<u8>>,
        ctx: &Ctx<'_, C, K>,
    ) -> Response<Vec<u8>> {
        self.handle_with_store(req, ctx, &NoStore).await
    }

    /// [`Service::handle`], with the store that keeps the idempotency records of writes
    /// (the Worker's Durable Object; [`MemoryStore`] in tests).
    pub async fn handle_with_store<C: HttpClient, K: Clock, S: IdempotencyStore>(
        &self,
        req: Request<Vec<u8>>,
        ctx: &Ctx<'_, C, K>,
        store: &S,
    ) -> Response<Vec<u8>> {
        let started = ctx.clock.now_ms();
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut res = if req.method() == Method::OPTIONS {
            self.config.cors.preflight(origin.as_deref())
        } else {
            let res = match self.route(&req, ctx, store).await {
                Ok(res) => res,
                Err(problem) => problem.into_response(ctx.request_id),
            };
            let mut res = res;
            conditional(&req, &mut res, self.config.cache_ttl_s);
            res
        };
        self.config.cors.apply(origin.as_deref(), &mut res);
        log::emit(
            ctx.log,
            if res.status().is_server_error() {
                "error"
            } else {
                "info"
            },
            ctx.request_id,
            "request",
            RequestLog {
                method: req.method().as_str(),
                path: req.uri().path(),
                status: res.status().as_u16(),
                ms: ctx.clock.now_ms().saturating_sub(started),
            },
        );
        res
    }

    async fn route<C: HttpClient, K: Clock, S: IdempotencyStore>(
        &self,
        req: &Request<Vec<u8>>,
        ctx: &Ctx<'_, C, K>,
        store: &S,
    ) -> Result<Response<Vec<u8>>, Problem> {
        let path = req.uri().path();
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        if let Some(w) = writes::route(&segments) {
            return Ok(writes::handle(self, w, req, ctx, store).await);
        }
        if odata::handles(&segments) {
            return Ok(odata::handle(self, req, &segments, ctx).await);
        }
        let known = routes::is_route(&segments)
            || matches!(segments.as_slice(), ["health"] | ["openapi.json"]);
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Err(if known {
                Problem::method_not_allowed()
            } else {
                Problem::not_found(path)
            });
        }
        match segments.as_slice() {
            ["health"] => return Ok(self.health()),
            ["openapi.json"] => {
                return Ok(raw_json(StatusCode::OK, OPENAPI.as_bytes().to_vec()));
            }
            _ => {}
        }
        if !known {
            return Err(Problem::not_found(path));
        }
        let scope = self.authenticate(req)?;
        let params = params::Params::parse(req.uri().query().unwrap_or(""))?;
        routes::dispatch(self, &segments, &params, &scope, ctx).await
    }

    pub(crate) fn authenticate(&self, req: &Request<Vec<u8>>) -> Result<Scope, Problem> {
        let keys = self.keys.as_ref().map_err(|e| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "config.invalid_api_keys",
                "Server misconfigured",
                e.clone(),
            )
        })?;
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        match keys.authenticate(header) {
            Ok(scope) => Ok(scope.clone()),
            Err(AuthError::Missing) => Err(Problem::unauthorized(
                "send a client key as `Authorization: Bearer <key>`",
            )),
            Err(AuthError::Invalid) => Err(Problem::unauthorized("the client key is not valid")),
        }
    }

    fn health(&self) -> Response<Vec<u8>> {
        let sources = self
            .config
            .sources
            .iter()
            .map(|s| HealthSource {
                id: s.source.as_str(),
                mode: s.mode,
                base_url: match s.mode {
                    SourceMode::Simulated => None,
                    SourceMode::Remote => Some(s.base_url.as_str()),
                },
            })
            .collect();
        json_response(
            StatusCode::OK,
            &Health {
                name: "flexedge",
                version: VERSION,
                status: "ok",
                sources,
            },
        )
    }

    pub(crate) fn upstream(&self, collection: Collection, source: Source) -> Option<&AnyUpstream> {
        self.upstreams
            .iter()
            .find(|u| u.source() == source && u.collection() == collection)
    }

    pub(crate) fn record_status(&self, source: Source, report: &gateway::SourceReport, at: String) {
        if report.status == "skipped" {
            return;
        }
        if let Ok(mut last) = self.last.lock() {
            if let Some(slot) = last.get_mut(source_index(source)) {
                *slot = Some(LastStatus {
                    status: report.status,
                    error: report.error.as_ref().map(|e| e.code),
                    ms: report.ms,
                    at,
                });
            }
        }
    }

    pub(crate) fn sources_info(&self) -> serde_json::Value {
        let last = self.last.lock().map(|l| l.clone()).unwrap_or_default();
        let items: Vec<serde_json::Value> = self
            .config
            .sources
            .iter()
            .map(|s| {
                let mut v = serde_json::json!({"id": s.source.as_str(), "mode": s.mode});
                if let (Some(Some(l)), Some(obj)) =
                    (last.get(source_index(s.source)), v.as_object_mut())
                {
                    if let Ok(serde_json::Value::Object(extra)) = serde_json::to_value(l) {
                        obj.extend(extra);
                    }
                }
                v
            })
            .collect();
        serde_json::json!({ "items": items })
    }
}

#[derive(Serialize)]
struct RequestLog<'a> {
    method: &'a str,
    path: &'a str,
    status: u16,
    ms: i64,
}

/// Serializes `body` as a JSON response with the given status.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response<Vec<u8>> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    raw_json(status, bytes)
}

/// A JSON response with the given status and already serialized body.
pub(crate) fn raw_json(status: StatusCode, bytes: Vec<u8>) -> Response<Vec<u8>> {
    let mut res = Response::new(bytes);
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    res
}
