//! A query checked against a schema and ready to run over rows.
//!
//! Imports no I/O, no wasm, no `worker`.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use super::{select::select_paths, select::MAX_SELECT_DEPTH, Param, Query, QueryError};
use crate::filter::{
    suggest, Compiled, ErrorKind, FieldId, FieldInfo, FieldType, Path, Resolved, Row, Schema, Span,
    Value,
};
use crate::model::Timestamp;

/// The most `group_by` paths.
pub const MAX_GROUP_BY: usize = 8;
/// The most group keys one row may contribute (the product of its collections' lengths).
pub const MAX_KEYS_PER_ROW: usize = 1_000;
/// The most group keys all rows together may contribute (the work of one transform).
pub const MAX_GROUP_KEYS: usize = 200_000;
/// The most distinct groups one transform may answer.
pub const MAX_GROUPS: usize = 10_000;

/// A transform that would exceed one of the caps on its work ([`MAX_KEYS_PER_ROW`],
/// [`MAX_GROUP_KEYS`], [`MAX_GROUPS`]): it stops there and answers this, never a
/// truncated count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooManyGroups {
    /// One row has more combinations of its group-by values than [`MAX_KEYS_PER_ROW`].
    PerRow,
    /// The rows together contribute more than [`MAX_GROUP_KEYS`] group keys.
    Keys,
    /// More than [`MAX_GROUPS`] distinct groups.
    Groups,
}

impl TooManyGroups {
    /// The stable code, `query.group_by.too_many_groups`, whichever cap was hit.
    pub const fn code(self) -> &'static str {
        "query.group_by.too_many_groups"
    }
}

impl std::fmt::Display for TooManyGroups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TooManyGroups::PerRow => write!(
                f,
                "a record has more than {MAX_KEYS_PER_ROW} combinations of the group-by values; group by fewer collection fields"
            ),
            TooManyGroups::Keys => write!(
                f,
                "the records contribute more than {MAX_GROUP_KEYS} group keys; narrow the filter or group by fewer collection fields"
            ),
            TooManyGroups::Groups => write!(
                f,
                "more than {MAX_GROUPS} distinct groups; narrow the filter or group by fewer fields"
            ),
        }
    }
}

/// One page of rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListResult {
    /// The selected rows of the page.
    pub items: Vec<serde_json::Value>,
    /// `items.len()`.
    pub count: usize,
    /// Rows matching the filter, before paging.
    pub total: usize,
    /// The offset applied.
    pub offset: usize,
}

/// One group of a transform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Group-by path (as written, `/`-joined) → value (`null` for absent).
    pub key: serde_json::Map<String, serde_json::Value>,
    /// Rows (or, for multi-valued fields, values) in the group.
    pub count: usize,
}

/// One page of groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    /// The groups of the page.
    pub groups: Vec<Group>,
    /// `groups.len()`.
    pub count: usize,
    /// All groups, before paging.
    pub total: usize,
    /// Rows matching the filter.
    pub rows: usize,
    /// The offset applied.
    pub offset: usize,
}

#[derive(Debug, Clone, Copy)]
enum KeySource {
    Single(FieldId, FieldType),
    Multi {
        collection: FieldId,
        field: FieldId,
        ty: FieldType,
    },
}

/// Group-by fields read together: one single-valued field (`None`), or the fields of one
/// collection (read element by element); each with its position in the group key.
type Factor = (Option<FieldId>, Vec<(usize, FieldId, FieldType)>);

#[derive(Debug, Clone, Copy)]
enum GroupSort {
    Count,
    Key(usize),
}

/// A query compiled for rows of type `R`.
pub struct Plan<R: Row> {
    schema: R::Schema,
    filter: Option<Compiled>,
    sort: Vec<(FieldId, FieldType, bool)>,
    group_sort: Vec<(GroupSort, bool)>,
    select: Vec<Vec<String>>,
    group: Vec<(String, KeySource)>,
    offset: usize,
    limit: usize,
}

