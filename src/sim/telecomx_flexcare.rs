//! TelecomX IPTV FlexCare orders (upstreams.md §4): `POST /auth/login` with a sliding
//! 15-minute token accepted as `Authorization: Bearer`, `X-API-Key` or `?token=`, and
//! `GET /iptv/flexcareorder` with `offset`/`limit` and the free-text `filter`, which also
//! searches fields the response never shows (`p1TaskId`, `licenses.active`, `changes.*`).
//!
//! Imports only sibling sim modules, `http`, `serde`; no clock (time is `now_ms`).

use std::collections::HashMap;

use http::{Method, Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::data::{mail_local, person, stream, Pool};
use super::respond::{self, query_get, query_pairs};
use super::rng::Rng;
use super::{creds, Simulator};

/// Login tokens expire 15 minutes after their last use.
pub(crate) const TOKEN_TTL_MS: i64 = 15 * 60 * 1000;
const MAX_TOKENS: usize = 10_000;

/// The orderer of a FlexCare order.
#[derive(Debug, Clone, Serialize)]
struct Orderer {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

/// A FlexCare order: the wire fields, plus hidden ones only the filter sees.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Order {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    snow_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    po_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reseller: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ean_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    powernet_item_number: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    devices: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    orderer: Option<Orderer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_agreement: Option<String>,
    /// Lower-cased `name, p1TaskId, poNumber, licenses.active, changes.from, changes.to`,
    /// separated by NUL so a match never spans two fields.
    #[serde(skip)]
    haystack: String,
}

fn mac(r: &mut Rng) -> String {
    let h = r.hex(12);
    let mut s = String::with_capacity(17);
    for (i, c) in h.chars().enumerate() {
        if i > 0 && i % 2 == 0 {
            s.push(':');
        }
        s.push(c);
    }
    s
}

/// Generates `n` FlexCare orders in `_id` order (ObjectIds grow with creation time).
pub(crate) fn generate(pool: &Pool, seed: u64, n: usize) -> Vec<Order> {
    let resellers: Vec<String> = (0..pool.resellers.len())
        .map(|i| Rng::for_record(seed, stream::TELECOMX, 10_000_000 + i as u64).hex(24))
        .collect();
    let mut out = Vec::with_capacity(n);
    // ObjectIds start with a 4-byte timestamp: make them increase from 2019 on.
    let mut ts: u64 = 1_546_300_800;
    for i in 0..n {
        let mut r = Rng::for_record(seed, stream::TELECOMX, i as u64);
        ts += 600 + r.below(86_400 * 3);
        let id = format!("{:08x}{}", ts & 0xffff_ffff, r.hex(16));
        let c = pool.customer(&mut r);
        let year = 2019 + (ts - 1_546_300_800) / 31_536_000;
        let name = format!("FlexCare {} {}-{:02}", c.name, year, 1 + r.below(12));
        let po = r.chance(85).then(|| format!("PO{}", r.digits(7)));
        let p1 = r.chance(70).then(|| format!("P1-{}", r.digits(6)));
        let ndev = r.below(5) as usize;
        let mut devices = Vec::with_capacity(ndev);
        for _ in 0..ndev {
            // Mostly MACs; sometimes a bare device number, as in the doc example.
            devices.push(if r.chance(85) {
                mac(&mut r)
            } else {
                r.digits(7)
            });
        }
        let licenses: Vec<String> = (0..r.below(3))
            .map(|_| format!("LIC-{}", r.hex(8).to_ascii_uppercase()))
            .collect();
        let mut changes = Vec::new();
        if r.chance(30) {
            changes.push((mac(&mut r), mac(&mut r)));
        }
        let orderer = r.chance(90).then(|| {
            let (first, last) = if r.chance(50) {
                c.contact
            } else {
                person(&mut r)
            };
            Orderer {
                name: format!("{first} {last}"),
                department: r.chance(60).then(|| {
                    r.pick(&["IT", "Facilities", "Indkøb", "Technik", "Guest Services"])
                        .copied()
                        .unwrap_or("IT")
                        .to_string()
                }),
                phone: r.chance(70).then(|| format!("+45{}", r.digits(8))),
                email: r
                    .chance(80)
                    .then(|| format!("{}@{}", mail_local(first, last), c.domain)),
            }
        });
        let reseller = r.chance(95).then(|| {
            let k = r.below(resellers.len() as u64) as usize;
            resellers.get(k).cloned().unwrap_or_default()
        });
        let mut haystack = name.to_lowercase();
        for part in p1.iter().chain(po.iter()).chain(licenses.iter()) {
            haystack.push('\0');
            haystack.push_str(&part.to_lowercase());
        }
        for (from, to) in &changes {
            haystack.push('\0');
            haystack.push_str(from);
            haystack.push('\0');
            haystack.push_str(to);
        }
        out.push(Order {
            id,
            name,
            snow_id: r.chance(80).then(|| r.digits(9)),
            po_number: po,
            reseller,
            ean_number: r.chance(60).then(|| format!("57{}", r.digits(11))),
            powernet_item_number: r.chance(60).then(|| r.digits(9)),
            devices,
            orderer,
            service_agreement: r.chance(75).then(|| r.hex(24)),
            haystack,
        });
    }
    out
}

/// Access levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Viewer,
    ResellerAdmin,
    Admin,
}

