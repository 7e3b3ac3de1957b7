//! A query over a JSON array of rows given as text, answered as JSON text: what the
//! browser module runs for every call.
//!
//! The rows are read for the query at hand: only the top-level members the query names
//! (in `filter`, `sort`, `select` or `group_by`; see [`Query::roots`]) are parsed into
//! values, the others are validated and skipped ([`super::read`]). The page's
//! items are the rows' original text, unchanged (or, with `select`, the selected paths
//! of the row read whole). Types come from [`JsonSchema::infer`] over the kept members,
//! which gives every path the query can name the same type as inferring over whole rows
//! (a path's type depends only on the values at that path), or from
//! [`JsonSchema::record`]. When a name does not resolve, the rows are read again whole so
//! that the error and its suggestion are those of the full reader.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::fmt::Write as _;

use serde::Serialize;

use super::read::{check_record, read_rows, read_value, JsonRef, Members, RECORD_REQUIRED};
use super::schema::{JsonLike, JsonSchema};
use crate::filter::{Expr, ExprKind, Path};
use crate::query::{select_paths, Group, Query, QueryError};

/// How the rows are typed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Typing {
    /// From the values ([`JsonSchema::infer`]).
    #[default]
    Infer,
    /// As flexedge's normalized records ([`JsonSchema::record`]); rows whose read
    /// members do not have a Record's types are an error.
    Record,
}

/// What went wrong running a query over JSON text.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// The records are not a JSON array of the expected rows (a message).
    Records(String),
    /// The query does not fit the rows.
    Query(QueryError),
}

impl Query {
    /// The first segment of every path the query names, each once: the top-level members
    /// a row must have read for the query (a lambda variable's name is included too,
    /// harmlessly).
    pub fn roots(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |s: &str| {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        };
        if let Some(f) = &self.filter {
            expr_roots(f, &mut add);
        }
        for p in self
            .sort
            .iter()
            .map(|k| &k.path)
            .chain(&self.select)
            .chain(&self.group_by)
        {
            if let Some(s) = root_of(p) {
                add(s);
            }
        }
        out
    }
}

/// The top-level member a path reads: its first segment, after a leading `$it`/`$this`.
fn root_of(p: &Path) -> Option<&str> {
    let mut segs = p.segments.iter();
    let first = segs.next()?;
    let s = if matches!(first.name.as_str(), "$it" | "$this") {
        segs.next().unwrap_or(first)
    } else {
        first
    };
    Some(&s.name)
}

fn expr_roots(e: &Expr, add: &mut impl FnMut(&str)) {
    // Recursion is bounded by the parser's nesting limit (`filter::MAX_DEPTH`).
    match &e.kind {
        ExprKind::Literal(_) => {}
        ExprKind::Path(p) => {
            if let Some(s) = root_of(p) {
                add(s);
            }
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_roots(lhs, add);
            expr_roots(rhs, add);
        }
        ExprKind::And(v) | ExprKind::Or(v) => v.iter().for_each(|x| expr_roots(x, add)),
        ExprKind::Not(x) | ExprKind::Neg(x) => expr_roots(x, add),
        ExprKind::In { lhs, list } => {
            expr_roots(lhs, add);
            list.iter().for_each(|x| expr_roots(x, add));
        }
        ExprKind::Call { args, .. } | ExprKind::Array(args) => {
            args.iter().for_each(|x| expr_roots(x, add))
        }
        ExprKind::Object(members) => members.iter().for_each(|m| expr_roots(&m.value, add)),
        ExprKind::Lambda {
            collection, body, ..
        } => {
            if let Some(s) = root_of(collection) {
                add(s);
            }
            if let Some((_, b)) = body {
                expr_roots(b, add);
            }
        }
    }
}

/// A page of groups as the browser module answers it (`items` are the groups).
#[derive(Serialize)]
struct GroupOut<'a> {
    items: &'a [Group],
    count: usize,
    total: usize,
    rows: usize,
    offset: usize,
}

fn records_err(e: impl std::fmt::Display) -> RunError {
    RunError::Records(format!(
        "records are not an array of the expected objects: {e}"
    ))
}

/// Reads `text` (a JSON array of rows) for `query` and runs it: a list query, or a
/// transform when the query has `group_by`. `now_ms` is the value of `now()`.
///
/// A list answers `{"items":[…],"count":…,"total":…,"offset":…}` where each item is the
/// row's text from `text` unchanged (with `select`: the selected paths); a transform
/// answers `{"items":[{"key":{…},"count":…},…],"count":…,"total":…,"rows":…,"offset":…}`.
pub fn run_json_text(
    query: &Query,
    text: &str,
    typing: Typing,
    now_ms: i64,
) -> Result<String, RunError> {
    let mut keep = query.roots();
    if typing == Typing::Record {
        for r in RECORD_REQUIRED {
            if !keep.iter().any(|k| k == r) {
                keep.push(r.to_owned());
            }
        }
    }
    let (mut rows, raw) = read_rows(text, Members::Only(&keep)).map_err(records_err)?;
    let plan = match typing {
        Typing::Record => {
            for (i, row) in rows.iter_mut().enumerate() {
                check_record(row).map_err(|m| {
                    records_err(format!(
                        "record {i}: `{m}` is not what a normalized record has there"
                    ))
                })?;
            }
            query
                .plan::<JsonRef<'_>>(JsonSchema::record(), now_ms)
                .map_err(RunError::Query)?
        }
        Typing::Infer => match query.plan::<JsonRef<'_>>(JsonSchema::infer(&rows), now_ms) {
            Ok(p) => p,
            Err(_) => {
                // Read whole rows so that the error (and its suggestion) is the full
                // reader's; should the query fit them after all, use them.
                rows = read_rows(text, Members::All).map_err(records_err)?.0;
                query
                    .plan::<JsonRef<'_>>(JsonSchema::infer(&rows), now_ms)
                    .map_err(RunError::Query)?
            }
        },
    };
    if !query.group_by.is_empty() {
        let g = plan.run_group(&rows);
        let out = GroupOut {
            items: &g.groups,
            count: g.count,
            total: g.total,
            rows: g.rows,
            offset: g.offset,
        };
        return serde_json::to_string(&out).map_err(records_err);
    }
    let (page, total) = plan.page(&rows);
    let mut out = String::from("{\"items\":[");
    for (n, &i) in page.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let bytes = raw.get(i).copied().unwrap_or(b"null");
        if plan.has_select() {
            let row = std::str::from_utf8(bytes).map_err(records_err)?;
            let whole = read_value(row).map_err(records_err)?.to_value();
            let item = serde_json::to_string(&select_paths(&whole, plan.selected()))
                .map_err(records_err)?;
            out.push_str(&item);
        } else {
            // `text` is a `str` and rows start and end at ASCII bytes.
            out.push_str(std::str::from_utf8(bytes).map_err(records_err)?);
        }
    }
    let _ = write!(
        out,
        "],\"count\":{},\"total\":{},\"offset\":{}}}",
        page.len(),
        total,
        plan.offset()
    );
    Ok(out)
}
