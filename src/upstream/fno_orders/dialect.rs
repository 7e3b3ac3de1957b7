//! Pushdown into FNO `activatableItemSearchCriteria`.
//!
//! | normalized | criterion | pushed |
//! |---|---|---|
//! | `sourceId`, `id` (prefix stripped) | `activationId` | `eq`→EQUALS, `startswith`→STARTS_WITH, `contains`→CONTAINS, `endswith`→ENDS_WITH — inexact |
//! | `orderRef` | `orderId` | same — inexact |
//! | `entitlementId`, `attributes/entitlementId` | `entitlementId` | same — inexact |
//! | `items/any(i: i/activationId eq …)` | `activationId` | EQUALS — inexact (every item carries its line's activation id) |
//! | `startDate`, `endDate` | `startDate`, `expirationDate` | `gt`/`ge` → AFTER (date − 2 days), `lt`/`le` → BEFORE (date + 2 days) — inexact |
//! | `createdAt`, `updatedAt` | `createdOnDateTime`, `lastModifiedDateTime` | as dates — inexact |
//! | `isPermanent` | `isPermanent` | `eq true/false` — inexact |
//!
//! Everything is Inexact: FNO's string match case rules are undocumented (a
//! case-insensitive upstream still returns a superset of a case-sensitive `eq`), and its
//! date search compares calendar days in the server's zone (US Pacific), so the pushed
//! day is widened by two days on the open side and the exact comparison stays at the
//! edge. String criteria match case-insensitively upstream, so `tolower(f) …` forms are
//! pushed too (as supersets).
//! Each criterion holds one condition: a second predicate on the same field stays at the
//! edge. FNO cannot sort, so sort and offset/limit are never pushed.

use crate::filter::CmpOp;
use crate::model::{Source, Timestamp};
use crate::upstream::pushdown::pushable;
use crate::upstream::pushdown::{
    plan_with, Lit, PlanInput, Pred, Pushdown, SourcePlan, StrFn, Translated,
};

use super::wire::{Criteria, SimpleQuery};

/// A piece of criteria: which slot and what goes in it.
#[derive(Debug, Clone)]
enum Slot {
    Text(&'static str, SimpleQuery),
    Permanent(bool),
}

fn text_slot(path: &str) -> Option<&'static str> {
    Some(match path {
        "sourceId" | "id" => "activationId",
        "orderRef" => "orderId",
        "entitlementId" | "attributes/entitlementId" => "entitlementId",
        _ => return None,
    })
}

fn date_slot(path: &str) -> Option<&'static str> {
    Some(match path {
        "startDate" => "startDate",
        "endDate" => "expirationDate",
        "createdAt" => "createdOnDateTime",
        "updatedAt" => "lastModifiedDateTime",
        _ => return None,
    })
}

fn strip(path: &str, s: &str) -> Option<String> {
    if path == "id" {
        s.strip_prefix("fno_orders:").map(str::to_owned)
    } else {
        Some(s.to_owned())
    }
}

/// `yyyy-MM-dd` of `t` shifted by `days`.
fn day(t: Timestamp, days: i64) -> Option<String> {
    let dt = t.to_datetime()?;
    let d = dt.date().checked_add(time::Duration::days(days))?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    ))
}

