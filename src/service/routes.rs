//! The `/v1` routes: unified search, transform, get-by-id, per-source search, sources,
//! and GreenLake devices (`/v1/devices`, the same list machinery over the devices
//! collection).
//!
//! Every route: authenticate (done by the caller), parse and check the query against the
//! record schema (a 400 problem with code and span on any error), fan out to the sources
//! the key may see, merge, and answer in the one envelope
//! `{items, count, total?, offset, next?, sources}`.

use base64::Engine as _;
use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::filter::{Expr, ExprKind};
use crate::model::{Projected, Projection, Record, RecordSchema, Source};
use crate::query::{Param, Plan as QueryPlan, Query, QueryError, QueryParams};
use crate::upstream::{Clock, Collection, HttpClient, PlanInput};

use super::gateway::{self, FanOut, Outcome, SourceReport};
use super::params::Params;
use super::problem::Problem;
use super::{json_response, raw_json, Ctx, Scope, Service};

/// The sort when the client gives none.
pub const DEFAULT_SORT: &str = "endDate asc, id asc";

/// Whether the path segments name a `/v1` route.
pub fn is_route(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["v1", "orders"]
            | ["v1", "orders", _]
            | ["v1", "sources"]
            | ["v1", "sources", _, "orders"]
            | ["v1", "devices"]
    )
}

/// Runs a `/v1` route for an authenticated client.
pub async fn dispatch<C: HttpClient, K: Clock>(
    svc: &Service,
    segments: &[&str],
    params: &Params,
    scope: &Scope,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, Problem> {
    match segments {
        ["v1", "orders"] => list(svc, params, scope, Collection::Orders, &Source::ALL, ctx).await,
        ["v1", "orders", "transform"] => transform(svc, params, scope, ctx).await,
        ["v1", "orders", id] => get_one(svc, params, scope, id, ctx).await,
        ["v1", "sources"] => Ok(json_response(StatusCode::OK, &svc.sources_info())),
        ["v1", "sources", source, "orders"] => {
            let source = Source::from_id(source).ok_or_else(|| {
                Problem::new(
                    StatusCode::NOT_FOUND,
                    "source.not_found",
                    "Not Found",
                    format!(
                        "no source `{}` (known: hpe_flex, fno_orders, fno_entitlements, telecomx_flexcare)",
                        source.chars().take(40).collect::<String>()
                    ),
                )
            })?;
            if !scope.allows(source) {
                return Err(Problem::forbidden(format!(
                    "the client key may not query `{source}`"
                )));
            }
            list(svc, params, scope, Collection::Orders, &[source], ctx).await
        }
        ["v1", "devices"] => {
            let sources = Collection::Devices.sources();
            if let Some(s) = sources.iter().find(|s| !scope.allows(**s)) {
                return Err(Problem::forbidden(format!(
                    "the client key may not query `{s}` (devices come from it)"
                )));
            }
            list(svc, params, scope, Collection::Devices, sources, ctx).await
        }
        _ => Err(Problem::not_found(&segments.join("/"))),
    }
}

/// The response envelope of list routes, with its items already serialized (a JSON
/// array), so that the body and the `ETag` basis share one serialization of the rows.
struct ListEnvelope {
    items: Vec<u8>,
    count: usize,
    total: Option<u64>,
    offset: usize,
    next: Option<String>,
    sources: Map<String, Value>,
}

impl ListEnvelope {
    /// The body `{"items":…,"count":…,"total"?:…,"offset":…,"next"?:…,"sources":…}`: the
    /// bytes a derived `Serialize` of the same struct with `items: Vec<Value>` wrote.
    fn body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.items.len().saturating_add(1024));
        out.extend_from_slice(b"{\"items\":");
        out.extend_from_slice(&self.items);
        member(&mut out, "count", &self.count);
        if let Some(t) = &self.total {
            member(&mut out, "total", t);
        }
        member(&mut out, "offset", &self.offset);
        if let Some(n) = &self.next {
            member(&mut out, "next", n);
        }
        member(&mut out, "sources", &self.sources);
        out.push(b'}');
        out
    }

    /// Sets an `ETag` over the data of the envelope (items, totals, paging and which
    /// sources answered), not over per-request timings and cache counters, so that an
    /// unchanged answer revalidates with 304. The basis is the JSON array
    /// `[items, total, offset, next, [[source, status], …]]`.
    fn with_etag(&self, mut res: Response<Vec<u8>>) -> Response<Vec<u8>> {
        let statuses: Vec<(&String, &Value)> = self
            .sources
            .iter()
            .map(|(k, v)| (k, v.get("status").unwrap_or(&Value::Null)))
            .collect();
        let rest = serde_json::to_vec(&(self.total, self.offset, &self.next, statuses))
            .unwrap_or_default();
        let mut basis = Vec::with_capacity(self.items.len().saturating_add(rest.len()) + 2);
        basis.push(b'[');
        basis.extend_from_slice(&self.items);
        basis.push(b',');
        // `rest` is `[total,offset,next,statuses]`: its members follow the items.
        basis.extend_from_slice(rest.get(1..).unwrap_or(b"]"));
        if let Ok(v) = http::HeaderValue::from_str(&super::etag_for(&basis)) {
            res.headers_mut().insert(http::header::ETAG, v);
        }
        res
    }

    /// The `200` response with its `ETag`.
    fn response(&self) -> Response<Vec<u8>> {
        self.with_etag(raw_json(StatusCode::OK, self.body()))
    }
}

