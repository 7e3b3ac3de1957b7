//! Pushdown into the Beta list's exact-match query parameters.
//!
//! | normalized | parameter | pushed |
//! |---|---|---|
//! | `status eq 'draft'` / `'inactive'` | `status=draft` / `inactive` | exact |
//! | `customer/id eq` | `accountId` | inexact (matches any account of the entitlement) |
//! | `customer/name eq` | `accountName` | inexact (any account) |
//! | sort by `sourceId`/`id` (or none) | `sort_by=entitlement_id&sort_order=…` | exact |
//!
//! `active` maps from two vendor words (deployed, active) and `expired` is derived from
//! dates, so neither is pushed; `obsolete` is not pushed because the query word
//! (`obsoleted`) and the stored word (`obsolete`) drift. Each parameter holds one value.

use crate::model::Source;
use crate::upstream::common::sort_is_by_id;
use crate::upstream::plan::{
    plan_with, CmpOp, Plan, PlanInput, Pred, Pushdown, SortKey, Translated,
};

fn translate(p: &Pred, used: &mut Vec<&'static str>) -> Option<Translated<(&'static str, String)>> {
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
            _ => return None,
        },
        "customer/id" => ("accountId", v.to_owned(), Pushdown::Inexact),
        "customer/name" => ("accountName", v.to_owned(), Pushdown::Inexact),
        _ => return None,
    };
    if v.is_empty() || used.contains(&param) {
        return None;
    }
    used.push(param);
    Some(Translated {
        pushdown,
        text: format!("{param}={val}"),
        native: (param, val),
    })
}

fn sort(keys: &[SortKey]) -> Option<Vec<(String, String)>> {
    let desc = sort_is_by_id(keys)?;
    Some(vec![
        ("sort_by".into(), "entitlement_id".into()),
        (
            "sort_order".into(),
            if desc { "desc" } else { "asc" }.into(),
        ),
    ])
}

/// Plans a query against `GET /entitlements-api/v1/entitlements`.
pub fn plan(input: &PlanInput) -> Plan {
    let mut used = Vec::new();
    let (mut plan, pieces, sort) = plan_with(
        Source::FnoEntitlements,
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
    plan
}
