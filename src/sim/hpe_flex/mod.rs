//! HPE GreenLake Flex Solutions v1beta1 (upstreams.md §1): the client-credentials token
//! endpoint, `orders`, `orders/transform`, `devices`, `devices/{id}`, its OData subset on the
//! whitelisted fields, `sort`/`select`/`offset`/`limit`, its error bodies, and 100
//! requests/minute per endpoint per API client.
//!
//! Imports only sibling sim modules, `http`, `serde`; no clock (time is `now_ms`).

mod data;
mod errors;
mod fields;
mod odata;
mod token;

pub(crate) use data::{gen_devices, gen_orders, Device, Order};
pub(crate) use errors::{internal, too_many, unauthorized};
pub(crate) use token::State;

use std::cmp::Ordering;
use std::collections::BTreeSet;

use http::{Method, Request, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use super::respond::{self, query_get, query_pairs};
use super::Simulator;

use errors::{
    bad_request, forbidden, invalid_filter, method_not_allowed, not_found, unprocessable,
};
use fields::{Row, Ty, DEVICE_FIELDS, GROUP_BY, ORDER_FIELDS, TRANSFORM_FILTERABLE};
use odata::{matches_all, parse_filter, parse_select, parse_sort, Cond};
use token::{token_endpoint, Window, WINDOW_MS};

/// The endpoints, after routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `POST /as/token.oauth2`
    Token,
    /// `/flex/v1beta1/orders`
    Orders,
    /// `/flex/v1beta1/orders/transform`
    Transform,
    /// `/flex/v1beta1/devices`
    Devices,
    /// `/flex/v1beta1/devices/{id}`
    Device(String),
    /// Anything else under `/flex/`.
    Unknown,
}

impl Endpoint {
    fn rate_key(&self) -> u8 {
        match self {
            Endpoint::Orders => 1,
            Endpoint::Transform => 2,
            Endpoint::Devices => 3,
            Endpoint::Device(_) => 4,
            _ => 0,
        }
    }
}

/// Routes a path under GreenLake's base paths.
pub(crate) fn route(path: &str) -> Option<Endpoint> {
    if path == "/as/token.oauth2" {
        return Some(Endpoint::Token);
    }
    let rest = path.strip_prefix("/flex/")?;
    let rest = rest.trim_end_matches('/');
    Some(match rest {
        "v1beta1/orders" => Endpoint::Orders,
        "v1beta1/orders/transform" => Endpoint::Transform,
        "v1beta1/devices" => Endpoint::Devices,
        _ => match rest.strip_prefix("v1beta1/devices/") {
            Some(id) if !id.contains('/') => Endpoint::Device(id.to_string()),
            _ => Endpoint::Unknown,
        },
    })
}

#[derive(Serialize)]
struct Envelope<T: Serialize> {
    items: Vec<T>,
    count: usize,
    total: usize,
    offset: usize,
}

/// A bounded integer query parameter; `Err(())` means "answer 400 for this parameter".
fn parse_bound(
    pairs: &[(String, String)],
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, ()> {
    match query_get(pairs, name) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n >= 0 && (n as u64) <= max as u64 => Ok(n as usize),
            _ => Err(()),
        },
    }
}

/// Handles one GreenLake request (after fault injection).
pub(crate) fn handle(
    sim: &Simulator,
    ep: &Endpoint,
    req: &Request<Vec<u8>>,
    now_ms: i64,
) -> Response<Vec<u8>> {
    if *ep == Endpoint::Token {
        return token_endpoint(sim, req, now_ms);
    }
    if *ep == Endpoint::Unknown {
        return not_found(sim, "path", "Resource not found.");
    }
    // Authentication and permission.
    let client = {
        let mut st = sim.lock();
        let tok = respond::bearer(req).and_then(|t| st.hpe_flex.tokens.get(t).cloned());
        match tok {
            Some(t) if t.expires_ms > now_ms => {
                if !t.permitted {
                    drop(st);
                    return forbidden(sim);
                }
                t.client
            }
            Some(_) => {
                if let Some(t) = respond::bearer(req) {
                    st.hpe_flex.tokens.remove(t);
                }
                drop(st);
                return unauthorized(sim);
            }
            None => {
                drop(st);
                return unauthorized(sim);
            }
        }
    };
    // Rate limit: fixed one-minute windows per client and endpoint.
    let limit = sim.config().rate_limit_per_minute;
    let (remaining, reset_s, over) = {
        let mut st = sim.lock();
        let w = st
            .hpe_flex
            .windows
            .entry((client, ep.rate_key()))
            .or_insert(Window {
                start_ms: now_ms,
                count: 0,
            });
        if now_ms - w.start_ms >= WINDOW_MS || now_ms < w.start_ms {
            *w = Window {
                start_ms: now_ms,
                count: 0,
            };
        }
        w.count = w.count.saturating_add(1);
        let reset_s = ((w.start_ms + WINDOW_MS - now_ms).max(0) + 999) / 1000;
        let over = limit > 0 && w.count > limit;
        (limit.saturating_sub(w.count), reset_s, over)
    };
    let mut resp = if over {
        too_many(sim, reset_s.max(1) as u64)
    } else if req.method() != Method::GET {
        method_not_allowed(sim)
    } else if respond::header(req, "accept").is_some_and(|a| !accept_ok(a)) {
        unprocessable(sim)
    } else {
        let pairs = query_pairs(req);
        match ep {
            Endpoint::Orders => orders(sim, &pairs),
            Endpoint::Transform => transform(sim, &pairs),
            Endpoint::Devices => devices(sim, &pairs),
            Endpoint::Device(id) => device(sim, id),
            Endpoint::Token | Endpoint::Unknown => not_found(sim, "path", "Resource not found."),
        }
    };
    if limit > 0 {
        let l = limit.to_string();
        let rem = remaining.to_string();
        let reset = reset_s.to_string();
        for (name, v) in [
            ("x-ratelimit-limit", &l),
            ("x-ratelimit-remaining", &rem),
            ("x-ratelimit-reset", &reset),
            ("ratelimit-limit", &l),
            ("ratelimit-remaining", &rem),
            ("ratelimit-reset", &reset),
        ] {
            respond::set_header(&mut resp, name, v);
        }
    }
    resp
}

