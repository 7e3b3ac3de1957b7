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
    };
    let query = Query::parse(&qp).map_err(|e| query_error(params, &e))?;
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
    let plan = &q.plan;
    failure(&outcome, params.strict)?;
    let page = outcome
        .records
        .get(offset..)
        .unwrap_or(&[])
        .iter()
        .take(limit);
    let count = page.len();
    // The rows are written straight into the body, projected by `select`, with the bytes
    // `plan.select(row)` serialized would give (model::json), without a Value per row.
    let projection = Projection::from_paths(plan.selected());
    let rows: Vec<Projected<'_>> = page
        .map(|record| Projected {
            record,
            projection: &projection,
        })
        .collect();
    let items = serde_json::to_vec(&rows).unwrap_or_else(|_| b"[]".to_vec());
    let end = offset.saturating_add(count);
    let more = match outcome.total {
        Some(t) => (end as u64) < t,
        // Unknown total: some source ran out of budget; there may be more.
        None => outcome.sources.iter().any(|(_, r)| r.partial) || count == limit,
    };
    let next = (more && limit > 0).then(|| encode_token(end, hash));
    let body = ListEnvelope {
        count,
        items,
        total: outcome.total,
        offset,
        next,
        sources: sources_json(&outcome.sources),
    };
    Ok(body.response())
}

async fn transform<C: HttpClient, K: Clock>(
    svc: &Service,
    params: &Params,
    scope: &Scope,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, Problem> {
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
    let items: Vec<Value> = groups
        .groups
        .into_iter()
        .map(|g| {
            let mut m = g.key;
            m.insert("count".to_owned(), Value::from(g.count));
            Value::Object(m)
        })
        .collect();
    let complete = outcome.total.is_some();
    let body = ListEnvelope {
        count: items.len(),
        items: serde_json::to_vec(&items).unwrap_or_else(|_| b"[]".to_vec()),
        total: complete.then_some(groups.total as u64),
        offset: groups.offset,
        next: None,
        sources: sources_json(&outcome.sources),
    };
    Ok(body.response())
}

async fn get_one<C: HttpClient, K: Clock>(
    svc: &Service,
    params: &Params,
    scope: &Scope,
    id: &str,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, Problem> {
    let not_found = || {
        Problem::new(
            StatusCode::NOT_FOUND,
            "record.not_found",
            "Not Found",
            format!("no record `{}`", id.chars().take(200).collect::<String>()),
        )
    };
    let id = percent_decode(id);
    let (source_id, _) = id.split_once(':').ok_or_else(not_found)?;
    let source = Source::from_id(source_id).ok_or_else(not_found)?;
    if !scope.allows(source) {
        return Err(Problem::forbidden(format!(
            "the client key may not query `{source}`"
        )));
    }
    if params.include_raw && !scope.raw {
        return Err(Problem::forbidden(
            "the client key may not request raw vendor objects (include=raw)",
        ));
    }
    let filter = format!("id eq '{}'", id.replace('\'', "''"));
    let one = Params {
        filter: Some(filter),
        limit: Some("1".to_owned()),
        include_raw: params.include_raw,
        pushdown: true,
        ..Params::default()
    };
    let mut q = checked_query(&one, Some(DEFAULT_SORT), ctx.clock.now_ms())?;
    q.window = Some(1);
    let outcome = ask(svc, scope, Collection::Orders, &[source], &q, &one, ctx).await;
    if let Some((source, e)) = outcome.first_error() {
        return Err(upstream_failed(source, e));
    }
    let record = outcome.records.first().ok_or_else(not_found)?;
    Ok(json_response(StatusCode::OK, record))
}

pub(super) fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}
