//! Conversions between JavaScript values and the engine's Rust types: the records input
//! (JSON string, `Uint8Array` of JSON bytes, or an array of objects) as JSON text, the
//! options object, and errors as JS `Error`s with extra fields. Results come back from the
//! engine as JSON text and are handed to `JSON.parse` once, which is faster than building
//! objects property by property.

use js_sys::{Array, Error, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::filter::FilterError;
use crate::query::{Param, QueryError, QueryParams};

/// The query options as owned text, kept to turn error spans into UTF-16 offsets.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// `filter`
    pub filter: Option<String>,
    /// `sort`
    pub sort: Option<String>,
    /// `select`
    pub select: Option<String>,
    /// `offset` (numbers as their text)
    pub offset: Option<String>,
    /// `limit` (numbers as their text)
    pub limit: Option<String>,
    /// `groupBy`
    pub group_by: Option<String>,
    /// `schema`: how to read the records.
    pub schema: RowKind,
}

/// How records are read (`schema` option).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowKind {
    /// Any JSON objects, typed from their values (`"json"`, the default).
    #[default]
    Json,
    /// flexedge's normalized records (`"record"`).
    Record,
}

impl QueryOptions {
    /// Borrowed as the engine's raw parameters.
    pub fn params(&self) -> QueryParams<'_> {
        QueryParams {
            filter: self.filter.as_deref(),
            sort: self.sort.as_deref(),
            select: self.select.as_deref(),
            offset: self.offset.as_deref(),
            limit: self.limit.as_deref(),
            group_by: self.group_by.as_deref(),
            aliases: &[],
        }
    }

    fn text(&self, p: Param) -> &str {
        let t = match p {
            Param::Filter => &self.filter,
            Param::Sort => &self.sort,
            Param::Select => &self.select,
            Param::Offset => &self.offset,
            Param::Limit => &self.limit,
            Param::GroupBy => &self.group_by,
            Param::Alias(_) => return "",
        };
        t.as_deref().unwrap_or("")
    }
}

/// Reads one option: strings as they are, numbers as their integer text (non-integers
/// keep their decimal text so the engine rejects them), absent/null as `None`.
fn opt(obj: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    let v = Reflect::get(obj, &JsValue::from_str(name))?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(s));
    }
    if let Some(n) = v.as_f64() {
        return Ok(Some(if n.fract() == 0.0 && n.abs() < 1e15 {
            format!("{}", n as i64)
        } else {
            format!("{n}")
        }));
    }
    Err(plain_error(
        "query.option.type",
        &format!("option `{name}` must be a string or a number"),
    ))
}

/// The options object (`undefined` means no options).
pub fn options(obj: &JsValue) -> Result<QueryOptions, JsValue> {
    if obj.is_undefined() || obj.is_null() {
        return Ok(QueryOptions::default());
    }
    if !obj.is_object() {
        return Err(plain_error(
            "query.option.type",
            "options must be an object",
        ));
    }
    Ok(QueryOptions {
        filter: opt(obj, "filter")?,
        sort: opt(obj, "sort")?,
        select: opt(obj, "select")?,
        offset: opt(obj, "offset")?,
        limit: opt(obj, "limit")?,
        group_by: opt(obj, "groupBy")?,
        schema: match opt(obj, "schema")?.as_deref() {
            None | Some("json") => RowKind::Json,
            Some("record") => RowKind::Record,
            Some(_) => {
                return Err(plain_error(
                    "query.option.schema",
                    "option `schema` is \"json\" or \"record\"",
                ))
            }
        },
    })
}

/// The records as JSON text: bytes straight from a `Uint8Array` (checked to be UTF-8), a
/// JSON string, or an array of plain objects through `JSON.stringify` (which beats
/// walking it from Rust).
pub fn records_text(records: &JsValue) -> Result<String, JsValue> {
    if let Some(bytes) = records.dyn_ref::<Uint8Array>() {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| records_error("records are not UTF-8 JSON text"))
    } else if let Some(s) = records.as_string() {
        Ok(s)
    } else if Array::is_array(records) {
        Ok(String::from(JSON::stringify(records)?))
    } else {
        Err(records_error(
            "records must be a JSON string, a Uint8Array of JSON bytes or an array of objects",
        ))
    }
}

/// A `records.invalid` error with `param: "records"`.
pub fn records_error(msg: &str) -> JsValue {
    let e = plain_error("records.invalid", msg);
    set(&e, "param", &JsValue::from_str("records"));
    e
}

fn set(target: &JsValue, name: &str, v: &JsValue) {
    // Setting a property on a fresh Error cannot fail; there is nothing to do if it did.
    let _ = Reflect::set(target, &JsValue::from_str(name), v);
}

/// An `Error` with a `code` and no place.
pub fn plain_error(code: &str, message: &str) -> JsValue {
    let e: JsValue = Error::new(message).into();
    set(&e, "code", &JsValue::from_str(code));
    e
}

/// A filter error as an `Error` with `code`, `start`, `end` (UTF-16 offsets into
/// `source`), `param` and `suggestion`.
pub fn filter_error(err: &FilterError, source: &str, param: &str) -> JsValue {
    let e = plain_error(err.code(), &err.to_string());
    let (start, end) = err.utf16_span(source);
    set(&e, "start", &JsValue::from_f64(start as f64));
    set(&e, "end", &JsValue::from_f64(end as f64));
    set(&e, "param", &JsValue::from_str(param));
    if let Some(s) = &err.suggestion {
        set(&e, "suggestion", &JsValue::from_str(s));
    }
    e
}

/// A query error, its span made relative to the text of its parameter.
pub fn query_error(err: &QueryError, texts: &QueryOptions) -> JsValue {
    let name = match err.param {
        Param::GroupBy => "groupBy",
        p => p.as_str(),
    };
    filter_error(&err.error, texts.text(err.param), name)
}
