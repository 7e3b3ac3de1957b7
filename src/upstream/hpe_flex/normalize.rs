//! GreenLake Flex order → [`Record`].
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

use crate::model::{AttrValue, Kind, Partner, PartnerRole, Party, Record, Source, Status};
use crate::upstream::common::text;
use crate::upstream::dates::Zone;

use super::wire::Order;

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
    "devices",
    "devices/id",
    "devices/mac",
    "devices/serial",
    "devices/model",
    "devices/type",
    "partners/id",
];

/// Normalizes one order at `now_ms`.
pub fn order(o: &Order, now_ms: i64) -> Record {
    let mut r = Record::new(Source::HpeFlex, o.id.clone(), Kind::Order);
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
            });
        }
    }
    let d = |w: &Option<crate::upstream::dates::WireDate>| {
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
            .insert("generation".into(), AttrValue::Number(g as f64));
    }
    if let Some(b) = o.is_flex_partner {
        r.attributes
            .insert("isFlexPartner".into(), AttrValue::Bool(b));
    }
    r
}
