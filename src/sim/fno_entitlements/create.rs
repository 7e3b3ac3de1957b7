//! Creating entitlements and adding line items (upstreams.md §3.5), checked against the
//! rule table of `crate::rules::fno_entitlements` and for ids in use.

use std::borrow::Cow;
use std::collections::HashSet;

use http::{Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::rules::{self, fno_entitlements, Operation, Unknown, Violation};
use crate::sim::calendar::rfc3339_secs;
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
    pub(super) attributes: Option<Vec<NameValue>>,
    pub(super) status: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct InLineItems {
    pub(super) line_items: Option<Vec<InLineItem>>,
}

/// The vendor's check of a write body: the rule table of the operation (the same one the
/// edge evaluates), then the uniqueness of the ids it names against `taken` (every
/// entitlement and activation id in use; the body's own ids are added). An unknown member
/// is ignored, as a Spring application reads JSON by default. A body that breaks rules is
/// a 400 listing every violation as `field: message` joined by `; `; one that breaks none
/// but names an id in use is a 409. `None`: the body may be acted on.
pub(super) fn vet(
    op: &Operation,
    req: &Request<Vec<u8>>,
    taken: &mut HashSet<String>,
    now_ms: i64,
) -> Option<Response<Vec<u8>>> {
    let path = req.uri().path();
    let node = match rules::parse(req.body()) {
        Ok(n) => n,
        Err(e) => return Some(bad(&format!("JSON parse error: {e}"), path, now_ms)),
    };
    let (broken, _) = rules::check(op, &node, Unknown::Ignore);
    let mut in_use = Vec::new();
    for pattern in op.ids {
        for (pointer, id) in node.strings_at(pattern) {
            if !taken.insert(id.to_owned()) {
                let field = Violation {
                    pointer,
                    code: "duplicate_id",
                    message: String::new(),
                    rule: "",
                };
                in_use.push((
                    field.vendor_path(),
                    id.chars().take(255).collect::<String>(),
                ));
            }
        }
    }
    if !broken.is_empty() {
        let text: Vec<String> = broken
            .iter()
            .map(|v| format!("{}: {}", v.vendor_path(), v.message))
            .collect();
        return Some(bad(&text.join("; "), path, now_ms));
    }
    if !in_use.is_empty() {
        let text: Vec<String> = in_use
            .iter()
            .map(|(field, id)| {
                format!("{field}: '{id}' is already in use by an entitlement or line item")
            })
            .collect();
        return Some(error(409, "Conflict", &text.join("; "), path, now_ms));
    }
    None
}

pub(super) fn existing_ids(sim: &Simulator, st: &State) -> HashSet<String> {
    let mut ids = HashSet::new();
    for e in all_entitlements(sim, st) {
        ids.insert(e.entitlement_id.clone());
        for l in &e.line_items {
            ids.insert(l.activation_id.clone());
        }
        for m in &e.maintenance_line_items {
            ids.insert(m.activation_id.clone());
        }
    }
    ids
}

/// The per-line results a create or an add-lines answer lists.
pub(super) fn line_results(lines: &[LineItem]) -> Vec<serde_json::Value> {
    lines
        .iter()
        .map(|l| json!({"activationId": l.activation_id, "status": "SUCCESS", "errorMsg": null}))
        .collect()
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
                parent_activation_id: None,
                policies: None,
            }
        })
        .collect()
}

/// The body of a write the vendor may act on: [`vet`]ted, then read as `T`; or the
/// refusal (boxed: an answer is large).
pub(super) fn vetted<T: for<'de> Deserialize<'de>>(
    op: &Operation,
    req: &Request<Vec<u8>>,
    taken: &mut HashSet<String>,
    now_ms: i64,
) -> Result<T, Box<Response<Vec<u8>>>> {
    if let Some(refused) = vet(op, req, taken, now_ms) {
        return Err(Box::new(refused));
    }
    serde_json::from_slice(req.body()).map_err(|e| {
        Box::new(bad(
            &format!("JSON parse error: {e}"),
            req.uri().path(),
            now_ms,
        ))
    })
}

pub(super) fn create(sim: &Simulator, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
    let mut st = sim.lock();
    let mut taken = existing_ids(sim, &st.fno_entitlements);
    let body: InEntitlement = match vetted(&fno_entitlements::CREATE, req, &mut taken, now_ms) {
        Ok(b) => b,
        Err(refused) => return *refused,
    };
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
        maintenance_line_items: Vec::new(),
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
    let mut st = sim.lock();
    if !entitlement_exists(sim, &st.fno_entitlements, id) {
        drop(st);
        return error(404, "Not Found", "Entitlement not found", path, now_ms);
    }
    let mut taken = existing_ids(sim, &st.fno_entitlements);
    let body: InLineItems = match vetted(&fno_entitlements::ADD_LINE_ITEMS, req, &mut taken, now_ms)
    {
        Ok(b) => b,
        Err(refused) => return *refused,
    };
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
