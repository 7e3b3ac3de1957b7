//! Pushdown into GreenLake's OData subset (`eq`, `ne`, `in`, `and`) on its whitelisted
//! order fields, and into its `sort`.
//!
//! | normalized | Flex field | pushed |
//! |---|---|---|
//! | `sourceId`, `id` (prefix stripped) | `id` | `eq`, `in` exact; `ne` exact |
//! | `orderRef` | `sowId` | `eq`, `in`, `ne` exact (required field) |
//! | `customer/name` | `customerName` | `eq`, `in`, `ne` exact (required field) |
//! | `billingAccount/id` | `billingAccountId` | `eq`, `in`, `ne` exact (required field) |
//! | `billingAccount/name` | `billingAccountName` | `eq`, `in`, `ne` exact (required field) |
//! | `attributes/isFlexPartner` | `isFlexPartner` | `eq true/false` exact (absent matches neither) |
//!
//! String `eq` is case-sensitive on both sides, so these are Exact. An `in` list longer
//! than [`MAX_IN`] stays at the edge (URL length). Nothing else is
//! pushed: GreenLake documents no `contains`/`startswith`, no comparisons on dates and
//! no case-insensitive match; `partnerName`/`resellerName` are optional, so `ne` on them
//! would drop rows without the field, and partners are a list at the edge.
//! Sort pushes when every key maps to a required field (`orderRef`, `customer/name`,
//! `billingAccount/*`, `startDate`, `endDate`, `createdAt`, `updatedAt`, `sourceId`/`id`);
//! `id asc` is appended as the tie-breaker, matching the edge.

use crate::model::Source;
use crate::upstream::common::pushable;
use crate::upstream::plan::{
    plan_with, CmpOp, Lit, Plan, PlanInput, Pred, Pushdown, SortKey, Translated,
};

/// The longest `in` list sent upstream.
pub const MAX_IN: usize = 50;

/// The Flex filter field for a normalized path, and whether it is required (never absent).
fn field(path: &str) -> Option<&'static str> {
    Some(match path {
        "sourceId" | "id" => "id",
        "orderRef" => "sowId",
        "customer/name" => "customerName",
        "billingAccount/id" => "billingAccountId",
        "billingAccount/name" => "billingAccountName",
        _ => return None,
    })
}

/// The Flex sort field for a normalized path.
fn sort_field(path: &str) -> Option<&'static str> {
    Some(match path {
        "startDate" => "orderStartDate",
        "endDate" => "orderEndDate",
        "createdAt" => "createdAt",
        "updatedAt" => "updatedAt",
        p => return field(p),
    })
}

/// An OData string literal (`'` doubled).
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The value as Flex sees it (`id` literals lose the `hpe_flex:` prefix); `None` when the
/// literal cannot match any Flex record in that field (then we do not push).
fn value(path: &str, lit: &Lit) -> Option<String> {
    let s = lit.as_str()?;
    if !pushable(s) {
        return None;
    }
    if path == "id" {
        return s.strip_prefix("hpe_flex:").map(quote);
    }
    Some(quote(s))
}

fn translate(p: &Pred) -> Option<Translated<String>> {
    let exact = |native: String| {
        Some(Translated {
            pushdown: Pushdown::Exact,
            text: native.clone(),
            native,
        })
    };
    match p {
        // `attributes/isFlexPartner eq true|false`: an absent flag matches neither side.
        Pred::Cmp {
            field,
            op: CmpOp::Eq,
            value: Lit::Bool(b),
            lower: false,
        } if field == "attributes/isFlexPartner" => exact(format!("isFlexPartner eq {b}")),
        Pred::Cmp {
            field: path,
            op,
            value: lit,
            lower: false,
        } => {
            let f = field(path)?;
            let v = value(path, lit)?;
            match op {
                CmpOp::Eq => exact(format!("{f} eq {v}")),
                CmpOp::Ne => exact(format!("{f} ne {v}")),
                _ => None,
            }
        }
        Pred::In {
            field: path,
            values,
        } => {
            // Keep URLs short: a long list stays at the edge.
            if values.len() > MAX_IN {
                return None;
            }
            let f = field(path)?;
            let vs: Option<Vec<String>> = values.iter().map(|l| value(path, l)).collect();
            exact(format!("{f} in ({})", vs?.join(", ")))
        }
        _ => None,
    }
}

fn sort(keys: &[SortKey]) -> Option<Vec<(String, String)>> {
    let mut parts = Vec::new();
    for k in keys {
        let f = sort_field(&k.field)?;
        parts.push(format!("{f} {}", if k.desc { "desc" } else { "asc" }));
    }
    if !keys.iter().any(|k| sort_field(&k.field) == Some("id")) {
        parts.push("id asc".into());
    }
    Some(vec![("sort".into(), parts.join(","))])
}

/// Plans a query against `/flex/v1beta1/orders`.
pub fn plan(input: &PlanInput) -> Plan {
    let (mut plan, pieces, sort) = plan_with(
        Source::HpeFlex,
        super::normalize::ABSENT,
        input,
        translate,
        sort,
    );
    if !pieces.is_empty() {
        plan.native
            .params
            .push(("filter".into(), pieces.join(" and ")));
    }
    if let Some(s) = sort {
        plan.native.params.extend(s);
    }
    plan
}
