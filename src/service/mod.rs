//! Platform-free request handling: routing, auth, configuration, error mapping and the
//! response envelope.
//!
//! [`Service::handle`] takes an `http::Request` and returns an `http::Response`; the Worker
//! entry (`edge`) only converts types, provides an [`HttpClient`] and a [`Clock`], and calls
//! it, so every decision here is testable with plain `cargo test` against the simulator.
//! The HTTP status of every error is decided here ([`Problem`]). This module imports no
//! `worker` and no wasm crates.

mod auth;
pub mod breaker;
mod config;
pub mod gateway;
mod http_util;
pub mod log;
mod odata;
mod paging;
mod params;
mod problem;
pub mod ratelimit;
mod routes;
pub mod token;
pub mod writes;

pub use auth::{ApiKeys, AuthError, KeyId, Scope, MIN_KEY_LEN};
pub use config::{
    base_url_var, credentials, BreakerSettings, Config, ConfigProblem, SourceConfig, SourceMode,
    DEFAULT_MAX_UPSTREAM_BYTES,
};
pub use http_util::{conditional, etag_for, Cors};
pub use params::Params;
pub use problem::{Extra, Problem, SpanOut, ALLOW};
pub use ratelimit::{RateLimiter, Tier, Unlimited, Verdict};
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
    /// Counts requests per client key (the Workers Rate Limiting binding at the edge).
    pub limiter: &'a dyn RateLimiter,
}

/// The largest request body a client may declare (`Content-Length`) outside the write
/// routes: no other route takes a body, so none is ever read; a larger declared one is
/// refused with 413 before anything else. The write routes read theirs, up to
/// [`writes::MAX_BODY_BYTES`] declared bytes.
pub const MAX_REQUEST_BODY: u64 = 16 * 1024;

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
    keys: Result<ApiKeys, ConfigProblem>,
    upstreams: Vec<AnyUpstream>,
    /// One circuit per source, beside the adapters (state that outlives a request).
    breakers: breaker::Breakers,
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

/// `/health`: public, so it shows modes, never hosts, and names invalid settings, never
/// their values or what is wrong with them.
#[derive(Serialize)]
struct Health {
    name: &'static str,
    version: &'static str,
    /// `ok`, or `degraded` when a setting is invalid or a source is not configured.
    status: &'static str,
    sources: Vec<HealthSource>,
    #[serde(rename = "invalidSettings", skip_serializing_if = "Vec::is_empty")]
    invalid_settings: Vec<&'static str>,
}

#[derive(Serialize)]
struct HealthSource {
    id: &'static str,
    mode: SourceMode,
}

