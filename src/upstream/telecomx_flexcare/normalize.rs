//! TelecomX FlexCare order → [`Record`].
//!
//! | Record | FlexCare order |
//! |---|---|
//! | sourceId | `_id` |
//! | kind | `order` |
//! | orderRef | `poNumber` |
//! | name | `name` |
//! | customer | — (none) |
//! | partners | `{role: reseller, id: reseller}` |
//! | contact | `orderer {name, email, phone, department}` |
//! | status | `unknown` (TelecomX has no status) |
//! | dates | — (none) |
//! | devices | `devices[]`: `{mac}` when it looks like a MAC address, else `{id}` |
//! | attributes | `snowId`, `eanNumber`, `powernetItemNumber`, `serviceAgreement` |

use crate::model::{AttrValue, Contact, Device, Kind, Partner, PartnerRole, Record, Source};
use crate::upstream::client::wire::text;

use super::wire::FlexcareOrder;

/// Normalized fields a FlexCare order never has (a predicate needing one prunes the source).
pub const ABSENT: &[&str] = &[
    "customer/id",
    "customer/name",
    "billingAccount/id",
    "billingAccount/name",
    "partners/name",
    "partners/tier",
    "startDate",
    "endDate",
    "isPermanent",
    "createdAt",
    "updatedAt",
    "items",
    "items/productName",
    "items/productVersion",
    "items/partNumber",
    "items/quantity",
    "items/remaining",
    "items/activationId",
    "items/status",
    "items/orderType",
    "items/startDate",
    "items/endDate",
    "entitlementId",
    "devices/serial",
    "devices/model",
    "devices/type",
];

/// `aa:bb:cc:dd:ee:ff` or `aa-bb-…` (hex pairs).
fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Normalizes one order.
pub fn order(o: &FlexcareOrder) -> Record {
    let mut r = Record::new(Source::TelecomxFlexcare, &*o.id, Kind::Order);
    r.order_ref = text(o.po_number.as_deref());
    r.name = text(o.name.as_deref());
    if let Some(id) = text(o.reseller.as_deref()) {
        r.partners.push(Partner {
            role: PartnerRole::Reseller,
            id: Some(id),
            name: None,
            tier: None,
        });
    }
    if let Some(or) = &o.orderer {
        let c = Contact {
            name: text(or.name.as_deref()),
            email: text(or.email.as_deref()),
            phone: text(or.phone.as_deref()),
            department: text(or.department.as_deref()),
        };
        if c != Contact::default() {
            r.contact = Some(c);
        }
    }
    for d in o.devices.iter().flatten() {
        let Some(d) = text(Some(d)) else { continue };
        r.devices.push(if is_mac(&d) {
            Device {
                mac: Some(d),
                ..Device::default()
            }
        } else {
            Device {
                id: Some(d),
                ..Device::default()
            }
        });
    }
    for (k, v) in [
        ("snowId", &o.snow_id),
        ("eanNumber", &o.ean_number),
        ("powernetItemNumber", &o.powernet_item_number),
        ("serviceAgreement", &o.service_agreement),
    ] {
        if let Some(v) = text(v.as_deref()) {
            r.attributes.insert(k.into(), AttrValue::Text(v));
        }
    }
    r
}
