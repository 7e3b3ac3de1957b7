//! The client machinery every adapter shares, as object_store's `client/`: the HTTP and
//! clock seam ([`HttpClient`], [`Clock`]), credentials and token caches (`auth`), the one
//! error type ([`UpstreamError`]), vendor date forms (`dates`), the per-request budget and
//! deadline ([`Ledger`]), the [`Vendor`] trait and the exchange with retry (`fetch`),
//! reading a source as a stream with a native [`Position`] (`read`), a group-by the
//! vendor counts (`groups`), reading vendor
//! bodies (`wire`), and sending a write once (`write`).
//! A vendor folder is only what differs: paths, parameters, wire types, normalization and
//! its pushdown dialect.
//!
//! Talks HTTP only through [`HttpClient`]; imports no `worker`, no wasm, no `std::time`.
//! Of the planner it uses only what a plan says ([`crate::upstream::pushdown`]).

pub(crate) mod auth;
pub(crate) mod budget;
pub(crate) mod dates;
pub(crate) mod error;
pub(crate) mod fetch;
pub(crate) mod groups;
pub(crate) mod http;
pub(crate) mod read;
pub(crate) mod wire;
pub(crate) mod write;

pub use auth::{Credentials, Secret};
pub use budget::{exhausted as budget_exhausted, Ledger, Spend, RESERVE};
pub use error::{Redactor, UpstreamError, UpstreamErrorKind};
pub use fetch::{Budget, Cursor, NormCtx, Page, MAX_ATTEMPTS};
pub use groups::{Grouped, Grouping};
pub use http::{BypassCache, Call, Clock, HttpClient, Staged, TransportError};
pub use read::{residual, Chunk, Fetched, Found, Position, Residual, Scanned};
pub use write::WriteFailure;

pub(crate) use fetch::{Adapter, Keys, Lookup, Paging, Vendor};
pub(crate) use read::Along;