impl<R: Row> std::fmt::Debug for Plan<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("filter", &self.filter.is_some())
            .field("offset", &self.offset)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

fn unknown<S: Schema>(schema: &S, param: Param, p: &Path) -> QueryError {
    let name = p.joined();
    let names = schema.field_names();
    let s = suggest(&name, names.iter().map(String::as_str));
    QueryError {
        param,
        error: crate::filter::FilterError::new(
            ErrorKind::QueryUnknownField,
            format!("unknown field `{name}`"),
            p.span(),
        )
        .with_suggestion(s),
    }
}

fn qerr(param: Param, kind: ErrorKind, msg: String, span: Span) -> QueryError {
    QueryError::new(param, kind, msg, span)
}

fn names(p: &Path) -> Vec<&str> {
    p.segments.iter().map(|s| s.name.as_str()).collect()
}

impl Query {
    /// Checks every name and type against `schema` and compiles; no rows needed. `now_ms`
    /// is the value of `now()` in the filter.
    pub fn plan<R: Row>(&self, mut schema: R::Schema, now_ms: i64) -> Result<Plan<R>, QueryError> {
        let filter = match &self.filter {
            Some(e) => {
                Some(
                    Compiled::compile(e, &mut schema, now_ms).map_err(|error| QueryError {
                        param: Param::Filter,
                        error,
                    })?,
                )
            }
            None => None,
        };
        let mut group: Vec<(String, KeySource)> = Vec::new();
        if let Some(p) = self.group_by.get(MAX_GROUP_BY) {
            return Err(qerr(
                Param::GroupBy,
                ErrorKind::GroupByTooMany,
                format!("at most {MAX_GROUP_BY} group-by paths"),
                p.span(),
            ));
        }
        for p in &self.group_by {
            // A repeated path is dropped: it would only repeat a key of every group.
            if group.iter().any(|(n, _)| *n == p.joined()) {
                continue;
            }
            let src = match schema.resolve(&names(p)) {
                Some(Resolved::Field(FieldInfo {
                    id,
                    ty,
                    collection: None,
                })) => KeySource::Single(id, ty),
                Some(Resolved::Field(FieldInfo {
                    id,
                    ty,
                    collection: Some(c),
                })) => KeySource::Multi {
                    collection: c,
                    field: id,
                    ty,
                },
                Some(Resolved::Collection {
                    id,
                    element: Some(e),
                }) => KeySource::Multi {
                    collection: id,
                    field: e.id,
                    ty: e.ty,
                },
                Some(Resolved::Collection { .. }) => {
                    return Err(qerr(
                        Param::GroupBy,
                        ErrorKind::GroupByNotGroupable,
                        format!(
                            "`{}` is a collection of objects; group by one of its fields",
                            p.joined()
                        ),
                        p.span(),
                    ))
                }
                None => return Err(unknown(&schema, Param::GroupBy, p)),
            };
            group.push((p.joined(), src));
        }
        let mut sort = Vec::new();
        let mut group_sort = Vec::new();
        for k in &self.sort {
            if !self.group_by.is_empty() {
                let j = k.path.joined();
                let g = if j == "count" {
                    GroupSort::Count
                } else if let Some(i) = group.iter().position(|(n, _)| *n == j) {
                    GroupSort::Key(i)
                } else {
                    let cands: Vec<&str> = group
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .chain(["count"])
                        .collect();
                    return Err(QueryError {
                        param: Param::Sort,
                        error: crate::filter::FilterError::new(
                            ErrorKind::SortNotGrouped,
                            format!("a transform sorts by `count` or a group-by field, not `{j}`"),
                            k.path.span(),
                        )
                        .with_suggestion(suggest(&j, cands)),
                    });
                };
                group_sort.push((g, k.descending));
                continue;
            }
            match schema.resolve(&names(&k.path)) {
                Some(Resolved::Field(FieldInfo {
                    id,
                    ty,
                    collection: None,
                })) => sort.push((id, ty, k.descending)),
                Some(_) => {
                    return Err(qerr(
                        Param::Sort,
                        ErrorKind::SortNotSortable,
                        format!(
                            "`{}` has several values per row and cannot be sorted by",
                            k.path.joined()
                        ),
                        k.path.span(),
                    ))
                }
                None => return Err(unknown(&schema, Param::Sort, &k.path)),
            }
        }
        let mut select = Vec::new();
        let all = schema.field_names();
        for p in &self.select {
            if p.segments.len() > MAX_SELECT_DEPTH {
                return Err(qerr(
                    Param::Select,
                    ErrorKind::SelectTooDeep,
                    format!("a selected path has at most {MAX_SELECT_DEPTH} segments"),
                    p.span(),
                ));
            }
            let j = p.joined();
            let prefix = format!("{j}/");
            let known = schema.resolve(&names(p)).is_some()
                || all.iter().any(|n| *n == j || n.starts_with(&prefix));
            if !known {
                return Err(unknown(&schema, Param::Select, p));
            }
            select.push(p.segments.iter().map(|s| s.name.clone()).collect());
        }
        Ok(Plan {
            schema,
            filter,
            sort,
            group_sort,
            select,
            group,
            offset: self.offset,
            limit: self.limit,
        })
    }
}

