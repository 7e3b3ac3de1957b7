//! Pushdown into the Beta list's exact-match query parameters.
//!
//! | normalized | parameter | pushed |
//! |---|---|---|
//! | `status eq 'draft'` / `'inactive'` / `'obsolete'` | `status=draft` / `inactive` / `obsoleted` | exact |
//! | `customer/id eq` | `accountId` | inexact (matches any account of the entitlement) |
//! | `customer/name eq` | `accountName` | inexact (any account, case-insensitive) |
//! | `items/any(i: i/productName eq …)` | `product` | inexact (case-insensitive) |
//! | `items/any(i: i/productVersion eq …)` | `version` | inexact (any line's product; case rule undocumented) |
//! | `items/any(i: i/activationId eq …)` | `activationId` | inexact (also matches maintenance lines, which are not items) |
//! | sort by `sourceId`/`id` (or none) | `sort_by=entitlement_id&sort_order=…` | exact |
//! | sort by `createdAt` first (any keys after it) | `sort_by=created_on&sort_order=…` | exact, ties at the edge |
//!
//! `created_on` is an instant the vendor orders by; its order among records created in
//! the same instant is undocumented, so the edge holds each run of equal `createdAt`
//! until it ends and orders it by the remaining keys and the id
//! ([`SourcePlan::ties_unordered`]): the stream merges as it arrives, and a
//! `sort=createdAt` walk reads only as deep as its pages go instead of the whole list.
//!
//! `active` maps from two vendor words (deployed, active) and `expired` is derived from
//! dates, so neither is pushed. `obsolete` is sent as the documented query word
//! `obsoleted` (the vendor treats `obsolete`/`obsoleted` alike). `contact/email` is not
//! pushed: `contactEmail` matches account e-mails, while the record's contact e-mail is
//! `shipToEmail` first, so the upstream could drop matching rows. Each parameter holds
//! one value; a second predicate on it stays at the edge. `partNumber` is not pushed: the
//! vendor matches the line's part number, while an item's `partNumber` is its product's
//! first (the line's only when the product has none), so the upstream could drop matching
//! rows. The list has no entitlement id parameter (`entitlementId`/`sourceId` stay at the
//! edge; a lookup by id uses the single-entitlement route).

use crate::filter::CmpOp;
use crate::model::Source;
use crate::upstream::pushdown::{
    plan_with, PlanInput, Pred, Pushdown, SortField, SourcePlan, Translated,
};
use crate::upstream::pushdown::{pushable, sort_is_by_id};

fn translate(p: &Pred, used: &mut Vec<&'static str>) -> Option<Translated<(&'static str, String)>> {
    if let Pred::Any { collection, inner } = p {
        if let (
            "items",
            Pred::Cmp {
                field,
                op: CmpOp::Eq,
                value,
                ..
            },
        ) = (collection.as_str(), inner.as_ref())
        {
            let v = value.as_str()?;
            let param = match field.as_str() {
                "productName" => "product",
                "productVersion" => "version",
                "activationId" => "activationId",
                _ => return None,
            };
            if pushable(v) && !used.contains(&param) {
                used.push(param);
                return Some(Translated {
                    pushdown: Pushdown::Inexact,
                    text: format!("{param}={v}"),
                    native: (param, v.to_owned()),
                    why: if param == "activationId" {
                        "matches any line, maintenance lines too: a superset"
                    } else {
                        "matches any line's product, case rule undocumented: a superset"
                    },
                });
            }
        }
        return None;
    }
    let Pred::Cmp {
        field,
        op: CmpOp::Eq,
        value,
        lower: false,
    } = p
    else {
        return None;
    };
    let v = value.as_str()?;
    let (param, val, pushdown) = match field.as_str() {
        "status" => match v {
            "draft" | "inactive" => ("status", v.to_owned(), Pushdown::Exact),
            "obsolete" => ("status", "obsoleted".to_owned(), Pushdown::Exact),
            _ => return None,
        },
        "customer/id" => ("accountId", v.to_owned(), Pushdown::Inexact),
        "customer/name" => ("accountName", v.to_owned(), Pushdown::Inexact),
        _ => return None,
    };
    if !pushable(v) || used.contains(&param) {
        return None;
    }
    used.push(param);
    Some(Translated {
        pushdown,
        text: format!("{param}={val}"),
        native: (param, val),
        why: match param {
            "status" => "the vendor word that maps to exactly this status",
            _ => "matches any account of the entitlement: a superset",
        },
    })
}

fn sort(keys: &[SortField]) -> Option<Vec<(String, String)>> {
    let (by, desc) = match keys.first() {
        Some(k) if k.field == "createdAt" => ("created_on", k.desc),
        _ => ("entitlement_id", sort_is_by_id(keys)?),
    };
    Some(vec![
        ("sort_by".into(), by.into()),
        (
            "sort_order".into(),
            if desc { "desc" } else { "asc" }.into(),
        ),
    ])
}

/// Plans a query against `GET /entitlements-api/v1/entitlements`.
pub(super) fn plan(input: &PlanInput) -> SourcePlan {
    let mut used = Vec::new();
    let (mut plan, pieces, sort) = plan_with(
        Source::FnoEntitlements,
        super::normalize::ABSENT,
        "the Beta list has no parameter for it (only exact values of eight fields)",
        input,
        |p| translate(p, &mut used),
        sort,
    );
    for (k, v) in pieces {
        plan.native.params.push((k.into(), v));
    }
    if let Some(s) = sort {
        plan.native.params.extend(s);
    }
    if plan.sort_pushed && input.sort.first().is_some_and(|k| k.field == "createdAt") {
        // Ordered by the instant; ties and any later keys are ordered at the edge.
        plan.sort_exact = true;
        plan.ties_unordered = true;
        plan.window = None;
    }
    plan
}
