//! FlexNet Operations Entitlements API (Beta) (upstreams.md §3): `GET
//! /entitlements-api/v1/entitlements` with exact-match parameters, `sort_by`/`sort_order`,
//! `page`/`limit` and no total; `POST /entitlements-api/v1/entitlement` and
//! `…/entitlement/{id}/line-items` (POST and GET) with every documented validation rule;
//! bearer `rna_` auth. The REST docs give no response schema: shapes follow the GraphQL twin
//! (`{entitlements, page, limit}`), errors are Spring-style `{timestamp, status, error,
//! message, path}`.
//!
//! Imports only sibling sim modules, `http`, `serde`; no clock (time is `now_ms`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use http::{Method, Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::calendar::{format_date, parse_date, rfc3339_secs, DAY_MS};
use super::data::{ser_opt_shared, start_ms, stream, Pool, Shared};

/// Text that is usually a constant (enum spellings, product names), owned when a client
/// created it.
type Text = Cow<'static, str>;
use super::respond::{self, query_get, query_pairs};
use super::rng::Rng;
use super::{creds, Simulator};

/// An account of an entitlement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Account {
    account_id: String,
    #[serde(serialize_with = "ser_opt_shared")]
    account_name: Option<Shared>,
    account_type: Text,
    #[serde(serialize_with = "ser_opt_shared")]
    contact_email: Option<Shared>,
    current_owner: bool,
    partner_tier_name: Text,
}

/// A `{name, value}` attribute.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct NameValue {
    name: Option<String>,
    value: Option<serde_json::Value>,
}

/// A product of a line item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    license_model: Option<Text>,
    product_name: Text,
    product_version: Text,
    quantity_per_copy: i64,
}

/// A line item of an entitlement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct LineItem {
    activation_id: String,
    expiry_date: Option<String>,
    line_item_state: Text,
    order_type: Text,
    part_number: Option<String>,
    permanent: bool,
    products: Vec<Product>,
    quantity: i64,
    start_date: String,
    attributes: Vec<NameValue>,
}

/// An entitlement (GraphQL `EntitlementDetail`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entitlement {
    entitlement_id: String,
    description: Option<String>,
    ship_to_address: Option<String>,
    #[serde(serialize_with = "ser_opt_shared")]
    ship_to_email: Option<Shared>,
    status: &'static str,
    created_on: String,
    updated_on: String,
    accounts: Vec<Account>,
    attributes: Vec<NameValue>,
    line_items: Vec<LineItem>,
    #[serde(skip)]
    created_ms: i64,
}

const STATUSES: &[&str] = &[
    "ACTIVE",
    "ACTIVE",
    "ACTIVE",
    "DEPLOYED",
    "DRAFT",
    "INACTIVE",
    "OBSOLETED",
];
const ORDER_TYPES: &[&str] = &[
    "NEW_ORDER",
    "NEW_ORDER",
    "RENEWAL_ORDER",
    "UPGRADE_ORDER",
    "UPSELL_ORDER",
];

/// `prefix` + 8 hex + `-` + 4 hex, built in one allocation.
fn prefixed_id(r: &mut Rng, prefix: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + 13);
    s.push_str(prefix);
    r.push_hex(&mut s, 8, false);
    s.push('-');
    r.push_hex(&mut s, 4, false);
    s
}