/// A sortable, groupable key; text borrows from the row.
#[derive(Debug, Clone, PartialEq)]
enum Key<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Time(i64),
    Str(&'a str),
}

impl Key<'_> {
    /// Null ranks first: OData orders nulls before every value ascending (and so after
    /// them descending).
    fn rank(&self) -> u8 {
        match self {
            Key::Null => 0,
            Key::Bool(_) => 1,
            Key::Num(_) => 2,
            Key::Time(_) => 3,
            Key::Str(_) => 4,
        }
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            Key::Null => serde_json::Value::Null,
            Key::Bool(b) => (*b).into(),
            Key::Num(n) => crate::model::number_from_f64(*n)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Key::Time(t) => Timestamp(*t).to_string().into(),
            Key::Str(s) => (*s).into(),
        }
    }
}

impl Eq for Key<'_> {}

impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Num(a), Key::Num(b)) => a.total_cmp(b),
            (Key::Time(a), Key::Time(b)) => a.cmp(b),
            (Key::Str(a), Key::Str(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// The key of a value: date-time text parsed to its instant (text that is no date
/// stays text); what [`cmp_values`] orders by.
fn key(v: Value<'_>, ty: FieldType) -> Key<'_> {
    match v {
        Value::Null => Key::Null,
        Value::Bool(b) => Key::Bool(b),
        Value::Number(n) => Key::Num(n),
        Value::DateTime(t) => Key::Time(t),
        Value::Str(s) if ty == FieldType::DateTime => match Timestamp::parse_opt(s) {
            Some(t) => Key::Time(t.0),
            None => Key::Str(s),
        },
        Value::Str(s) => Key::Str(s),
    }
}

/// Orders two borrowed values: by type rank, then value; nulls rank first (OData).
fn cmp_values(a: Value<'_>, b: Value<'_>, ty: FieldType) -> Ordering {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) if ty != FieldType::DateTime => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.total_cmp(&y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(&y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (a, b) => key(a, ty).cmp(&key(b, ty)),
    }
}

impl<R: Row> Plan<R> {
    /// True when the filter (if any) is true on `row`.
    #[inline]
    pub fn matches(&self, row: &R) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| f.matches(row, &self.schema))
    }

    /// The list order: each sort key in turn (ascending: nulls first, as OData orders;
    /// descending: the
    /// exact reverse). Rows equal on every key compare `Equal`; callers merging
    /// sources keep their own tie-break.
    pub fn compare(&self, a: &R, b: &R) -> Ordering {
        self.sort
            .iter()
            .map(|k| self.compare_by(k, a, b))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    }

    /// [`Plan::compare`] on the first sort key alone (`Equal` without a sort).
    pub fn compare_first(&self, a: &R, b: &R) -> Ordering {
        self.sort
            .first()
            .map_or(Ordering::Equal, |k| self.compare_by(k, a, b))
    }

    fn compare_by(&self, &(id, ty, desc): &(FieldId, FieldType, bool), a: &R, b: &R) -> Ordering {
        let o = cmp_values(a.get(&self.schema, id), b.get(&self.schema, id), ty);
        if desc {
            o.reverse()
        } else {
            o
        }
    }

    /// Applies `select` to one row.
    pub fn select(&self, row: &R) -> serde_json::Value {
        if self.select.is_empty() {
            return row.to_json();
        }
        select_paths(&row.to_json(), &self.select)
    }

    /// The selected paths (segment lists); empty selects whole rows.
    pub fn selected(&self) -> &[Vec<String>] {
        &self.select
    }

    /// Whether the query has a `select` (without one, [`Plan::select`] is the whole row).
    pub fn has_select(&self) -> bool {
        !self.select.is_empty()
    }

    /// The offset.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The page size.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The schema the plan was checked against.
    pub fn schema(&self) -> &R::Schema {
        &self.schema
    }

    /// filter → sort (stable) → offset/limit: the indices into `rows` of the page, and
    /// the number of rows matching the filter. Each row's sort keys are computed once
    /// (date-time text parsed once per row, not once per comparison).
    pub fn page(&self, rows: &[R]) -> (Vec<usize>, usize) {
        let hits: Vec<usize> = (0..rows.len())
            .filter(|&i| rows.get(i).is_some_and(|r| self.matches(r)))
            .collect();
        let total = hits.len();
        let page = |order: &mut dyn Iterator<Item = usize>| -> Vec<usize> {
            order.skip(self.offset).take(self.limit).collect()
        };
        if self.sort.is_empty() {
            return (page(&mut hits.into_iter()), total);
        }
        let n = self.sort.len();
        let mut keys: Vec<Key<'_>> = Vec::with_capacity(total * n);
        for &i in &hits {
            for &(id, ty, _) in &self.sort {
                let v = rows.get(i).map_or(Value::Null, |r| r.get(&self.schema, id));
                keys.push(key(v, ty));
            }
        }
        let mut order: Vec<usize> = (0..total).collect();
        order.sort_by(|&a, &b| {
            let ka = keys.get(a * n..(a + 1) * n).unwrap_or(&[]);
            let kb = keys.get(b * n..(b + 1) * n).unwrap_or(&[]);
            for ((x, y), &(_, _, desc)) in ka.iter().zip(kb).zip(&self.sort) {
                let o = if desc { y.cmp(x) } else { x.cmp(y) };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
        let mut it = order.into_iter().filter_map(|p| hits.get(p).copied());
        (page(&mut it), total)
    }

    /// filter → sort (stable) → offset/limit → select.
    pub fn run_list(&self, rows: &[R]) -> ListResult {
        let (page, total) = self.page(rows);
        let items: Vec<serde_json::Value> = page
            .into_iter()
            .filter_map(|i| rows.get(i))
            .map(|r| self.select(r))
            .collect();
        ListResult {
            count: items.len(),
            items,
            total,
            offset: self.offset,
        }
    }

    /// filter → group-by (count per group; each value of a multi-valued field counts, and
    /// fields of the same collection are read from the same element, so `devices/id,
    /// devices/mac` groups each device's pair; a row with an empty collection counts under
    /// `null`) → sort (default: by key ascending) → offset/limit. Without group-by fields,
    /// one group of all rows. The work is capped ([`TooManyGroups`]).
    pub fn run_group(&self, rows: &[R]) -> Result<GroupResult, TooManyGroups> {
        self.run_group_with(rows, &[])
    }

    /// The group-by paths as written, in order (empty without a group-by).
    pub fn group_paths(&self) -> impl Iterator<Item = &str> {
        self.group.iter().map(|(n, _)| n.as_str())
    }

    /// [`Plan::run_group`] over `rows` and groups counted elsewhere: for a group-by of one
    /// text path, each `(value, count)` of `counted` (a vendor's own group-by of records
    /// it holds, already filtered) adds `count` matching rows with that value (`None`:
    /// null). Counted groups are ignored for any other group-by.
    pub fn run_group_with(
        &self,
        rows: &[R],
        counted: &[(Option<String>, u64)],
    ) -> Result<GroupResult, TooManyGroups> {
        // The group-by fields in factors: a single-valued field, or the fields of one
        // collection (read element by element). A row's keys are the cross product of
        // its factors' values.
        let mut factors: Vec<Factor> = Vec::new();
        for (pos, (_, src)) in self.group.iter().enumerate() {
            match *src {
                KeySource::Single(id, ty) => factors.push((None, vec![(pos, id, ty)])),
                KeySource::Multi {
                    collection,
                    field,
                    ty,
                } => match factors.iter_mut().find(|(c, _)| *c == Some(collection)) {
                    Some((_, members)) => members.push((pos, field, ty)),
                    None => factors.push((Some(collection), vec![(pos, field, ty)])),
                },
            }
        }
        let width = self.group.len();
        let mut counts: BTreeMap<Vec<Key>, usize> = BTreeMap::new();
        let mut matched: usize = 0;
        let mut contributed = 0usize;
        for r in rows.iter().filter(|r| self.matches(r)) {
            matched += 1;
            let mut keys: Vec<Vec<Key>> = vec![vec![Key::Null; width]];
            for (collection, members) in &factors {
                let elements = match collection {
                    None => 1,
                    Some(c) => r.len(&self.schema, *c),
                };
                // An empty collection counts once, under `null`.
                let n = elements.max(1);
                if keys.len().saturating_mul(n) > MAX_KEYS_PER_ROW {
                    return Err(TooManyGroups::PerRow);
                }
                let mut next = Vec::with_capacity(keys.len().saturating_mul(n));
                for k in &keys {
                    for i in 0..n {
                        let mut k2 = k.clone();
                        for &(pos, field, ty) in members {
                            let v = match collection {
                                None => key(r.get(&self.schema, field), ty),
                                Some(_) if elements == 0 => Key::Null,
                                Some(_) => key(r.get_at(&self.schema, field, i), ty),
                            };
                            if let Some(slot) = k2.get_mut(pos) {
                                *slot = v;
                            }
                        }
                        next.push(k2);
                    }
                }
                keys = next;
            }
            contributed = contributed.saturating_add(keys.len());
            if contributed > MAX_GROUP_KEYS {
                return Err(TooManyGroups::Keys);
            }
            for k in keys {
                *counts.entry(k).or_insert(0) += 1;
            }
            if counts.len() > MAX_GROUPS {
                return Err(TooManyGroups::Groups);
            }
        }
        if let [(_, KeySource::Single(_, FieldType::String))] = self.group.as_slice() {
            for (value, n) in counted {
                let n = usize::try_from(*n).unwrap_or(usize::MAX);
                matched = matched.saturating_add(n);
                let k = value.as_deref().map_or(Key::Null, Key::Str);
                let slot = counts.entry(vec![k]).or_insert(0);
                *slot = slot.saturating_add(n);
                if counts.len() > MAX_GROUPS {
                    return Err(TooManyGroups::Groups);
                }
            }
        }
        let mut groups: Vec<(Vec<Key>, usize)> = counts.into_iter().collect();
        if !self.group_sort.is_empty() {
            groups.sort_by(|a, b| {
                for &(g, desc) in &self.group_sort {
                    let o = match g {
                        GroupSort::Count => a.1.cmp(&b.1),
                        GroupSort::Key(i) => a.0.get(i).cmp(&b.0.get(i)),
                    };
                    let o = if desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
        }
        let total = groups.len();
        let page: Vec<Group> = groups
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .map(|(k, count)| Group {
                key: self
                    .group
                    .iter()
                    .zip(k.iter())
                    .map(|((n, _), v)| (n.clone(), v.to_json()))
                    .collect(),
                count,
            })
            .collect();
        Ok(GroupResult {
            count: page.len(),
            groups: page,
            total,
            rows: matched,
            offset: self.offset,
        })
    }
}
