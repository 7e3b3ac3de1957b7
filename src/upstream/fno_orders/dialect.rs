//! Pushdown into FNO `activatableItemSearchCriteria`.
//!
//! | normalized | criterion | pushed |
//! |---|---|---|
//! | `sourceId`, `id` (prefix stripped) | `activationId` | `eq`→EQUALS, `startswith`→STARTS_WITH, `contains`→CONTAINS, `endswith`→ENDS_WITH — inexact |
//! | `orderRef` | `orderId` | same — inexact |
//! | `entitlementId`, `attributes/entitlementId` | `entitlementId` | same — inexact |
//! | `items/any(i: i/activationId eq …)` | `activationId` | EQUALS — inexact (every item carries its line's activation id) |
//! | `attributes/parentBulkEntitlementId`, `attributes/licenseTechnology`, `attributes/parentLineItem` | `parentBulkEntitlementId`, `licenseTechnology`, `lineItemParentLineItemId` | as `sourceId` — inexact |
//! | `partners/any(p: p/name eq …)` | `accountId` with `partnerTier` `ANY` | EQUALS — inexact (the account's `primaryKeys.name`, which `accountId` matches, in any tier: the end customer's too) |
//! | `attributes/activatableItemType eq 'LINEITEM'`/`'WEBREGKEY'` | `activatableItemType` | inexact (the vendor's two words only) |
//! | `startDate`, `endDate`, `attributes/versionDate` | `startDate`, `expirationDate`, `versionDate` | the day range of every `gt`/`ge`/`lt`/`le`/`eq` on the field: one day → ON, else AFTER (lower bound), else BEFORE — inexact ([`date_criteria`]) |
//! | `createdAt`, `updatedAt` | `createdOnDateTime`, `lastModifiedDateTime` | the lower bound → AFTER (instant − 1 s), else the upper → BEFORE (instant + 1 s) — inexact |
//! | `isPermanent` | `isPermanent` | `eq true/false` — inexact |
//!
//! Everything is Inexact: FNO's string match case rules are undocumented (a
//! case-insensitive upstream still returns a superset of a case-sensitive `eq`), and its
//! date search compares calendar days while its dates arrive as Pacific-midnight epochs or
//! bare days, so the pushed day range covers both forms and the exact comparison stays at
//! the edge. String criteria match case-insensitively upstream, so `tolower(f) …` forms are
//! pushed too (as supersets).
//! Each criterion holds one condition: a second text predicate on the same field stays at
//! the edge, and the predicates on one date field fold into one range. FNO cannot sort, so sort and offset/limit are never pushed.

use crate::filter::CmpOp;
use crate::model::{Source, Timestamp};
use crate::upstream::pushdown::pushable;
use crate::upstream::pushdown::{
    plan_with, Lit, PlanInput, Pred, Pushdown, SourcePlan, StrFn, Translated,
};

use super::wire::{AccountQuery, Criteria, SimpleQuery};

/// A piece of criteria: which slot and what goes in it.
#[derive(Debug, Clone)]
enum Slot {
    Text(&'static str, SimpleQuery),
    /// `accountId` over every partner tier (`partnerTier: ANY`).
    AnyTier(SimpleQuery),
    Permanent(bool),
    ItemType(&'static str),
    /// Carried by another conjunct's criterion on the same field (dates).
    Folded,
}

fn text_slot(path: &str) -> Option<&'static str> {
    Some(match path {
        "sourceId" | "id" => "activationId",
        "orderRef" => "orderId",
        "entitlementId" | "attributes/entitlementId" => "entitlementId",
        "attributes/parentBulkEntitlementId" => "parentBulkEntitlementId",
        "attributes/licenseTechnology" => "licenseTechnology",
        "attributes/parentLineItem" => "lineItemParentLineItemId",
        _ => return None,
    })
}

fn date_slot(path: &str) -> Option<&'static str> {
    Some(match path {
        "startDate" => "startDate",
        "endDate" => "expirationDate",
        "createdAt" => "createdOnDateTime",
        "updatedAt" => "lastModifiedDateTime",
        "attributes/versionDate" => "versionDate",
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

/// Milliseconds in a day and in the largest US Pacific offset (PST, UTC−8).
const DAY_MS: i64 = 86_400_000;
const PST_MS: i64 = 8 * 3_600_000;

/// The calendar date of a day number (days since 1970-01-01).
fn date_of(day: i64) -> Option<time::Date> {
    time::Date::from_julian_day(i32::try_from(day.checked_add(2_440_588)?).ok()?).ok()
}

/// `yyyy-MM-dd` of a day number (days since 1970-01-01).
fn ymd(day: i64) -> Option<String> {
    let d = date_of(day)?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    ))
}

/// Which side of a range a comparison bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Lower,
    Upper,
    Both,
}

fn side(op: CmpOp) -> Option<Side> {
    Some(match op {
        CmpOp::Gt | CmpOp::Ge => Side::Lower,
        CmpOp::Lt | CmpOp::Le => Side::Upper,
        CmpOp::Eq => Side::Both,
        _ => return None,
    })
}

