//! The client machinery every adapter shares, as object_store's `client/`: the HTTP and
//! clock seam ([`HttpClient`], [`Clock`]), credentials and token caches (`auth`), the one
//! error type ([`UpstreamError`]), vendor date forms (`dates`), the [`Vendor`] trait and
//! the page walker with retry and a budget (`fetch`), reading vendor bodies (`wire`), and
//! sending a write once (`write`).
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
pub(crate) mod write;

pub use auth::{Credentials, Secret};
pub use error::{UpstreamError, UpstreamErrorKind};
pub use fetch::{Budget, Cursor, Fetched, NormCtx, Page};
pub use http::{Clock, HttpClient, TransportError};
pub use write::WriteFailure;

pub(crate) use fetch::{Adapter, Paging, Vendor};
