//! The write routes: create FNO Beta entitlements, add line items, add maintenance line
//! items. JSON in, JSON out, problem+json errors.
//!
//! | route | vendor operation | rule table |
//! |---|---|---|
//! | `POST /v1/entitlements` | `POST /v1/entitlement` | [`fno_entitlements::CREATE`] |
//! | `POST /v1/entitlements/{entitlementId}/line-items` | `POST /v1/entitlement/{id}/line-items` | [`fno_entitlements::ADD_LINE_ITEMS`] |
//! | `POST /v1/entitlements/{entitlementId}/maintenance-line-items` | `POST /v1/entitlement/{id}/maintenance-line-items` | [`fno_entitlements::ADD_MAINTENANCE_LINE_ITEMS`] |
//!
//! One path for all three, in this order, each step a stable problem: the key (401), its
//! `write` permission and its scope (403); no query parameters (400); a JSON content type
//! (415); at most [`MAX_BODY_BYTES`] (413); an `Idempotency-Key` (400); the body read
//! (`write.malformed`, with the byte position) and checked against the operation's rule
//! table (`write.invalid`, every violation with its JSON Pointer) — all before any upstream
//! call and before the idempotency store is touched (a refused body reserves no key). Then
//! the record of the key ([`idempotency`]): a replay answers the first answer, another
//! body is a 422, a concurrent duplicate a 409. Then the one upstream call, never retried
//! ([`crate::upstream::AnyUpstream::write`]), the entitlement read back normalized as a
//! read would, and a 201 with `Location: /v1/orders/fno_entitlements:<id>`. Vendor
//! failures map to stable problems; whether the answer is recorded depends on whether the
//! vendor may have acted (`Failure`). One log line per write: request id, key label,
//! route, outcome and status; never the body or a credential.
//!
//! Imports no `worker`; the store is a seam ([`IdempotencyStore`]).

pub mod idempotency;

use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use serde::Serialize;

use crate::model::{Kind, Record, Source};
use crate::rules::{self, fno_entitlements, Operation, Pattern, Unknown};
use crate::upstream::{Clock, Collection, HttpClient, UpstreamErrorKind, WriteFailure, WriteOp};

use super::http_util::sha256_hex;
use super::problem::{Extra, Problem};
use super::{log, raw_json, Ctx, Scope, Service};
use idempotency::{Begin, IdempotencyStore, Stored};

/// The largest write body read (a documented cap: 1 MiB, far above any entitlement the
/// vendor's lengths allow with a few hundred line items).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The longest `Idempotency-Key` (visible ASCII, 1 to 255 characters).
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The response header marking a replayed answer.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// A write route, after routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteRoute<'a> {
    /// `POST /v1/entitlements`
    Create,
    /// `POST /v1/entitlements/{id}/line-items` (the id still percent-encoded)
    AddLineItems(&'a str),
    /// `POST /v1/entitlements/{id}/maintenance-line-items`
    AddMaintenanceLineItems(&'a str),
}

impl WriteRoute<'_> {
    /// The route as documented (no ids: what the log names).
    fn template(self) -> &'static str {
        match self {
            WriteRoute::Create => "POST /v1/entitlements",
            WriteRoute::AddLineItems(_) => "POST /v1/entitlements/{entitlementId}/line-items",
            WriteRoute::AddMaintenanceLineItems(_) => {
                "POST /v1/entitlements/{entitlementId}/maintenance-line-items"
            }
        }
    }

    fn rules(self) -> &'static Operation {
        match self {
            WriteRoute::Create => &fno_entitlements::CREATE,
            WriteRoute::AddLineItems(_) => &fno_entitlements::ADD_LINE_ITEMS,
            WriteRoute::AddMaintenanceLineItems(_) => &fno_entitlements::ADD_MAINTENANCE_LINE_ITEMS,
        }
    }
}

/// The write route the path segments name, if any.
pub(crate) fn route<'a>(segments: &[&'a str]) -> Option<WriteRoute<'a>> {
    match segments {
        ["v1", "entitlements"] => Some(WriteRoute::Create),
        ["v1", "entitlements", id, "line-items"] => Some(WriteRoute::AddLineItems(id)),
        ["v1", "entitlements", id, "maintenance-line-items"] => {
            Some(WriteRoute::AddMaintenanceLineItems(id))
        }
        _ => None,
    }
}

