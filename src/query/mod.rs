//! The query pipeline over any [`Row`](crate::filter::Row) type.
//!
//! - list: filter → sort → offset/limit → select ([`Plan::run_list`]);
//! - transform: filter → group-by → sort → offset/limit ([`Plan::run_group`]).
//!
//! [`Query::parse`] reads the raw parameter strings (syntax only); [`Query::plan`] checks
//! the query against a schema (no rows needed) and compiles it into a [`Plan`], which
//! runs over rows and also exposes [`Plan::matches`] (the filter on one row) and
//! [`Plan::compare`] (the sort order, for k-way merging across sources).
//!
//! Parameters: `sort` is comma-separated `path [asc|desc]` (stable; nulls first when
//! ascending, last when descending, as OData orders them); `select` is comma-separated paths (nested allowed,
//! unknown names are errors; empty selects everything); `group_by` is comma-separated
//! paths; `offset ≥ 0`; `0 ≤ limit ≤ 1000`, default 20. Every error names its parameter
//! and carries a span into that parameter's text.
//!
//! Imports no I/O, no wasm, no `worker`.

pub mod json;
mod plan;
mod select;

use std::fmt;

use crate::filter::{self, ErrorKind, Expr, FilterError, Path, Segment, Span};

pub use json::{run_json_text, JsonSchema, RunError, Typing};
pub use plan::{Group, GroupResult, ListResult, Plan};
pub use select::select_paths;

/// The default page size.
pub const DEFAULT_LIMIT: usize = 20;
/// The largest page size.
pub const MAX_LIMIT: usize = 1000;
/// The most keys in `sort`, `select` or `group_by`.
pub const MAX_KEYS: usize = 64;

/// Which query parameter an error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    /// `filter`
    Filter,
    /// `sort`
    Sort,
    /// `select`
    Select,
    /// `offset`
    Offset,
    /// `limit`
    Limit,
    /// `group_by`
    GroupBy,
    /// The value of the parameter alias at this index of [`QueryParams::aliases`].
    Alias(usize),
}

impl Param {
    /// The parameter name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Param::Filter => "filter",
            Param::Sort => "sort",
            Param::Select => "select",
            Param::Offset => "offset",
            Param::Limit => "limit",
            Param::GroupBy => "group_by",
            Param::Alias(_) => "alias",
        }
    }
}

/// An error in one query parameter; `error.span` indexes that parameter's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The parameter.
    pub param: Param,
    /// Code, message, span, suggestion.
    pub error: FilterError,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.param.as_str(), self.error)
    }
}

impl std::error::Error for QueryError {}

impl QueryError {
    fn new(param: Param, kind: ErrorKind, msg: impl Into<String>, span: Span) -> Self {
        QueryError {
            param,
            error: FilterError::new(kind, msg, span),
        }
    }
}

/// The raw query parameters (as decoded from the URL); `None` means absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueryParams<'a> {
    /// `filter`
    pub filter: Option<&'a str>,
    /// `sort`
    pub sort: Option<&'a str>,
    /// `select`
    pub select: Option<&'a str>,
    /// `offset`
    pub offset: Option<&'a str>,
    /// `limit`
    pub limit: Option<&'a str>,
    /// `group_by` (transform only)
    pub group_by: Option<&'a str>,
    /// Parameter aliases for the filter: (`@name`, value text).
    pub aliases: &'a [(String, String)],
}

/// One sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The path (or `count` in a transform).
    pub path: Path,
    /// `desc`.
    pub descending: bool,
}

/// A parsed query (syntax checked, names not yet resolved).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The filter, if any.
    pub filter: Option<Expr>,
    /// Sort keys, most significant first.
    pub sort: Vec<SortKey>,
    /// Selected paths; empty selects whole rows.
    pub select: Vec<Path>,
    /// Group-by paths; non-empty only for a transform.
    pub group_by: Vec<Path>,
    /// Rows (or groups) to skip.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            filter: None,
            sort: Vec::new(),
            select: Vec::new(),
            group_by: Vec::new(),
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

