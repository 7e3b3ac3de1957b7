//! The OData v4 service at `/odata`, beside the native API: the same auth, engine, sources
//! and list machinery, spoken as OData.
//!
//! - `GET /odata` — the service document; `GET /odata/$metadata` — CSDL XML, or CSDL JSON
//!   with `$format=json` / `Accept: application/json` ([`csdl`], generated from the record
//!   schema); both public, like `/openapi.json` (they describe types, no data).
//! - `GET /odata/Orders`, `/odata/Devices` — `$filter`, `$orderby`, `$select`, `$top`,
//!   `$skip`, `$count`, `$search`, parameter aliases, server-driven paging: each page is one
//!   page of the native list ([`routes::list_page`]), and `@odata.nextLink` is the same
//!   request with `$skiptoken` = the native API's continuation token (opaque here);
//!   `Prefer: odata.maxpagesize=n` (1–1000, default 1000) sets the page size.
//! - `GET /odata/Orders('hpe_flex:…')` (also `Orders(id='…')`), `GET /odata/Orders/$count`.
//! - `$apply=[filter(…)/]groupby((p, …)[, aggregate($count as n)])` or
//!   `aggregate($count as n)` — the native transform.
//! - Answers in the OData JSON format (`value`, `@odata.context`, `@odata.count`,
//!   `@odata.nextLink`; `odata.metadata=minimal|full|none`) with `OData-Version: 4.0`;
//!   errors as `{"error": {code, message, target, details, innererror}}` with flexedge's
//!   stable codes, the option (`$filter`, …) as target, and the span in `innererror`.
//!
//! Like the rest of `service`, this imports no `worker` and no wasm crates.

mod apply;
mod csdl;
mod error;
mod options;
mod target;

use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use serde_json::{json, Map, Value};

use super::params::Params;
use super::problem::Problem;
use super::routes::{self, ListPage};
use super::{Ctx, Scope, Service};
use crate::filter::{self, Expr, ExprKind};
use crate::model::{Projected, Source};
use crate::upstream::{Clock, Collection, HttpClient};

use error::ODataError;
use options::{Apply, Format, Metadata, Options};
use target::{target, Target};

/// The default and largest page size.
pub const MAX_PAGE: usize = 1000;

/// Whether a path (split into segments) is under `/odata`.
pub fn handles(segments: &[&str]) -> bool {
    segments.first() == Some(&"odata")
}

/// An OData JSON answer.
fn json_answer(status: StatusCode, body: Vec<u8>, m: Metadata) -> Response<Vec<u8>> {
    let mut res = Response::new(body);
    *res.status_mut() = status;
    let ct = format!(
        "application/json;odata.metadata={};odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        m.as_str()
    );
    if let Ok(v) = HeaderValue::from_str(&ct) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res
}

/// The service root, absolute when the request says where it was sent.
fn service_root(req: &Request<Vec<u8>>) -> String {
    let uri = req.uri();
    if let (Some(scheme), Some(auth)) = (uri.scheme_str(), uri.authority()) {
        return format!("{scheme}://{auth}/odata");
    }
    match req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
    {
        Some(host) => format!("http://{host}/odata"),
        None => "/odata".to_owned(),
    }
}

/// Percent-encodes a key for a URL path (`'` doubled by the caller).
fn encode_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:'".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Answers a request under `/odata`. Never fails: every error is an OData error answer.
pub async fn handle<C: HttpClient, K: Clock>(
    svc: &Service,
    req: &Request<Vec<u8>>,
    segments: &[&str],
    ctx: &Ctx<'_, C, K>,
) -> Response<Vec<u8>> {
    let mut res = match route(svc, req, segments, ctx).await {
        Ok(r) => r,
        Err(e) => e.response(ctx.request_id),
    };
    res.headers_mut()
        .insert("odata-version", HeaderValue::from_static("4.0"));
    res
}