/// What a write came to, for the log line.
struct Done {
    res: Response<Vec<u8>>,
    outcome: &'static str,
}

fn done(res: Response<Vec<u8>>, outcome: &'static str) -> Done {
    Done { res, outcome }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WriteLog<'a> {
    key: &'a str,
    route: &'static str,
    outcome: &'static str,
    status: u16,
}

/// Answers a write route. Never panics; every failure is a problem response.
pub(crate) async fn handle<C: HttpClient, K: Clock, S: IdempotencyStore>(
    svc: &Service,
    route: WriteRoute<'_>,
    req: &Request<Vec<u8>>,
    ctx: &Ctx<'_, C, K>,
    store: &S,
) -> Response<Vec<u8>> {
    let mut key = "-".to_owned();
    let d = match run(svc, route, req, ctx, store, &mut key).await {
        Ok(d) => d,
        Err(refusal) => {
            let (p, outcome) = *refusal;
            done(p.into_response(ctx.request_id), outcome)
        }
    };
    let status = d.res.status();
    log::emit(
        ctx.log,
        if status.is_server_error() {
            "error"
        } else {
            "info"
        },
        ctx.request_id,
        "write",
        WriteLog {
            key: &key,
            route: route.template(),
            outcome: d.outcome,
            status: status.as_u16(),
        },
    );
    d.res
}

/// A problem and the outcome the log names (boxed: a `Problem` is large).
type Refusal = Box<(Problem, &'static str)>;

fn refuse(p: Problem, outcome: &'static str) -> Refusal {
    Box::new((p, outcome))
}

/// The checks before any upstream call; the body read and the request's hash.
async fn run<C: HttpClient, K: Clock, S: IdempotencyStore>(
    svc: &Service,
    route: WriteRoute<'_>,
    req: &Request<Vec<u8>>,
    ctx: &Ctx<'_, C, K>,
    store: &S,
    key_label: &mut String,
) -> Result<Done, Refusal> {
    if req.method() != Method::POST {
        let mut res = Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "route.method_not_allowed",
            "Method Not Allowed",
            "this route answers POST only",
        )
        .into_response(ctx.request_id);
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return Ok(done(res, "method_not_allowed"));
    }
    let scope = svc
        .authenticate(req)
        .map_err(|p| refuse(p, "unauthorized"))?;
    key_label.clone_from(&scope.label);
    permitted(&scope).map_err(|p| refuse(p, "forbidden"))?;
    if req.uri().query().is_some_and(|q| !q.is_empty()) {
        return Err(refuse(
            Problem::bad_parameter("query", "the write routes take no query parameters"),
            "invalid",
        ));
    }
    let body = read_body(req)?;
    let idem = idempotency_key(req)?;
    let entitlement_id = match route {
        WriteRoute::Create => None,
        WriteRoute::AddLineItems(id) | WriteRoute::AddMaintenanceLineItems(id) => {
            Some(path_id(id).map_err(|p| refuse(p, "invalid"))?)
        }
    };
    let node = rules::parse(body).map_err(|m| {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "write.malformed",
            "Malformed body",
            format!("the body is not JSON: {m}"),
        );
        p.extra = Some(Box::new(Extra {
            position: Some(m.offset),
            ..Extra::default()
        }));
        refuse(p, "malformed")
    })?;
    let (violations, more) = rules::check(route.rules(), &node, Unknown::Reject);
    if !violations.is_empty() {
        let n = violations.len();
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "write.invalid",
            "Invalid body",
            format!(
                "the body breaks {n}{} rule{} of the vendor's schema; nothing was sent",
                if more { "+" } else { "" },
                if n == 1 && !more { "" } else { "s" }
            ),
        );
        p.extra = Some(Box::new(Extra {
            violations: Some(violations),
            violations_truncated: more.then_some(true),
            ..Extra::default()
        }));
        return Err(refuse(p, "invalid"));
    }
    let request_hash = sha256_hex(
        format!(
            "{} {}\n{}",
            route.template(),
            entitlement_id.as_deref().unwrap_or(""),
            node.canonical()
        )
        .as_bytes(),
    );
    let name = sha256_hex(format!("{}\n{idem}", scope.identity).as_bytes());
    let now = ctx.clock.now_ms();
    match store.begin(&name, &request_hash, now).await {
        Err(e) => Err(refuse(
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "write.store_unavailable",
                "Service Unavailable",
                format!("{e}: writes need their idempotency records; nothing was sent"),
            ),
            "store_unavailable",
        )),
        Ok(Begin::Replay { answer }) => Ok(done(replay(&answer), "replayed")),
        Ok(Begin::Mismatch) => Err(refuse(
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency.key_reused",
                "Idempotency-Key reused",
                "this Idempotency-Key was used with another request in the last 24 hours; use a new key for a new request",
            ),
            "key_reused",
        )),
        Ok(Begin::InProgress) => {
            let mut res = Problem::new(
                StatusCode::CONFLICT,
                "idempotency.in_progress",
                "Request in progress",
                "a request with this Idempotency-Key is still running; retry shortly",
            )
            .into_response(ctx.request_id);
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Ok(done(res, "in_progress"))
        }
        Ok(Begin::Abandoned) => {
            let p = outcome_unknown("an earlier request with this Idempotency-Key never finished");
            let res = p.into_response(ctx.request_id);
            let _ = store.finish(&name, &request_hash, &stored(&res)).await;
            Ok(done(res, "outcome_unknown"))
        }
        Ok(Begin::Proceed) => {
            let write = Write {
                route,
                entitlement_id: entitlement_id.as_deref(),
                node: &node,
                body,
            };
            let (res, outcome, keep) = match send(svc, &write, ctx).await {
                Ok((res, outcome)) => (res, outcome, true),
                Err(f) => (f.problem.into_response(ctx.request_id), f.outcome, f.keep),
            };
            // A store that fails now leaves the record pending: a retry gets 409 and,
            // after PENDING_MS, "outcome unknown" (never a second write).
            let _ = if keep {
                store.finish(&name, &request_hash, &stored(&res)).await
            } else {
                store.release(&name, &request_hash).await
            };
            Ok(done(res, outcome))
        }
    }
}

