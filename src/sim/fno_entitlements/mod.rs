//! FlexNet Operations Entitlements API (Beta) (upstreams.md §3): `GET
//! /entitlements-api/v1/entitlements` with exact-match parameters, `sort_by`/`sort_order`,
//! `page`/`limit` and no total; `POST /entitlements-api/v1/entitlement`,
//! `…/entitlement/{id}/line-items` (POST and GET) and `POST
//! …/entitlement/{id}/maintenance-line-items`, each checked against the rule table of
//! `crate::rules::fno_entitlements` (the one the edge checks) and for unused ids;
//! bearer `rna_` auth. The REST docs give no response schema: shapes follow the GraphQL twin
//! (`{entitlements, page, limit}`), errors are Spring-style `{timestamp, status, error,
//! message, path}`.
//!
//! Imports only sibling sim modules, the rule table, `http`, `serde`; no clock (time is
//! `now_ms`).

mod create;
mod data;
mod maintenance;
mod properties;

pub(crate) use data::{generate, Entitlement};

use std::borrow::Cow;
use std::collections::HashMap;

use http::{Method, Request, Response};
use serde::Serialize;
use serde_json::json;

use super::respond::{self, query_get, query_pairs};
use super::rng::Rng;
use super::{creds, Simulator};

use create::{add_lines, create, list_lines};
use data::{LineItem, MaintenanceLineItem};
use properties::LinePatch;

/// The Beta API's mutable state: created entitlements, and line items and maintenance
/// line items added to generated ones.
#[derive(Debug, Default)]
pub(crate) struct State {
    created: Vec<Entitlement>,
    added_lines: HashMap<String, Vec<LineItem>>,
    added_maintenance: HashMap<String, Vec<MaintenanceLineItem>>,
    /// Changes of `PATCH …/additional-properties` and `…/policies`, by activation id (the
    /// generated entitlements themselves never change).
    line_patches: HashMap<String, LinePatch>,
    auto_ids: u64,
}

impl State {
    /// The next generated id (`auto-<12 hex>`), deterministic for a seed.
    fn next_auto_id(&mut self, seed: u64) -> String {
        self.auto_ids += 1;
        format!(
            "auto-{}",
            Rng::for_record(seed, 0xbe7a, self.auto_ids).hex(12)
        )
    }
}

/// The endpoints, after routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/entitlements-api/v1/entitlements` (GET)
    List,
    /// `/entitlements-api/v1/entitlement` (POST)
    Create,
    /// `/entitlements-api/v1/entitlement/{id}/line-items`
    LineItems(String),
    /// `/entitlements-api/v1/entitlement/{id}/maintenance-line-items` (POST)
    MaintenanceLineItems(String),
    /// `/entitlements-api/v1/entitlement/{id}/additional-properties` (PATCH)
    Properties(String),
    /// `/entitlements-api/v1/entitlement/{id}/line-items/{activationId}/policies` (PATCH)
    Policies(String, String),
    /// Anything else under `/entitlements-api/`.
    Unknown,
}

/// Routes Beta API paths.
pub(crate) fn route(path: &str) -> Option<Endpoint> {
    let rest = path.strip_prefix("/entitlements-api/")?;
    let rest = rest.trim_end_matches('/');
    Some(match rest {
        "v1/entitlements" => Endpoint::List,
        "v1/entitlement" => Endpoint::Create,
        _ => {
            let segs: Vec<&str> = rest
                .strip_prefix("v1/entitlement/")
                .map(|r| r.split('/').collect())
                .unwrap_or_default();
            let id = |s: &str| (!s.is_empty()).then(|| percent_decode(s));
            let found = match segs.as_slice() {
                [e, "maintenance-line-items"] => id(e).map(Endpoint::MaintenanceLineItems),
                [e, "line-items"] => id(e).map(Endpoint::LineItems),
                [e, "additional-properties"] => id(e).map(Endpoint::Properties),
                [e, "line-items", a, "policies"] => {
                    id(e).zip(id(a)).map(|(e, a)| Endpoint::Policies(e, a))
                }
                _ => None,
            };
            found.unwrap_or(Endpoint::Unknown)
        }
    })
}

