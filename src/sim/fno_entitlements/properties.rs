//! The two `PATCH` operations on line items (upstreams.md §3.2): `…/additional-properties`
//! (order type, parent line, deployment, part number, attributes) and
//! `…/line-items/{activationId}/policies` (the policy object, kept as configured), each
//! checked against its rule table. Changes are kept per activation id and applied when
//! entitlements are listed. Unknown entitlements and line items are 404s.

use std::borrow::Cow;
use std::collections::HashSet;

use http::{Request, Response};
use serde::Deserialize;
use serde_json::json;

use crate::rules::fno_entitlements;
use crate::sim::respond;
use crate::sim::Simulator;

use super::create::vetted;
use super::data::{LineItem, NameValue};
use super::{all_entitlements, error};

/// What the `PATCH`es changed on one line item.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinePatch {
    order_type: Option<String>,
    deployed: bool,
    part_number: Option<String>,
    parent: Option<String>,
    attributes: Vec<NameValue>,
    policies: Option<serde_json::Value>,
}

impl LinePatch {
    /// Applies the changes to the line item.
    pub(super) fn apply(&self, l: &mut LineItem) {
        if let Some(o) = &self.order_type {
            l.order_type = Cow::Owned(o.clone());
        }
        if self.deployed {
            l.line_item_state = Cow::Borrowed("DEPLOYED");
        }
        if let Some(p) = &self.part_number {
            l.part_number = Some(p.clone());
        }
        if let Some(p) = &self.parent {
            l.parent_activation_id = Some(p.clone());
        }
        for a in &self.attributes {
            match l.attributes.iter_mut().find(|x| x.name == a.name) {
                Some(x) => x.value = a.value.clone(),
                None => l.attributes.push(a.clone()),
            }
        }
        if let Some(p) = &self.policies {
            l.policies = Some(p.clone());
        }
    }
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InProduct {
    part_number: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
struct InAttribute {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InProperties {
    activation_id: Option<String>,
    order_type: Option<String>,
    parent_activation_id: Option<String>,
    deploy: Option<bool>,
    product: Option<InProduct>,
    attributes: Option<Vec<InAttribute>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct InPropertiesBody {
    line_items: Option<Vec<InProperties>>,
}

/// The activation ids of entitlement `id`'s line items, or `None` when it is unknown.
fn lines_of(sim: &Simulator, st: &super::State, id: &str) -> Option<HashSet<String>> {
    all_entitlements(sim, st)
        .iter()
        .find(|e| e.entitlement_id == id)
        .map(|e| {
            e.line_items
                .iter()
                .map(|l| l.activation_id.clone())
                .collect()
        })
}

/// The 404 of an unknown entitlement.
fn no_entitlement(path: &str, now_ms: i64) -> Response<Vec<u8>> {
    error(404, "Not Found", "Entitlement not found", path, now_ms)
}

/// `PATCH …/entitlement/{id}/additional-properties`: 200 `{status, lineItems: [{activationId,
/// status, errorMsg}]}`; 404 for an unknown entitlement or a line item not on it.
pub(super) fn update(
    sim: &Simulator,
    id: &str,
    req: &Request<Vec<u8>>,
    now_ms: i64,
) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let mut st = sim.lock();
    let Some(lines) = lines_of(sim, &st.fno_entitlements, id) else {
        return no_entitlement(path, now_ms);
    };
    let body: InPropertiesBody = match vetted(
        &fno_entitlements::UPDATE_PROPERTIES,
        req,
        &mut HashSet::new(),
        now_ms,
    ) {
        Ok(b) => b,
        Err(refused) => return *refused,
    };
    let items = body.line_items.unwrap_or_default();
    if let Some(missing) = items
        .iter()
        .filter_map(|l| l.activation_id.as_deref())
        .find(|a| !lines.contains(*a))
    {
        let shown: String = missing.chars().take(255).collect();
        return error(
            404,
            "Not Found",
            &format!("Line item not found: {shown}"),
            path,
            now_ms,
        );
    }
    let mut results = Vec::new();
    for l in items {
        let act = l.activation_id.unwrap_or_default();
        let p = st
            .fno_entitlements
            .line_patches
            .entry(act.clone())
            .or_default();
        if let Some(o) = l.order_type {
            p.order_type = Some(o.to_ascii_uppercase());
        }
        p.deployed |= l.deploy == Some(true);
        if let Some(n) = l.product.and_then(|p| p.part_number) {
            p.part_number = Some(n);
        }
        if let Some(parent) = l.parent_activation_id {
            p.parent = Some(parent);
        }
        for a in l.attributes.into_iter().flatten() {
            let a = NameValue {
                name: a.name,
                value: a.value.map(serde_json::Value::String),
            };
            match p.attributes.iter_mut().find(|x| x.name == a.name) {
                Some(x) => x.value = a.value,
                None => p.attributes.push(a),
            }
        }
        results.push(json!({"activationId": act, "status": "SUCCESS", "errorMsg": null}));
    }
    drop(st);
    respond::json(200, &json!({"status": "SUCCESS", "lineItems": results}))
}

/// `PATCH …/entitlement/{id}/line-items/{activationId}/policies`: 200 `{status,
/// activationId}`; 404 for an unknown entitlement or line item.
pub(super) fn policies(
    sim: &Simulator,
    id: &str,
    activation_id: &str,
    req: &Request<Vec<u8>>,
    now_ms: i64,
) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let mut st = sim.lock();
    let Some(lines) = lines_of(sim, &st.fno_entitlements, id) else {
        return no_entitlement(path, now_ms);
    };
    if !lines.contains(activation_id) {
        return error(404, "Not Found", "Line item not found", path, now_ms);
    }
    let policy: serde_json::Value = match vetted(
        &fno_entitlements::CONFIGURE_POLICIES,
        req,
        &mut HashSet::new(),
        now_ms,
    ) {
        Ok(b) => b,
        Err(refused) => return *refused,
    };
    st.fno_entitlements
        .line_patches
        .entry(activation_id.to_owned())
        .or_default()
        .policies = Some(policy);
    drop(st);
    respond::json(
        200,
        &json!({"status": "SUCCESS", "activationId": activation_id}),
    )
}
