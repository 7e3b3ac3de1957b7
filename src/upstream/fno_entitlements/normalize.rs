//! FNO Beta entitlement → [`Record`] (line items folded into one record).
//!
//! | Record | Entitlement |
//! |---|---|
//! | sourceId, entitlementId | `entitlementId` |
//! | kind | `entitlement` |
//! | orderRef | — (none) |
//! | name | `description` |
//! | customer | the account with `partnerTierName` END_CUSTOMER (else `accountType` CUSTOMER) `{accountId, accountName}` |
//! | partners | the other accounts, role `channel` |
//! | contact | `{email: shipToEmail}`, else the customer account's `contactEmail` |
//! | status | draft→draft, deployed/active→active (→expired after `endDate`), inactive→inactive, obsolete/obsoleted→obsolete, other→unknown (any case) |
//! | startDate | earliest line item `startDate` |
//! | endDate | latest line item `expiryDate`, only when no line is permanent and every line has one |
//! | isPermanent | true when every line item is permanent; false when none or some are; absent without line items |
//! | createdAt / updatedAt | `createdOn` / `updatedOn` |
//! | items | one per line item × product `{productName, productVersion, partNumber, quantity, activationId}` (the line's `activationId`) |
//! | attributes | entitlement attributes, plus `shipToAddress` |
//!
//! Lossy: per-line dates, states and order types are not kept, nor lines without products
//! and maintenance lines (use `raw`).

use crate::model::{
    AttrValue, Contact, Item, Kind, Partner, PartnerRole, Party, Record, Source, Status, Timestamp,
};
use crate::upstream::client::dates::with_expiry;
use crate::upstream::client::dates::Zone;
use crate::upstream::client::wire::text;

use super::wire::{Account, AttrWire, Entitlement};

/// Normalized fields a Beta entitlement never has (a predicate needing one prunes the source).
pub const ABSENT: &[&str] = &[
    "orderRef",
    "billingAccount/id",
    "billingAccount/name",
    "contact/name",
    "contact/phone",
    "contact/department",
    "items/remaining",
    "devices",
    "devices/id",
    "devices/mac",
    "devices/serial",
    "devices/model",
    "devices/type",
];

/// The normalized status for a Beta status word.
pub fn status(s: &str) -> Status {
    match s.trim().to_ascii_lowercase().as_str() {
        "draft" => Status::Draft,
        "deployed" | "active" => Status::Active,
        "inactive" => Status::Inactive,
        "obsolete" | "obsoleted" => Status::Obsolete,
        _ => Status::Unknown,
    }
}

fn is_customer(a: &Account) -> bool {
    let tier = a
        .partner_tier_name
        .as_deref()
        .unwrap_or("")
        .to_ascii_uppercase();
    tier.starts_with("END_CUSTOMER")
}

/// Normalizes one entitlement at `now_ms`.
pub fn entitlement(e: &Entitlement, now_ms: i64) -> Record {
    let mut r = Record::new(
        Source::FnoEntitlements,
        &*e.entitlement_id,
        Kind::Entitlement,
    );
    r.entitlement_id = Some(r.source_id.clone());
    r.name = text(e.description.as_deref());
    let accounts: Vec<&Account> = e.accounts.iter().flatten().collect();
    let cust = accounts.iter().position(|a| is_customer(a)).or_else(|| {
        accounts.iter().position(|a| {
            a.account_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("CUSTOMER"))
        })
    });
    for (i, a) in accounts.iter().enumerate() {
        let id = text(a.account_id.as_deref());
        let name = text(a.account_name.as_deref());
        if Some(i) == cust {
            if id.is_some() || name.is_some() {
                r.customer = Some(Party { id, name });
            }
        } else if id.is_some() || name.is_some() {
            r.partners.push(Partner {
                role: PartnerRole::Channel,
                id,
                name,
                tier: a.partner_tier_name.as_deref().and_then(Partner::tier_of),
            });
        }
    }
    let email = text(e.ship_to_email.as_deref()).or_else(|| {
        cust.and_then(|i| accounts.get(i))
            .and_then(|a| text(a.contact_email.as_deref()))
    });
    if email.is_some() {
        r.contact = Some(Contact {
            email,
            ..Contact::default()
        });
    }
    r.created_at = e
        .created_on
        .as_ref()
        .and_then(|d| d.to_timestamp(Zone::Pacific));
    r.updated_at = e
        .updated_on
        .as_ref()
        .and_then(|d| d.to_timestamp(Zone::Pacific));

    let lines: Vec<_> = e.line_items.iter().flatten().collect();
    let starts: Vec<Timestamp> = lines
        .iter()
        .filter_map(|l| l.start_date.as_ref()?.to_timestamp(Zone::Utc))
        .collect();
    r.start_date = starts.iter().min().copied();
    if !lines.is_empty() {
        let permanent = |l: &&super::wire::LineItem| l.is_permanent == Some(true);
        r.is_permanent = Some(lines.iter().all(permanent));
        let ends: Vec<Option<Timestamp>> = lines
            .iter()
            .map(|l| {
                if permanent(l) {
                    None
                } else {
                    l.expiry_date.as_ref()?.to_timestamp(Zone::Utc)
                }
            })
            .collect();
        if ends.iter().all(Option::is_some) {
            r.end_date = ends.into_iter().flatten().max();
        }
    }
    r.status = with_expiry(
        e.status.as_deref().map_or(Status::Unknown, status),
        r.end_date,
        now_ms,
    );
    for l in &lines {
        // The line's own dates and status (the record's are the entitlement's).
        let start = l
            .start_date
            .as_ref()
            .and_then(|d| d.to_timestamp(Zone::Utc));
        let end = if l.is_permanent == Some(true) {
            None
        } else {
            l.expiry_date
                .as_ref()
                .and_then(|d| d.to_timestamp(Zone::Utc))
        };
        let line_status = l
            .line_item_state
            .as_deref()
            .map(|s| with_expiry(status(s), end, now_ms));
        for p in l.products.iter().flatten() {
            r.items.push(Item {
                product_name: text(p.product_name.as_deref()),
                product_version: text(p.product_version.as_deref()),
                part_number: text(p.part_number.as_deref())
                    .or_else(|| text(l.part_number.as_deref())),
                quantity: l.quantity.clone(),
                remaining: None,
                activation_id: text(l.activation_id.as_deref()),
                status: line_status,
                order_type: text(l.order_type.as_deref()),
                start_date: start,
                end_date: end,
            });
        }
    }
    for a in e.attributes.iter().flatten() {
        let v = match &a.value {
            Some(AttrWire::Bool(b)) => AttrValue::Bool(*b),
            Some(AttrWire::Num(n)) => AttrValue::Number(n.clone()),
            Some(AttrWire::Text(s)) => AttrValue::Text(s.clone()),
            Some(AttrWire::List(v)) => AttrValue::Text(v.join(",")),
            None => continue,
        };
        r.attributes.insert(a.name.to_string(), v);
    }
    if let Some(s) = text(e.ship_to_address.as_deref()) {
        r.attributes
            .insert("shipToAddress".into(), AttrValue::Text(s));
    }
    r
}