fn present(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

impl Query {
    /// Parses the raw parameters. Blank parameters count as absent.
    pub fn parse(p: &QueryParams<'_>) -> Result<Query, QueryError> {
        let filter = match present(p.filter) {
            Some(f) => {
                let e = filter::parse(f).map_err(|error| QueryError {
                    param: Param::Filter,
                    error,
                })?;
                let mut aliases = filter::Aliases::new();
                for (i, (name, text)) in p.aliases.iter().enumerate() {
                    aliases.insert(name, text).map_err(|error| QueryError {
                        param: Param::Alias(i),
                        error,
                    })?;
                }
                Some(aliases.substitute(&e).map_err(|error| QueryError {
                    param: Param::Filter,
                    error,
                })?)
            }
            None => None,
        };
        let sort = match present(p.sort) {
            Some(s) => list(s, Param::Sort, true)?
                .into_iter()
                .map(|(path, descending)| SortKey { path, descending })
                .collect(),
            None => Vec::new(),
        };
        let paths = |s: Option<&str>, param| -> Result<Vec<Path>, QueryError> {
            match present(s) {
                Some(s) => Ok(list(s, param, false)?.into_iter().map(|(p, _)| p).collect()),
                None => Ok(Vec::new()),
            }
        };
        let select = paths(p.select, Param::Select)?;
        let group_by = paths(p.group_by, Param::GroupBy)?;
        let offset = match present(p.offset) {
            Some(s) => number(s, Param::Offset, usize::MAX)?,
            None => 0,
        };
        let limit = match present(p.limit) {
            Some(s) => number(s, Param::Limit, MAX_LIMIT)?,
            None => DEFAULT_LIMIT,
        };
        Ok(Query {
            filter,
            sort,
            select,
            group_by,
            offset,
            limit,
        })
    }

    /// Canonical text of the query, stable for equal queries (for cache keys and explain):
    /// `filter=…&sort=…&select=…&group_by=…&offset=…&limit=…` (absent parts omitted,
    /// not URL-encoded).
    pub fn canonical(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.filter {
            parts.push(format!("filter={f}"));
        }
        let join = |v: &[Path]| v.iter().map(Path::joined).collect::<Vec<_>>().join(",");
        if !self.sort.is_empty() {
            let s: Vec<String> = self
                .sort
                .iter()
                .map(|k| {
                    format!(
                        "{} {}",
                        k.path.joined(),
                        if k.descending { "desc" } else { "asc" }
                    )
                })
                .collect();
            parts.push(format!("sort={}", s.join(",")));
        }
        if !self.select.is_empty() {
            parts.push(format!("select={}", join(&self.select)));
        }
        if !self.group_by.is_empty() {
            parts.push(format!("group_by={}", join(&self.group_by)));
        }
        parts.push(format!("offset={}", self.offset));
        parts.push(format!("limit={}", self.limit));
        parts.join("&")
    }
}

fn number(s: &str, param: Param, max: usize) -> Result<usize, QueryError> {
    let t = s.trim();
    let lead = s.len() - s.trim_start().len();
    let span = Span::new(lead, lead + t.len());
    let code_invalid = match param {
        Param::Offset => ErrorKind::OffsetInvalid,
        _ => ErrorKind::LimitInvalid,
    };
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QueryError::new(
            param,
            code_invalid,
            format!("`{}` must be a whole number ≥ 0", param.as_str()),
            span,
        ));
    }
    match t.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(QueryError::new(
            param,
            if param == Param::Limit {
                ErrorKind::LimitRange
            } else {
                ErrorKind::OffsetRange
            },
            format!("`{}` must be at most {max}", param.as_str()),
            span,
        )),
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '.')
}

/// Splits `a/b [asc|desc], c` into paths (and directions when `directions`).
fn list(s: &str, param: Param, directions: bool) -> Result<Vec<(Path, bool)>, QueryError> {
    let code = match param {
        Param::Sort => ErrorKind::SortSyntax,
        Param::Select => ErrorKind::SelectSyntax,
        _ => ErrorKind::GroupBySyntax,
    };
    let mut out = Vec::new();
    let mut start = 0;
    for item in s.split(',') {
        let item_start = start;
        start += item.len() + 1;
        if out.len() >= MAX_KEYS {
            return Err(QueryError::new(
                param,
                ErrorKind::TooManyKeys,
                format!("at most {MAX_KEYS} entries"),
                Span::new(item_start, item_start + item.len()),
            ));
        }
        let mut words = Vec::new();
        let mut off = item_start;
        for w in item.split([' ', '\t']) {
            if !w.is_empty() {
                words.push((w, off));
            }
            off += w.len() + 1;
        }
        let (path_text, path_at) = match words.first() {
            Some(&w) => w,
            None => {
                return Err(QueryError::new(
                    param,
                    code,
                    "empty entry",
                    Span::new(item_start, item_start + item.len()),
                ))
            }
        };
        let mut desc = false;
        match words.get(1) {
            None => {}
            Some(&(d, at)) if directions && words.len() == 2 => {
                if d.eq_ignore_ascii_case("desc") {
                    desc = true;
                } else if !d.eq_ignore_ascii_case("asc") {
                    return Err(QueryError::new(
                        param,
                        code,
                        format!("expected `asc` or `desc`, found `{d}`"),
                        Span::new(at, at + d.len()),
                    ));
                }
            }
            Some(_) => {
                let (w, at) = words
                    .get(if directions { 2 } else { 1 })
                    .copied()
                    .unwrap_or(("", off));
                return Err(QueryError::new(
                    param,
                    code,
                    format!("unexpected `{w}`"),
                    Span::new(at, at + w.len()),
                ));
            }
        }
        let mut segments = Vec::new();
        let mut seg_at = path_at;
        for seg in path_text.split('/') {
            let span = Span::new(seg_at, seg_at + seg.len());
            seg_at += seg.len() + 1;
            if seg.is_empty() || !seg.chars().all(is_ident_char) {
                return Err(QueryError::new(
                    param,
                    code,
                    format!("`{seg}` is not a field name"),
                    span,
                ));
            }
            segments.push(Segment::member(seg, span));
        }
        out.push((Path { segments }, desc));
    }
    Ok(out)
}