/// Generates `n` entitlements in creation order.
pub(crate) fn generate(pool: &Pool, seed: u64, n: usize) -> Vec<Entitlement> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = Rng::for_record(seed, stream::BETA, i as u64);
        let c = pool.customer(&mut r);
        let created = start_ms(&mut r);
        let status = r.pick(STATUSES).copied().unwrap_or("ACTIVE");
        let email = c.email.clone();
        let mut accounts = vec![Account {
            account_id: c.code.clone(),
            account_name: Some(c.name.clone()),
            account_type: Cow::Borrowed("CUSTOMER"),
            contact_email: r.chance(80).then(|| email.clone()),
            current_owner: true,
            partner_tier_name: Cow::Borrowed("END_CUSTOMER"),
        }];
        if r.chance(45) {
            let reseller = pool.reseller(&mut r);
            accounts.push(Account {
                account_id: format!("PRT-{:04}", r.below(10_000)),
                account_name: Some(reseller),
                account_type: "CHANNEL_PARTNER".into(),
                contact_email: None,
                current_owner: false,
                partner_tier_name: "PARTNER_TIER_ONE".into(),
            });
        }
        // 1 (50%), 2 (35%) or 3 (15%) line items.
        let lines = match r.below(100) {
            0..50 => 1,
            50..85 => 2,
            _ => 3,
        };
        let mut line_items = Vec::with_capacity(lines);
        for _ in 0..lines {
            let p = pool.product(&mut r);
            let start_day = created.div_euclid(DAY_MS) + r.range(0, 20);
            let permanent = r.chance(20);
            line_items.push(LineItem {
                activation_id: prefixed_id(&mut r, "act-"),
                expiry_date: (!permanent).then(|| format_date(start_day + r.range(30, 1900))),
                line_item_state: match status {
                    "DRAFT" => "DRAFT",
                    "OBSOLETED" => "OBSOLETE",
                    _ => "DEPLOYED",
                }
                .into(),
                order_type: r.pick(ORDER_TYPES).copied().unwrap_or("NEW_ORDER").into(),
                part_number: r.chance(70).then(|| p.part_number.clone()),
                permanent,
                products: vec![Product {
                    license_model: Some(Cow::Borrowed(p.license_model)),
                    product_name: Cow::Borrowed(p.name),
                    product_version: Cow::Borrowed(p.version),
                    quantity_per_copy: 1,
                }],
                quantity: *r.pick(&[1i64, 2, 5, 10, 50, 100]).unwrap_or(&1),
                start_date: format_date(start_day),
                attributes: if r.chance(40) {
                    vec![NameValue {
                        name: Some("REGION".into()),
                        value: Some(json!(c.region)),
                    }]
                } else {
                    Vec::new()
                },
            });
        }
        out.push(Entitlement {
            entitlement_id: prefixed_id(&mut r, "ent-"),
            description: r
                .chance(70)
                .then(|| format!("{} subscription for {}", pool.product(&mut r).name, c.name)),
            ship_to_address: r
                .chance(30)
                .then(|| format!("Building {} Street {}", r.digits(2), r.digits(3))),
            ship_to_email: r.chance(60).then(|| email.clone()),
            status,
            created_on: rfc3339_secs(created),
            updated_on: rfc3339_secs(created + r.range(0, 200) * DAY_MS),
            accounts,
            attributes: Vec::new(),
            line_items,
            created_ms: created,
        });
    }
    // Kept in the default order (entitlement_id asc) so default listings need no sort.
    out.sort_unstable_by(|a, b| a.entitlement_id.cmp(&b.entitlement_id));
    out
}

