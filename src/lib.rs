//! flexedge: one edge API over four Flex order and entitlement services.
//!
//! The crate is layered so that everything that decides something runs natively under
//! plain `cargo test`; only `edge` (feature `worker`) imports the `worker` crate and only
//! `browser` (feature `browser`) exports functions to JavaScript.
//!
//! | module | role |
//! |---|---|
//! | [`filter`] | the OData-style filter language: lexer, parser, checker, evaluator |
//! | [`query`] | filter → sort → page → select, and group-by, over any row type |
//! | [`model`] | the normalized [`model::Record`] |
//! | [`upstream`] | one adapter per vendor behind one trait, with pushdown |
//! | [`sim`] | a simulator of the four vendor APIs over seeded data |
//! | [`service`] | platform-free request handling (http types in, http types out) |

pub mod filter;
pub mod model;
pub mod query;
pub mod service;
pub mod sim;
pub mod upstream;

#[cfg(all(feature = "worker", target_arch = "wasm32"))]
mod edge;

#[cfg(all(feature = "browser", target_arch = "wasm32"))]
pub mod browser;

#[cfg(feature = "testkit")]
#[doc(hidden)]
pub mod testkit;
