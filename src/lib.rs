//! flexedge: one edge API over four Flex order and entitlement services.
//!
//! The crate is layered so that everything that decides something runs natively under
//! plain `cargo test`; only `edge` (feature `worker`) imports the `worker` crate and only
//! `browser` (feature `browser`) exports functions to JavaScript. `docs/layers.md` says
//! which module may use which (a test checks every import against it).
//!
//! | module | role |
//! |---|---|
//! | [`filter`] | the OData filter language on its own: lexer, parser, checker, evaluator; imports nothing of the crate |
//! | [`model`] | the normalized [`model::Record`] and its schema for the language |
//! | [`query`] | filter → sort → page → select, and group-by, over any row type (records or plain JSON) |
//! | [`upstream`] | the shared client machinery, the pushdown planner and one adapter per vendor behind [`upstream::AnyUpstream`] |
//! | [`rules`] | the vendors' write rules as data, and their evaluator over JSON bodies; imports nothing of the crate |
//! | [`sim`] | a simulator of the four vendor APIs over seeded data |
//! | [`service`] | platform-free request handling (http types in, http types out) |
//!
//! The language and the pipeline over normalized records, as the edge runs them:
//!
//! ```
//! use flexedge::model::{Kind, Record, RecordSchema, Source, Status};
//! use flexedge::query::{Query, QueryParams};
//!
//! let mut order = Record::new(Source::HpeFlex, "a1", Kind::Order);
//! order.status = Status::Active;
//! let other = Record::new(Source::TelecomxFlexcare, "t1", Kind::Order);
//!
//! let params = QueryParams {
//!     filter: Some("status eq 'active' and startswith(id, 'hpe_flex:')"),
//!     select: Some("id, status"),
//!     ..QueryParams::default()
//! };
//! let plan = Query::parse(&params)?.plan::<Record>(RecordSchema::default(), 0)?;
//! let page = plan.run_list(&[order, other]);
//! assert_eq!(page.total, 1);
//! assert_eq!(page.items[0], serde_json::json!({"id": "hpe_flex:a1", "status": "active"}));
//! # Ok::<(), flexedge::query::QueryError>(())
//! ```

pub mod filter;
pub mod model;
pub mod query;
pub mod rules;
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