/// Appends `,"key":value` to an object being written.
fn member<T: Serialize + ?Sized>(out: &mut Vec<u8>, key: &str, v: &T) {
    out.push(b',');
    let _ = serde_json::to_writer(&mut *out, key);
    out.push(b':');
    if serde_json::to_writer(&mut *out, v).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// What a continuation token holds: the next offset and a hash of the query it belongs to.
#[derive(Serialize, Deserialize)]
struct Token {
    o: usize,
    h: String,
}

fn query_hash(scope_path: &str, query: &Query) -> String {
    let mut q = query.clone();
    q.offset = 0;
    let text = format!("{scope_path}\n{}", q.canonical());
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

fn encode_token(offset: usize, hash: String) -> String {
    let json = serde_json::to_vec(&Token { o: offset, h: hash }).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

fn decode_token(token: &str, hash: &str) -> Result<usize, Problem> {
    let bad = || {
        Problem::bad_parameter(
            "next",
            "`next` is not a continuation token of this query (send the same filter, sort, select and limit as the request that returned it)",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| bad())?;
    let t: Token = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if t.h != hash {
        return Err(bad());
    }
    Ok(t.o)
}

fn param_text(params: &Params, p: Param) -> &str {
    let v = match p {
        Param::Filter => &params.filter,
        Param::Sort => &params.sort,
        Param::Select => &params.select,
        Param::Offset => &params.offset,
        Param::Limit => &params.limit,
        Param::GroupBy => &params.group_by,
        Param::Alias(i) => return params.aliases.get(i).map_or("", |(_, v)| v.as_str()),
    };
    v.as_deref().unwrap_or(DEFAULT_SORT)
}

fn query_error(params: &Params, e: &QueryError) -> Problem {
    Problem::query(e, param_text(params, e.param))
}

/// Parses and checks the query parameters against the record schema.
fn checked_query(
    params: &Params,
    default_sort: Option<&str>,
    now_ms: i64,
) -> Result<Checked, Problem> {
    let sort = params.sort.as_deref().or(default_sort);
    let qp = QueryParams {
        filter: params.filter.as_deref(),
        sort,
        select: params.select.as_deref(),
        offset: params.offset.as_deref(),
        limit: params.limit.as_deref(),
        group_by: params.group_by.as_deref(),
        aliases: &params.aliases,
    };
    let mut query = Query::parse(&qp).map_err(|e| query_error(params, &e))?;
    if let Some(extra) = &params.search {
        query.filter = Some(match query.filter.take() {
            Some(f) => Expr {
                span: f.span,
                kind: ExprKind::And(vec![f, extra.clone()]),
            },
            None => extra.clone(),
        });
    }
    let plan = query
        .plan::<Record>(RecordSchema::default(), now_ms)
        .map_err(|e| query_error(params, &e))?;
    Ok(Checked {
        query,
        plan,
        window: None,
    })
}

/// A parsed query, its checked plan, and how many records of the merged order the page
/// needs from each source (`None`: all of them).
struct Checked {
    query: Query,
    plan: QueryPlan<Record>,
    window: Option<u64>,
}

/// Asks the sources in `wanted` that the key may see for `collection`, and reports the
/// rest as skipped.
async fn ask<C: HttpClient, K: Clock>(
    svc: &Service,
    scope: &Scope,
    collection: Collection,
    wanted: &[Source],
    q: &Checked,
    params: &Params,
    ctx: &Ctx<'_, C, K>,
) -> Outcome {
    let (query, plan, window) = (&q.query, &q.plan, q.window);
    let now = ctx.clock.now_ms();
    let mut input = PlanInput::new(
        query.filter.as_ref(),
        gateway::sort_keys(&query.sort),
        0,
        window,
        now,
    );
    input.include_raw = params.include_raw;
    let upstreams = wanted
        .iter()
        .filter(|s| scope.allows(**s))
        .filter_map(|s| svc.upstream(collection, *s))
        .collect();
    let mut outcome = gateway::fan_out(
        ctx.client,
        ctx.clock,
        svc.config().limits,
        FanOut {
            upstreams,
            query: plan,
            input,
            pushdown: params.pushdown,
            explain: params.explain,
        },
    )
    .await;
    for s in wanted.iter().filter(|s| !scope.allows(**s)) {
        outcome
            .sources
            .push((*s, gateway::skipped("not in the client key's scope")));
    }
    outcome
        .sources
        .sort_by_key(|(s, _)| Source::ALL.iter().position(|x| x == s));
    let at = crate::model::Timestamp(now).to_string();
    for (s, report) in &outcome.sources {
        svc.record_status(*s, report, at.clone());
        if let Some(e) = &report.error {
            super::log::emit(
                ctx.log,
                "warn",
                ctx.request_id,
                "upstream",
                UpstreamLog {
                    source: s.as_str(),
                    code: e.code,
                    status: e.status,
                    ms: report.ms,
                },
            );
        }
    }
    outcome
}

#[derive(Serialize)]
struct UpstreamLog {
    source: &'static str,
    code: &'static str,
    status: Option<u16>,
    ms: i64,
}

fn upstream_failed(source: Source, e: &gateway::SourceError) -> Problem {
    Problem::new(
        StatusCode::BAD_GATEWAY,
        "upstream.failed",
        "Bad Gateway",
        format!("{source} failed ({}): {}", e.code, e.message),
    )
    .with_source(source.as_str())
}

/// Turns source failures into the strict-mode 502 or the nothing-in-time 504.
fn failure(outcome: &Outcome, strict: bool) -> Result<(), Problem> {
    if outcome.all_timed_out() {
        return Err(Problem::new(
            StatusCode::GATEWAY_TIMEOUT,
            "upstream.all_timed_out",
            "Gateway Timeout",
            "no source answered before the deadline",
        ));
    }
    if strict {
        if let Some((source, e)) = outcome.first_error() {
            return Err(upstream_failed(source, e));
        }
    }
    Ok(())
}

fn sources_json(sources: &[(Source, SourceReport)]) -> Map<String, Value> {
    sources
        .iter()
        .map(|(s, r)| {
            (
                s.as_str().to_owned(),
                serde_json::to_value(r).unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// One page of a list, as the list machinery answers it: the records in the merged order,
/// projected by `select`, the total when known, and the native API's opaque continuation
/// token (the `next` of the envelope). The seam of the `/v1` list routes and of `/odata`:
/// whoever pages through an answer passes `next` back as [`Params::next`] and never looks
/// inside it.
pub(crate) struct ListPage {
    /// The page's records, in order.
    pub records: Vec<Record>,
    /// What `select` keeps of each.
    pub projection: Projection,
    /// Matching records of the sources that answered (absent when not known).
    pub total: Option<u64>,
    /// The offset of the first record.
    pub offset: usize,
    /// The continuation token while more records may follow.
    pub next: Option<String>,
    /// Per-source reports.
    pub sources: Vec<(Source, SourceReport)>,
}

impl ListPage {
    /// The records as a JSON array, projected (the bytes `plan.select(row)` serialized
    /// would give, without a `Value` per row).
    pub fn items_json(&self) -> Vec<u8> {
        let rows: Vec<Projected<'_>> = self
            .records
            .iter()
            .map(|record| Projected {
                record,
                projection: &self.projection,
            })
            .collect();
        serde_json::to_vec(&rows).unwrap_or_else(|_| b"[]".to_vec())
    }
}

/// A list route: `wanted` sources of `collection`, filtered, sorted and paged into the
/// envelope.
async fn list<C: HttpClient, K: Clock>(
    svc: &Service,
    params: &Params,
    scope: &Scope,
    collection: Collection,
    wanted: &[Source],
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, Problem> {
    if params.group_by.is_some() {
        return Err(Problem::bad_parameter(
            "group-by",
            "`group-by` belongs to /v1/orders/transform",
        ));
    }
    let page = list_page(svc, params, scope, collection, wanted, ctx).await?;
    let body = ListEnvelope {
        count: page.records.len(),
        items: page.items_json(),
        total: page.total,
        offset: page.offset,
        next: page.next,
        sources: sources_json(&page.sources),
    };
    Ok(body.response())
}

/// Runs one page of a list for `params` (filter, sort, select, offset, limit, `next`,
/// aliases, and the extra condition of [`Params::search`]) over the `wanted` sources of
/// `collection` that the key may see.
pub(crate) async fn list_page<C: HttpClient, K: Clock>(
    svc: &Service,
    params: &Params,
    scope: &Scope,
    collection: Collection,
    wanted: &[Source],
    ctx: &Ctx<'_, C, K>,
) -> Result<ListPage, Problem> {
    if params.include_raw && !scope.raw {
        return Err(Problem::forbidden(
            "the client key may not request raw vendor objects (include=raw)",
        ));
    }
    let mut q = checked_query(params, Some(DEFAULT_SORT), ctx.clock.now_ms())?;
    let route = format!(
        "{}:{}",
        collection.as_str(),
        wanted
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("+")
    );
    let hash = query_hash(&route, &q.query);
    if let Some(token) = &params.next {
        q.query.offset = decode_token(token, &hash)?;
        q.plan = q
            .query
            .plan::<Record>(RecordSchema::default(), ctx.clock.now_ms())
            .map_err(|e| query_error(params, &e))?;
    }
    let (offset, limit) = (q.query.offset, q.query.limit);
    // At least one record per source, so that a `limit=0` request still learns totals.
    q.window = u64::try_from(offset.saturating_add(limit).max(1)).ok();
    let outcome = ask(svc, scope, collection, wanted, &q, params, ctx).await;
    failure(&outcome, params.strict)?;
    let Outcome {
        mut records,
        total,
        sources,
        ..
    } = outcome;
    let page: Vec<Record> = records
        .drain(offset.min(records.len())..)
        .take(limit)
        .collect();
    let count = page.len();
    let end = offset.saturating_add(count);
    let more = match total {
        Some(t) => (end as u64) < t,
        // Unknown total: some source ran out of budget; there may be more.
        None => sources.iter().any(|(_, r)| r.partial) || count == limit,
    };
    let next = (more && limit > 0).then(|| encode_token(end, hash));
    Ok(ListPage {
        records: page,
        projection: Projection::from_paths(q.plan.selected()),
        total,
        offset,
        next,
        sources,
    })
}

async fn transform<C: HttpClient, K: Clock>(
    svc: &Service,
    params: &Params,
    scope: &Scope,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, Problem> {
    let g = transform_page(svc, params, scope, ctx).await?;
    let items: Vec<Value> = g.groups.into_iter().map(Value::Object).collect();
    let body = ListEnvelope {
        count: items.len(),
        items: serde_json::to_vec(&items).unwrap_or_else(|_| b"[]".to_vec()),
        total: g.total,
        offset: g.offset,
        next: None,
        sources: sources_json(&g.sources),
    };
    Ok(body.response())
}

/// The groups of a transform: each group's key members (`/`-joined paths) and its
/// `count`.
pub(crate) struct GroupPage {
    /// One object per group: path → value, and `count`.
    pub groups: Vec<Map<String, Value>>,
    /// How many groups there are (absent when a source did not answer in full).
    pub total: Option<u64>,
    /// The offset of the first group.
    pub offset: usize,
    /// Per-source reports.
    pub sources: Vec<(Source, SourceReport)>,
}

/// Runs a transform (`group-by`, filter, sort, offset, limit) over every source of orders
/// the key may see.
pub(crate) async fn transform_page<C: HttpClient, K: Clock>(
    svc: &Service,
    params: &Params,
    scope: &Scope,
    ctx: &Ctx<'_, C, K>,
) -> Result<GroupPage, Problem> {
    if params
        .group_by
        .as_deref()
        .is_none_or(|g| g.trim().is_empty())
    {
        return Err(Problem::bad_parameter(
            "group-by",
            "`group-by` is required: one or more comma-separated field paths, e.g. customer/name",
        ));
    }
    if params.select.is_some() {
        return Err(Problem::bad_parameter(
            "select",
            "a transform has no `select`",
        ));
    }
    let q = checked_query(params, None, ctx.clock.now_ms())?;
    let outcome = ask(
        svc,
        scope,
        Collection::Orders,
        &Source::ALL,
        &q,
        params,
        ctx,
    )
    .await;
    failure(&outcome, params.strict)?;
    let groups = q.plan.run_group(&outcome.records);
    let complete = outcome.total.is_some();
    Ok(GroupPage {
        total: complete.then_some(groups.total as u64),
        offset: groups.offset,
        groups: groups
            .groups
            .into_iter()
            .map(|g| {
                let mut m = g.key;
                m.insert("count".to_owned(), Value::from(g.count));
                m
            })
            .collect(),
        sources: outcome.sources,
    })
}

async fn get_one<C: HttpClient, K: Clock>(
    svc: &Service,
    params: &Params,
    scope: &Scope,
    id: &str,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, Problem> {
    let id = percent_decode(id);
    let record = get_record(svc, scope, Collection::Orders, &id, params.include_raw, ctx).await?;
    Ok(json_response(StatusCode::OK, &record))
}

/// The record with global id `id` (`<source>:<sourceId>`, decoded) in `collection`: a 404
/// problem when there is none, 403 outside the key's scope.
pub(crate) async fn get_record<C: HttpClient, K: Clock>(
    svc: &Service,
    scope: &Scope,
    collection: Collection,
    id: &str,
    include_raw: bool,
    ctx: &Ctx<'_, C, K>,
) -> Result<Record, Problem> {
    let not_found = || {
        Problem::new(
            StatusCode::NOT_FOUND,
            "record.not_found",
            "Not Found",
            format!("no record `{}`", id.chars().take(200).collect::<String>()),
        )
    };
    let (source_id, _) = id.split_once(':').ok_or_else(not_found)?;
    let source = Source::from_id(source_id).ok_or_else(not_found)?;
    if !collection.sources().contains(&source) {
        return Err(not_found());
    }
    if !scope.allows(source) {
        return Err(Problem::forbidden(format!(
            "the client key may not query `{source}`"
        )));
    }
    if include_raw && !scope.raw {
        return Err(Problem::forbidden(
            "the client key may not request raw vendor objects (include=raw)",
        ));
    }
    let filter = format!("id eq '{}'", id.replace('\'', "''"));
    let one = Params {
        filter: Some(filter),
        limit: Some("1".to_owned()),
        include_raw,
        pushdown: true,
        ..Params::default()
    };
    let mut q = checked_query(&one, Some(DEFAULT_SORT), ctx.clock.now_ms())?;
    q.window = Some(1);
    let outcome = ask(svc, scope, collection, &[source], &q, &one, ctx).await;
    if let Some((source, e)) = outcome.first_error() {
        return Err(upstream_failed(source, e));
    }
    outcome.records.into_iter().next().ok_or_else(not_found)
}

/// Percent-decodes one path segment (`+` stays `+`).
pub(crate) fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}
