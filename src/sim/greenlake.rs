//! HPE GreenLake Flex Solutions v1beta1 (upstreams.md §1): the client-credentials token
//! endpoint, `orders`, `orders/transform`, `devices`, `devices/{id}`, its OData subset on the
//! whitelisted fields, `sort`/`select`/`offset`/`limit`, its error bodies, and 100
//! requests/minute per endpoint per API client.
//!
//! Imports only sibling sim modules, `http`, `serde`; no clock (time is `now_ms`).

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use base64::Engine as _;
use http::{Method, Request, Response};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::calendar::{rfc3339_secs, DAY_MS};
use super::data::{ser_opt_shared, ser_shared, start_ms, stream, Pool, Shared};
use super::respond::{self, query_get, query_pairs};
use super::rng::Rng;
use super::{creds, Simulator};

/// GreenLake tokens live 15 minutes (GL-AUTH).
pub(crate) const TOKEN_TTL_MS: i64 = 15 * 60 * 1000;
const WINDOW_MS: i64 = 60_000;
/// Most tokens kept at once; expired ones are dropped first when this is reached.
const MAX_TOKENS: usize = 10_000;

/// A GreenLake Flex order, in wire shape (camelCase, optional fields omitted when absent).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Order {
    id: String,
    created_at: String,
    updated_at: String,
    #[serde(rename = "type")]
    kind: &'static str,
    generation: u32,
    #[serde(serialize_with = "ser_shared")]
    billing_account_id: Shared,
    sow_id: String,
    #[serde(serialize_with = "ser_shared")]
    billing_account_name: Shared,
    order_start_date: String,
    order_end_date: String,
    #[serde(serialize_with = "ser_shared")]
    customer_name: Shared,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    reseller_name: Option<Shared>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    distributor_name: Option<Shared>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    partner_name: Option<Shared>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_flex_partner: Option<bool>,
    /// `orderEndDate` as epoch ms, the default sort key.
    #[serde(skip)]
    end_ms: i64,
}

/// A device tag.
#[derive(Debug, Clone, Serialize)]
struct Tag {
    name: &'static str,
    value: std::borrow::Cow<'static, str>,
}

/// A GreenLake Flex device, in wire shape.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Device {
    id: String,
    mac_address: String,
    serial_number: String,
    resource_id: String,
    part_number: String,
    device_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    created_at: String,
    updated_at: String,
    generation: u32,
    model: &'static str,
    make: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    billing_account_name: Option<Shared>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    billing_tier: Option<Shared>,
}

const DEVICE_TYPES: &[&str] = &[
    "COMPUTE",
    "COMPUTE",
    "STORAGE",
    "STORAGE",
    "SWITCH",
    "AP",
    "AP",
    "GATEWAY",
    "CONTROLLER",
    "DHCI_COMPUTE",
    "DHCI_STORAGE",
    "IAP",
    "SENSOR",
    "SD_WAN_GW",
    "NW_THIRD_PARTY",
    "UNKNOWN",
];

/// Generates `n` orders, sorted by the default sort (`orderEndDate asc`, then `id`).
pub(crate) fn gen_orders(pool: &Pool, seed: u64, n: usize) -> Vec<Order> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = Rng::for_record(seed, stream::GL_ORDERS, i as u64);
        let c = pool.customer(&mut r);
        let id = r.uuid();
        let start_day = start_ms(&mut r).div_euclid(DAY_MS);
        let years = r.range(1, 6);
        let end_day = start_day + years * 365 + r.range(0, 2);
        let created = start_day * DAY_MS - r.range(1, 90) * DAY_MS + r.range(0, 86_400) * 1000;
        let generation = 1 + r.below(5) as u32;
        let updated =
            created + r.range(0, i64::from(generation) * 30) * DAY_MS + r.range(0, 86_400) * 1000;
        let (billing_id, billing_name) = if r.chance(85) {
            (c.billing_id.clone(), c.name.clone())
        } else {
            (
                Shared::from(format!("HP-{}-FS{:08}", c.region, r.below(5))),
                Shared::from(format!("HPE Financial Services {}", c.region)),
            )
        };
        let reseller = r.chance(75).then(|| pool.reseller(&mut r));
        let distributor = r.chance(60).then(|| pool.distributor(&mut r));
        let partner = if r.chance(55) {
            match (&reseller, &distributor, r.below(3)) {
                (Some(x), _, 0) => Some(x.clone()),
                (_, Some(d), 1) => Some(d.clone()),
                _ => Some(pool.reseller(&mut r)),
            }
        } else {
            None
        };
        let is_flex = r.chance(80).then(|| r.chance(60));
        out.push(Order {
            id,
            created_at: rfc3339_secs(created),
            updated_at: rfc3339_secs(updated.max(created)),
            kind: "flex/orders",
            generation,
            billing_account_id: billing_id,
            sow_id: format!("OPE-00{}", r.digits(8)),
            billing_account_name: billing_name,
            order_start_date: rfc3339_secs(start_day * DAY_MS),
            order_end_date: rfc3339_secs(end_day * DAY_MS),
            customer_name: c.name.clone(),
            reseller_name: reseller,
            distributor_name: distributor,
            partner_name: partner,
            is_flex_partner: is_flex,
            end_ms: end_day * DAY_MS,
        });
    }
    out.sort_unstable_by(|a, b| a.end_ms.cmp(&b.end_ms).then_with(|| a.id.cmp(&b.id)));
    out
}

