//! The wasm-bindgen exports for pages: the only code that exports to JavaScript.
//!
//! Each exported function converts between JavaScript values and Rust types
//! (`convert`) and calls the platform-free engine ([`crate::filter`], [`crate::query`]);
//! nothing is decided here. By default records are plain JSON objects typed from their
//! values by [`crate::query::JsonSchema::infer`], so any JSON works; with the option
//! `schema: "record"` they are read as flexedge's normalized [`Record`]s with the fixed
//! [`RecordSchema`] (every field known, dates typed, no inference: faster). Errors are
//! thrown as JavaScript `Error`s carrying `code`, `start`, `end` (UTF-16 offsets into the
//! offending parameter's text), `param` and `suggestion`.
//!
//! Records given as JSON text or bytes go through the text reader
//! ([`crate::query::run_json_text`]); an array of objects is read in place (`objects`:
//! only the members the query names cross into wasm, and the answer's items are the
//! caller's objects). Imports no `worker`.

mod convert;
mod objects;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::filter;
use crate::query::{run_json_text, Query, RunError, Typing};
use convert::{
    filter_error, options, query_error, records_error, records_text, QueryOptions, RowKind,
};

/// The crate version, so a page can show which engine it runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Checks the syntax of a filter and returns `{canonical}`; names are not resolved.
#[wasm_bindgen(js_name = parseFilter, unchecked_return_type = "{ canonical: string }")]
pub fn parse_filter(text: &str) -> Result<JsValue, JsValue> {
    let expr = filter::parse(text).map_err(|e| filter_error(&e, text, "filter"))?;
    let out = js_sys::Object::new();
    js_sys::Reflect::set(&out, &"canonical".into(), &expr.to_string().into())?;
    Ok(out.into())
}

/// Runs a list query (filter → sort → offset/limit → select) over `records` (a JSON
/// string, a `Uint8Array` of JSON bytes or an array of objects) and returns
/// `{items, count, total, offset}`.
#[wasm_bindgen(js_name = runQuery, unchecked_return_type = "QueryResult")]
pub fn run_query(
    #[wasm_bindgen(unchecked_param_type = "Records")] records: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "QueryOptions | undefined")] opts: &JsValue,
) -> Result<JsValue, JsValue> {
    CompiledQuery::new(opts)?.run(records)
}

/// Runs a transform (filter → group-by → sort → offset/limit) over `records` and returns
/// `{items: [{key, count}], count, total, offset, rows}`.
#[wasm_bindgen(js_name = groupBy, unchecked_return_type = "GroupResult")]
pub fn group_by(
    #[wasm_bindgen(unchecked_param_type = "Records")] records: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "GroupOptions | undefined")] opts: &JsValue,
) -> Result<JsValue, JsValue> {
    let o = options(opts)?;
    if o.group_by.as_deref().is_none_or(|g| g.trim().is_empty()) {
        return Err(convert::plain_error(
            "query.group_by.missing",
            "`groupBy` names the fields to group by",
        ));
    }
    CompiledQuery::from_options(o)?.run(records)
}

/// A parsed query to run over several record sets (`compileQuery(options)`); call
/// `free()` when done with it.
#[wasm_bindgen]
pub struct CompiledQuery {
    query: Query,
    texts: QueryOptions,
}