/// What one date criterion says: its query, and which bounds of the conjuncts on its
/// field it carries.
#[derive(Debug, Clone)]
struct DateCriterion {
    slot: &'static str,
    query: SimpleQuery,
    lower: bool,
    upper: bool,
}

impl DateCriterion {
    fn carries(&self, s: Side) -> bool {
        match s {
            Side::Lower => self.lower,
            Side::Upper => self.upper,
            Side::Both => self.lower || self.upper,
        }
    }
}

/// The date conjuncts of the query, folded per criterion into one condition: FNO holds one
/// `{value, searchType}` per date field.
///
/// Date fields (`startDate`, `expirationDate`) are calendar days. FNO sends a day `d` as
/// epoch milliseconds at its US Pacific midnight (the seed) or as `yyyy-MM-dd` (read as
/// midnight UTC, seven or eight hours earlier). So `f ge T` needs the first day whose
/// Pacific midnight is at or after `T`, and `f le T` at most the day whose UTC midnight is
/// (strict forms alike): the range of days either form can match. The bounds of all
/// conjuncts on the field make one range, sent as `ON d` when it is one day, else as
/// `AFTER lo−1` (the lower bound), else `BEFORE hi+1`. For a date bound (`2025-03-01`) the
/// range is exactly the days the edge keeps in both forms, across DST changes; a lower
/// bound is exact for Pacific-midnight epochs, an upper bound for bare dates. The edge
/// still re-applies every conjunct.
///
/// Date-time fields (`createdOnDateTime`, `lastModifiedDateTime`) take instants: the lower
/// bound goes as `AFTER` one second before it (else the upper as `BEFORE` one second after),
/// in RFC 3339 UTC, so a vendor that keeps whole seconds still returns every match.
fn date_criteria(input: &PlanInput) -> Vec<DateCriterion> {
    // slot → (lowest admissible value, highest admissible value), in days or milliseconds.
    let mut ranges: Vec<(&'static str, Option<i64>, Option<i64>)> = Vec::new();
    for c in &input.conjuncts {
        let Pred::Cmp {
            field,
            op,
            value: Lit::Time { at, .. },
            lower: false,
        } = &c.pred
        else {
            continue;
        };
        let (Some(slot), Some(side)) = (date_slot(field), side(*op)) else {
            continue;
        };
        let t = at.0;
        let strict = matches!(op, CmpOp::Gt | CmpOp::Lt);
        let (lo, hi) = if is_day_slot(slot) {
            // The first day whose later instant (its Pacific midnight) passes the bound,
            // the last whose earlier one (midnight UTC) does.
            let passes = |d: i64| pacific_midnight(d).is_some_and(|m| m > t || (!strict && m == t));
            let first = (t - PST_MS).div_euclid(DAY_MS);
            let lo = (first..first + 3).find(|&d| passes(d)).unwrap_or(first + 3);
            let hi = (t - i64::from(strict)).div_euclid(DAY_MS);
            (lo, hi)
        } else {
            (t, t)
        };
        let i = match ranges.iter().position(|r| r.0 == slot) {
            Some(i) => i,
            None => {
                ranges.push((slot, None, None));
                ranges.len() - 1
            }
        };
        let r = &mut ranges[i];
        if side != Side::Upper {
            r.1 = Some(r.1.map_or(lo, |x| x.max(lo)));
        }
        if side != Side::Lower {
            r.2 = Some(r.2.map_or(hi, |x| x.min(hi)));
        }
    }
    ranges
        .into_iter()
        .filter_map(|(slot, lo, hi)| {
            let q = |value, search_type| SimpleQuery { value, search_type };
            let (query, lower, upper) = if is_day_slot(slot) {
                match (lo, hi) {
                    (Some(l), Some(h)) if h <= l => (q(ymd(l)?, "ON"), true, true),
                    (Some(l), _) => (q(ymd(l - 1)?, "AFTER"), true, false),
                    (None, Some(h)) => (q(ymd(h + 1)?, "BEFORE"), false, true),
                    (None, None) => return None,
                }
            } else {
                let instant =
                    |ms: i64| Timestamp::from_millis(ms.div_euclid(1000) * 1000).to_rfc3339();
                match (lo, hi) {
                    (Some(l), _) => (q(instant(l - 1000), "AFTER"), true, false),
                    (None, Some(h)) => (q(instant(h + 1999), "BEFORE"), false, true),
                    (None, None) => return None,
                }
            };
            Some(DateCriterion {
                slot,
                query,
                lower,
                upper,
            })
        })
        .collect()
}

/// Epoch milliseconds of midnight US Pacific (by the rule in
/// [`pacific_offset`](crate::upstream::client::dates::pacific_offset)) starting day `day`.
fn pacific_midnight(day: i64) -> Option<i64> {
    let date = date_of(day)?;
    let local = time::PrimitiveDateTime::new(date, time::Time::MIDNIGHT);
    let offset = crate::upstream::client::dates::pacific_offset(local);
    Some(day * DAY_MS - i64::from(offset.whole_seconds()) * 1000)
}

fn is_day_slot(slot: &str) -> bool {
    matches!(slot, "startDate" | "expirationDate" | "versionDate")
}

fn translate(
    p: &Pred,
    dates: &[DateCriterion],
    used: &mut Vec<&'static str>,
) -> Option<Translated<Slot>> {
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
                if *lower || !matches!(value, Lit::Time { .. }) {
                    return None;
                }
                let d = dates.iter().find(|d| d.slot == name)?;
                if !d.carries(side(*op)?) {
                    return None;
                }
                let text = format!("{name} {} {}", d.query.search_type, d.query.value);
                let why = "FNO compares calendar days, sent as Pacific-midnight epochs or bare dates: the days either can match";
                // The criterion holds every conjunct on this field: the first sends it.
                let native = if used.contains(&name) {
                    Slot::Folded
                } else {
                    used.push(name);
                    Slot::Text(name, d.query.clone())
                };
                return Some(Translated {
                    pushdown: Pushdown::Inexact,
                    native,
                    text,
                    why,
                });
            } else if field == "attributes/activatableItemType" && *op == CmpOp::Eq && !*lower {
                // The vendor's two words only (it refuses any other).
                let t = match value.as_str()? {
                    "LINEITEM" => "LINEITEM",
                    "WEBREGKEY" => "WEBREGKEY",
                    _ => return None,
                };
                ("activatableItemType", Slot::ItemType(t))
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
                return translate(&same, dates, used);
            }
            _ => return None,
        },
        // A channel partner's account (its `primaryKeys.name`, what `accountId` matches)
        // in any tier. Not `customer/name`: a line without an end-customer partner takes
        // its customer from `soldTo`, which `accountId` does not match.
        Pred::Any { collection, inner } if collection == "partners" => match inner.as_ref() {
            Pred::Cmp {
                field,
                op: CmpOp::Eq,
                value,
                lower: false,
            } if field == "name" => {
                let v = value.as_str()?;
                if !pushable(v) {
                    return None;
                }
                (
                    "accountId",
                    Slot::AnyTier(SimpleQuery {
                        value: v.to_owned(),
                        search_type: "EQUALS",
                    }),
                )
            }
            _ => return None,
        },
        _ => return None,
    };
    if used.contains(&slot_name) {
        return None;
    }
    used.push(slot_name);
    let (text, why) = match &slot {
        Slot::Text(n, q) => (
            format!("{n} {} {}", q.search_type, q.value),
            "FNO's string case rules are undocumented: a superset",
        ),
        Slot::AnyTier(q) => (
            format!("accountId {} {} partnerTier ANY", q.search_type, q.value),
            "any tier's account, the end customer's too; string case rules undocumented: a superset",
        ),
        Slot::Permanent(b) => (
            format!("isPermanent {b}"),
            "kept at the edge too: FNO's null handling is undocumented",
        ),
        Slot::ItemType(t) => (
            format!("activatableItemType {t}"),
            "kept at the edge too: FNO's enum matching is undocumented",
        ),
        Slot::Folded => return None,
    };
    Some(Translated {
        pushdown: Pushdown::Inexact,
        native: slot,
        text,
        why,
    })
}