fn upper_hex_pairs(r: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n * 3);
    for i in 0..n {
        if i > 0 {
            s.push(':');
        }
        r.push_hex(&mut s, 2, true);
    }
    s
}

/// `prefix`, then `a` letters/digits groups as given by `spec` (`L` letter, `D` digit).
fn code(r: &mut Rng, prefix: &str, spec: &[(u8, usize)]) -> String {
    let mut s = String::with_capacity(12);
    s.push_str(prefix);
    for &(kind, n) in spec {
        if kind == b'L' {
            r.push_letters(&mut s, n);
        } else {
            r.push_digits(&mut s, n);
        }
    }
    s
}

/// Generates `n` devices, sorted by the default sort (`resourceId asc`).
pub(crate) fn gen_devices(pool: &Pool, seed: u64, n: usize) -> Vec<Device> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = Rng::for_record(seed, stream::GL_DEVICES, i as u64);
        let c = pool.customer(&mut r);
        let p = pool.product(&mut r);
        let id = r.uuid();
        let device_type = r.pick(DEVICE_TYPES).copied().unwrap_or("UNKNOWN");
        let created = start_ms(&mut r);
        let generation = 1 + r.below(4) as u32;
        let updated = created + r.range(0, 400) * DAY_MS;
        let tags = r.chance(50).then(|| {
            let mut t = vec![Tag {
                name: "env",
                value: if r.chance(70) { "prod" } else { "lab" }.into(),
            }];
            if r.chance(40) {
                t.push(Tag {
                    name: "site",
                    value: format!("{}-{}", c.region.to_ascii_lowercase(), r.digits(2)).into(),
                });
            }
            t
        });
        out.push(Device {
            mac_address: upper_hex_pairs(&mut r, 6),
            serial_number: code(&mut r, "CN", &[(b'D', 3), (b'L', 2), (b'D', 2)]),
            resource_id: id.clone(),
            id,
            part_number: code(&mut r, "", &[(b'L', 2), (b'D', 3), (b'L', 2)]),
            device_type,
            kind: "flex/devices",
            created_at: rfc3339_secs(created),
            updated_at: rfc3339_secs(updated),
            generation,
            model: p.hw_model,
            make: if p.hw_model.starts_with("Aruba") {
                "Aruba"
            } else {
                "HPE"
            },
            tags,
            name: r.chance(60).then(|| {
                format!(
                    "{}-{}-{}",
                    device_type.to_ascii_lowercase(),
                    c.region.to_ascii_lowercase(),
                    r.digits(4)
                )
            }),
            billing_account_name: r.chance(85).then(|| c.name.clone()),
            billing_tier: r.chance(60).then(|| pool.distributor(&mut r)),
        });
    }
    out.sort_unstable_by(|a, b| a.resource_id.cmp(&b.resource_id));
    out
}

// ---------------------------------------------------------------------------------------
// Fields: which exist, their type, and which are filterable per endpoint.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Bool,
    Int,
}

/// A field value of one row.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Str(&'a str),
    Bool(bool),
    Int(i64),
    Absent,
}