/// The key may write, and may see the source written to.
fn permitted(scope: &Scope) -> Result<(), Problem> {
    if !scope.write {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "auth.write_forbidden",
            "Forbidden",
            "the client key may not write (its entry in FLEXEDGE_API_KEYS has no \"write\": true)",
        ));
    }
    if !scope.allows(Source::FnoEntitlements) {
        return Err(Problem::forbidden(
            "the client key may not use `fno_entitlements`",
        ));
    }
    Ok(())
}

/// The body, if it is JSON and within the cap (checked before it is parsed).
fn read_body(req: &Request<Vec<u8>>) -> Result<&[u8], Refusal> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let json = ct.as_deref().is_some_and(|t| {
        t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
    });
    if !json {
        return Err(refuse(
            Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "write.unsupported_media_type",
                "Unsupported Media Type",
                "send the body as `Content-Type: application/json`",
            ),
            "unsupported_media_type",
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if req.body().len() > MAX_BODY_BYTES || declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(refuse(
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "write.too_large",
                "Payload Too Large",
                format!("a write body may have at most {MAX_BODY_BYTES} bytes"),
            ),
            "too_large",
        ));
    }
    Ok(req.body())
}

/// The `Idempotency-Key` header: required, 1 to 255 visible ASCII characters.
fn idempotency_key(req: &Request<Vec<u8>>) -> Result<String, Refusal> {
    let bad = |code: &'static str, detail: &str| {
        refuse(
            Problem::new(
                StatusCode::BAD_REQUEST,
                code,
                "Idempotency-Key required",
                detail,
            ),
            "invalid",
        )
    };
    let mut values = req.headers().get_all("idempotency-key").iter();
    let (Some(v), None) = (values.next(), values.next()) else {
        return Err(bad(
            "idempotency.key_missing",
            "send one `Idempotency-Key` header (e.g. a random UUID): a retry with the same key and body is answered without writing twice",
        ));
    };
    let k = v.as_bytes();
    if k.is_empty() || k.len() > MAX_IDEMPOTENCY_KEY || !k.iter().all(|b| (0x21..=0x7e).contains(b))
    {
        return Err(bad(
            "idempotency.key_invalid",
            "an `Idempotency-Key` is 1 to 255 visible ASCII characters",
        ));
    }
    Ok(String::from_utf8_lossy(k).into_owned())
}