/// The service only produces JSON: an `Accept` that excludes JSON is answered with the
/// documented 422 (a choice; the docs do not say when 422 happens).
fn accept_ok(accept: &str) -> bool {
    accept.split(',').any(|a| {
        let a = a.trim();
        a.starts_with("application/json")
            || a.starts_with("*/*")
            || a.starts_with("application/*")
            || a.is_empty()
    })
}

fn page<'a, T>(rows: &[&'a T], offset: usize, limit: usize) -> Vec<&'a T> {
    rows.iter().skip(offset).take(limit).copied().collect()
}

fn sorted<'a, R: Row>(mut rows: Vec<&'a R>, keys: &[(usize, bool)]) -> Vec<&'a R> {
    rows.sort_by(|a, b| {
        for &(f, desc) in keys {
            let o = a.get(f).cmp_to(&b.get(f));
            let o = if desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    rows
}

/// A list or transform request's paging and filter.
struct ListParams {
    offset: usize,
    limit: usize,
    conds: Vec<Cond>,
}

/// The `offset`, `limit` (at most 100) and `filter` parameters, read the same way by the
/// list routes and by transform; `allowed` says which fields may be filtered on. `Err` is
/// the 400 answer (boxed: it is much larger than the `Ok` side).
fn list_params(
    sim: &Simulator,
    pairs: &[(String, String)],
    fields: &'static [(&'static str, Ty, bool)],
    allowed: &dyn Fn(&str) -> bool,
) -> Result<ListParams, Box<Response<Vec<u8>>>> {
    let invalid = |name| {
        Box::new(bad_request(
            sim,
            "query.parameter",
            name,
            "Invalid parameter value.",
        ))
    };
    let offset =
        parse_bound(pairs, "offset", 0, i64::MAX as usize).map_err(|()| invalid("offset"))?;
    let limit = parse_bound(pairs, "limit", 20, 100).map_err(|()| invalid("limit"))?;
    let conds = match query_get(pairs, "filter") {
        Some(f) if !f.trim().is_empty() => {
            parse_filter(f, fields, allowed).ok_or_else(|| Box::new(invalid_filter(sim)))?
        }
        _ => Vec::new(),
    };
    Ok(ListParams {
        offset,
        limit,
        conds,
    })
}

fn list<R: Row + Serialize>(
    sim: &Simulator,
    pairs: &[(String, String)],
    all: &[R],
    fields: &'static [(&'static str, Ty, bool)],
) -> Response<Vec<u8>> {
    let allowed = |name: &str| fields.iter().any(|(n, _, filt)| *n == name && *filt);
    let ListParams {
        offset,
        limit,
        conds,
    } = match list_params(sim, pairs, fields, &allowed) {
        Ok(w) => w,
        Err(res) => return *res,
    };
    let keys = match query_get(pairs, "sort") {
        Some(s) if !s.trim().is_empty() => match parse_sort(s, fields) {
            Some(k) => Some(k),
            None => return bad_request(sim, "query.parameter", "sort", "Invalid sort expression."),
        },
        _ => None,
    };
    let select = match query_get(pairs, "select") {
        Some(s) if !s.trim().is_empty() => match parse_select(s, fields) {
            Some(k) => Some(k),
            None => {
                return bad_request(
                    sim,
                    "query.parameter",
                    "select",
                    "Invalid select expression.",
                )
            }
        },
        _ => None,
    };
    // Data is generated in the default order, so only an explicit sort re-sorts; without
    // filter and sort the page is sliced straight from the data.
    let (total, items) = if conds.is_empty() && keys.is_none() {
        (
            all.len(),
            all.iter().skip(offset).take(limit).collect::<Vec<&R>>(),
        )
    } else {
        let rows: Vec<&R> = all.iter().filter(|r| matches_all(*r, &conds)).collect();
        let rows = match keys {
            Some(k) => sorted(rows, &k),
            None => rows,
        };
        (rows.len(), page(&rows, offset, limit))
    };
    match select {
        None => respond::json(
            200,
            &Envelope {
                count: items.len(),
                items,
                total,
                offset,
            },
        ),
        Some(names) => {
            let items: Vec<Map<String, Value>> = items
                .iter()
                .map(|it| match serde_json::to_value(it) {
                    Ok(Value::Object(mut m)) => {
                        m.retain(|k, _| names.contains(&k.as_str()));
                        m
                    }
                    _ => Map::new(),
                })
                .collect();
            respond::json(
                200,
                &Envelope {
                    count: items.len(),
                    items,
                    total,
                    offset,
                },
            )
        }
    }
}