#[derive(Debug, Clone)]
struct Token {
    level: Level,
    last_used_ms: i64,
    persist: bool,
}

/// TelecomX's mutable state: login tokens.
#[derive(Debug, Default)]
pub(crate) struct State {
    tokens: HashMap<String, Token>,
    issued: u64,
}

/// The endpoints, after routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/auth/login`
    Login,
    /// `GET /iptv/flexcareorder`
    List,
    /// Anything else under `/auth/` or `/iptv/`.
    Unknown,
}

/// Routes TelecomX paths.
pub(crate) fn route(path: &str) -> Option<Endpoint> {
    match path.trim_end_matches('/') {
        "/auth/login" => Some(Endpoint::Login),
        "/iptv/flexcareorder" => Some(Endpoint::List),
        p if p.starts_with("/auth/") || p.starts_with("/iptv/") => Some(Endpoint::Unknown),
        _ => None,
    }
}

/// TelecomX error: the status and the documented message token as `{"message": …}`.
pub(crate) fn error(status: u16, message: &str) -> Response<Vec<u8>> {
    respond::json(status, &json!({ "message": message }))
}

#[derive(Deserialize, Default)]
struct LoginBody {
    username: Option<String>,
    password: Option<String>,
    persist: Option<bool>,
}

fn login(sim: &Simulator, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    let body: LoginBody = match *req.method() {
        Method::POST if !req.body().iter().all(u8::is_ascii_whitespace) => {
            match serde_json::from_slice(req.body()) {
                Ok(b) => b,
                Err(_) => return error(400, "bad_request"),
            }
        }
        Method::POST | Method::GET => {
            let q = query_pairs(req);
            LoginBody {
                username: query_get(&q, "username").map(str::to_string),
                password: query_get(&q, "password").map(str::to_string),
                persist: query_get(&q, "persist").map(|p| p == "true"),
            }
        }
        _ => return error(405, "method_not_allowed"),
    };
    let user = body.username.unwrap_or_default();
    let pass = body.password.unwrap_or_default();
    let (level, level_name, name) = if user == creds::TELECOMX_ADMIN_USER
        && pass == creds::TELECOMX_ADMIN_PASSWORD
    {
        (Level::ResellerAdmin, "RESELLER_ADMIN", "Sim Reseller Admin")
    } else if user == creds::TELECOMX_SUPERADMIN_USER && pass == creds::TELECOMX_SUPERADMIN_PASSWORD
    {
        (Level::Admin, "ADMIN", "Sim Admin")
    } else if user == creds::TELECOMX_VIEWER_USER && pass == creds::TELECOMX_VIEWER_PASSWORD {
        (Level::Viewer, "VIEWER", "Sim Viewer")
    } else {
        return error(401, "invalid_login");
    };
    let persist = body.persist.unwrap_or(false);
    let mut st = sim.lock();
    let tx = &mut st.telecomx_flexcare;
    tx.issued += 1;
    if tx.tokens.len() >= MAX_TOKENS {
        tx.tokens
            .retain(|_, t| t.persist || now_ms - t.last_used_ms <= TOKEN_TTL_MS);
        if tx.tokens.len() >= MAX_TOKENS {
            tx.tokens.clear();
        }
    }
    let token = Rng::for_record(sim.config().seed, 0x7e1e, tx.issued).hex(48);
    tx.tokens.insert(
        token.clone(),
        Token {
            level,
            last_used_ms: now_ms,
            persist,
        },
    );
    // One employee per user (the first two keep the ids they always had).
    let emp = match level {
        Level::ResellerAdmin => 0,
        Level::Viewer => 1,
        Level::Admin => 2,
    };
    let emp_id = Rng::for_record(sim.config().seed, 0x7e1f, emp).hex(24);
    drop(st);
    respond::json(
        200,
        &json!({
            "token": token,
            "expiresInMinutes": if persist { -1 } else { TOKEN_TTL_MS / 60_000 },
            "employee": {"_id": emp_id, "name": name, "email": user},
            "customer": {"_id": "5f0c0ffee0000000000000aa", "name": "Sim Reseller ApS", "features": ["FLEXCARE"]},
            "accessLevel": level_name,
        }),
    )
}

