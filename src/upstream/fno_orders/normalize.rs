//! FNO activatable line item → [`Record`] (one record per line item).
//!
//! | Record | FNO `activatableItem` |
//! |---|---|
//! | sourceId | `activatableItemData.activationId.id` |
//! | kind | `line_item` |
//! | orderRef | `activatableItemData.orderId` |
//! | entitlementId | `entitlementId` (the Beta entitlement holding this line: `fno_entitlements:<it>`) |
//! | name | `activatableItemData.description` |
//! | customer | end-customer channel partner's account `{uniqueId, primaryKeys.name}`; else `{name: soldTo}` |
//! | partners | the other channel partners, role `channel`, `{account.uniqueId, account.primaryKeys.name}` |
//! | contact | end-customer contact `{firstName lastName, emailAddress, phoneNumber}`; else `{email: shipToEmail}` |
//! | status | line `state`, else `entitlementState`: DEPLOYED→active (→expired after `expirationDate`), DRAFT→draft, TEST/ON_HOLD/INACTIVE→inactive, OBSOLETE→obsolete, other→unknown |
//! | startDate / endDate | `startDate` / `expirationDate` (absent when `isPermanent`) |
//! | isPermanent | `isPermanent` |
//! | createdAt / updatedAt | `createdOnDateTime` / `lastModifiedDateTime` |
//! | items | `entitledProducts.entitledProduct[]` `{name, version, quantity}` with the line's `partNumber` and `activationId`; else the line's `product` with `numberOfCopies`; `remaining` = `numberOfRemainingCopies` when there is one product |
//! | attributes | non-null entitlement, line item and license model attributes (line item wins on a name clash), plus `entitlementId`, `parentBulkEntitlementId`, `orderLineNumber`, `licenseModel`, `licenseTechnology`, `activatableItemType`, `shipToAddress`, `numberOfCopies`, `parentLineItem` (its activation id, or a ref's `uniqueId`), `versionDate` (RFC 3339, as other attribute dates) |
//!
//! Dates: epoch ms, `yyyy-MM-dd` (midnight UTC) or date-times; unzoned date-times are US Pacific.

use crate::model::{
    AttrValue, Contact, Item, Kind, Partner, PartnerRole, Party, Record, Source, Status,
};
use crate::upstream::client::dates::with_expiry;
use crate::upstream::client::dates::{WireDate, Zone};
use crate::upstream::client::wire::text;

use super::wire::{ActivatableItem, Attributes, PartNumber};

/// Normalized fields an FNO line item never has (a predicate needing one prunes the source).
pub const ABSENT: &[&str] = &[
    "billingAccount/id",
    "billingAccount/name",
    "contact/department",
    "devices",
    "devices/id",
    "devices/mac",
    "devices/serial",
    "devices/model",
    "devices/type",
    // A line item's items are its products: the line's own status and dates are the record's.
    "items/status",
    "items/orderType",
    "items/startDate",
    "items/endDate",
];

const END_CUSTOMER: &str = "bo.constants.partnertiernames.endcustomer";

/// The normalized status for an FNO state word.
pub fn status(state: &str) -> Status {
    match state.trim().to_ascii_uppercase().as_str() {
        "DEPLOYED" | "ACTIVE" => Status::Active,
        "DRAFT" => Status::Draft,
        "TEST" | "ON_HOLD" | "INACTIVE" => Status::Inactive,
        "OBSOLETE" | "OBSOLETED" => Status::Obsolete,
        _ => Status::Unknown,
    }
}

fn date(w: &Option<WireDate>) -> Option<crate::model::Timestamp> {
    w.as_ref().and_then(|w| w.to_timestamp(Zone::Pacific))
}

fn attrs(into: &mut Record, a: &Option<Attributes>) {
    for at in a.iter().flat_map(|a| a.attribute.iter().flatten()) {
        let v = if let Some(s) = text(at.string_value.as_deref()) {
            AttrValue::Text(s)
        } else if let Some(b) = at.boolean_value {
            AttrValue::Bool(b)
        } else if let Some(n) = &at.integer_value {
            AttrValue::Number(n.clone())
        } else if let Some(d) = &at.date_value {
            match d {
                WireDate::Text(s) => AttrValue::Text(s.clone()),
                other => match other.to_timestamp(Zone::Pacific) {
                    Some(t) => AttrValue::Text(t.to_string()),
                    None => continue,
                },
            }
        } else {
            continue;
        };
        into.attributes.insert(at.attribute_name.to_string(), v);
    }
}

