//! FlexNet Operations REST entitlementOrders (upstreams.md §2): `POST
//! /flexnet/operations/entitlementOrders` (activatable line items matching
//! `activatableItemSearchCriteria`, paged by `batchSize`/`pageNumber`, no total) and
//! `POST …/count` (criteria under `queryParams`), `statusInfo` SUCCESS/FAILURE, the seed's
//! nested item shape with epoch-millisecond dates (or `yyyy-MM-dd`), maintenance line items
//! never returned, HTTP Basic or `Bearer rna_…` auth.
//!
//! Imports only sibling sim modules, `http`, `serde`, `time` (parsing query date-times);
//! no clock.

mod criteria;
mod data;
mod wire;

pub(crate) use data::{generate, Item};

use http::{Method, Request, Response};
use serde::Serialize;
use serde_json::json;

use super::respond;
use super::{creds, Simulator};
use criteria::{compile, Body, Failure, Flexi};
use wire::{wire, WItem};

/// The endpoints, after routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/flexnet/operations/entitlementOrders`
    Query,
    /// `/flexnet/operations/entitlementOrders/count`
    Count,
    /// Anything else under `/flexnet/`.
    Unknown,
}

/// Routes FNO REST paths.
pub(crate) fn route(path: &str) -> Option<Endpoint> {
    match path.trim_end_matches('/') {
        "/flexnet/operations/entitlementOrders" => Some(Endpoint::Query),
        "/flexnet/operations/entitlementOrders/count" => Some(Endpoint::Count),
        p if p.starts_with("/flexnet/") => Some(Endpoint::Unknown),
        _ => None,
    }
}

/// Transport-level 401: empty body, as a servlet container answers.
pub(crate) fn unauthorized() -> Response<Vec<u8>> {
    let mut r = respond::raw(401, "text/plain", Vec::new());
    respond::set_header(
        &mut r,
        "www-authenticate",
        "Basic realm=\"FlexNet Operations\"",
    );
    r
}

/// HTTP 500 with a FAILURE statusInfo.
pub(crate) fn internal(sim: &Simulator) -> Response<Vec<u8>> {
    let n = {
        let id = sim.next_debug_id();
        id.bytes()
            .filter(u8::is_ascii_digit)
            .take(8)
            .map(char::from)
            .collect::<String>()
    };
    let incident = format!(
        "{:0<4}-{:0<4}",
        n.get(..4).unwrap_or("0"),
        n.get(4..8).unwrap_or("0")
    );
    respond::json(
        500,
        &json!({"statusInfo": {"status": "FAILURE", "reason": format!("9999; Internal error [Incident# {incident}]")}}),
    )
}

/// 429 (undocumented for FNO): a FAILURE statusInfo.
pub(crate) fn too_many() -> Response<Vec<u8>> {
    respond::json(
        429,
        &json!({"statusInfo": {"status": "FAILURE", "reason": "429; Too many requests"}}),
    )
}

fn failure(reason: &str, status: u16) -> Response<Vec<u8>> {
    respond::json(
        status,
        &json!({"statusInfo": {"status": "FAILURE", "reason": reason}}),
    )
}

fn authorized(req: &Request<Vec<u8>>) -> bool {
    if let Some((u, p)) = respond::basic(req) {
        return u == creds::FNO_USER && p == creds::FNO_PASSWORD;
    }
    respond::bearer(req) == Some(creds::FNO_TOKEN)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusInfo {
    status: &'static str,
    reason: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryResponse<'a> {
    status_info: StatusInfo,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    activatable_item: Vec<WItem<'a>>,
}

/// Default page size when `batchSize` is absent (documented as required; the public
/// script that posts `{}` still gets items).
const DEFAULT_BATCH: i64 = 100;

/// Handles one FNO entitlementOrders request (after fault injection).
pub(crate) fn handle(
    sim: &Simulator,
    ep: &Endpoint,
    req: &Request<Vec<u8>>,
    _now_ms: i64,
) -> Response<Vec<u8>> {
    if *ep == Endpoint::Unknown {
        return respond::raw(404, "text/plain", Vec::new());
    }
    if !authorized(req) {
        return unauthorized();
    }
    if req.method() != Method::POST {
        let mut r = respond::raw(405, "text/plain", Vec::new());
        respond::set_header(&mut r, "allow", "POST");
        return r;
    }
    let body: Body = if req.body().iter().all(u8::is_ascii_whitespace) {
        Body::default()
    } else {
        match serde_json::from_slice(req.body()) {
            Ok(b) => b,
            Err(e) => return failure(&format!("1000; Malformed request body: {e}"), 400),
        }
    };
    let criteria = if *ep == Endpoint::Count {
        body.query_params.clone()
    } else {
        body.activatable_item_search_criteria.clone()
    }
    .unwrap_or_default();
    let preds = match compile(&criteria) {
        Ok(p) => p,
        Err(Failure(reason)) => return failure(&reason, 200),
    };
    let all = sim.fno_orders_items();
    let mut hits = all
        .iter()
        .filter(|it| !it.maintenance && preds.iter().all(|p| p(it)));
    if *ep == Endpoint::Count {
        let count = hits.count();
        return respond::json(
            200,
            &json!({"statusInfo": {"status": "SUCCESS", "reason": null}, "count": count}),
        );
    }
    // batchSize/pageNumber: top-level (SOAP shape) wins over inside the criteria (REST doc).
    let batch = body.batch_size.as_ref().or(criteria.batch_size.as_ref());
    let page = body.page_number.as_ref().or(criteria.page_number.as_ref());
    let batch = match batch.map(Flexi::as_i64) {
        None => DEFAULT_BATCH,
        Some(Some(b)) if b >= 1 => b,
        Some(_) => return failure("1005; batchSize must be a positive integer", 200),
    };
    let page = match page.map(Flexi::as_i64) {
        None => 1,
        Some(Some(p)) if p >= 1 => p,
        Some(_) => {
            return failure(
                "1005; pageNumber must be a positive integer (pages start at 1)",
                200,
            )
        }
    };
    let skip = (page - 1).saturating_mul(batch);
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    let take = usize::try_from(batch).unwrap_or(usize::MAX);
    let fmt = sim.config().fno_dates;
    let items: Vec<WItem<'_>> = hits
        .by_ref()
        .skip(skip)
        .take(take)
        .map(|it| wire(it, fmt))
        .collect();
    respond::json(
        200,
        &QueryResponse {
            status_info: StatusInfo {
                status: "SUCCESS",
                reason: None,
            },
            activatable_item: items,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::criteria::parse_datetime;
    use super::*;
    use crate::sim::data::Pool;

    #[test]
    fn maintenance_items_exist_but_are_extra() {
        let pool = Pool::new(3);
        let items = generate(&pool, 3, 200);
        assert_eq!(items.iter().filter(|i| !i.maintenance).count(), 200);
        assert!(items.iter().any(|i| i.maintenance));
    }

    #[test]
    fn datetime_parsing() {
        assert!(parse_datetime("2022-09-13T15:00:34+02:00").is_some());
        assert!(parse_datetime("2022-09-13T15:00:34").is_some());
        assert_eq!(parse_datetime("2022-09-13").map(|x| x.0), Some(None));
        assert!(parse_datetime("13/09/2022").is_none());
    }
}