/// The entitlement id of a path, decoded and checked against the document's id rules.
fn path_id(raw: &str) -> Result<String, Problem> {
    let id = super::routes::percent_decode(raw);
    if id.encode_utf16().count() > 255 || !Pattern::Id.matches(&id) {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "write.invalid_path",
            "Invalid entitlement id",
            "the entitlement id in the path is not one the vendor allows (1 to 255 characters, not blank, none of ' \" & % ^ ( ) # @ ! ~ / < > ` { } = |)",
        );
        p.extra = Some(Box::new(Extra {
            parameter: Some("entitlementId"),
            ..Extra::default()
        }));
        return Err(p);
    }
    Ok(id)
}

/// A validated write, ready to send.
struct Write<'a> {
    route: WriteRoute<'a>,
    entitlement_id: Option<&'a str>,
    node: &'a rules::Node,
    body: &'a [u8],
}

/// A write that did not come to a 201, as the client sees it.
struct Failure {
    problem: Problem,
    outcome: &'static str,
    /// Record the answer (the vendor answered, or may have acted); `false`: the vendor
    /// certainly did not act, and a retry with the same key may go ahead.
    keep: bool,
}

fn outcome_unknown(why: &str) -> Problem {
    Problem::new(
        StatusCode::GATEWAY_TIMEOUT,
        "write.outcome_unknown",
        "Outcome unknown",
        format!(
            "{why}: the vendor may or may not have made the change. It is not retried: \
             read the entitlement to find out (a retry with the same Idempotency-Key gets \
             this answer again; a new key sends a new write)"
        ),
    )
}

/// What a vendor failure means for the client.
fn failure(f: WriteFailure) -> Failure {
    let e = f.error;
    let detail = format!("{} ({})", e.message, e.code());
    let p = |status, code, title| Problem::new(status, code, title, detail.clone());
    let (problem, outcome, keep) = if !f.sent {
        (
            p(
                StatusCode::SERVICE_UNAVAILABLE,
                "write.not_sent",
                "Not sent",
            ),
            "not_sent",
            false,
        )
    } else {
        match (&e.kind, e.status) {
            (_, Some(409)) => (
                p(StatusCode::CONFLICT, "write.conflict", "Conflict"),
                "conflict",
                true,
            ),
            (_, Some(404)) => (
                p(
                    StatusCode::NOT_FOUND,
                    "write.entitlement_not_found",
                    "Not Found",
                ),
                "not_found",
                true,
            ),
            (_, Some(400 | 422)) | (UpstreamErrorKind::VendorFailure { .. }, _) => (
                p(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "write.rejected",
                    "Rejected by the vendor",
                ),
                "rejected",
                true,
            ),
            (UpstreamErrorKind::RateLimited { retry_after }, _) => {
                let mut prob = p(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "write.rate_limited",
                    "Rate limited",
                );
                if let Some(s) = retry_after {
                    prob.detail = format!("{} — retry after {s} s", prob.detail);
                }
                (prob, "rate_limited", false)
            }
            (UpstreamErrorKind::Auth | UpstreamErrorKind::Forbidden, _) => (
                p(
                    StatusCode::BAD_GATEWAY,
                    "write.upstream_auth",
                    "Bad Gateway",
                ),
                "upstream_auth",
                false,
            ),
            (UpstreamErrorKind::Timeout | UpstreamErrorKind::Transport, _) => (
                outcome_unknown(&format!("no answer from the vendor ({})", e.code())),
                "outcome_unknown",
                true,
            ),
            (UpstreamErrorKind::Malformed, _) => (
                outcome_unknown("the vendor's answer could not be read"),
                "outcome_unknown",
                true,
            ),
            _ => (
                p(
                    StatusCode::BAD_GATEWAY,
                    "write.upstream_failed",
                    "Bad Gateway",
                ),
                "upstream_failed",
                true,
            ),
        }
    };
    Failure {
        problem: problem.with_source(Source::FnoEntitlements.as_str()),
        outcome,
        keep,
    }
}

