//! GreenLake Flex order → [`Record`] ([`order`]) and device → [`Record`] ([`device`]).
//!
//! Orders:
//!
//! | Record | Flex order |
//! |---|---|
//! | sourceId | `id` |
//! | kind | `order` |
//! | orderRef | `sowId` |
//! | name | — (absent) |
//! | customer | `{name: customerName}` (no customer id exists) |
//! | billingAccount | `{id: billingAccountId, name: billingAccountName}` |
//! | partners | `resellerName` (reseller), `distributorName` (distributor), `partnerName` (partner) |
//! | status | derived: `active` from `orderStartDate` until `orderEndDate`, then `expired`; `unknown` before the start or without dates |
//! | startDate / endDate | `orderStartDate` / `orderEndDate` |
//! | isPermanent | absent (Flex says nothing) |
//! | createdAt / updatedAt | `createdAt` / `updatedAt` |
//! | attributes | `generation` (number), `isFlexPartner` (bool) |
//!
//! Devices (kind `device`; a device names no order, customer, dates of validity or
//! contact, so those stay absent):
//!
//! | Record | Flex device |
//! |---|---|
//! | sourceId | `id` |
//! | kind | `device` |
//! | name | `name` (optional) |
//! | billingAccount | `{name: billingAccountName}` (no id on devices) |
//! | partners | `billingTier` as `{role: distributor, name}`: the spec describes it as "Name of the associated distributor account" |
//! | devices | one element, the device itself: `{id, mac: macAddress, serial: serialNumber, model, type: deviceType}` |
//! | status | `unknown` (GreenLake gives devices no lifecycle) |
//! | createdAt / updatedAt | `createdAt` / `updatedAt` |
//! | attributes | `make`, `partNumber`, `resourceId` (text), `generation` (number), each tag as `tag.<name>` (text) |
//!
//! The resource `type` (always `flex/devices`) is not kept.

use crate::model::{AttrValue, Kind, Partner, PartnerRole, Party, Record, Source, Status};
use crate::upstream::client::dates::Zone;
use crate::upstream::client::wire::text;

use super::wire::{Device, Order};

/// Normalized fields a Flex order never has (a predicate needing one prunes the source).
pub const ABSENT: &[&str] = &[
    "name",
    "customer/id",
    "contact/name",
    "contact/email",
    "contact/phone",
    "contact/department",
    "isPermanent",
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
    "partners/tier",
    "devices",
    "devices/id",
    "devices/mac",
    "devices/serial",
    "devices/model",
    "devices/type",
    "partners/id",
];

/// Normalized fields a Flex device never has (a predicate needing one prunes the source).
pub const DEVICE_ABSENT: &[&str] = &[
    "orderRef",
    "customer/id",
    "customer/name",
    "billingAccount/id",
    "contact/name",
    "contact/email",
    "contact/phone",
    "contact/department",
    "startDate",
    "endDate",
    "isPermanent",
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
    "partners/tier",
    "partners/id",
];

/// The attribute name of a device tag.
pub fn tag_attribute(name: &str) -> String {
    format!("tag.{name}")
}

/// Normalizes one device.
pub fn device(d: &Device) -> Record {
    let mut r = Record::new(Source::HpeFlex, &*d.id, Kind::Device);
    r.name = text(d.name.as_deref());
    if let Some(name) = text(d.billing_account_name.as_deref()) {
        r.billing_account = Some(Party {
            id: None,
            name: Some(name),
        });
    }
    if let Some(name) = text(d.billing_tier.as_deref()) {
        r.partners.push(Partner {
            role: PartnerRole::Distributor,
            id: None,
            name: Some(name),
            tier: None,
        });
    }
    r.devices.push(crate::model::Device {
        id: text(Some(&d.id)),
        mac: text(d.mac_address.as_deref()),
        serial: text(d.serial_number.as_deref()),
        model: text(d.model.as_deref()),
        device_type: text(d.device_type.as_deref()),
    });
    let ts = |w: &Option<crate::upstream::client::dates::WireDate>| {
        w.as_ref().and_then(|w| w.to_timestamp(Zone::Utc))
    };
    r.created_at = ts(&d.created_at);
    r.updated_at = ts(&d.updated_at);
    r.status = Status::Unknown;
    for (key, value) in [
        ("make", &d.make),
        ("partNumber", &d.part_number),
        ("resourceId", &d.resource_id),
    ] {
        if let Some(v) = text(value.as_deref()) {
            r.attributes.insert(key.into(), AttrValue::Text(v));
        }
    }
    if let Some(g) = d.generation {
        r.attributes
            .insert("generation".into(), AttrValue::Number(g.into()));
    }
    for tag in d.tags.iter().flatten() {
        if let (Some(name), Some(value)) = (text(tag.name.as_deref()), text(tag.value.as_deref())) {
            // The first tag of a name wins (GreenLake does not say names are unique).
            r.attributes
                .entry(tag_attribute(&name))
                .or_insert(AttrValue::Text(value));
        }
    }
    r
}

/// Normalizes one order at `now_ms`.
pub fn order(o: &Order, now_ms: i64) -> Record {
    let mut r = Record::new(Source::HpeFlex, &*o.id, Kind::Order);
    r.order_ref = text(o.sow_id.as_deref());
    if let Some(name) = text(o.customer_name.as_deref()) {
        r.customer = Some(Party {
            id: None,
            name: Some(name),
        });
    }
    let (bid, bname) = (
        text(o.billing_account_id.as_deref()),
        text(o.billing_account_name.as_deref()),
    );
    if bid.is_some() || bname.is_some() {
        r.billing_account = Some(Party {
            id: bid,
            name: bname,
        });
    }
    for (role, name) in [
        (PartnerRole::Reseller, &o.reseller_name),
        (PartnerRole::Distributor, &o.distributor_name),
        (PartnerRole::Partner, &o.partner_name),
    ] {
        if let Some(name) = text(name.as_deref()) {
            r.partners.push(Partner {
                role,
                id: None,
                name: Some(name),
                tier: None,
            });
        }
    }
    let d = |w: &Option<crate::upstream::client::dates::WireDate>| {
        w.as_ref().and_then(|w| w.to_timestamp(Zone::Utc))
    };
    r.start_date = d(&o.order_start_date);
    r.end_date = d(&o.order_end_date);
    r.created_at = d(&o.created_at);
    r.updated_at = d(&o.updated_at);
    r.status = match (r.start_date, r.end_date) {
        (_, Some(e)) if e.millis() <= now_ms => Status::Expired,
        (Some(s), _) if s.millis() <= now_ms => Status::Active,
        _ => Status::Unknown,
    };
    if let Some(g) = o.generation {
        r.attributes
            .insert("generation".into(), AttrValue::Number(g.into()));
    }
    if let Some(b) = o.is_flex_partner {
        r.attributes
            .insert("isFlexPartner".into(), AttrValue::Bool(b));
    }
    r
}