#[wasm_bindgen]
impl CompiledQuery {
    /// Parses `options` once (`{filter, sort, select, groupBy, offset, limit}`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "QueryOptions | GroupOptions | undefined")]
        opts: &JsValue,
    ) -> Result<CompiledQuery, JsValue> {
        Self::from_options(options(opts)?)
    }

    /// Runs the query: a list query, or a transform when `groupBy` was given.
    #[wasm_bindgen(unchecked_return_type = "QueryResult | GroupResult")]
    pub fn run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Records")] records: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let typing = match self.texts.schema {
            RowKind::Json => Typing::Infer,
            RowKind::Record => Typing::Record,
        };
        let now = js_sys::Date::now() as i64;
        if let Some(array) = records.dyn_ref::<js_sys::Array>() {
            // Objects are read in place (only the members the query names); a query that
            // does not fit them is run over their JSON text for the text reader's error.
            match objects::run(&self.query, array, typing, now, records_error) {
                objects::Outcome::Done(v) => return Ok(v),
                objects::Outcome::Failed(e) => return Err(e),
                objects::Outcome::Fallback => {}
            }
        }
        let text = records_text(records)?;
        match run_json_text(&self.query, &text, typing, now) {
            Ok(out) => js_sys::JSON::parse(&out),
            Err(RunError::Records(m)) => Err(records_error(&m)),
            Err(RunError::Query(e)) => Err(query_error(&e, &self.texts)),
        }
    }

    /// The query's canonical text (`filter=…&sort=…&offset=…&limit=…`).
    #[wasm_bindgen(getter)]
    pub fn canonical(&self) -> String {
        self.query.canonical()
    }
}

impl CompiledQuery {
    fn from_options(o: QueryOptions) -> Result<CompiledQuery, JsValue> {
        let query = Query::parse(&o.params()).map_err(|e| query_error(&e, &o))?;
        Ok(CompiledQuery { query, texts: o })
    }
}

/// Parses `options` once and returns a [`CompiledQuery`] (`compileQuery(options)`).
#[wasm_bindgen(js_name = compileQuery)]
pub fn compile_query(
    #[wasm_bindgen(unchecked_param_type = "QueryOptions | GroupOptions | undefined")]
    opts: &JsValue,
) -> Result<CompiledQuery, JsValue> {
    CompiledQuery::new(opts)
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Options of `runQuery` and `compileQuery`; every field is optional. */
export interface QueryOptions {
  /** OData `$filter` expression, e.g. `status eq 'active' and endDate lt 2026-01-01`. */
  filter?: string;
  /** Comma-separated `path [asc|desc]`, e.g. `endDate desc, customer/name`. */
  sort?: string;
  /** Comma-separated paths to keep, e.g. `id, customer/name`; empty keeps whole records. */
  select?: string;
  /** Records to skip (default 0). */
  offset?: number | string;
  /** Page size, 0..=1000 (default 20). */
  limit?: number | string;
  /** `"json"` (default): any JSON objects, typed from their values; `"record"`: flexedge's
   * normalized records (the `/v1/orders` items), typed by the fixed Record schema. */
  schema?: 'json' | 'record';
}
/** Options of `groupBy`. */
export interface GroupOptions {
  /** Comma-separated paths to group by, e.g. `source, status`. */
  groupBy: string;
  filter?: string;
  /** `count [desc]` or group-by paths. */
  sort?: string;
  offset?: number | string;
  limit?: number | string;
  schema?: 'json' | 'record';
}
/** One page of records. */
export interface QueryResult {
  items: any[];
  /** `items.length` */
  count: number;
  /** Records matching the filter, before paging. */
  total: number;
  offset: number;
}
/** One page of groups. */
export interface GroupResult {
  items: { key: Record<string, any>; count: number }[];
  count: number;
  /** Groups before paging. */
  total: number;
  /** Records matching the filter. */
  rows: number;
  offset: number;
}
/** Records: a JSON string, JSON bytes, or an array of plain objects. */
export type Records = string | Uint8Array | object[];
/** What the functions throw: an `Error` with these extra properties. */
export interface FlexedgeError extends Error {
  /** Stable dotted code, e.g. `filter.syntax.unexpected_token`. */
  code: string;
  /** UTF-16 offsets into the text of `param` (absent for errors without a place). */
  start?: number;
  end?: number;
  /** `filter`, `sort`, `select`, `offset`, `limit`, `group_by` or `records`. */
  param?: string;
  /** A near-miss replacement for the text at `start..end`, when one exists. */
  suggestion?: string;
}
"#;