fn translate(p: &Pred, used: &mut Vec<&'static str>) -> Option<Translated<Slot>> {
    let (slot_name, slot) = match p {
        Pred::Cmp {
            field,
            op,
            value,
            lower,
        } => {
            if let Some(name) = text_slot(field) {
                if *op != CmpOp::Eq {
                    return None;
                }
                let v = strip(field, value.as_str()?)?;
                if !pushable(&v) {
                    return None;
                }
                (
                    name,
                    Slot::Text(
                        name,
                        SimpleQuery {
                            value: v,
                            search_type: "EQUALS",
                        },
                    ),
                )
            } else if let Some(name) = date_slot(field) {
                if *lower {
                    return None;
                }
                let Lit::Time { at, .. } = value else {
                    return None;
                };
                let (search_type, shift) = match op {
                    CmpOp::Gt | CmpOp::Ge => ("AFTER", -2),
                    CmpOp::Lt | CmpOp::Le => ("BEFORE", 2),
                    _ => return None,
                };
                (
                    name,
                    Slot::Text(
                        name,
                        SimpleQuery {
                            value: day(*at, shift)?,
                            search_type,
                        },
                    ),
                )
            } else if field == "isPermanent" && *op == CmpOp::Eq && !*lower {
                let Lit::Bool(b) = value else { return None };
                ("isPermanent", Slot::Permanent(*b))
            } else {
                return None;
            }
        }
        Pred::Str {
            func, field, value, ..
        } => {
            let name = text_slot(field)?;
            let search_type = match func {
                StrFn::Contains => "CONTAINS",
                StrFn::StartsWith => "STARTS_WITH",
                StrFn::EndsWith => "ENDS_WITH",
            };
            // `id` holds the `fno_orders:` prefix; only STARTS_WITH can strip it.
            let v = if field == "id" {
                if *func != StrFn::StartsWith {
                    return None;
                }
                value.strip_prefix("fno_orders:")?.to_owned()
            } else {
                value.clone()
            };
            if !pushable(&v) {
                return None;
            }
            (
                name,
                Slot::Text(
                    name,
                    SimpleQuery {
                        value: v,
                        search_type,
                    },
                ),
            )
        }
        // Every item of a line carries the line's own activation id: the same criterion as
        // `sourceId eq …`.
        Pred::Any { collection, inner } if collection == "items" => match inner.as_ref() {
            Pred::Cmp {
                field,
                op: CmpOp::Eq,
                value,
                lower: false,
            } if field == "activationId" => {
                let same = Pred::Cmp {
                    field: "sourceId".into(),
                    op: CmpOp::Eq,
                    value: value.clone(),
                    lower: false,
                };
                return translate(&same, used);
            }
            _ => return None,
        },
        _ => return None,
    };
    if used.contains(&slot_name) {
        return None;
    }
    used.push(slot_name);
    let text = match &slot {
        Slot::Text(n, q) => format!("{n} {} {}", q.search_type, q.value),
        Slot::Permanent(b) => format!("isPermanent {b}"),
    };
    let why = match (&slot, p.field().is_some_and(|f| date_slot(f).is_some())) {
        (_, true) => "FNO compares US Pacific calendar days: sent widened by two days",
        (Slot::Permanent(_), _) => "kept at the edge too: FNO's null handling is undocumented",
        (Slot::Text(..), _) => "FNO's string case rules are undocumented: a superset",
    };
    Some(Translated {
        pushdown: Pushdown::Inexact,
        native: slot,
        text,
        why,
    })
}

/// Plans a query against `POST /flexnet/operations/entitlementOrders`.
pub(super) fn plan(input: &PlanInput) -> SourcePlan {
    let mut used = Vec::new();
    let (mut plan, pieces, _) = plan_with(
        Source::FnoOrders,
        super::normalize::ABSENT,
        "FNO has no search criterion for it (or this form of it)",
        input,
        |p| translate(p, &mut used),
        |_| None,
    );
    let mut c = Criteria::default();
    for s in pieces {
        match s {
            Slot::Permanent(b) => c.is_permanent = Some(b),
            Slot::Text(name, q) => {
                let slot = match name {
                    "activationId" => &mut c.activation_id,
                    "orderId" => &mut c.order_id,
                    "entitlementId" => &mut c.entitlement_id,
                    "startDate" => &mut c.start_date,
                    "expirationDate" => &mut c.expiration_date,
                    "createdOnDateTime" => &mut c.created_on_date_time,
                    _ => &mut c.last_modified_date_time,
                };
                *slot = Some(q);
            }
        }
    }
    plan.native.body = serde_json::to_string(&c).ok();
    plan
}
