//! Platform-free request handling: routing, configuration and error mapping.
//!
//! [`Service::handle`] takes an `http::Request` and returns an `http::Response`; the Worker
//! entry (`edge`) only converts types and calls it, so every decision here is testable with
//! plain `cargo test`. This module imports no `worker` and no wasm crates.

mod auth;
mod config;
mod http_util;
pub mod log;
mod problem;

pub use auth::{ApiKeys, AuthError, Scope};
pub use config::{Config, SourceConfig, SourceMode};
pub use http_util::{conditional, etag_for, Cors};
pub use problem::Problem;

use http::{header, Method, Request, Response, StatusCode};
use serde::Serialize;

/// The crate version, reported by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The request handler shared by the Worker and the native tests.
#[derive(Debug)]
pub struct Service {
    config: Config,
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

impl Service {
    /// A service over this configuration.
    pub fn new(config: Config) -> Self {
        Service { config }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Answers one request. Never panics; every failure is a problem response.
    pub async fn handle(&self, req: Request<Vec<u8>>, request_id: &str) -> Response<Vec<u8>> {
        let path = req.uri().path();
        match (req.method(), path) {
            (&Method::GET, "/health") => self.health(),
            (_, "/health") => Problem::method_not_allowed().into_response(request_id),
            _ => Problem::not_found(path).into_response(request_id),
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
        let body = Health {
            name: "flexedge",
            version: VERSION,
            status: "ok",
            sources,
        };
        json_response(StatusCode::OK, &body)
    }
}

/// Serializes `body` as a JSON response with the given status.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response<Vec<u8>> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut res = Response::new(bytes);
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    res
}