async fn route<C: HttpClient, K: Clock>(
    svc: &Service,
    req: &Request<Vec<u8>>,
    segments: &[&str],
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, ODataError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ODataError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "route.method_not_allowed",
            "the OData service is read-only: GET only",
            None,
        ));
    }
    let rest = segments.get(1..).unwrap_or(&[]);
    let t = target(rest);
    if let Target::Unknown(name) = t {
        let shown: String = name.chars().take(100).collect();
        return Err(ODataError::new(
            StatusCode::NOT_FOUND,
            "route.not_found",
            format!("no resource `{shown}` (entity sets: Orders, Devices)"),
            None,
        ));
    }
    let mut opts = Options::parse(req.uri().query().unwrap_or(""))?;
    if opts.format.json.is_none() {
        if let Some(accept) = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
        {
            options::read_format(accept, &mut opts.format).map_err(|m| {
                ODataError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    "query.invalid_parameter",
                    m,
                    Some("Accept"),
                )
            })?;
        }
    }
    let root = service_root(req);
    match t {
        Target::ServiceDocument => Ok(service_document(&root, opts.format.metadata)),
        Target::Metadata => Ok(metadata(opts.format)),
        _ => {
            let scope = svc.authenticate(req)?;
            match t {
                Target::Set(name, c) => set(svc, req, &scope, name, c, &opts, &root, ctx).await,
                Target::Count(name, c) => count(svc, &scope, name, c, &opts, ctx).await,
                Target::Entity(name, c, key) => {
                    entity(svc, &scope, name, c, &key, &opts, &root, ctx).await
                }
                _ => Err(ODataError::new(
                    StatusCode::NOT_FOUND,
                    "route.not_found",
                    "no such resource",
                    None,
                )),
            }
        }
    }
}

fn service_document(root: &str, m: Metadata) -> Response<Vec<u8>> {
    let value: Vec<Value> = csdl::ENTITY_SETS
        .iter()
        .map(|s| json!({"name": s, "kind": "EntitySet", "url": s}))
        .collect();
    let mut doc = Map::new();
    if m != Metadata::None {
        doc.insert("@odata.context".into(), format!("{root}/$metadata").into());
    }
    doc.insert("value".into(), Value::Array(value));
    json_answer(
        StatusCode::OK,
        serde_json::to_vec(&doc).unwrap_or_default(),
        m,
    )
}

fn metadata(f: Format) -> Response<Vec<u8>> {
    if f.json == Some(true) {
        return json_answer(
            StatusCode::OK,
            serde_json::to_vec(&csdl::json()).unwrap_or_default(),
            Metadata::Minimal,
        );
    }
    let mut res = Response::new(csdl::xml().into_bytes());
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml;charset=utf-8"),
    );
    res
}

/// The sources of a collection, or 403 when the key may not see one that devices need.
fn sources_for(scope: &Scope, c: Collection) -> Result<&'static [Source], ODataError> {
    if c == Collection::Devices {
        if let Some(s) = c.sources().iter().find(|s| !scope.allows(**s)) {
            return Err(Problem::forbidden(format!(
                "the client key may not query `{s}` (devices come from it)"
            ))
            .into());
        }
        return Ok(c.sources());
    }
    Ok(&Source::ALL)
}

/// `Prefer: odata.maxpagesize=n`, or the default.
fn page_size(req: &Request<Vec<u8>>) -> usize {
    req.headers()
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.trim().strip_prefix("odata.maxpagesize="))
        .filter_map(|n| n.trim().parse::<usize>().ok())
        .find(|n| *n > 0)
        .map_or(MAX_PAGE, |n| n.min(MAX_PAGE))
}

/// The condition of `$search` (and of `$apply`'s `filter(…)` steps), and-ed to `$filter`.
fn extra_condition(opts: &Options, apply: Option<&Apply>) -> Result<Option<Expr>, ODataError> {
    let mut parts = Vec::new();
    if let Some(s) = &opts.search {
        let e = options::search(s)
            .map_err(|e| ODataError::at("query.search.syntax", e.message, "$search", s, e.at))?;
        parts.push(e);
    }
    for f in apply.map(|a| a.filters.as_slice()).unwrap_or(&[]) {
        let e = filter::parse(f).map_err(|e| {
            let mut o = ODataError::at(
                e.code(),
                format!("in `filter(…)`: {}", e.message),
                "$apply",
                f,
                e.span.start,
            );
            if let Some(s) = e.suggestion {
                o.inner.insert("suggestion".into(), s.into());
            }
            o
        })?;
        parts.push(e);
    }
    Ok(match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Expr {
            span: filter::Span::default(),
            kind: ExprKind::And(parts),
        }),
    })
}