impl Val<'_> {
    fn cmp_to(&self, other: &Val<'_>) -> Ordering {
        match (self, other) {
            (Val::Absent, Val::Absent) => Ordering::Equal,
            (Val::Absent, _) => Ordering::Less,
            (_, Val::Absent) => Ordering::Greater,
            (Val::Str(a), Val::Str(b)) => a.cmp(b),
            (Val::Bool(a), Val::Bool(b)) => a.cmp(b),
            (Val::Int(a), Val::Int(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// (name, type, filterable on the list endpoint)
const ORDER_FIELDS: &[(&str, Ty, bool)] = &[
    ("id", Ty::Str, true),
    ("createdAt", Ty::Str, false),
    ("updatedAt", Ty::Str, false),
    ("type", Ty::Str, false),
    ("generation", Ty::Int, false),
    ("billingAccountId", Ty::Str, true),
    ("sowId", Ty::Str, true),
    ("billingAccountName", Ty::Str, true),
    ("orderStartDate", Ty::Str, false),
    ("orderEndDate", Ty::Str, false),
    ("customerName", Ty::Str, true),
    ("resellerName", Ty::Str, true),
    ("distributorName", Ty::Str, true),
    ("partnerName", Ty::Str, true),
    ("isFlexPartner", Ty::Bool, true),
];

const TRANSFORM_FILTERABLE: &[&str] = &[
    "billingAccountId",
    "sowId",
    "billingAccountName",
    "customerName",
    "resellerName",
    "distributorName",
    "partnerName",
];

const GROUP_BY: &[&str] = &[
    "sowId",
    "customerName",
    "billingAccountName",
    "billingAccountId",
    "partnerName",
];

const DEVICE_FIELDS: &[(&str, Ty, bool)] = &[
    ("id", Ty::Str, true),
    ("macAddress", Ty::Str, true),
    ("serialNumber", Ty::Str, true),
    ("resourceId", Ty::Str, true),
    ("partNumber", Ty::Str, true),
    ("deviceType", Ty::Str, false),
    ("type", Ty::Str, true),
    ("createdAt", Ty::Str, false),
    ("updatedAt", Ty::Str, false),
    ("generation", Ty::Int, false),
    ("model", Ty::Str, true),
    ("make", Ty::Str, true),
    ("tags", Ty::Str, false),
    ("name", Ty::Str, true),
    ("billingAccountName", Ty::Str, true),
    ("billingTier", Ty::Str, true),
];

trait Row {
    fn get(&self, field: usize) -> Val<'_>;
}

fn opt<S: std::ops::Deref<Target = str>>(s: &Option<S>) -> Val<'_> {
    s.as_deref().map_or(Val::Absent, Val::Str)
}

impl Row for Order {
    fn get(&self, f: usize) -> Val<'_> {
        match f {
            0 => Val::Str(&self.id),
            1 => Val::Str(&self.created_at),
            2 => Val::Str(&self.updated_at),
            3 => Val::Str(self.kind),
            4 => Val::Int(i64::from(self.generation)),
            5 => Val::Str(&self.billing_account_id),
            6 => Val::Str(&self.sow_id),
            7 => Val::Str(&self.billing_account_name),
            8 => Val::Str(&self.order_start_date),
            9 => Val::Str(&self.order_end_date),
            10 => Val::Str(&self.customer_name),
            11 => opt(&self.reseller_name),
            12 => opt(&self.distributor_name),
            13 => opt(&self.partner_name),
            14 => self.is_flex_partner.map_or(Val::Absent, Val::Bool),
            _ => Val::Absent,
        }
    }
}

impl Row for Device {
    fn get(&self, f: usize) -> Val<'_> {
        match f {
            0 => Val::Str(&self.id),
            1 => Val::Str(&self.mac_address),
            2 => Val::Str(&self.serial_number),
            3 => Val::Str(&self.resource_id),
            4 => Val::Str(&self.part_number),
            5 => Val::Str(self.device_type),
            6 => Val::Str(self.kind),
            7 => Val::Str(&self.created_at),
            8 => Val::Str(&self.updated_at),
            9 => Val::Int(i64::from(self.generation)),
            10 => Val::Str(self.model),
            11 => Val::Str(self.make),
            13 => opt(&self.name),
            14 => opt(&self.billing_account_name),
            15 => opt(&self.billing_tier),
            _ => Val::Absent,
        }
    }
}

fn field_index(fields: &[(&str, Ty, bool)], name: &str) -> Option<usize> {
    fields.iter().position(|(n, _, _)| *n == name)
}

// ---------------------------------------------------------------------------------------
// The OData subset: `field eq|ne literal`, `field in (l1, l2)`, `literal in field`, `and`.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(i64),
    LParen,
    RParen,
    Comma,
}

