//! The `/v1` routes: unified search, transform, get-by-id, per-source search, sources,
//! and GreenLake devices (`/v1/devices`, the same list machinery over the devices
//! collection, and `/v1/devices/{id}`).
//!
//! Every route: authenticate (done by the caller), parse and check the query against the
//! record schema (a 400 problem with code and span on any error), ask the sources the key
//! may see, and answer in the one envelope
//! `{items, count, total?, offset, next?, order, partial?, budget, sources}`. List pages
//! come from the merge machine (`paging`); their `next` is a signed token (`token`).

use http::{Response, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::filter::{parse as parse_filter, Expr, ExprKind};
use crate::model::{Projected, Projection, Record, RecordSchema, Source};
use crate::query::{Param, Plan as QueryPlan, Query, QueryError, QueryParams, SortKey};
use crate::upstream::{AnyUpstream, Clock, Collection, Found, HttpClient, PlanInput};

use super::breaker::{Admission, Signal};
use super::gateway::{self, Outcome, ScanNeed, SourceError, SourceReport};
use super::paging::{self, Ask, Refusal};
use super::params::Params;
use super::problem::{Extra, Problem};
use super::token::{self, Binding};
use super::{json_response, raw_json, Ctx, Scope, Service};

/// The `order` of a page without `sort`: each source's native order, interleaved.
pub const NATIVE_ORDER: &str = "native";

/// Whether the path segments name a `/v1` route.
pub fn is_route(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["v1", "orders"]
            | ["v1", "orders", _]
            | ["v1", "sources"]
            | ["v1", "sources", _, "orders"]
            | ["v1", "devices"]
            | ["v1", "devices", _]
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
        ["v1", "orders", id] => get_one(svc, params, scope, Collection::Orders, id, ctx).await,
        ["v1", "sources"] => Ok(json_response(
            StatusCode::OK,
            &svc.sources_info(scope, ctx.clock.now_ms()),
        )),
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
            devices_allowed(scope)?;
            let sources = Collection::Devices.sources();
            list(svc, params, scope, Collection::Devices, sources, ctx).await
        }
        ["v1", "devices", id] => {
            devices_allowed(scope)?;
            get_one(svc, params, scope, Collection::Devices, id, ctx).await
        }
        _ => Err(Problem::not_found(&segments.join("/"))),
    }
}

fn devices_allowed(scope: &Scope) -> Result<(), Problem> {
    match Collection::Devices
        .sources()
        .iter()
        .find(|s| !scope.allows(**s))
    {
        Some(s) => Err(Problem::forbidden(format!(
            "the client key may not query `{s}` (devices come from it)"
        ))),
        None => Ok(()),
    }
}

/// The response envelope of list routes, with its items already serialized (a JSON
/// array), so that the body and the `ETag` basis share one serialization of the rows.
struct ListEnvelope {
    items: Vec<u8>,
    count: usize,
    total: Option<u64>,
    offset: u64,
    next: Option<String>,
    /// What the `ETag` covers of the continuation: its state, not its issue time.
    next_state: Option<String>,
    order: String,
    partial: bool,
    budget: Option<Budget>,
    sources: Map<String, Value>,
}

/// The envelope's `budget`: the request's subrequest budget and what it used.
#[derive(Serialize)]
struct Budget {
    limit: u32,
    used: u32,
}