/// Sends the write once and answers 201 with the entitlement read back.
async fn send<C: HttpClient, K: Clock>(
    svc: &Service,
    w: &Write<'_>,
    ctx: &Ctx<'_, C, K>,
) -> Result<(Response<Vec<u8>>, &'static str), Failure> {
    let Some(upstream) = svc.upstream(Collection::Orders, Source::FnoEntitlements) else {
        return Err(Failure {
            problem: Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "write.not_sent",
                "Not sent",
                "`fno_entitlements` is not configured",
            ),
            outcome: "not_sent",
            keep: false,
        });
    };
    let op = match (w.route, w.entitlement_id) {
        (WriteRoute::AddLineItems(_), Some(id)) => WriteOp::AddLineItems(id),
        (WriteRoute::AddMaintenanceLineItems(_), Some(id)) => WriteOp::AddMaintenanceLineItems(id),
        _ => WriteOp::CreateEntitlement,
    };
    let deadline = ctx
        .clock
        .now_ms()
        .saturating_add(svc.config().limits.deadline_ms);
    // The body was checked to be JSON: UTF-8. It goes as sent (no member renamed or
    // dropped: an unknown member was refused).
    let body = String::from_utf8_lossy(w.body).into_owned();
    let answer = upstream
        .write(ctx.client, ctx.clock, &op, body, deadline)
        .await
        .map_err(failure)?;
    let body_id = w.node.get("entitlementId").and_then(rules::Node::as_str);
    let Some(id) = answer
        .entitlement_id
        .as_deref()
        .or(w.entitlement_id)
        .or(body_id)
        .map(str::to_owned)
    else {
        let res = raw_json(
            StatusCode::ACCEPTED,
            br#"{"status":"accepted","detail":"the vendor accepted the entitlement but did not say which id it generated"}"#.to_vec(),
        );
        return Ok((res, "accepted"));
    };
    // The entitlement, as the reads normalize it: found by one of the lines written.
    let explicit = w
        .route
        .rules()
        .ids
        .iter()
        .flat_map(|p| w.node.strings_at(p))
        .filter(|(ptr, _)| ptr != "/entitlementId")
        .map(|(_, s)| s.to_owned());
    let activation = answer.activation_ids.iter().cloned().chain(explicit).next();
    let record = match activation {
        Some(a) => upstream
            .read_back(ctx.client, ctx.clock, &id, &a, deadline)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let read_back = record.is_some();
    let record =
        record.unwrap_or_else(|| Record::new(Source::FnoEntitlements, &id, Kind::Entitlement));
    let mut res = super::json_response(StatusCode::CREATED, &record);
    let location = format!(
        "/v1/orders/{}:{}",
        Source::FnoEntitlements.as_str(),
        form_urlencoded::byte_serialize(id.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    );
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    if !read_back {
        res.headers_mut().insert(
            "x-flexedge-read-back",
            HeaderValue::from_static("unavailable"),
        );
    }
    Ok((
        res,
        if read_back {
            "created"
        } else {
            "created_unread"
        },
    ))
}

/// A response as recorded for replays.
fn stored(res: &Response<Vec<u8>>) -> Stored {
    let keep = [header::CONTENT_TYPE, header::LOCATION, header::RETRY_AFTER];
    Stored {
        status: res.status().as_u16(),
        headers: keep
            .iter()
            .filter_map(|h| {
                let v = res.headers().get(h)?.to_str().ok()?;
                Some((h.as_str().to_owned(), v.to_owned()))
            })
            .chain(
                res.headers()
                    .get("x-flexedge-read-back")
                    .and_then(|v| v.to_str().ok())
                    .map(|v| ("x-flexedge-read-back".to_owned(), v.to_owned())),
            )
            .collect(),
        body: String::from_utf8_lossy(res.body()).into_owned(),
    }
}

/// A recorded answer, answered again.
fn replay(answer: &Stored) -> Response<Vec<u8>> {
    let mut res = Response::new(answer.body.clone().into_bytes());
    *res.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    for (k, v) in &answer.headers {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            res.headers_mut().insert(k, v);
        }
    }
    res.headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    res
}