#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Bool(bool),
    Int(i64),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    In,
}

#[derive(Debug, Clone)]
struct Cond {
    field: usize,
    op: Op,
    values: Vec<Lit>,
}

const MAX_TOKENS_IN_FILTER: usize = 2_000;

fn lex(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if out.len() > MAX_TOKENS_IN_FILTER {
            return None;
        }
        match c {
            c if c.is_whitespace() => {
                it.next();
            }
            '(' => {
                it.next();
                out.push(Tok::LParen);
            }
            ')' => {
                it.next();
                out.push(Tok::RParen);
            }
            ',' => {
                it.next();
                out.push(Tok::Comma);
            }
            '\'' => {
                it.next();
                let mut v = String::new();
                let mut closed = false;
                while let Some((_, ch)) = it.next() {
                    if ch == '\'' {
                        if it.peek().map(|&(_, n)| n) == Some('\'') {
                            it.next();
                            v.push('\'');
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        v.push(ch);
                    }
                }
                if !closed {
                    return None;
                }
                out.push(Tok::Str(v));
            }
            c if c == '-' || c.is_ascii_digit() => {
                let mut end = i;
                while let Some(&(j, ch)) = it.peek() {
                    if ch.is_ascii_digit() || (j == i && ch == '-') {
                        end = j + ch.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                let n: i64 = s.get(i..end)?.parse().ok()?;
                out.push(Tok::Num(n));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = i;
                while let Some(&(j, ch)) = it.peek() {
                    if ch.is_alphanumeric() || ch == '_' {
                        end = j + ch.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push(Tok::Ident(s.get(i..end)?.to_string()));
            }
            _ => return None,
        }
    }
    Some(out)
}

fn lit_of(t: &Tok) -> Option<Lit> {
    match t {
        Tok::Str(s) => Some(Lit::Str(s.clone())),
        Tok::Num(n) => Some(Lit::Int(*n)),
        Tok::Ident(w) if w == "true" => Some(Lit::Bool(true)),
        Tok::Ident(w) if w == "false" => Some(Lit::Bool(false)),
        Tok::Ident(w) if w == "null" => Some(Lit::Null),
        _ => None,
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "true" | "false" | "null" | "and" | "or" | "not" | "eq" | "ne" | "in"
    )
}

/// Parses `( lit, lit, … )` starting at `pos` (which holds `(`); returns the list and the
/// position after `)`.
fn parse_list(toks: &[Tok], mut pos: usize) -> Option<(Vec<Lit>, usize)> {
    if toks.get(pos) != Some(&Tok::LParen) {
        return None;
    }
    pos += 1;
    let mut vals = Vec::new();
    loop {
        vals.push(lit_of(toks.get(pos)?)?);
        pos += 1;
        match toks.get(pos)? {
            Tok::Comma => pos += 1,
            Tok::RParen => return Some((vals, pos + 1)),
            _ => return None,
        }
    }
}

fn parse_filter(
    s: &str,
    fields: &[(&str, Ty, bool)],
    allowed: &dyn Fn(&str) -> bool,
) -> Option<Vec<Cond>> {
    let toks = lex(s)?;
    let mut conds = Vec::new();
    let mut pos = 0usize;
    loop {
        let (field_name, op, values, next) = match toks.get(pos)? {
            Tok::Ident(w) if !is_keyword(w) => {
                let op = match toks.get(pos + 1)? {
                    Tok::Ident(o) if o == "eq" => Op::Eq,
                    Tok::Ident(o) if o == "ne" => Op::Ne,
                    Tok::Ident(o) if o == "in" => Op::In,
                    _ => return None,
                };
                if op == Op::In {
                    let (vals, next) = parse_list(&toks, pos + 2)?;
                    (w.as_str(), op, vals, next)
                } else {
                    let v = lit_of(toks.get(pos + 2)?)?;
                    (w.as_str(), op, vec![v], pos + 3)
                }
            }
            // `in` allows the property on the right: `'a' in field`, `('a','b') in field`.
            Tok::LParen => {
                let (vals, next) = parse_list(&toks, pos)?;
                match (toks.get(next)?, toks.get(next + 1)?) {
                    (Tok::Ident(o), Tok::Ident(f)) if o == "in" && !is_keyword(f) => {
                        (f.as_str(), Op::In, vals, next + 2)
                    }
                    _ => return None,
                }
            }
            t => {
                let v = lit_of(t)?;
                match (toks.get(pos + 1)?, toks.get(pos + 2)?) {
                    (Tok::Ident(o), Tok::Ident(f)) if o == "in" && !is_keyword(f) => {
                        (f.as_str(), Op::In, vec![v], pos + 3)
                    }
                    _ => return None,
                }
            }
        };
        if !allowed(field_name) {
            return None;
        }
        let idx = field_index(fields, field_name)?;
        let ty = fields.get(idx)?.1;
        for v in &values {
            let ok = matches!(
                (ty, v),
                (Ty::Str, Lit::Str(_))
                    | (Ty::Bool, Lit::Bool(_))
                    | (Ty::Int, Lit::Int(_))
                    | (_, Lit::Null)
            );
            if !ok {
                return None;
            }
        }
        conds.push(Cond {
            field: idx,
            op,
            values,
        });
        pos = next;
        match toks.get(pos) {
            None => return Some(conds),
            Some(Tok::Ident(w)) if w == "and" => pos += 1,
            _ => return None,
        }
    }
}

fn lit_matches(v: &Val<'_>, l: &Lit) -> bool {
    match (v, l) {
        (Val::Str(a), Lit::Str(b)) => *a == b,
        (Val::Bool(a), Lit::Bool(b)) => a == b,
        (Val::Int(a), Lit::Int(b)) => a == b,
        (Val::Absent, Lit::Null) => true,
        _ => false,
    }
}

fn matches_all<R: Row>(row: &R, conds: &[Cond]) -> bool {
    conds.iter().all(|c| {
        let v = row.get(c.field);
        let any = c.values.iter().any(|l| lit_matches(&v, l));
        match c.op {
            Op::Eq | Op::In => any,
            Op::Ne => !any,
        }
    })
}

/// Parses `f1,f2 desc` into (field index, descending) keys.
fn parse_sort(s: &str, fields: &[(&str, Ty, bool)]) -> Option<Vec<(usize, bool)>> {
    let mut keys = Vec::new();
    for part in s.split(',') {
        let mut words = part.split_whitespace();
        let name = words.next()?;
        let desc = match words.next() {
            None => false,
            Some(d) if d.eq_ignore_ascii_case("asc") => false,
            Some(d) if d.eq_ignore_ascii_case("desc") => true,
            Some(_) => return None,
        };
        if words.next().is_some() || name == "tags" {
            return None;
        }
        keys.push((field_index(fields, name)?, desc));
    }
    Some(keys)
}

fn parse_select(s: &str, fields: &'static [(&'static str, Ty, bool)]) -> Option<Vec<&'static str>> {
    s.split(',')
        .map(|part| {
            fields
                .iter()
                .find(|(n, _, _)| *n == part.trim())
                .map(|(n, _, _)| *n)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Errors (§1.5).

fn bad_request(
    sim: &Simulator,
    source: &str,
    subject: &str,
    description: &str,
) -> Response<Vec<u8>> {
    respond::json(
        400,
        &json!({
            "httpStatusCode": 400,
            "errorCode": "HPE_GL_ERROR_BAD_REQUEST",
            "message": "Bad Request.",
            "debugId": sim.next_debug_id(),
            "errorDetails": [{
                "type": "hpe.greenlake.bad_request",
                "issues": [{"source": source, "subject": subject, "description": description}]
            }]
        }),
    )
}

fn invalid_filter(sim: &Simulator) -> Response<Vec<u8>> {
    bad_request(
        sim,
        "query.parameter",
        "filter",
        "Invalid filter expression.",
    )
}

fn general(
    sim: &Simulator,
    status: u16,
    code: &str,
    message: &str,
    meta_key: &str,
    meta: &str,
) -> Response<Vec<u8>> {
    respond::json(
        status,
        &json!({
            "httpStatusCode": status,
            "errorCode": code,
            "message": message,
            "debugId": sim.next_debug_id(),
            "errorDetails": [{
                "type": "hpe.greenlake.metadata",
                "source": "hpe.greenlake.subscriptionmanagement",
                "metadata": { meta_key: meta }
            }]
        }),
    )
}

/// The documented 401.
pub(crate) fn unauthorized(sim: &Simulator) -> Response<Vec<u8>> {
    general(
        sim,
        401,
        "HPE_GL_ERROR_UNAUTHORIZED",
        "Unauthorized Request",
        "access_token",
        "Token provided is invalid",
    )
}

fn forbidden(sim: &Simulator) -> Response<Vec<u8>> {
    general(
        sim,
        403,
        "HPE_GL_ERROR_FORBIDDEN",
        "Forbidden Request",
        "access_token",
        "Permission is denied to perform requested operation.",
    )
}

/// The documented 422 (the simulator never needs it on its own; kept for completeness and
/// reachable through the unknown `Accept` check).
fn unprocessable(sim: &Simulator) -> Response<Vec<u8>> {
    general(
        sim,
        422,
        "HPE_GL_UNPROCESSABLE_CONTENT",
        "Unprocessable Content",
        "content",
        "Could not process the content.",
    )
}

/// The documented 429 body (headers are added by the caller).
pub(crate) fn too_many(sim: &Simulator, retry_after_s: u64) -> Response<Vec<u8>> {
    let mut r = general(
        sim,
        429,
        "HPE_GL_ERROR_TOO_MANY_REQUESTS",
        "Too Many Requests",
        "apiRateLimit",
        "Too Many Requests. Rate limit has exceeded a predefined value.",
    );
    respond::set_header(&mut r, "retry-after", &retry_after_s.to_string());
    r
}

/// The documented 500.
pub(crate) fn internal(sim: &Simulator) -> Response<Vec<u8>> {
    respond::json(
        500,
        &json!({
            "httpStatusCode": 500,
            "errorCode": "HPE_GL_ERROR_INTERNAL_SERVER_ERROR",
            "message": "Internal Server Error",
            "debugId": sim.next_debug_id(),
            "errorDetails": [{"type": "hpe.greenlake.retry_info", "retryAfterSeconds": 30}]
        }),
    )
}

fn not_found(sim: &Simulator, subject: &str, description: &str) -> Response<Vec<u8>> {
    respond::json(
        404,
        &json!({
            "httpStatusCode": 404,
            "errorCode": "HPE_GL_ERROR_NOT_FOUND",
            "message": "Not Found",
            "debugId": sim.next_debug_id(),
            "errorDetails": [{
                "type": "hpe.greenlake.bad_request",
                "issues": [{"source": "path.parameter", "subject": subject, "description": description}]
            }]
        }),
    )
}

fn method_not_allowed(sim: &Simulator) -> Response<Vec<u8>> {
    general(
        sim,
        405,
        "HPE_GL_ERROR_METHOD_NOT_ALLOWED",
        "Method Not Allowed",
        "method",
        "Only GET is supported.",
    )
}

// ---------------------------------------------------------------------------------------
// Token endpoint and per-client state.

#[derive(Debug, Clone)]
struct Token {
    client: String,
    permitted: bool,
    expires_ms: i64,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start_ms: i64,
    count: u32,
}

/// GreenLake's mutable state: issued tokens and rate-limit windows.
#[derive(Debug, Default)]
pub(crate) struct State {
    tokens: HashMap<String, Token>,
    windows: HashMap<(String, u8), Window>,
    issued: u64,
}

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

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token_endpoint(sim: &Simulator, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    if req.method() != Method::POST {
        return respond::json(
            405,
            &json!({"error": "invalid_request", "error_description": "POST required"}),
        );
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(req.body()).into_owned().collect();
    let grant = query_get(&form, "grant_type");
    if grant != Some("client_credentials") {
        return respond::json(
            400,
            &json!({"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}),
        );
    }
    let (id, secret) = match respond::basic(req) {
        Some(pair) => pair,
        None => (
            query_get(&form, "client_id").unwrap_or("").to_string(),
            query_get(&form, "client_secret").unwrap_or("").to_string(),
        ),
    };
    let permitted = if id == creds::GREENLAKE_CLIENT_ID && secret == creds::GREENLAKE_CLIENT_SECRET
    {
        true
    } else if id == creds::GREENLAKE_NOPERM_CLIENT_ID
        && secret == creds::GREENLAKE_NOPERM_CLIENT_SECRET
    {
        false
    } else {
        return respond::json(
            401,
            &json!({"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"}),
        );
    };
    let mut st = sim.lock();
    let gl = &mut st.greenlake;
    gl.issued += 1;
    let n = gl.issued;
    if gl.tokens.len() >= MAX_TOKENS {
        gl.tokens.retain(|_, t| t.expires_ms > now_ms);
        if gl.tokens.len() >= MAX_TOKENS {
            gl.tokens.clear();
        }
    }
    let header = b64url(br#"{"alg":"RS256","typ":"JWT","kid":"sim"}"#);
    let claims = json!({
        "sub": id,
        "iss": "https://sso.common.cloud.hpe.com/sim",
        "iat": now_ms / 1000,
        "exp": (now_ms + TOKEN_TTL_MS) / 1000,
        "jti": n,
    });
    let mut r = Rng::for_record(sim.config().seed, 0x7011, n);
    let token = format!(
        "{header}.{}.{}",
        b64url(claims.to_string().as_bytes()),
        r.hex(43)
    );
    gl.tokens.insert(
        token.clone(),
        Token {
            client: id,
            permitted,
            expires_ms: now_ms + TOKEN_TTL_MS,
        },
    );
    drop(st);
    respond::json(
        200,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL_MS / 1000}),
    )
}

// ---------------------------------------------------------------------------------------
// Data endpoints.

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
        let tok = respond::bearer(req).and_then(|t| st.greenlake.tokens.get(t).cloned());
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
                    st.greenlake.tokens.remove(t);
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
            .greenlake
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
    list(sim, pairs, sim.gl_orders(), ORDER_FIELDS)
}

fn devices(sim: &Simulator, pairs: &[(String, String)]) -> Response<Vec<u8>> {
    list(sim, pairs, sim.gl_devices(), DEVICE_FIELDS)
}

fn device(sim: &Simulator, id: &str) -> Response<Vec<u8>> {
    if id.trim().is_empty() {
        return bad_request(sim, "path.parameter", "id", "Parameter ID is missing.");
    }
    match sim.gl_devices().iter().find(|d| d.id == id) {
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
    for o in sim.gl_orders().iter().filter(|o| matches_all(*o, &conds)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Option<Vec<Cond>> {
        parse_filter(s, ORDER_FIELDS, &|n: &str| {
            ORDER_FIELDS.iter().any(|(x, _, fl)| *x == n && *fl)
        })
    }

    #[test]
    fn filter_grammar() {
        assert!(f("customerName eq 'Some Company Inc.'").is_some());
        assert!(f("billingAccountId in ('a', 'b') and billingAccountName eq 'x'").is_some());
        assert!(f("'a' in customerName").is_some());
        assert!(f("('a','b') in customerName").is_some());
        assert!(f("isFlexPartner eq true").is_some());
        assert!(f("isFlexPartner eq 'true'").is_none());
        assert!(f("customerName eq true").is_none());
        assert!(f("orderStartDate eq 'x'").is_none());
        assert!(f("customerName eq 'a' or sowId eq 'b'").is_none());
        assert!(f("contains(customerName, 'a')").is_none());
        assert!(f("customerName eq 'unterminated").is_none());
        assert!(f("customerName eq").is_none());
        assert!(f("customerName in 'a', 'b'").is_none());
        let c = f("customerName eq 'O''Brien'").unwrap_or_default();
        assert_eq!(
            c.first().map(|c| c.values.clone()),
            Some(vec![Lit::Str("O'Brien".into())])
        );
    }

    #[test]
    fn sort_grammar() {
        assert_eq!(
            parse_sort("resourceId,model asc", DEVICE_FIELDS),
            Some(vec![(3, false), (10, false)])
        );
        assert_eq!(
            parse_sort("orderEndDate desc", ORDER_FIELDS),
            Some(vec![(9, true)])
        );
        assert_eq!(parse_sort("nope", ORDER_FIELDS), None);
        assert_eq!(parse_sort("id sideways", ORDER_FIELDS), None);
    }
}