impl ListEnvelope {
    /// The body `{"items":…,"count":…,"total"?:…,"offset":…,"next"?:…,"order":…,
    /// "partial"?:true,"budget"?:…,"sources":…}`.
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
        member(&mut out, "order", &self.order);
        if self.partial {
            member(&mut out, "partial", &true);
        }
        if let Some(b) = &self.budget {
            member(&mut out, "budget", b);
        }
        member(&mut out, "sources", &self.sources);
        out.push(b'}');
        out
    }

    /// Sets an `ETag` over the data of the envelope (items, totals, paging, order and
    /// which sources answered), not over per-request timings, budgets, cache counters or
    /// the token's issue time, so that an unchanged answer revalidates with 304. The basis
    /// is the JSON array `[items, total, offset, next state, order, partial, [[source,
    /// status], …]]`.
    fn with_etag(&self, mut res: Response<Vec<u8>>) -> Response<Vec<u8>> {
        let statuses: Vec<(&String, &Value)> = self
            .sources
            .iter()
            .map(|(k, v)| (k, v.get("status").unwrap_or(&Value::Null)))
            .collect();
        let rest = serde_json::to_vec(&(
            self.total,
            self.offset,
            &self.next_state,
            &self.order,
            self.partial,
            statuses,
        ))
        .unwrap_or_default();
        let mut basis = Vec::with_capacity(self.items.len().saturating_add(rest.len()) + 2);
        basis.push(b'[');
        basis.extend_from_slice(&self.items);
        basis.push(b',');
        // `rest` is `[total,offset,…]`: its members follow the items.
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
    v.as_deref().unwrap_or("")
}

fn query_error(params: &Params, e: &QueryError) -> Problem {
    Problem::query(e, param_text(params, e.param))
}

/// Parses and checks the query parameters against the record schema (the filter and-ed
/// with the caller's extra condition, [`Params::search`]).
fn checked_query(params: &Params, now_ms: i64) -> Result<(Query, QueryPlan<Record>), Problem> {
    let qp = QueryParams {
        filter: params.filter.as_deref(),
        sort: params.sort.as_deref(),
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
    Ok((query, plan))
}

/// The planner's input for a checked query.
fn plan_input(query: &Query, params: &Params, now_ms: i64) -> PlanInput {
    let mut input = PlanInput::new(
        query.filter.as_ref(),
        gateway::sort_keys(&query.sort),
        0,
        None,
        now_ms,
    );
    input.include_raw = params.include_raw;
    if !query.select.is_empty() && !params.include_raw {
        let mut paths: Vec<&crate::filter::Path> = query.select.iter().collect();
        paths.extend(query.sort.iter().map(|k| &k.path));
        input.fields = crate::upstream::pushdown::members_read(query.filter.as_ref(), &paths);
    }
    input
}

/// The sources of one request: the adapters to ask, the reports of the sources not
/// asked (out of the key's scope, not configured, or with an open circuit), and the
/// breaker's admission of each source asked.
struct Scoped<'s> {
    upstreams: Vec<&'s AnyUpstream>,
    skipped: Vec<(Source, SourceReport)>,
    admitted: Vec<(Source, Admission)>,
}

/// The adapters of `wanted` that the key may see and whose circuit admits a call at
/// `now`, and the reports of the rest. An open circuit answers at once, asking nothing.
fn scoped<'s>(
    svc: &'s Service,
    scope: &Scope,
    collection: Collection,
    wanted: &[Source],
    now: i64,
) -> Scoped<'s> {
    let mut out = Scoped {
        upstreams: Vec::new(),
        skipped: Vec::new(),
        admitted: Vec::new(),
    };
    for s in wanted {
        if !scope.allows(*s) {
            out.skipped
                .push((*s, gateway::skipped("not in the client key's scope")));
            continue;
        }
        // In scope but with no adapter: no base URL and no simulator.
        let Some(u) = svc.upstream(collection, *s) else {
            out.skipped.push((*s, gateway::not_configured(*s)));
            continue;
        };
        match svc.breakers().admit(*s, now) {
            Admission::Open {
                retry_in_ms,
                failures,
            } => out
                .skipped
                .push((*s, gateway::circuit_open(*s, failures, retry_in_ms))),
            a => {
                out.admitted.push((*s, a));
                out.upstreams.push(u);
            }
        }
    }
    out
}