fn source_index(s: Source) -> usize {
    Source::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

impl Service {
    /// A service over this configuration.
    pub fn new(config: Config) -> Self {
        let keys = match &config.api_keys {
            Some(secret) => ApiKeys::parse(secret.expose()).map_err(|e| ConfigProblem {
                setting: "FLEXEDGE_API_KEYS",
                detail: e.to_string(),
            }),
            None => Err(ConfigProblem {
                setting: "FLEXEDGE_API_KEYS",
                detail: "FLEXEDGE_API_KEYS is not set: no client can be authenticated".into(),
            }),
        };
        let mut upstreams = Vec::new();
        for s in config
            .sources
            .iter()
            .filter(|s| s.mode != SourceMode::NotConfigured)
        {
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
            breakers: breaker::Breakers::new(config.breaker),
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

    /// The first setting that is not valid, as the 500 problem `/v1/*` answers with.
    fn config_problem(&self) -> Option<Problem> {
        let p = self.config.problems.first().or(self.keys.as_ref().err())?;
        let detail = if p.detail.starts_with(p.setting) {
            p.detail.clone()
        } else {
            format!("{}: {}", p.setting, p.detail)
        };
        Some(Problem::config_invalid(p.setting, detail))
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
        // The write routes read their body, under their own cap (`writes::MAX_BODY_BYTES`);
        // every other route refuses a declared body over `MAX_REQUEST_BODY`.
        let write_route = {
            let segments: Vec<&str> = req
                .uri()
                .path()
                .trim_end_matches('/')
                .split('/')
                .skip(1)
                .collect();
            writes::route(&segments).is_some()
        };
        let too_large = if write_route {
            None
        } else {
            body_too_large(&req)
        };
        let mut res = if let Some(p) = too_large {
            p.into_response(ctx.request_id)
        } else if req.method() == Method::OPTIONS {
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
        res.headers_mut().insert(
            header::X_CONTENT_TYPE_OPTIONS,
            header::HeaderValue::from_static("nosniff"),
        );
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
        if let Some(p) = self.config_problem() {
            return Err(p);
        }
        let scope = self.authenticate(req)?;
        let answer = match self.admit(&scope, ctx).await {
            Ok(()) => self.authorized(req, &segments, &scope, ctx).await,
            Err(p) => Err(p),
        };
        // Every answer to a key says which policy it is under.
        let policy = scope.tier.policy();
        match answer {
            Ok(mut res) => {
                if let Ok(v) = header::HeaderValue::from_str(&policy) {
                    res.headers_mut().insert(ratelimit::RATELIMIT_POLICY, v);
                }
                Ok(res)
            }
            Err(p) if p.has_header(&ratelimit::RATELIMIT_POLICY) => Err(p),
            Err(p) => Err(p.with_header(ratelimit::RATELIMIT_POLICY, &policy)),
        }
    }

    /// A `/v1` route for an authenticated, admitted key.
    async fn authorized<C: HttpClient, K: Clock>(
        &self,
        req: &Request<Vec<u8>>,
        segments: &[&str],
        scope: &Scope,
        ctx: &Ctx<'_, C, K>,
    ) -> Result<Response<Vec<u8>>, Problem> {
        let mut params = params::Params::parse(req.uri().query().unwrap_or(""))?;
        params.no_cache = wants_no_cache(req);
        params.check_debug(scope)?;
        routes::dispatch(self, segments, &params, scope, ctx).await
    }

    /// Counts the request against its key's tier: a 429 over the limit, a 500 when the
    /// tier's binding is missing (fail closed); a limiter that fails at run time lets the
    /// request through and is logged.
    async fn admit<C, K>(&self, scope: &Scope, ctx: &Ctx<'_, C, K>) -> Result<(), Problem> {
        match ctx.limiter.check(scope.tier, &scope.label).await {
            Verdict::Allowed => Ok(()),
            Verdict::Limited => Err(ratelimit::too_many_requests(scope.tier)),
            Verdict::Missing => Err(Problem::config_invalid(
                scope.tier.binding(),
                format!(
                    "the rate-limit binding `{}` of tier `{}` is missing (wrangler.toml [[ratelimits]])",
                    scope.tier.binding(),
                    scope.tier
                ),
            )),
            Verdict::Failed => {
                log::emit(
                    ctx.log,
                    "warn",
                    ctx.request_id,
                    "ratelimit",
                    LimiterLog {
                        tier: scope.tier.name(),
                        outcome: "failed: request let through",
                    },
                );
                Ok(())
            }
        }
    }

    /// What every keyed route passes before its own work (the `/v1` routes here, `/odata`
    /// through this): a valid configuration, a valid key, and the key's rate limit.
    pub(crate) async fn admitted<C, K>(
        &self,
        req: &Request<Vec<u8>>,
        ctx: &Ctx<'_, C, K>,
    ) -> Result<Scope, Problem> {
        if let Some(p) = self.config_problem() {
            return Err(p);
        }
        let scope = self.authenticate(req)?;
        self.admit(&scope, ctx).await?;
        Ok(scope)
    }

    pub(crate) fn authenticate(&self, req: &Request<Vec<u8>>) -> Result<Scope, Problem> {
        let keys = self
            .keys
            .as_ref()
            .map_err(|p| Problem::config_invalid(p.setting, p.detail.clone()))?;
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        match keys.authenticate(header) {
            Ok(scope) => Ok(scope.clone()),
            Err(AuthError::Missing) => Err(Problem::unauthorized(
                "send a client key as `Authorization: Bearer <key>`",
                false,
            )),
            Err(AuthError::Invalid) => {
                Err(Problem::unauthorized("the client key is not valid", true))
            }
        }
    }

    fn health(&self) -> Response<Vec<u8>> {
        let sources: Vec<HealthSource> = self
            .config
            .sources
            .iter()
            .map(|s| HealthSource {
                id: s.source.as_str(),
                mode: s.mode,
            })
            .collect();
        let mut invalid_settings: Vec<&'static str> =
            self.config.problems.iter().map(|p| p.setting).collect();
        if let Err(p) = &self.keys {
            invalid_settings.push(p.setting);
        }
        let degraded = !invalid_settings.is_empty()
            || sources.iter().any(|s| s.mode == SourceMode::NotConfigured);
        json_response(
            StatusCode::OK,
            &Health {
                name: "flexedge",
                version: VERSION,
                status: if degraded { "degraded" } else { "ok" },
                sources,
                invalid_settings,
            },
        )
    }

    /// The circuit breakers of the sources.
    pub(crate) fn breakers(&self) -> &breaker::Breakers {
        &self.breakers
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

    /// `/v1/sources`: the sources the key may see, with their mode, circuit and last
    /// answer.
    pub(crate) fn sources_info(&self, scope: &Scope, now: i64) -> serde_json::Value {
        let last = self.last.lock().map(|l| l.clone()).unwrap_or_default();
        let items: Vec<serde_json::Value> = self
            .config
            .sources
            .iter()
            .filter(|s| scope.allows(s.source))
            .map(|s| {
                let mut v = serde_json::json!({
                    "id": s.source.as_str(),
                    "mode": s.mode,
                    "circuit": self.breakers.state(s.source, now),
                });
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
struct LimiterLog {
    tier: &'static str,
    outcome: &'static str,
}

/// The 413 for a declared body over [`MAX_REQUEST_BODY`] (the body itself is never read:
/// no route takes one).
fn body_too_large<B>(req: &Request<B>) -> Option<Problem> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .unwrap_or(u64::MAX);
    (declared > MAX_REQUEST_BODY).then(|| {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
            "Content Too Large",
            format!(
                "the request declares a body of {declared} bytes; flexedge reads no request body and accepts at most {MAX_REQUEST_BODY} declared bytes"
            ),
        )
    })
}

/// Whether the client asked to bypass the edge cache (`Cache-Control: no-cache`): honoured
/// only for keys marked `debug`.
fn wants_no_cache<B>(req: &Request<B>) -> bool {
    req.headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-cache"))
        })
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