/// A path segment with its `%XX` escapes decoded (an id may hold spaces and other
/// characters a client escapes).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b.get(i), hex(i + 1), hex(i + 2)) {
            (Some(b'%'), Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (Some(c), _, _) => {
                out.push(*c);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A Spring-style error body.
pub(crate) fn error(
    status: u16,
    error: &str,
    message: &str,
    path: &str,
    now_ms: i64,
) -> Response<Vec<u8>> {
    respond::json(
        status,
        &json!({
            "timestamp": super::calendar::rfc3339_millis(now_ms),
            "status": status,
            "error": error,
            "message": message,
            "path": path,
        }),
    )
}

/// 401 for a missing or unknown token.
pub(crate) fn unauthorized(path: &str, now_ms: i64) -> Response<Vec<u8>> {
    let mut r = error(
        401,
        "Unauthorized",
        "Full authentication is required to access this resource",
        path,
        now_ms,
    );
    respond::set_header(&mut r, "www-authenticate", "Bearer");
    r
}

fn bad(message: &str, path: &str, now_ms: i64) -> Response<Vec<u8>> {
    error(400, "Bad Request", message, path, now_ms)
}

/// Handles one Beta API request (after fault injection).
pub(crate) fn handle(
    sim: &Simulator,
    ep: &Endpoint,
    req: &Request<Vec<u8>>,
    now_ms: i64,
) -> Response<Vec<u8>> {
    let path = req.uri().path();
    if *ep == Endpoint::Unknown {
        return error(404, "Not Found", "No static resource", path, now_ms);
    }
    if respond::bearer(req) != Some(creds::FNO_TOKEN) {
        return unauthorized(path, now_ms);
    }
    let method = req.method();
    match (ep, method) {
        (Endpoint::List, &Method::GET) => list(sim, req, now_ms),
        (Endpoint::Create, &Method::POST) => create(sim, req, now_ms),
        (Endpoint::LineItems(id), &Method::POST) => add_lines(sim, id, req, now_ms),
        (Endpoint::LineItems(id), &Method::GET) => list_lines(sim, id, req, now_ms),
        (Endpoint::MaintenanceLineItems(id), &Method::POST) => {
            maintenance::add(sim, id, req, now_ms)
        }
        (Endpoint::Properties(id), &Method::PATCH) => properties::update(sim, id, req, now_ms),
        (Endpoint::Policies(id, act), &Method::PATCH) => {
            properties::policies(sim, id, act, req, now_ms)
        }
        _ => error(
            405,
            "Method Not Allowed",
            &format!(
                "Request method '{}' is not supported",
                method.as_str().chars().take(16).collect::<String>()
            ),
            path,
            now_ms,
        ),
    }
}

/// Spring-like paging: `page` 0-based (negative → 0), `limit` < 1 → default 20, capped at
/// 1000; non-numbers → 400.
fn paging(pairs: &[(String, String)]) -> Result<(usize, usize), String> {
    let page = match query_get(pairs, "page").map(|v| v.trim().parse::<i64>()) {
        None => 0,
        Some(Ok(p)) => p.max(0),
        Some(Err(_)) => return Err("Failed to convert value of type 'java.lang.String' to required type 'int'; parameter 'page'".into()),
    };
    let limit = match query_get(pairs, "limit").map(|v| v.trim().parse::<i64>()) {
        None => 20,
        Some(Ok(l)) if l < 1 => 20,
        Some(Ok(l)) => l.min(1000),
        Some(Err(_)) => return Err("Failed to convert value of type 'java.lang.String' to required type 'int'; parameter 'limit'".into()),
    };
    Ok((
        usize::try_from(page).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(20),
    ))
}

/// Canonical status: case-insensitive, `obsolete` ≡ `obsoleted`.
fn canon_status(s: &str) -> Option<&'static str> {
    match s.trim().to_ascii_lowercase().as_str() {
        "draft" => Some("DRAFT"),
        "deployed" => Some("DEPLOYED"),
        "active" => Some("ACTIVE"),
        "inactive" => Some("INACTIVE"),
        "obsoleted" | "obsolete" => Some("OBSOLETED"),
        _ => None,
    }
}

fn all_entitlements<'a>(sim: &'a Simulator, st: &State) -> Vec<Cow<'a, Entitlement>> {
    let mut out: Vec<Cow<'a, Entitlement>> = sim
        .fno_entitlements()
        .iter()
        .map(|e| {
            let lines = st.added_lines.get(&e.entitlement_id);
            let maintenance = st.added_maintenance.get(&e.entitlement_id);
            let patched = !st.line_patches.is_empty()
                && e.line_items
                    .iter()
                    .any(|l| st.line_patches.contains_key(&l.activation_id));
            if lines.is_none() && maintenance.is_none() && !patched {
                return Cow::Borrowed(e);
            }
            let mut e = e.clone();
            e.line_items.extend(lines.into_iter().flatten().cloned());
            e.maintenance_line_items
                .extend(maintenance.into_iter().flatten().cloned());
            apply_patches(&mut e, st);
            Cow::Owned(e)
        })
        .collect();
    out.extend(st.created.iter().cloned().map(|mut e| {
        apply_patches(&mut e, st);
        Cow::Owned(e)
    }));
    out
}