fn orders(sim: &Simulator, pairs: &[(String, String)]) -> Response<Vec<u8>> {
    list(sim, pairs, sim.hpe_flex_orders(), ORDER_FIELDS)
}

fn devices(sim: &Simulator, pairs: &[(String, String)]) -> Response<Vec<u8>> {
    list(sim, pairs, sim.hpe_flex_devices(), DEVICE_FIELDS)
}

fn device(sim: &Simulator, id: &str) -> Response<Vec<u8>> {
    if id.trim().is_empty() {
        return bad_request(sim, "path.parameter", "id", "Parameter ID is missing.");
    }
    match sim.hpe_flex_devices().iter().find(|d| d.id == id) {
        Some(d) => respond::json(200, d),
        None => not_found(sim, "id", "Device not found."),
    }
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct OrderTransform<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sow_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_account_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner_name: Option<&'a str>,
}

fn transform(sim: &Simulator, pairs: &[(String, String)]) -> Response<Vec<u8>> {
    let group = match query_get(pairs, "group-by").map(str::trim) {
        None | Some("") => {
            return bad_request(
                sim,
                "query.parameter",
                "group-by",
                "Required parameter is missing.",
            )
        }
        Some(g) => match GROUP_BY.iter().find(|f| **f == g) {
            Some(f) => *f,
            None => {
                return bad_request(
                    sim,
                    "query.parameter",
                    "group-by",
                    "Invalid parameter value.",
                )
            }
        },
    };
    let allowed = |name: &str| TRANSFORM_FILTERABLE.contains(&name);
    let ListParams {
        offset,
        limit,
        conds,
    } = match list_params(sim, pairs, ORDER_FIELDS, &allowed) {
        Ok(w) => w,
        Err(res) => return *res,
    };
    let desc = match query_get(pairs, "sort").map(str::trim) {
        None | Some("") => false,
        Some(s) => {
            let mut w = s.split_whitespace();
            let (name, dir, extra) = (w.next(), w.next(), w.next());
            let desc = match dir {
                None => Some(false),
                Some(d) if d.eq_ignore_ascii_case("asc") => Some(false),
                Some(d) if d.eq_ignore_ascii_case("desc") => Some(true),
                Some(_) => None,
            };
            match (name == Some(group), desc, extra) {
                (true, Some(d), None) => d,
                _ => {
                    return bad_request(
                        sim,
                        "query.parameter",
                        "sort",
                        "Sort field must be the group-by field.",
                    )
                }
            }
        }
    };
    let mut set: BTreeSet<&str> = BTreeSet::new();
    for o in sim
        .hpe_flex_orders()
        .iter()
        .filter(|o| matches_all(*o, &conds))
    {
        match group {
            "sowId" => {
                set.insert(&o.sow_id);
            }
            "customerName" => {
                set.insert(&o.customer_name);
            }
            "billingAccountName" => {
                set.insert(&o.billing_account_name);
            }
            "billingAccountId" => {
                set.insert(&o.billing_account_id);
            }
            _ => {
                // partnerName: the unique combined set of resellerName and distributorName.
                if let Some(r) = &o.reseller_name {
                    set.insert(r);
                }
                if let Some(d) = &o.distributor_name {
                    set.insert(d);
                }
            }
        }
    }
    let total = set.len();
    let values: Vec<&str> = if desc {
        set.into_iter().rev().skip(offset).take(limit).collect()
    } else {
        set.into_iter().skip(offset).take(limit).collect()
    };
    let items: Vec<OrderTransform<'_>> = values
        .into_iter()
        .map(|v| {
            let mut t = OrderTransform::default();
            match group {
                "sowId" => t.sow_id = Some(v),
                "customerName" => t.customer_name = Some(v),
                "billingAccountName" => t.billing_account_name = Some(v),
                "billingAccountId" => t.billing_account_id = Some(v),
                _ => t.partner_name = Some(v),
            }
            t
        })
        .collect();
    respond::json(
        200,
        &Envelope {
            count: items.len(),
            items,
            total,
            offset,
        },
    )
}
