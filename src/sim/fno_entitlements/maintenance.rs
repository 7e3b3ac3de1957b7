//! Adding maintenance line items (`POST …/entitlement/{id}/maintenance-line-items`,
//! upstreams.md §3.5), checked against the rule table the edge uses too; ids are unique
//! across every entitlement, line item and maintenance line item.

use std::borrow::Cow;

use http::{Request, Response};
use serde::Deserialize;
use serde_json::json;

use crate::rules::fno_entitlements;
use crate::sim::respond;
use crate::sim::Simulator;

use super::create::{entitlement_exists, existing_ids, vetted};
use super::data::{MaintenanceLineItem, MaintenanceProduct, NameValue};
use super::error;

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InMaintenanceProduct {
    maintenance_product_name: Option<String>,
    maintenance_product_version: Option<String>,
    part_number: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InMaintenanceLineItem {
    activation_id: Option<String>,
    maintenance_product: Option<InMaintenanceProduct>,
    is_permanent: Option<bool>,
    expiry_date: Option<String>,
    start_date: Option<String>,
    attributes: Option<Vec<NameValue>>,
    auto_deploy: Option<bool>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InMaintenanceLineItems {
    maintenance_line_items: Option<Vec<InMaintenanceLineItem>>,
}

/// Adds maintenance line items to entitlement `id`: 404 for an unknown entitlement, 400
/// for a body that breaks the rules, 409 for an id in use; 200 `{status, lineItems:
/// [{activationId, status, errorMsg}]}` otherwise. A permanent item keeps no expiry date;
/// `autoDeploy: true` deploys it (else it is a draft).
pub(super) fn add(
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
    let body: InMaintenanceLineItems = match vetted(
        &fno_entitlements::ADD_MAINTENANCE_LINE_ITEMS,
        req,
        &mut taken,
        now_ms,
    ) {
        Ok(b) => b,
        Err(refused) => return *refused,
    };
    let seed = sim.config().seed;
    let state = &mut st.fno_entitlements;
    let items: Vec<MaintenanceLineItem> = body
        .maintenance_line_items
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let permanent = m.is_permanent.unwrap_or(false);
            let product = m.maintenance_product.unwrap_or_default();
            MaintenanceLineItem {
                activation_id: m.activation_id.unwrap_or_else(|| state.next_auto_id(seed)),
                maintenance_product: MaintenanceProduct {
                    maintenance_product_name: product.maintenance_product_name.unwrap_or_default(),
                    maintenance_product_version: product
                        .maintenance_product_version
                        .unwrap_or_default(),
                    part_number: product.part_number,
                },
                permanent,
                expiry_date: if permanent { None } else { m.expiry_date },
                start_date: m.start_date.unwrap_or_default(),
                line_item_state: Cow::Borrowed(if m.auto_deploy == Some(true) {
                    "DEPLOYED"
                } else {
                    "DRAFT"
                }),
                attributes: m.attributes.unwrap_or_default(),
            }
        })
        .collect();
    let results: Vec<serde_json::Value> = items
        .iter()
        .map(|m| json!({"activationId": m.activation_id, "status": "SUCCESS", "errorMsg": null}))
        .collect();
    match state.created.iter_mut().find(|e| e.entitlement_id == id) {
        Some(e) => e.maintenance_line_items.extend(items),
        None => state
            .added_maintenance
            .entry(id.to_string())
            .or_default()
            .extend(items),
    }
    drop(st);
    respond::json(200, &json!({"status": "SUCCESS", "lineItems": results}))
}
