//! Creating entitlements and adding line items (upstreams.md §3.5), with every documented
//! validation rule.

use std::borrow::Cow;
use std::collections::HashSet;

use http::{Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::sim::calendar::{parse_date, rfc3339_secs};
use crate::sim::data::Shared;
use crate::sim::respond::{self, query_get, query_pairs};
use crate::sim::Simulator;

use super::data::{Account, Entitlement, LineItem, NameValue, Product};
use super::{all_entitlements, bad, canon_status, error, paging, State};

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct InLicenseModel {
    pub(super) license_model_name: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct InProduct {
    pub(super) product_name: Option<String>,
    pub(super) product_version: Option<String>,
    pub(super) license_model: Option<InLicenseModel>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct InLineItem {
    pub(super) activation_id: Option<String>,
    pub(super) product: Option<Vec<InProduct>>,
    pub(super) quantity: Option<i64>,
    pub(super) quantity_per_copy: Option<i64>,
    pub(super) is_permanent: Option<bool>,
    pub(super) expiry_date: Option<String>,
    pub(super) start_date: Option<String>,
    pub(super) attributes: Option<Vec<NameValue>>,
    pub(super) auto_generate: Option<bool>,
    pub(super) order_type: Option<String>,
    pub(super) line_item_status: Option<String>,
    pub(super) part_number: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct InAccount {
    pub(super) account_id: Option<String>,
    pub(super) account_name: Option<String>,
    pub(super) account_type: Option<String>,
    pub(super) partner_tier_name: Option<String>,
    pub(super) is_current_owner: Option<bool>,
    pub(super) contact_email: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct InEntitlement {
    pub(super) entitlement_id: Option<String>,
    pub(super) description: Option<String>,
    pub(super) ship_to_email: Option<String>,
    pub(super) ship_to_address: Option<String>,
    pub(super) accounts: Option<Vec<InAccount>>,
    pub(super) line_items: Option<Vec<InLineItem>>,
    pub(super) email_template_variation: Option<String>,
    pub(super) attributes: Option<Vec<NameValue>>,
    pub(super) auto_generate: Option<bool>,
    pub(super) status: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct InLineItems {
    pub(super) line_items: Option<Vec<InLineItem>>,
}

/// `^(?!\s*$)(?!.*['"&%^()#@!~/<>`{}=|]).*$`: not blank, none of those characters (and, as
/// `.` does not match line breaks, no line breaks).
pub(super) fn id_ok(s: &str) -> bool {
    const FORBIDDEN: &str = "'\"&%^()#@!~/<>`{}=|\n\r";
    !s.trim().is_empty() && !s.chars().any(|c| FORBIDDEN.contains(c))
}

pub(super) fn date_ok(s: &str) -> bool {
    parse_date(s).is_some()
}

/// Collects validation errors as `field: message`.
pub(super) struct Check {
    pub(super) errors: Vec<String>,
}

impl Check {
    pub(super) fn fail(&mut self, field: &str, msg: &str) {
        if self.errors.len() < 50 {
            self.errors.push(format!("{field}: {msg}"));
        }
    }

    pub(super) fn len(&mut self, field: &str, v: &Option<String>, max: usize) {
        if let Some(s) = v {
            if s.chars().count() > max {
                self.fail(field, &format!("size must be between 0 and {max}"));
            }
        }
    }

    pub(super) fn id(
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

pub(super) fn existing_ids(sim: &Simulator, st: &State) -> HashSet<String> {
    let mut ids = HashSet::new();
    let gen = sim.fno_entitlements().iter();
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
pub(super) fn check_line_items(
    c: &mut Check,
    lines: Option<&[InLineItem]>,
    taken: &mut HashSet<String>,
) {
    match lines {
        None => c.fail("lineItems", "must not be null"),
        Some([]) => c.fail("lineItems", "size must be between 1 and 2147483647"),
        Some(l) => check_lines(c, l, taken),
    }
}

/// The per-line results a create or an add-lines answer lists.
pub(super) fn line_results(lines: &[LineItem]) -> Vec<serde_json::Value> {
    lines
        .iter()
        .map(|l| json!({"activationId": l.activation_id, "status": "SUCCESS", "errorMsg": null}))
        .collect()
}

pub(super) fn check_lines(c: &mut Check, lines: &[InLineItem], taken: &mut HashSet<String>) {
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

pub(super) fn build_lines(
    lines: Vec<InLineItem>,
    next_auto: &mut dyn FnMut() -> String,
) -> Vec<LineItem> {
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

pub(super) fn parse_body<T: for<'de> Deserialize<'de> + Default>(
    req: &Request<Vec<u8>>,
) -> Result<T, String> {
    serde_json::from_slice(req.body()).map_err(|e| format!("JSON parse error: {e}"))
}

pub(super) fn create(sim: &Simulator, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let body: InEntitlement = match parse_body(req) {
        Ok(b) => b,
        Err(m) => return bad(&m, path, now_ms),
    };
    let mut st = sim.lock();
    let mut taken = existing_ids(sim, &st.fno_entitlements);
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
    let state = &mut st.fno_entitlements;
    let entitlement_id = match body.entitlement_id.clone() {
        Some(id) => id,
        None => state.next_auto_id(seed),
    };
    let line_items = build_lines(body.line_items.unwrap_or_default(), &mut || {
        state.next_auto_id(seed)
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
    state.created.push(Entitlement {
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

pub(super) fn entitlement_exists(sim: &Simulator, st: &State, id: &str) -> bool {
    sim.fno_entitlements()
        .iter()
        .any(|e| e.entitlement_id == id)
        || st.created.iter().any(|e| e.entitlement_id == id)
}

pub(super) fn add_lines(
    sim: &Simulator,
    id: &str,
    req: &Request<Vec<u8>>,
    now_ms: i64,
) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let body: InLineItems = match parse_body(req) {
        Ok(b) => b,
        Err(m) => return bad(&m, path, now_ms),
    };
    let mut st = sim.lock();
    if !entitlement_exists(sim, &st.fno_entitlements, id) {
        drop(st);
        return error(404, "Not Found", "Entitlement not found", path, now_ms);
    }
    let mut taken = existing_ids(sim, &st.fno_entitlements);
    let mut c = Check { errors: Vec::new() };
    check_line_items(&mut c, body.line_items.as_deref(), &mut taken);
    if !c.errors.is_empty() {
        drop(st);
        return bad(&c.errors.join("; "), path, now_ms);
    }
    let seed = sim.config().seed;
    let state = &mut st.fno_entitlements;
    let lines = build_lines(body.line_items.unwrap_or_default(), &mut || {
        state.next_auto_id(seed)
    });
    let results = line_results(&lines);
    if let Some(e) = state.created.iter_mut().find(|e| e.entitlement_id == id) {
        e.line_items.extend(lines);
    } else {
        state
            .added_lines
            .entry(id.to_string())
            .or_default()
            .extend(lines);
    }
    drop(st);
    respond::json(200, &json!({"status": "SUCCESS", "lineItems": results}))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LinesBody<'a> {
    pub(super) limit: usize,
    pub(super) line_items: Vec<&'a LineItem>,
    pub(super) page: usize,
}

pub(super) fn list_lines(
    sim: &Simulator,
    id: &str,
    req: &Request<Vec<u8>>,
    now_ms: i64,
) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let pairs = query_pairs(req);
    let (page, limit) = match paging(&pairs) {
        Ok(v) => v,
        Err(m) => return bad(&m, path, now_ms),
    };
    let st = sim.lock();
    let all = all_entitlements(sim, &st.fno_entitlements);
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