/// Tells the circuit breaker how each asked source did, puts the reports in canonical
/// order, records each source's last status and logs its errors.
fn settle<C, K: Clock>(
    svc: &Service,
    ctx: &Ctx<'_, C, K>,
    sources: &mut Vec<(Source, SourceReport)>,
    skipped: Vec<(Source, SourceReport)>,
    admitted: &[(Source, Admission)],
) {
    let done = ctx.clock.now_ms();
    for (s, report) in sources.iter() {
        if let Some((_, a)) = admitted.iter().find(|(x, _)| x == s) {
            let code = report.error.as_ref().map(|e| e.code);
            svc.breakers()
                .record(*s, *a, Signal::of(report.status, code), done);
        }
    }
    sources.extend(skipped);
    sources.sort_by_key(|(s, _)| Source::ALL.iter().position(|x| x == s));
    let at = crate::model::Timestamp(done).to_string();
    for (s, report) in sources.iter() {
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
}

#[derive(Serialize)]
struct UpstreamLog {
    source: &'static str,
    code: &'static str,
    status: Option<u16>,
    ms: i64,
}

fn upstream_failed(source: Source, e: &SourceError) -> Problem {
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

/// The 422 problem of a sort (or an offset) whose full reads the budget cannot cover.
fn needs_scan(needs: Vec<ScanNeed>, budget: u32, offset: Option<u64>) -> Problem {
    let what: Vec<String> = needs
        .iter()
        .map(|n| match (n.records, n.calls) {
            (Some(r), Some(c)) => format!("{} matches {r} records ({c} calls to read)", n.source),
            (Some(r), None) => format!("{} matches {r} records", n.source),
            (None, _) => format!(
                "{} has more than the {} records read within the budget",
                n.source, n.read
            ),
        })
        .collect();
    let detail = match offset {
        Some(o) => format!(
            "offset {o} cannot be reached within the budget of {budget} upstream subrequests: {}. Page with `next` tokens instead, narrow the filter, or raise FLEXEDGE_MAX_SUBREQUESTS",
            what.join("; ")
        ),
        None => format!(
            "this sort needs a full read of sources that cannot order it themselves, beyond the budget of {budget} upstream subrequests: {}. Narrow the filter, use the default (native) order, raise FLEXEDGE_MAX_SUBREQUESTS, or accept a partial page with partial=allow",
            what.join("; ")
        ),
    };
    let mut p = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "query.sort.needs_scan",
        "Query needs a full read",
        detail,
    );
    p.extra = Some(Box::new(Extra {
        parameter: Some(if offset.is_some() { "offset" } else { "sort" }),
        needs_scan: Some(needs),
        budget: Some(budget),
        ..Extra::default()
    }));
    p
}

/// The 503 of a page no source could move on: retry the same request later.
fn unavailable(outcome: &Outcome) -> Problem {
    let why: Vec<String> = outcome
        .sources
        .iter()
        .filter_map(|(s, r)| match (&r.error, &r.reason) {
            (Some(e), _) => Some(format!("{s}: {} ({})", e.code, e.message)),
            (None, Some(why)) if r.partial => Some(format!("{s}: {why}")),
            _ => None,
        })
        .collect();
    let p = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "upstream.unavailable",
        "Service Unavailable",
        format!(
            "no source could give a record for this page and some may still have them: {}. Send the same request again later; nothing was skipped",
            why.join("; ")
        ),
    );
    match outcome.first_error() {
        Some((s, _)) if why.len() == 1 => p.with_source(s.as_str()),
        _ => p,
    }
}

fn token_problem(code: &'static str, detail: &'static str) -> Problem {
    let mut p = Problem::new(StatusCode::BAD_REQUEST, code, "Invalid query", detail);
    p.extra = Some(Box::new(Extra {
        parameter: Some("next"),
        ..Extra::default()
    }));
    p
}

/// What a continuation token is bound to besides the key and the route: the canonical
/// query without its offset, and the flags that change what a page holds.
fn bound_query(query: &Query, params: &Params) -> String {
    let mut q = query.clone();
    q.offset = 0;
    format!(
        "{}&include={}&partial={}&pushdown={}",
        q.canonical(),
        if params.include_raw { "raw" } else { "" },
        if params.partial { "allow" } else { "deny" },
        params.pushdown
    )
}