/// The Beta API's mutable state: created entitlements and added line items.
#[derive(Debug, Default)]
pub(crate) struct State {
    created: Vec<Entitlement>,
    added_lines: HashMap<String, Vec<LineItem>>,
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
        _ => match rest
            .strip_prefix("v1/entitlement/")
            .and_then(|r| r.strip_suffix("/line-items"))
        {
            Some(id) if !id.is_empty() && !id.contains('/') => Endpoint::LineItems(id.to_string()),
            _ => Endpoint::Unknown,
        },
    })
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
        .beta_data()
        .iter()
        .map(|e| match st.added_lines.get(&e.entitlement_id) {
            Some(extra) => {
                let mut e = e.clone();
                e.line_items.extend(extra.iter().cloned());
                Cow::Owned(e)
            }
            None => Cow::Borrowed(e),
        })
        .collect();
    out.extend(st.created.iter().cloned().map(Cow::Owned));
    out
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
    let all = all_entitlements(sim, &st.beta);
    let any_created = !st.beta.created.is_empty();
    drop(st);
    let mut hits: Vec<&Entitlement> = all
        .iter()
        .map(|c| c.as_ref())
        .filter(|e| {
            status.is_none_or(|s| e.status == s)
                && activation
                    .as_ref()
                    .is_none_or(|a| e.line_items.iter().any(|l| &l.activation_id == a))
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
        hits.sort_by(|a, b| {
            a.created_ms
                .cmp(&b.created_ms)
                .then_with(|| a.entitlement_id.cmp(&b.entitlement_id))
        });
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

// ---------------------------------------------------------------------------------------
// Create and line items (§3.5).

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InLicenseModel {
    license_model_name: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InProduct {
    product_name: Option<String>,
    product_version: Option<String>,
    license_model: Option<InLicenseModel>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InLineItem {
    activation_id: Option<String>,
    product: Option<Vec<InProduct>>,
    quantity: Option<i64>,
    quantity_per_copy: Option<i64>,
    is_permanent: Option<bool>,
    expiry_date: Option<String>,
    start_date: Option<String>,
    attributes: Option<Vec<NameValue>>,
    auto_generate: Option<bool>,
    order_type: Option<String>,
    line_item_status: Option<String>,
    part_number: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InAccount {
    account_id: Option<String>,
    account_name: Option<String>,
    account_type: Option<String>,
    partner_tier_name: Option<String>,
    is_current_owner: Option<bool>,
    contact_email: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InEntitlement {
    entitlement_id: Option<String>,
    description: Option<String>,
    ship_to_email: Option<String>,
    ship_to_address: Option<String>,
    accounts: Option<Vec<InAccount>>,
    line_items: Option<Vec<InLineItem>>,
    email_template_variation: Option<String>,
    attributes: Option<Vec<NameValue>>,
    auto_generate: Option<bool>,
    status: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InLineItems {
    line_items: Option<Vec<InLineItem>>,
}

/// `^(?!\s*$)(?!.*['"&%^()#@!~/<>`{}=|]).*$`: not blank, none of those characters (and, as
/// `.` does not match line breaks, no line breaks).
fn id_ok(s: &str) -> bool {
    const FORBIDDEN: &str = "'\"&%^()#@!~/<>`{}=|\n\r";
    !s.trim().is_empty() && !s.chars().any(|c| FORBIDDEN.contains(c))
}

fn date_ok(s: &str) -> bool {
    parse_date(s).is_some()
}

/// Collects validation errors as `field: message`.
struct Check {
    errors: Vec<String>,
}

impl Check {
    fn fail(&mut self, field: &str, msg: &str) {
        if self.errors.len() < 50 {
            self.errors.push(format!("{field}: {msg}"));
        }
    }

    fn len(&mut self, field: &str, v: &Option<String>, max: usize) {
        if let Some(s) = v {
            if s.chars().count() > max {
                self.fail(field, &format!("size must be between 0 and {max}"));
            }
        }
    }

    fn id(
        &mut self,
        field: &str,
        v: &Option<String>,
        auto: Option<bool>,
        taken: &mut HashSet<String>,
    ) {
        if let Some(s) = v {
            if s.chars().count() > 255 {
                self.fail(field, "size must be between 0 and 255");
            }
            if !id_ok(s) {
                self.fail(
                    field,
                    "must match \"^(?!\\s*$)(?!.*['\"&%^()#@!~/<>`{}=|]).*$\"",
                );
            }
            if auto == Some(true) {
                self.fail(field, "must not be given when autoGenerate is true");
            }
            if !taken.insert(s.clone()) {
                self.fail(
                    field,
                    &format!(
                        "'{}' is already in use by an entitlement or line item",
                        s.chars().take(255).collect::<String>()
                    ),
                );
            }
        }
    }
}

fn existing_ids(sim: &Simulator, st: &State) -> HashSet<String> {
    let mut ids = HashSet::new();
    let gen = sim.beta_data().iter();
    for e in gen.chain(st.created.iter()) {
        ids.insert(e.entitlement_id.clone());
        for l in &e.line_items {
            ids.insert(l.activation_id.clone());
        }
    }
    for lines in st.added_lines.values() {
        for l in lines {
            ids.insert(l.activation_id.clone());
        }
    }
    ids
}

/// The `lineItems` of a create or an add-lines request: present, not empty, each valid.
fn check_line_items(c: &mut Check, lines: Option<&[InLineItem]>, taken: &mut HashSet<String>) {
    match lines {
        None => c.fail("lineItems", "must not be null"),
        Some([]) => c.fail("lineItems", "size must be between 1 and 2147483647"),
        Some(l) => check_lines(c, l, taken),
    }
}

/// The per-line results a create or an add-lines answer lists.
fn line_results(lines: &[LineItem]) -> Vec<serde_json::Value> {
    lines
        .iter()
        .map(|l| json!({"activationId": l.activation_id, "status": "SUCCESS", "errorMsg": null}))
        .collect()
}

fn check_lines(c: &mut Check, lines: &[InLineItem], taken: &mut HashSet<String>) {
    for (i, l) in lines.iter().enumerate() {
        let f = |name: &str| format!("lineItems[{i}].{name}");
        c.id(&f("activationId"), &l.activation_id, l.auto_generate, taken);
        match &l.product {
            None => c.fail(&f("product"), "must not be null"),
            Some(ps) if ps.is_empty() => c.fail(&f("product"), "must not be empty"),
            Some(ps) => {
                for (j, p) in ps.iter().enumerate() {
                    if p.product_name
                        .as_deref()
                        .is_none_or(|s| s.trim().is_empty())
                    {
                        c.fail(
                            &format!("lineItems[{i}].product[{j}].productName"),
                            "must not be blank",
                        );
                    }
                    if p.product_version
                        .as_deref()
                        .is_none_or(|s| s.trim().is_empty())
                    {
                        c.fail(
                            &format!("lineItems[{i}].product[{j}].productVersion"),
                            "must not be blank",
                        );
                    }
                    if let Some(lm) = &p.license_model {
                        if lm
                            .license_model_name
                            .as_deref()
                            .is_none_or(|s| s.trim().is_empty())
                        {
                            c.fail(
                                &format!(
                                    "lineItems[{i}].product[{j}].licenseModel.licenseModelName"
                                ),
                                "must not be blank",
                            );
                        }
                    }
                }
            }
        }
        if l.quantity.is_some_and(|q| q < 0) {
            c.fail(&f("quantity"), "must be greater than or equal to 0");
        }
        if l.quantity_per_copy.is_some_and(|q| q < 1) {
            c.fail(&f("quantityPerCopy"), "must be greater than or equal to 1");
        }
        match &l.start_date {
            None => c.fail(&f("startDate"), "must not be null"),
            Some(s) if !date_ok(s) => {
                c.fail(&f("startDate"), "must match \"^\\d{4}-\\d{2}-\\d{2}$\"")
            }
            Some(_) => {}
        }
        if let Some(s) = &l.expiry_date {
            if !date_ok(s) {
                c.fail(&f("expiryDate"), "must be a date in YYYY-MM-DD format");
            }
        }
        if let Some(o) = &l.order_type {
            if !matches!(
                o.to_ascii_lowercase().as_str(),
                "new_order" | "renewal_order" | "upgrade_order" | "upsell_order" | "invalid_order"
            ) {
                c.fail(&f("orderType"), "must be one of new_order, renewal_order, upgrade_order, upsell_order, invalid_order");
            }
        }
        if let Some(s) = &l.line_item_status {
            if !matches!(
                s.to_ascii_lowercase().as_str(),
                "draft" | "deployed" | "obsolete"
            ) {
                c.fail(
                    &f("lineItemStatus"),
                    "must be one of draft, deployed, obsolete",
                );
            }
        }
        for (j, a) in l.attributes.iter().flatten().enumerate() {
            if a.name.as_deref().is_none_or(|s| s.trim().is_empty()) {
                c.fail(
                    &format!("lineItems[{i}].attributes[{j}].name"),
                    "must not be blank",
                );
            }
        }
    }
}

fn build_lines(lines: Vec<InLineItem>, next_auto: &mut dyn FnMut() -> String) -> Vec<LineItem> {
    lines
        .into_iter()
        .map(|l| {
            let permanent = l.is_permanent.unwrap_or(false);
            LineItem {
                activation_id: l.activation_id.unwrap_or_else(&mut *next_auto),
                // A permanent line item has no expiration date: a given expiryDate is dropped.
                expiry_date: if permanent { None } else { l.expiry_date },
                line_item_state: l.line_item_status.map_or(Cow::Borrowed("DRAFT"), |s| {
                    Cow::Owned(s.to_ascii_uppercase())
                }),
                order_type: l.order_type.map_or(Cow::Borrowed("NEW_ORDER"), |s| {
                    Cow::Owned(s.to_ascii_uppercase())
                }),
                part_number: l.part_number,
                permanent,
                products: l
                    .product
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| Product {
                        license_model: p
                            .license_model
                            .and_then(|m| m.license_model_name)
                            .map(Cow::Owned),
                        product_name: Cow::Owned(p.product_name.unwrap_or_default()),
                        product_version: Cow::Owned(p.product_version.unwrap_or_default()),
                        quantity_per_copy: l.quantity_per_copy.unwrap_or(1),
                    })
                    .collect(),
                quantity: l.quantity.unwrap_or(1),
                start_date: l.start_date.unwrap_or_default(),
                attributes: l.attributes.unwrap_or_default(),
            }
        })
        .collect()
}

fn parse_body<T: for<'de> Deserialize<'de> + Default>(req: &Request<Vec<u8>>) -> Result<T, String> {
    serde_json::from_slice(req.body()).map_err(|e| format!("JSON parse error: {e}"))
}

fn create(sim: &Simulator, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let body: InEntitlement = match parse_body(req) {
        Ok(b) => b,
        Err(m) => return bad(&m, path, now_ms),
    };
    let mut st = sim.lock();
    let mut taken = existing_ids(sim, &st.beta);
    let mut c = Check { errors: Vec::new() };
    c.id(
        "entitlementId",
        &body.entitlement_id,
        body.auto_generate,
        &mut taken,
    );
    c.len("description", &body.description, 2000);
    c.len("shipToEmail", &body.ship_to_email, 1000);
    c.len("shipToAddress", &body.ship_to_address, 1000);
    if let Some(a) = &body.ship_to_address {
        if !a
            .chars()
            .all(|ch| ch == ' ' || ch == '_' || ch == '-' || ch.is_ascii_alphanumeric())
        {
            c.fail("shipToAddress", "must match \"^$|^[ a-zA-Z0-9_-]+$\"");
        }
    }
    if let Some(t) = &body.email_template_variation {
        if !t.is_empty() && t.trim().is_empty() {
            c.fail("emailTemplateVariation", "must match \"^(?!\\s+$).*\"");
        }
    }
    if let Some(s) = &body.status {
        if !matches!(
            s.to_ascii_lowercase().as_str(),
            "draft" | "deployed" | "obsolete"
        ) {
            c.fail("status", "must be one of draft, deployed, obsolete");
        }
    }
    for (i, a) in body.accounts.iter().flatten().enumerate() {
        if a.account_id.as_deref().is_none_or(|s| s.trim().is_empty()) {
            c.fail(&format!("accounts[{i}].accountId"), "must not be blank");
        }
        match a
            .account_type
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("PUBLISHER" | "CUSTOMER" | "CHANNEL_PARTNER" | "SELF_REGISTERED") => {}
            Some(_) => c.fail(
                &format!("accounts[{i}].accountType"),
                "must be one of PUBLISHER, CUSTOMER, CHANNEL_PARTNER, SELF_REGISTERED",
            ),
            None => c.fail(&format!("accounts[{i}].accountType"), "must not be null"),
        }
        match a
            .partner_tier_name
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("END_CUSTOMER" | "PARTNER_TIER_ONE") => {}
            Some(_) => c.fail(
                &format!("accounts[{i}].partnerTierName"),
                "must be one of END_CUSTOMER, PARTNER_TIER_ONE",
            ),
            None => c.fail(
                &format!("accounts[{i}].partnerTierName"),
                "must not be null",
            ),
        }
    }
    for (j, a) in body.attributes.iter().flatten().enumerate() {
        if a.name.as_deref().is_none_or(|s| s.trim().is_empty()) {
            c.fail(&format!("attributes[{j}].name"), "must not be blank");
        }
    }
    check_line_items(&mut c, body.line_items.as_deref(), &mut taken);
    if !c.errors.is_empty() {
        drop(st);
        return bad(&c.errors.join("; "), path, now_ms);
    }
    let seed = sim.config().seed;
    let beta = &mut st.beta;
    let entitlement_id = match body.entitlement_id.clone() {
        Some(id) => id,
        None => beta.next_auto_id(seed),
    };
    let line_items = build_lines(body.line_items.unwrap_or_default(), &mut || {
        beta.next_auto_id(seed)
    });
    let results = line_results(&line_items);
    let accounts = match body.accounts {
        Some(a) if !a.is_empty() => a
            .into_iter()
            .map(|a| Account {
                account_id: a.account_id.unwrap_or_default(),
                account_name: a.account_name.map(Shared::from),
                account_type: Cow::Owned(a.account_type.unwrap_or_default().to_ascii_uppercase()),
                contact_email: a.contact_email.map(Shared::from),
                current_owner: a.is_current_owner.unwrap_or(false),
                partner_tier_name: Cow::Owned(
                    a.partner_tier_name.unwrap_or_default().to_ascii_uppercase(),
                ),
            })
            .collect(),
        _ => vec![Account {
            account_id: "UNKNOWN_ORG_UNIT".into(),
            account_name: Some("UNKNOWN_ORG_UNIT".into()),
            account_type: "UNKNOWN".into(),
            contact_email: None,
            current_owner: true,
            partner_tier_name: "END_CUSTOMER".into(),
        }],
    };
    let status = body
        .status
        .as_deref()
        .and_then(canon_status)
        .unwrap_or("DRAFT");
    beta.created.push(Entitlement {
        entitlement_id: entitlement_id.clone(),
        description: body.description,
        ship_to_address: body.ship_to_address,
        ship_to_email: body.ship_to_email.map(Shared::from),
        status,
        created_on: rfc3339_secs(now_ms),
        updated_on: rfc3339_secs(now_ms),
        accounts,
        attributes: body.attributes.unwrap_or_default(),
        line_items,
        created_ms: now_ms,
    });
    drop(st);
    respond::json(
        200,
        &json!({"status": "SUCCESS", "entitlementId": entitlement_id, "lineItems": results}),
    )
}

fn entitlement_exists(sim: &Simulator, st: &State, id: &str) -> bool {
    sim.beta_data().iter().any(|e| e.entitlement_id == id)
        || st.created.iter().any(|e| e.entitlement_id == id)
}

fn add_lines(sim: &Simulator, id: &str, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let body: InLineItems = match parse_body(req) {
        Ok(b) => b,
        Err(m) => return bad(&m, path, now_ms),
    };
    let mut st = sim.lock();
    if !entitlement_exists(sim, &st.beta, id) {
        drop(st);
        return error(404, "Not Found", "Entitlement not found", path, now_ms);
    }
    let mut taken = existing_ids(sim, &st.beta);
    let mut c = Check { errors: Vec::new() };
    check_line_items(&mut c, body.line_items.as_deref(), &mut taken);
    if !c.errors.is_empty() {
        drop(st);
        return bad(&c.errors.join("; "), path, now_ms);
    }
    let seed = sim.config().seed;
    let beta = &mut st.beta;
    let lines = build_lines(body.line_items.unwrap_or_default(), &mut || {
        beta.next_auto_id(seed)
    });
    let results = line_results(&lines);
    if let Some(e) = beta.created.iter_mut().find(|e| e.entitlement_id == id) {
        e.line_items.extend(lines);
    } else {
        beta.added_lines
            .entry(id.to_string())
            .or_default()
            .extend(lines);
    }
    drop(st);
    respond::json(200, &json!({"status": "SUCCESS", "lineItems": results}))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LinesBody<'a> {
    limit: usize,
    line_items: Vec<&'a LineItem>,
    page: usize,
}

fn list_lines(sim: &Simulator, id: &str, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let pairs = query_pairs(req);
    let (page, limit) = match paging(&pairs) {
        Ok(v) => v,
        Err(m) => return bad(&m, path, now_ms),
    };
    let st = sim.lock();
    let all = all_entitlements(sim, &st.beta);
    drop(st);
    let Some(e) = all.iter().find(|e| e.entitlement_id == id) else {
        return error(404, "Not Found", "Entitlement not found", path, now_ms);
    };
    let activation = query_get(&pairs, "activationId");
    let product = query_get(&pairs, "productName").map(str::to_lowercase);
    let start = query_get(&pairs, "startDate");
    let lm = query_get(&pairs, "licenseModelName").map(str::to_lowercase);
    let status = query_get(&pairs, "status").map(str::to_ascii_uppercase);
    let items: Vec<&LineItem> = e
        .line_items
        .iter()
        .filter(|l| {
            activation.is_none_or(|a| l.activation_id == a)
                && product.as_ref().is_none_or(|p| {
                    l.products
                        .iter()
                        .any(|x| x.product_name.to_lowercase() == *p)
                })
                && start.is_none_or(|s| l.start_date == s)
                && lm.as_ref().is_none_or(|m| {
                    l.products.iter().any(|x| {
                        x.license_model
                            .as_deref()
                            .is_some_and(|n| n.to_lowercase() == *m)
                    })
                })
                && status.as_ref().is_none_or(|s| l.line_item_state == *s)
        })
        .skip(page.saturating_mul(limit))
        .take(limit)
        .collect();
    respond::json(
        200,
        &LinesBody {
            limit,
            line_items: items,
            page,
        },
    )
}