/// Normalizes one line item at `now_ms`.
pub fn item(a: &ActivatableItem, now_ms: i64) -> Record {
    let d = &a.activatable_item_data;
    let mut r = Record::new(Source::FnoOrders, &*d.activation_id.id, Kind::LineItem);
    r.order_ref = text(d.order_id.as_deref());
    r.entitlement_id = text(a.entitlement_id.as_deref());
    r.name = text(d.description.as_deref());

    let partners = a
        .channel_partners
        .iter()
        .flat_map(|c| c.channel_partner.iter().flatten());
    for p in partners {
        let acct = p.account.as_ref();
        let id = text(acct.and_then(|x| x.unique_id.as_deref()));
        let name = text(
            acct.and_then(|x| x.primary_keys.as_ref())
                .and_then(|k| k.name.as_deref()),
        );
        let end_customer = p.tier_name.as_deref() == Some(END_CUSTOMER);
        if end_customer && r.customer.is_none() {
            if id.is_some() || name.is_some() {
                r.customer = Some(Party { id, name });
            }
            if let Some(c) = &p.contact {
                let k = c.primary_keys.clone().unwrap_or_default();
                let full = [k.first_name.as_deref(), k.last_name.as_deref()]
                    .iter()
                    .filter_map(|s| text(*s))
                    .collect::<Vec<_>>()
                    .join(" ");
                let contact = Contact {
                    name: text(Some(&full)),
                    email: text(k.email_address.as_deref()),
                    phone: text(k.phone_number.as_deref()),
                    department: None,
                };
                if contact != Contact::default() {
                    r.contact = Some(contact);
                }
            }
        } else if id.is_some() || name.is_some() {
            r.partners.push(Partner {
                role: PartnerRole::Channel,
                id,
                name,
                tier: p.tier_name.as_deref().and_then(Partner::tier_of),
            });
        }
    }
    if r.customer.is_none() {
        if let Some(s) = text(a.sold_to.as_deref()) {
            r.customer = Some(Party {
                id: None,
                name: Some(s),
            });
        }
    }
    if r.contact.is_none() {
        if let Some(e) = text(a.ship_to_email.as_deref()) {
            r.contact = Some(Contact {
                email: Some(e),
                ..Contact::default()
            });
        }
    }

    r.is_permanent = d.is_permanent;
    r.start_date = date(&d.start_date);
    if d.is_permanent != Some(true) {
        r.end_date = date(&d.expiration_date);
    }
    r.created_at = date(&d.created_on_date_time);
    r.updated_at = date(&d.last_modified_date_time);
    let state = text(d.state.as_deref()).or_else(|| text(a.entitlement_state.as_deref()));
    r.status = with_expiry(
        state.as_deref().map_or(Status::Unknown, status),
        r.end_date,
        now_ms,
    );

    let part = match &d.part_number {
        Some(PartNumber::Text(s)) => text(Some(s)),
        Some(PartNumber::Ref(x)) => text(
            x.primary_keys
                .as_ref()
                .and_then(|k| k.name.as_deref())
                .or(x.unique_id.as_deref()),
        ),
        None => None,
    };
    let products: Vec<_> = d
        .entitled_products
        .iter()
        .flat_map(|e| e.entitled_product.iter().flatten())
        .collect();
    if products.is_empty() {
        if let Some(p) = &d.product {
            let k = p.primary_keys.clone().unwrap_or_default();
            r.items.push(Item {
                product_name: text(k.name.as_deref()),
                product_version: text(k.version.as_deref()),
                part_number: part.clone(),
                quantity: d.number_of_copies.clone(),
                remaining: d.number_of_remaining_copies.clone(),
                activation_id: Some(r.source_id.clone()),
                ..Item::default()
            });
        }
    } else {
        let single = products.len() == 1;
        for p in products {
            let k = p
                .product
                .as_ref()
                .and_then(|x| x.primary_keys.clone())
                .unwrap_or_default();
            r.items.push(Item {
                product_name: text(k.name.as_deref()),
                product_version: text(k.version.as_deref()),
                part_number: part.clone(),
                quantity: p.quantity.clone(),
                remaining: if single {
                    d.number_of_remaining_copies.clone()
                } else {
                    None
                },
                activation_id: Some(r.source_id.clone()),
                ..Item::default()
            });
        }
    }

    attrs(&mut r, &a.entitlement_attributes);
    attrs(&mut r, &d.license_model_attributes);
    attrs(&mut r, &d.line_item_attributes);
    let name_of = |x: &Option<super::wire::Ref>| {
        text(
            x.as_ref()
                .and_then(|x| x.primary_keys.as_ref())
                .and_then(|k| k.name.as_deref()),
        )
    };
    let fixed = [
        ("entitlementId", text(a.entitlement_id.as_deref())),
        (
            "parentBulkEntitlementId",
            text(a.parent_bulk_entitlement_id.as_deref()),
        ),
        ("orderLineNumber", text(d.order_line_number.as_deref())),
        ("licenseModel", name_of(&d.license_model)),
        ("licenseTechnology", name_of(&d.license_technology)),
        (
            "activatableItemType",
            text(a.activatable_item_type.as_deref()),
        ),
        ("shipToAddress", text(a.ship_to_address.as_deref())),
        (
            "parentLineItem",
            d.parent_line_item.as_ref().and_then(|p| match p {
                PartNumber::Text(t) => text(Some(t)),
                PartNumber::Ref(r) => text(r.unique_id.as_deref()),
            }),
        ),
        ("versionDate", date(&d.version_date).map(|t| t.to_string())),
    ];
    for (k, v) in fixed {
        if let Some(v) = v {
            r.attributes.insert(k.into(), AttrValue::Text(v));
        }
    }
    if let Some(n) = d.number_of_copies.clone() {
        r.attributes
            .insert("numberOfCopies".into(), AttrValue::Number(n));
    }
    r
}