/// The `order` member: `native`, or the sort keys with the `id` tie-break.
fn order_text(query: &Query) -> String {
    if query.sort.is_empty() {
        return NATIVE_ORDER.to_owned();
    }
    let mut keys: Vec<String> = query.sort.iter().map(SortKey::text).collect();
    if query.sort.last().is_none_or(|k| k.path.joined() != "id") {
        keys.push("id asc".to_owned());
    }
    keys.join(", ")
}

/// One page of a list, as the list machinery answers it: the records in the declared
/// order, projected by `select`, the total when known, and the signed continuation token
/// (the `next` of the envelope). The seam of the `/v1` list routes and of `/odata`:
/// whoever pages through an answer passes `next` back as [`Params::next`] with the same
/// query and never looks inside it.
pub(crate) struct ListPage {
    /// The page's records, in order.
    pub records: Vec<Record>,
    /// What `select` keeps of each.
    pub projection: Projection,
    /// Matching records of the sources that answered (absent when not known).
    pub total: Option<u64>,
    /// The offset of the first record.
    pub offset: u64,
    /// The continuation token while more records may follow.
    pub next: Option<String>,
    /// What the `ETag` covers of the continuation: its state, not its issue time.
    pub next_state: Option<String>,
    /// Which order the records are in: [`NATIVE_ORDER`] or the sort with its `id`
    /// tie-break.
    pub order: String,
    /// The page is a partial read presented as such (`partial=allow`).
    pub partial: bool,
    /// The request's budget of upstream subrequests and what the page used.
    pub budget: (u32, u32),
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

/// A list route: `wanted` sources of `collection`, filtered, ordered and paged into the
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
        next_state: page.next_state,
        order: page.order,
        partial: page.partial,
        budget: Some(Budget {
            limit: page.budget.0,
            used: page.budget.1,
        }),
        sources: sources_json(&page.sources),
    };
    Ok(body.response())
}