/// The `accountId` criterion of `q` in `tier` (`None` would be the end customer's).
fn account(q: SimpleQuery, tier: Option<&'static str>) -> AccountQuery {
    AccountQuery {
        value: q.value,
        search_type: q.search_type,
        partner_tier: tier,
    }
}

/// Plans a query against `POST /flexnet/operations/entitlementOrders`.
pub(super) fn plan(input: &PlanInput) -> SourcePlan {
    let mut used = Vec::new();
    let dates = date_criteria(input);
    let (mut plan, pieces, _) = plan_with(
        Source::FnoOrders,
        super::normalize::ABSENT,
        "FNO has no search criterion for it (or this form of it)",
        input,
        |p| translate(p, &dates, &mut used),
        |_| None,
    );
    let mut c = Criteria::default();
    for s in pieces {
        match s {
            Slot::Folded => {}
            Slot::Permanent(b) => c.is_permanent = Some(b),
            Slot::ItemType(t) => c.activatable_item_type = Some(t),
            Slot::AnyTier(q) => c.account_id = Some(account(q, Some("ANY"))),
            Slot::Text(name, q) => {
                let slot = match name {
                    "activationId" => &mut c.activation_id,
                    "orderId" => &mut c.order_id,
                    "entitlementId" => &mut c.entitlement_id,
                    "parentBulkEntitlementId" => &mut c.parent_bulk_entitlement_id,
                    "licenseTechnology" => &mut c.license_technology,
                    "lineItemParentLineItemId" => &mut c.line_item_parent_line_item_id,
                    "startDate" => &mut c.start_date,
                    "expirationDate" => &mut c.expiration_date,
                    "createdOnDateTime" => &mut c.created_on_date_time,
                    "versionDate" => &mut c.version_date,
                    _ => &mut c.last_modified_date_time,
                };
                *slot = Some(q);
            }
        }
    }
    plan.native.body = serde_json::to_string(&c).ok();
    plan
}