/// The native parameters for the OData options.
fn native(opts: &Options) -> Params {
    Params {
        filter: opts.filter.clone(),
        sort: opts.orderby.clone(),
        select: opts.select.clone(),
        aliases: opts.aliases.clone(),
        pushdown: true,
        ..Params::default()
    }
}

/// The query string of the next page: the request's options without `$skip`, `$top` and
/// `$skiptoken`, then `$top` = what is left of it, and `$skiptoken` = the native token.
fn next_link(
    root: &str,
    set: &str,
    req: &Request<Vec<u8>>,
    top_left: Option<usize>,
    token: &str,
) -> String {
    // Option names keep their `$`/`@` (as OData clients write them); values are encoded.
    let enc = |s: &str| -> String { form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let name = |k: &str| -> String {
        if k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '@' | '_' | '.'))
        {
            k.to_owned()
        } else {
            enc(k)
        }
    };
    let mut pairs: Vec<String> = Vec::new();
    for (k, v) in form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        let l = k.to_ascii_lowercase();
        if !matches!(l.as_str(), "$skip" | "$top" | "$skiptoken") {
            pairs.push(format!("{}={}", name(&k), enc(&v)));
        }
    }
    if let Some(t) = top_left {
        pairs.push(format!("$top={t}"));
    }
    pairs.push(format!("$skiptoken={}", enc(token)));
    format!("{root}/{set}?{}", pairs.join("&"))
}

/// Writes `"key":` and a JSON value into an object being written.
fn member(out: &mut Vec<u8>, key: &str, v: &Value) {
    if out.last() != Some(&b'{') {
        out.push(b',');
    }
    let _ = serde_json::to_writer(&mut *out, key);
    out.push(b':');
    let _ = serde_json::to_writer(&mut *out, v);
}

/// The `value` array: the page's rows as the native list writes them, and with
/// `odata.metadata=full` each entity's id, edit link and type.
fn value_json(page: &ListPage, root: &str, set: &str, m: Metadata) -> Vec<u8> {
    if m != Metadata::Full {
        return page.items_json();
    }
    let rows: Vec<Value> = page
        .records
        .iter()
        .map(|record| {
            let mut v = serde_json::to_value(Projected {
                record,
                projection: &page.projection,
            })
            .unwrap_or(Value::Null);
            if let Value::Object(obj) = &mut v {
                annotate(obj, root, set, &record.id);
            }
            v
        })
        .collect();
    serde_json::to_vec(&rows).unwrap_or_else(|_| b"[]".to_vec())
}

/// Adds `@odata.type`, `@odata.id`, `@odata.editLink` (full metadata) in front.
fn annotate(obj: &mut Map<String, Value>, root: &str, set: &str, id: &str) {
    let link = format!("{set}('{}')", encode_key(&id.replace('\'', "''")));
    let mut out = Map::new();
    out.insert(
        "@odata.type".into(),
        format!("#{}.{}", csdl::NAMESPACE, csdl::ENTITY_TYPE).into(),
    );
    out.insert("@odata.id".into(), format!("{root}/{link}").into());
    out.insert("@odata.editLink".into(), link.into());
    out.append(obj);
    *obj = out;
}