/// Runs one page of a list for `params` (filter, sort, select, offset, limit, `next`,
/// `partial`, aliases, and the extra condition of [`Params::search`]) over the `wanted`
/// sources of `collection` that the key may see: the merge machine (`paging`) resumed
/// from the token, and the next token signed.
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
    let Some(secret) = svc.config().token_secret.as_ref() else {
        return Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "config.invalid",
            "Server misconfigured",
            "FLEXEDGE_TOKEN_SECRET is not set: list routes cannot sign continuation tokens",
        ));
    };
    let now = ctx.clock.now_ms();
    let (query, plan) = checked_query(params, now)?;
    if params.next.is_some() && params.offset.is_some() {
        return Err(Problem::bad_parameter(
            "offset",
            "`offset` and `next` cannot be combined: the token holds the position",
        ));
    }
    let route = format!(
        "{}:{}",
        collection.as_str(),
        wanted
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("+")
    );
    let bound = bound_query(&query, params);
    let binding = Binding {
        key: &scope.key_id.0,
        route: &route,
        query: &bound,
    };
    let now_s = u64::try_from(now.div_euclid(1000)).unwrap_or(0);
    let secret = secret.expose().as_bytes();
    let resume = match &params.next {
        Some(t) => Some(
            token::decode(secret, t, &binding, now_s)
                .map_err(|e| token_problem(e.code(), e.detail()))?,
        ),
        None => None,
    };
    let Scoped {
        upstreams,
        skipped,
        admitted,
    } = scoped(svc, scope, collection, wanted, now);
    let ask = Ask {
        upstreams,
        query: &plan,
        input: plan_input(&query, params, now),
        sort_paths: query
            .sort
            .iter()
            .map(|k| k.path.segments.iter().map(|s| s.name.clone()).collect())
            .collect(),
        limit: query.limit as u64,
        offset: query.offset as u64,
        resume,
        partial_ok: params.partial,
        pushdown: params.pushdown,
        explain: params.explain,
        count: query.limit == 0 || params.count == Some(true),
        no_cache: params.no_cache,
    };
    let paged = match paging::page(ctx.client, ctx.clock, svc.config().limits, ask).await {
        Ok(p) => p,
        Err(Refusal::NeedsScan {
            needs,
            budget,
            offset,
        }) => return Err(needs_scan(needs, budget, offset)),
        Err(Refusal::Token) => {
            let e = token::TokenError::Invalid;
            return Err(token_problem(e.code(), e.detail()));
        }
        Err(Refusal::Stalled { sources }) => {
            let mut outcome = Outcome {
                records: Vec::new(),
                sources,
                total: None,
                counted: Vec::new(),
            };
            settle(svc, ctx, &mut outcome.sources, skipped, &admitted);
            failure(&outcome, params.strict)?;
            return Err(unavailable(&outcome));
        }
    };
    let mut outcome = Outcome {
        records: paged.records,
        sources: paged.sources,
        total: paged.total,
        counted: Vec::new(),
    };
    settle(svc, ctx, &mut outcome.sources, skipped, &admitted);
    failure(&outcome, params.strict)?;
    Ok(ListPage {
        projection: Projection::from_paths(plan.selected()),
        records: outcome.records,
        total: outcome.total,
        offset: paged.offset,
        next_state: paged.next.as_ref().map(token::state_hash),
        next: paged
            .next
            .as_ref()
            .map(|w| token::encode(secret, w, &binding, now_s)),
        order: order_text(&query),
        partial: paged.partial,
        budget: paged.budget,
        sources: outcome.sources,
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
        next_state: None,
        order: g.order,
        partial: g.partial,
        budget: None,
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
    pub offset: u64,
    /// Which order the groups are in.
    pub order: String,
    /// Some source was read in part (`partial=allow`).
    pub partial: bool,
    /// Per-source reports.
    pub sources: Vec<(Source, SourceReport)>,
}

/// Runs a transform (`group-by`, filter, sort, offset, limit) over every source of orders
/// the key may see: every source read completely within the budget (the
/// `query.sort.needs_scan` problem when that cannot fit, or with `partial=allow` the
/// groups of what was read, marked partial).
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
    if params.next.is_some() {
        return Err(Problem::bad_parameter(
            "next",
            "a transform answers in one page: it has no `next`",
        ));
    }
    if params.include_raw {
        // Groups carry no records, so `raw` would only cost upstream work; refused for
        // every key (and so for keys without raw access).
        return Err(Problem::bad_parameter(
            "include",
            "a transform answers groups, not records: `include` does not apply",
        ));
    }
    let now = ctx.clock.now_ms();
    let (query, plan) = checked_query(params, now)?;
    let Scoped {
        upstreams,
        skipped,
        admitted,
    } = scoped(svc, scope, Collection::Orders, &Source::ALL, now);
    // A group-by of one path may be counted by a vendor that groups it itself.
    let mut paths = plan.group_paths();
    let group = paths.next().filter(|_| paths.next().is_none());
    let mut outcome = gateway::read_all(
        ctx.client,
        ctx.clock,
        svc.config().limits,
        &upstreams,
        &plan,
        &plan_input(&query, params, now),
        group,
        params.pushdown,
        params.explain,
        params.partial,
        params.no_cache,
    )
    .await
    .map_err(|needs| needs_scan(needs, svc.config().limits.max_subrequests, None))?;
    settle(svc, ctx, &mut outcome.sources, skipped, &admitted);
    failure(&outcome, params.strict)?;
    let groups = plan
        .run_group_with(&outcome.records, &outcome.counted)
        .map_err(|e| {
            let mut p = Problem::new(
                StatusCode::BAD_REQUEST,
                e.code(),
                "Invalid query",
                format!("group-by: {e}"),
            );
            p.extra = Some(Box::new(super::Extra {
                parameter: Some("group-by"),
                ..super::Extra::default()
            }));
            p
        })?;
    let complete = outcome.total.is_some();
    Ok(GroupPage {
        total: complete.then_some(groups.total as u64),
        offset: groups.offset as u64,
        groups: groups
            .groups
            .into_iter()
            .map(|g| {
                let mut m = g.key;
                m.insert("count".to_owned(), Value::from(g.count));
                m
            })
            .collect(),
        order: order_text(&query),
        partial: outcome.sources.iter().any(|(_, r)| r.partial),
        sources: outcome.sources,
    })
}

