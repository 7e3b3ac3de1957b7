//! FNO Beta entitlements (accounts, attributes, line items) and their seeded generation.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::sim::calendar::{format_date, rfc3339_secs, DAY_MS};
use crate::sim::data::{ser_opt_shared, start_ms, stream, Pool, Shared};
use crate::sim::rng::Rng;

/// Text that is usually a constant (enum spellings, product names), owned when a client
/// created it.
pub(super) type Text = Cow<'static, str>;

/// An account of an entitlement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Account {
    pub(super) account_id: String,
    #[serde(serialize_with = "ser_opt_shared")]
    pub(super) account_name: Option<Shared>,
    pub(super) account_type: Text,
    #[serde(serialize_with = "ser_opt_shared")]
    pub(super) contact_email: Option<Shared>,
    pub(super) current_owner: bool,
    pub(super) partner_tier_name: Text,
}

/// A `{name, value}` attribute.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct NameValue {
    pub(super) name: Option<String>,
    pub(super) value: Option<serde_json::Value>,
}

/// A product of a line item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Product {
    pub(super) license_model: Option<Text>,
    pub(super) product_name: Text,
    pub(super) product_version: Text,
    pub(super) quantity_per_copy: i64,
}

/// A line item of an entitlement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LineItem {
    pub(super) activation_id: String,
    pub(super) expiry_date: Option<String>,
    pub(super) line_item_state: Text,
    pub(super) order_type: Text,
    pub(super) part_number: Option<String>,
    pub(super) permanent: bool,
    pub(super) products: Vec<Product>,
    pub(super) quantity: i64,
    pub(super) start_date: String,
    pub(super) attributes: Vec<NameValue>,
    /// Set by `PATCH …/additional-properties` (listed only when set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) parent_activation_id: Option<String>,
    /// Set by `PATCH …/policies`: the policy object as configured (listed only when set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) policies: Option<serde_json::Value>,
}

/// The maintenance product of a maintenance line item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MaintenanceProduct {
    pub(super) maintenance_product_name: String,
    pub(super) maintenance_product_version: String,
    pub(super) part_number: Option<String>,
}

/// A maintenance line item of an entitlement (the create schema's spelling; the GraphQL
/// twin does not show them).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MaintenanceLineItem {
    pub(super) activation_id: String,
    pub(super) maintenance_product: MaintenanceProduct,
    pub(super) permanent: bool,
    pub(super) expiry_date: Option<String>,
    pub(super) start_date: String,
    pub(super) line_item_state: Text,
    pub(super) attributes: Vec<NameValue>,
}

/// An entitlement (GraphQL `EntitlementDetail`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entitlement {
    pub(super) entitlement_id: String,
    pub(super) description: Option<String>,
    pub(super) ship_to_address: Option<String>,
    #[serde(serialize_with = "ser_opt_shared")]
    pub(super) ship_to_email: Option<Shared>,
    pub(super) status: &'static str,
    pub(super) created_on: String,
    pub(super) updated_on: String,
    pub(super) accounts: Vec<Account>,
    pub(super) attributes: Vec<NameValue>,
    pub(super) line_items: Vec<LineItem>,
    /// Listed only when there are some (generated entitlements have none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) maintenance_line_items: Vec<MaintenanceLineItem>,
    #[serde(skip)]
    pub(super) created_ms: i64,
}

pub(super) const STATUSES: &[&str] = &[
    "ACTIVE",
    "ACTIVE",
    "ACTIVE",
    "DEPLOYED",
    "DRAFT",
    "INACTIVE",
    "OBSOLETED",
];
pub(super) const ORDER_TYPES: &[&str] = &[
    "NEW_ORDER",
    "NEW_ORDER",
    "RENEWAL_ORDER",
    "UPGRADE_ORDER",
    "UPSELL_ORDER",
];

/// `prefix` + 8 hex + `-` + 4 hex, built in one allocation.
pub(super) fn prefixed_id(r: &mut Rng, prefix: &str) -> String {
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
        let mut r = Rng::for_record(seed, stream::FNO_ENTITLEMENTS, i as u64);
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
                parent_activation_id: None,
                policies: None,
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
            maintenance_line_items: Vec::new(),
            created_ms: created,
        });
    }
    // Kept in the default order (entitlement_id asc) so default listings need no sort.
    out.sort_unstable_by(|a, b| a.entitlement_id.cmp(&b.entitlement_id));
    out
}
