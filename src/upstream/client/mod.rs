//! The client machinery every adapter shares, as object_store's `client/`: the HTTP and
//! clock seam ([`HttpClient`], [`Clock`]), credentials and token caches (`auth`), the one
//! error type ([`UpstreamError`]), vendor date forms (`dates`), the [`Vendor`] trait and
//! the page walker with retry and a budget (`fetch`), and reading vendor bodies (`wire`).
//! A vendor folder is only what differs: paths, parameters, wire types, normalization and
//! its pushdown dialect.
//!
//! Talks HTTP only through [`HttpClient`]; imports no `worker`, no wasm, no `std::time`.
//! Of the planner it uses only what a plan says ([`crate::upstream::pushdown`]).

pub(crate) mod auth;
pub(crate) mod dates;
pub(crate) mod error;
pub(crate) mod fetch;
pub(crate) mod http;
pub(crate) mod wire;

pub use auth::{Credentials, Secret};
pub use error::{Redactor, UpstreamError, UpstreamErrorKind};
pub use fetch::{Budget, Cursor, Fetched, NormCtx, Page};
pub use http::{BypassCache, Call, Clock, HttpClient, Staged, TransportError};

pub(crate) use fetch::{Adapter, Paging, Vendor};