/// The context URL fragment for a select list.
fn context(root: &str, set: &str, select: Option<&str>) -> String {
    match select {
        Some(s) => {
            let items: Vec<&str> = s.split(',').map(str::trim).collect();
            format!("{root}/$metadata#{set}({})", items.join(","))
        }
        None => format!("{root}/$metadata#{set}"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn set<C: HttpClient, K: Clock>(
    svc: &Service,
    req: &Request<Vec<u8>>,
    scope: &Scope,
    name: &'static str,
    c: Collection,
    opts: &Options,
    root: &str,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, ODataError> {
    if let Some(text) = &opts.apply {
        return apply::apply(svc, scope, name, c, opts, text, root, ctx).await;
    }
    let wanted = sources_for(scope, c)?;
    let size = page_size(req);
    let mut p = native(opts);
    p.search = extra_condition(opts, None)?;
    // The native token holds the offset; the page size stays the same on every page so
    // that the token stays valid (it is bound to the query, `limit` included).
    let limit = match (&opts.skiptoken, opts.top) {
        (None, Some(top)) => top.min(size),
        _ => size,
    };
    p.limit = Some(limit.to_string());
    if opts.skiptoken.is_none() {
        p.offset = opts.skip.clone();
    }
    p.next = opts.skiptoken.clone();
    let mut page = routes::list_page(svc, &p, scope, c, wanted, ctx).await?;
    if let Some(top) = opts.top {
        page.records.truncate(top);
    }
    let taken = page.records.len();
    let top_left = opts.top.map(|t| t.saturating_sub(taken));
    let link = match (&page.next, top_left) {
        (Some(_), Some(0)) | (None, _) => None,
        (Some(token), left) => Some(next_link(root, name, req, left, token)),
    };
    let m = opts.format.metadata;
    let mut out = Vec::with_capacity(4096);
    out.push(b'{');
    if m != Metadata::None {
        member(
            &mut out,
            "@odata.context",
            &context(root, name, opts.select.as_deref()).into(),
        );
    }
    if opts.count {
        if let Some(t) = page.total {
            member(&mut out, "@odata.count", &t.into());
        }
    }
    if out.last() != Some(&b'{') {
        out.push(b',');
    }
    out.extend_from_slice(b"\"value\":");
    out.extend_from_slice(&value_json(&page, root, name, m));
    if let Some(l) = link {
        member(&mut out, "@odata.nextLink", &l.into());
    }
    out.push(b'}');
    let mut res = json_answer(StatusCode::OK, out, m);
    if size != MAX_PAGE {
        if let Ok(v) = HeaderValue::from_str(&format!("odata.maxpagesize={size}")) {
            res.headers_mut().insert("preference-applied", v);
        }
    }
    Ok(res)
}

async fn count<C: HttpClient, K: Clock>(
    svc: &Service,
    scope: &Scope,
    _name: &str,
    c: Collection,
    opts: &Options,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, ODataError> {
    let wanted = sources_for(scope, c)?;
    let mut p = native(opts);
    p.search = extra_condition(opts, None)?;
    p.limit = Some("0".into());
    let page = routes::list_page(svc, &p, scope, c, wanted, ctx).await?;
    let total = page.total.ok_or_else(|| {
        ODataError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream.count_unknown",
            "the count is not known within the request budget (a source answered in part)",
            None,
        )
    })?;
    let mut res = Response::new(total.to_string().into_bytes());
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    Ok(res)
}

#[allow(clippy::too_many_arguments)]
async fn entity<C: HttpClient, K: Clock>(
    svc: &Service,
    scope: &Scope,
    name: &str,
    c: Collection,
    key: &str,
    opts: &Options,
    root: &str,
    ctx: &Ctx<'_, C, K>,
) -> Result<Response<Vec<u8>>, ODataError> {
    let record = routes::get_record(svc, scope, c, key, false, ctx).await?;
    let mut v = serde_json::to_value(&record).unwrap_or(Value::Null);
    let m = opts.format.metadata;
    if let Value::Object(obj) = &mut v {
        if m == Metadata::Full {
            annotate(obj, root, name, &record.id);
        }
        if m != Metadata::None {
            let mut out = Map::new();
            out.insert(
                "@odata.context".into(),
                format!("{root}/$metadata#{name}/$entity").into(),
            );
            out.append(obj);
            *obj = out;
        }
    }
    Ok(json_answer(
        StatusCode::OK,
        serde_json::to_vec(&v).unwrap_or_default(),
        m,
    ))
}