fn token_of<'a>(req: &'a Request<Vec<u8>>, pairs: &'a [(String, String)]) -> Option<&'a str> {
    respond::bearer(req)
        .or_else(|| respond::header(req, "x-api-key"))
        .or_else(|| query_get(pairs, "token"))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListBody<'a> {
    offset: u64,
    limit: u64,
    total: usize,
    flexcare_orders: Vec<&'a Order>,
}

fn list(sim: &Simulator, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    let pairs = query_pairs(req);
    // Authentication with sliding expiry; bad and expired tokens are 403 access_denied.
    {
        let mut st = sim.lock();
        let Some(tok) = token_of(req, &pairs) else {
            return error(403, "access_denied");
        };
        let tokens = &mut st.telecomx_flexcare.tokens;
        match tokens.get_mut(tok) {
            Some(t) if t.persist || now_ms - t.last_used_ms <= TOKEN_TTL_MS => {
                t.last_used_ms = now_ms.max(t.last_used_ms);
                if t.level < Level::ResellerAdmin {
                    return error(403, "access_denied");
                }
            }
            Some(_) => {
                tokens.remove(tok);
                return error(403, "access_denied");
            }
            None => return error(403, "access_denied"),
        }
    }
    if req.method() != Method::GET {
        return error(405, "method_not_allowed");
    }
    let offset = match query_get(&pairs, "offset").map(|v| v.trim().parse::<i64>()) {
        None => 0,
        Some(Ok(v)) if v >= 0 => v as u64,
        Some(_) => return error(400, "offset"),
    };
    let limit = match query_get(&pairs, "limit").map(|v| v.trim().parse::<i64>()) {
        None => 100,
        Some(Ok(v)) if (1..=500).contains(&v) => v as u64,
        Some(_) => return error(400, "limit"),
    };
    let needle = query_get(&pairs, "filter")
        .map(|f| f.trim().to_lowercase())
        .filter(|f| !f.is_empty());
    let all = sim.telecomx_flexcare_orders();
    let (total, orders): (usize, Vec<&Order>) = match &needle {
        None => (
            all.len(),
            all.iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect(),
        ),
        Some(n) => {
            let hits: Vec<&Order> = all
                .iter()
                .filter(|o| o.haystack.contains(n.as_str()))
                .collect();
            (
                hits.len(),
                hits.into_iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .collect(),
            )
        }
    };
    respond::json(
        200,
        &ListBody {
            offset,
            limit,
            total,
            flexcare_orders: orders,
        },
    )
}

/// Handles one TelecomX request (after fault injection).
pub(crate) fn handle(
    sim: &Simulator,
    ep: &Endpoint,
    req: &Request<Vec<u8>>,
    now_ms: i64,
) -> Response<Vec<u8>> {
    match ep {
        Endpoint::Login => login(sim, req, now_ms),
        Endpoint::List => list(sim, req, now_ms),
        Endpoint::Unknown => error(404, "not_found"),
    }
}