fn apply_patches(e: &mut Entitlement, st: &State) {
    if st.line_patches.is_empty() {
        return;
    }
    for l in &mut e.line_items {
        if let Some(p) = st.line_patches.get(&l.activation_id) {
            p.apply(l);
        }
    }
}

#[derive(Serialize)]
struct ListBody<'a> {
    entitlements: Vec<&'a Entitlement>,
    page: usize,
    limit: usize,
}

fn list(sim: &Simulator, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let pairs = query_pairs(req);
    let (page, limit) = match paging(&pairs) {
        Ok(v) => v,
        Err(m) => return bad(&m, path, now_ms),
    };
    let status =
        match query_get(&pairs, "status") {
            None => None,
            Some(s) => match canon_status(s) {
                Some(c) => Some(c),
                None => return bad(
                    "Invalid status; expected one of draft, deployed, active, inactive, obsoleted",
                    path,
                    now_ms,
                ),
            },
        };
    let desc = match query_get(&pairs, "sort_order")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return bad("Invalid sort_order; expected asc or desc", path, now_ms),
    };
    let by_created = match query_get(&pairs, "sort_by") {
        None | Some("entitlement_id") => false,
        Some("created_on") => true,
        Some(_) => {
            return bad(
                "Invalid sort_by; expected entitlement_id or created_on",
                path,
                now_ms,
            )
        }
    };
    let eq = |k: &str| query_get(&pairs, k).map(str::to_string);
    let activation = eq("activationId");
    let account_id = eq("accountId");
    let account_name = eq("accountName").map(|s| s.to_lowercase());
    let contact = eq("contactEmail").map(|s| s.to_lowercase());
    let product = eq("product").map(|s| s.to_lowercase());
    let version = eq("version");
    let part = eq("partNumber");
    let st = sim.lock();
    let all = all_entitlements(sim, &st.fno_entitlements);
    let any_created = !st.fno_entitlements.created.is_empty();
    drop(st);
    let mut hits: Vec<&Entitlement> = all
        .iter()
        .map(|c| c.as_ref())
        .filter(|e| {
            status.is_none_or(|s| e.status == s)
                && activation.as_ref().is_none_or(|a| {
                    e.line_items.iter().any(|l| &l.activation_id == a)
                        || e.maintenance_line_items
                            .iter()
                            .any(|m| &m.activation_id == a)
                })
                && account_id
                    .as_ref()
                    .is_none_or(|a| e.accounts.iter().any(|x| &x.account_id == a))
                && account_name.as_ref().is_none_or(|a| {
                    e.accounts.iter().any(|x| {
                        x.account_name
                            .as_deref()
                            .is_some_and(|n| n.to_lowercase() == *a)
                    })
                })
                && contact.as_ref().is_none_or(|a| {
                    e.accounts.iter().any(|x| {
                        x.contact_email
                            .as_deref()
                            .is_some_and(|n| n.to_lowercase() == *a)
                    })
                })
                && product.as_ref().is_none_or(|p| {
                    e.line_items.iter().any(|l| {
                        l.products
                            .iter()
                            .any(|x| x.product_name.to_lowercase() == *p)
                    })
                })
                && version.as_ref().is_none_or(|v| {
                    e.line_items
                        .iter()
                        .any(|l| l.products.iter().any(|x| &x.product_version == v))
                })
                && part.as_ref().is_none_or(|p| {
                    e.line_items
                        .iter()
                        .any(|l| l.part_number.as_ref() == Some(p))
                })
        })
        .collect();
    if by_created {
        // The vendor's order among equal creation instants is undocumented: here it is
        // the order the entitlements were stored in (generated ones by id, then created
        // ones as they came), not their ids, so a client cannot lean on one.
        hits.sort_by_key(|e| e.created_ms);
    } else if any_created {
        hits.sort_by(|a, b| a.entitlement_id.cmp(&b.entitlement_id));
    }
    if desc {
        hits.reverse();
    }
    let items: Vec<&Entitlement> = hits
        .into_iter()
        .skip(page.saturating_mul(limit))
        .take(limit)
        .collect();
    respond::json(
        200,
        &ListBody {
            entitlements: items,
            page,
            limit,
        },
    )
}