/// `GET /v1/orders/{id}` and `GET /v1/devices/{id}` (a device id may leave out its
/// `hpe_flex:` prefix).
async fn get_one<C: HttpClient, K: Clock>(
    svc: &Service,
    params: &Params,
    scope: &Scope,
    collection: Collection,
    id: &str,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, Problem> {
    let mut id = percent_decode(id);
    if collection == Collection::Devices && !id.contains(':') {
        id = format!("{}:{id}", Source::HpeFlex.as_str());
    }
    let record = get_record(
        svc,
        scope,
        collection,
        &id,
        params.include_raw,
        params.no_cache,
        ctx,
    )
    .await?;
    Ok(json_response(StatusCode::OK, &record))
}

/// The record with global id `id` (`<source>:<sourceId>`, decoded) in `collection`, found
/// with the vendor's own look-up: a 404 problem only when the vendor's complete answer
/// holds no such record; 503 `lookup.incomplete` when the budget or deadline ended the
/// search first; 403 outside the key's scope.
pub(crate) async fn get_record<C: HttpClient, K: Clock>(
    svc: &Service,
    scope: &Scope,
    collection: Collection,
    id: &str,
    include_raw: bool,
    no_cache: bool,
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
    let (source_id, rest) = id.split_once(':').ok_or_else(not_found)?;
    let source = Source::from_id(source_id).ok_or_else(not_found)?;
    if rest.is_empty() || !collection.sources().contains(&source) {
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
    // The list's admission: an unconfigured source or an open circuit answers at once,
    // asking nothing, and says so (a 503 naming the source, never "no record").
    let now = ctx.clock.now_ms();
    let Scoped {
        upstreams,
        skipped,
        admitted,
    } = scoped(svc, scope, collection, &[source], now);
    let Some(up) = upstreams.first().copied() else {
        let problem = skipped
            .first()
            .and_then(|(_, r)| r.error.as_ref())
            .map(|e| {
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    e.code,
                    "Service Unavailable",
                    e.message.clone(),
                )
                .with_source(source.as_str())
            })
            .unwrap_or_else(not_found);
        settle(svc, ctx, &mut Vec::new(), skipped, &admitted);
        return Err(problem);
    };
    let filter = format!("id eq '{}'", id.replace('\'', "''"));
    let expr = parse_filter(&filter).map_err(|_| not_found())?;
    let mut input = PlanInput::new(Some(&expr), Vec::new(), 0, Some(1), now);
    input.include_raw = include_raw;
    let plan = up.plan(&input);
    let limits = svc.config().limits;
    let looked = gateway::look_up(ctx.client, ctx.clock, limits, up, &plan, id, no_cache).await;
    let mut report = match &looked.found {
        Err(e) => SourceReport::failed(e),
        Ok(_) => SourceReport::ok(),
    };
    report.subrequests = looked.subrequests;
    settle(svc, ctx, &mut vec![(source, report)], Vec::new(), &admitted);
    match looked.found {
        Ok(Found::Record(r)) => Ok(*r),
        Ok(Found::Absent) => Err(not_found()),
        Ok(Found::Incomplete { read, total }) => {
            let of = total.map_or_else(String::new, |t| format!(" of {t}"));
            Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "lookup.incomplete",
                "Service Unavailable",
                format!(
                    "{source} cannot look `{}` up directly and the search ended with the budget of {} upstream subrequests after {read}{of} records: the record may exist",
                    id.chars().take(200).collect::<String>(),
                    limits.max_subrequests
                ),
            )
            .with_source(source.as_str()))
        }
        Err(e) => Err(upstream_failed(source, &SourceError::from(&e))),
    }
}

/// Percent-decodes one path segment (`+` stays `+`).
pub(crate) fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}
