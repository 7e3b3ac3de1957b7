//! Pushdown into GreenLake's OData subset (`eq`, `ne`, `in`, `and`) on its whitelisted
//! order fields, and into its `sort` ([`plan`]); the devices resource has its own field
//! list ([`plan_devices`], documented there).
//!
//! Orders:
//!
//! | normalized | Flex field | pushed |
//! |---|---|---|
//! | `sourceId`, `id` (prefix stripped) | `id` | `eq`, `in` exact; `ne` exact |
//! | `orderRef` | `sowId` | `eq`, `in`, `ne` exact (required field) |
//! | `customer/name` | `customerName` | `eq`, `in`, `ne` exact (required field) |
//! | `billingAccount/id` | `billingAccountId` | `eq`, `in`, `ne` exact (required field) |
//! | `billingAccount/name` | `billingAccountName` | `eq`, `in`, `ne` exact (required field) |
//! | `attributes/isFlexPartner` | `isFlexPartner` | `eq true/false` exact (absent matches neither) |
//! | `partners/any(p: p/role eq 'reseller' and p/name eq …)` (also `distributor`, `partner`) | `resellerName`, `distributorName`, `partnerName` | `eq`, `in` exact (absent matches neither) |
//!
//! String `eq` is case-sensitive on both sides, so these are Exact. An `in` list longer
//! than [`MAX_IN`] stays at the edge (URL length). Nothing else is
//! pushed: GreenLake documents no `contains`/`startswith`, no comparisons on dates and
//! no case-insensitive match. The partner fields are optional, so `ne` on them would drop
//! rows without the field, and a partner name without a role is any of the three fields
//! (GreenLake's filter has no `or`): those stay at the edge.
//! A group-by of one path goes to GreenLake's `orders/transform` ([`group_field`]) when
//! the whole filter is pushed exactly and the vendor's groups are the edge's:
//!
//! | normalized | `group-by` | why |
//! |---|---|---|
//! | `orderRef` | `sowId` | a required, single-valued field: one group per order |
//! | `customer/name` | `customerName` | the same |
//! | `billingAccount/id` | `billingAccountId` | the same |
//! | `billingAccount/name` | `billingAccountName` | the same |
//! | `partners/name` | not sent | transform's `partnerName` is the union of `resellerName` and `distributorName`; the edge's partners also hold `partnerName` (and count an order once per partner) |
//!
//! The transform lists distinct values only (no counts), so each group's count is one
//! `limit=0` orders call with the filter narrowed by `<field> eq '<value>'` (its
//! `total`); orders without a value are the filter's total less the groups' sum. The
//! transform filters on neither `id` nor `isFlexPartner`: a filter pushing either groups
//! at the edge.
//!
//! With a `select` (and no `include=raw`), GreenLake's own `select` asks only for the
//! fields the selected, filtered and sorted members need ([`select`]'s table).
//!
//! Sort pushes when every key maps to a required field (`orderRef`, `customer/name`,
//! `billingAccount/*`, `startDate`, `endDate`, `createdAt`, `updatedAt`, `sourceId`/`id`);
//! `id asc` is appended as the tie-breaker, matching the edge. The pushed order is
//! *exact* (records merge as they arrive) only on instants and the id: GreenLake's dates
//! are RFC 3339 UTC and its ids UUIDs, ordered the same by any collation, whereas how it
//! collates text (case, accents, punctuation) is undocumented.

use crate::filter::CmpOp;
use crate::model::Source;
use crate::upstream::pushdown::pushable;
use crate::upstream::pushdown::{
    plan_with, Lit, Params, PlanInput, Pred, Pushdown, SortField, SourcePlan, Translated,
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

/// The `orders/transform` `group-by` field for a group-by of `path` under `plan` (see
/// the module table), when the vendor's groups are exactly the edge's: every conjunct
/// pushed exactly, none on a field the transform cannot filter.
pub(super) fn group_field(plan: &SourcePlan, path: &str) -> Option<&'static str> {
    let f = match path {
        "orderRef" => "sowId",
        "customer/name" => "customerName",
        "billingAccount/id" => "billingAccountId",
        "billingAccount/name" => "billingAccountName",
        _ => return None,
    };
    let transform_filters =
        |native: &str| !(native.starts_with("id ") || native.starts_with("isFlexPartner "));
    let all_pushed = plan.residual.is_empty()
        && plan.conjuncts.iter().all(|c| {
            c.pushdown == Pushdown::Exact && c.native.as_deref().is_some_and(transform_filters)
        });
    all_pushed.then_some(f)
}

/// `plan`'s filter narrowed to the orders whose `field` is `key` (`None` for a blank
/// key, which no `eq` can count the way the edge does).
pub(super) fn narrowed_filter(plan: &SourcePlan, field: &str, key: &str) -> Option<String> {
    if !pushable(key) {
        return None;
    }
    let eq = format!("{field} eq {}", quote(key));
    Some(
        match plan.native.params.iter().find(|(k, _)| k == "filter") {
            Some((_, f)) => format!("{f} and {eq}"),
            None => eq,
        },
    )
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
            why: "a required field, compared case-sensitively on both sides",
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
        Pred::AnyAnd { collection, inner } if collection == "partners" => {
            let native = partner(inner)?;
            Some(Translated {
                pushdown: Pushdown::Exact,
                text: native.clone(),
                native,
                why: "one partner field per role, compared case-sensitively; absent matches neither side",
            })
        }
        _ => None,
    }
}

/// `partners/any(p: p/role eq '<role>' and p/name eq|in …)` as the one GreenLake field
/// that holds that role's partner (`resellerName eq 'x'`). A record has a partner of a
/// role exactly when the vendor sent that field, so `eq`/`in` match the same orders on
/// both sides; `ne` would also match orders without the field upstream, and a name
/// without a role is any of three fields (GreenLake's filter has no `or`): both stay at
/// the edge.
fn partner(inner: &[Pred]) -> Option<String> {
    let [a, b] = inner else { return None };
    let is_role = |p: &Pred| {
        matches!(p, Pred::Cmp { field, op: CmpOp::Eq, value: Lit::Str(_), lower: false }
            if field == "role")
    };
    let (role, name) = if is_role(a) { (a, b) } else { (b, a) };
    let Pred::Cmp {
        value: Lit::Str(role),
        ..
    } = role
    else {
        return None;
    };
    let f = match role.as_str() {
        "reseller" => "resellerName",
        "distributor" => "distributorName",
        "partner" => "partnerName",
        _ => return None,
    };
    match name {
        Pred::Cmp {
            field,
            op: CmpOp::Eq,
            value: Lit::Str(v),
            lower: false,
        } if field == "name" && pushable(v) => Some(format!("{f} eq {}", quote(v))),
        Pred::In { field, values } if field == "name" && values.len() <= MAX_IN => {
            let vs: Option<Vec<String>> = values
                .iter()
                .map(|l| l.as_str().filter(|s| pushable(s)).map(quote))
                .collect();
            Some(format!("{f} in ({})", vs?.join(", ")))
        }
        _ => None,
    }
}

fn sort(keys: &[SortField]) -> Option<Vec<(String, String)>> {
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

/// The sort keys whose pushed order is certainly the edge's: instants and the id.
fn certain(field: &str) -> bool {
    matches!(
        field,
        "startDate" | "endDate" | "createdAt" | "updatedAt" | "id" | "sourceId"
    )
}

/// Plans a query against `/flex/v1beta1/orders`.
pub(super) fn plan(input: &PlanInput) -> SourcePlan {
    let mut plan = plan_collection(super::normalize::ABSENT, input, translate, sort);
    plan.sort_exact =
        plan.sort_pushed && !input.sort.is_empty() && input.sort.iter().all(|k| certain(&k.field));
    if let Some(fields) = input.fields.as_deref().filter(|_| !input.include_raw) {
        if let Some(select) = select(fields) {
            plan.native.params.push(("select".into(), select));
        }
    }
    plan
}

/// GreenLake's `select` for the record members the edge reads (`id` always: records
/// are keyed by it); `None` (send every field) for a member it cannot map.
///
/// | members | Flex fields |
/// |---|---|
/// | `id`, `source`, `sourceId`, `kind` | `id` |
/// | `orderRef` | `sowId` |
/// | `customer` | `customerName` |
/// | `billingAccount` | `billingAccountId`, `billingAccountName` |
/// | `partners` | `resellerName`, `distributorName`, `partnerName` |
/// | `status` (derived from the dates) | `orderStartDate`, `orderEndDate` |
/// | `startDate`, `endDate`, `createdAt`, `updatedAt` | `orderStartDate`, `orderEndDate`, `createdAt`, `updatedAt` |
/// | `attributes` | `generation`, `isFlexPartner` (each also alone) |
/// | members orders never have (`name`, `contact`, `items`, …) | none |
fn select(fields: &[String]) -> Option<String> {
    let mut out: Vec<&str> = vec!["id"];
    for f in fields {
        let add: &[&str] = match f.as_str() {
            "id" | "source" | "sourceId" | "kind" => &[],
            "orderRef" => &["sowId"],
            "customer" => &["customerName"],
            "billingAccount" => &["billingAccountId", "billingAccountName"],
            "partners" => &["resellerName", "distributorName", "partnerName"],
            "status" => &["orderStartDate", "orderEndDate"],
            "startDate" => &["orderStartDate"],
            "endDate" => &["orderEndDate"],
            "createdAt" => &["createdAt"],
            "updatedAt" => &["updatedAt"],
            "attributes" => &["generation", "isFlexPartner"],
            "attributes/generation" => &["generation"],
            "attributes/isFlexPartner" => &["isFlexPartner"],
            a if a.starts_with("attributes/") => &[],
            "contact" => &[],
            m if super::normalize::ABSENT.contains(&m) => &[],
            _ => return None,
        };
        for a in add {
            if !out.contains(a) {
                out.push(a);
            }
        }
    }
    Some(out.join(","))
}

/// Orders and devices alike: the pushed pieces joined into one `filter` parameter with
/// `and`, then the `sort` parameter.
fn plan_collection(
    absent: &[&str],
    input: &PlanInput,
    translate: fn(&Pred) -> Option<Translated<String>>,
    sort: fn(&[SortField]) -> Option<Params>,
) -> SourcePlan {
    let why = "GreenLake filters only eq/ne/in joined by and on its whitelisted fields";
    let (mut plan, pieces, sort) = plan_with(Source::HpeFlex, absent, why, input, translate, sort);
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

// ---------------------------------------------------------------------------------------
// Devices (`/flex/v1beta1/devices`).

/// The devices filter field for a normalized path, and whether GreenLake requires it
/// (a required field is never absent, so `ne` matches the same rows on both sides).
fn device_field(path: &str) -> Option<(&'static str, bool)> {
    Some(match path {
        "sourceId" | "id" => ("id", true),
        "name" => ("name", false),
        "billingAccount/name" => ("billingAccountName", false),
        "attributes/make" => ("make", true),
        "attributes/partNumber" => ("partNumber", true),
        "attributes/resourceId" => ("resourceId", true),
        _ => return None,
    })
}

/// The devices filter field for a field of the one-element `devices` collection.
fn device_element_field(field: &str) -> Option<(&'static str, bool)> {
    Some(match field {
        "id" => ("id", true),
        "mac" => ("macAddress", true),
        "serial" => ("serialNumber", true),
        "model" => ("model", true),
        // `deviceType` is not filterable upstream.
        _ => return None,
    })
}

/// The devices sort field for a normalized path (required fields only: GreenLake puts
/// absent values first, the edge puts them last).
fn device_sort_field(path: &str) -> Option<&'static str> {
    Some(match path {
        "createdAt" => "createdAt",
        "updatedAt" => "updatedAt",
        p => match device_field(p)? {
            (f, true) => f,
            (_, false) => return None,
        },
    })
}

/// `f eq|ne v` or `f in (…)` on a devices field; `ne` only on required fields.
fn device_cmp(p: &Pred, f: &'static str, required: bool, id_prefixed: bool) -> Option<String> {
    let v = |lit: &Lit| -> Option<String> {
        let s = lit.as_str()?;
        if !pushable(s) {
            return None;
        }
        if id_prefixed {
            return s.strip_prefix("hpe_flex:").map(quote);
        }
        Some(quote(s))
    };
    match p {
        Pred::Cmp {
            op: CmpOp::Eq,
            value,
            lower: false,
            ..
        } => Some(format!("{f} eq {}", v(value)?)),
        Pred::Cmp {
            op: CmpOp::Ne,
            value,
            lower: false,
            ..
        } if required => Some(format!("{f} ne {}", v(value)?)),
        Pred::In { values, .. } if values.len() <= MAX_IN => {
            let vs: Option<Vec<String>> = values.iter().map(v).collect();
            Some(format!("{f} in ({})", vs?.join(", ")))
        }
        _ => None,
    }
}

fn device_translate(p: &Pred) -> Option<Translated<String>> {
    let native = match p {
        // A device record holds exactly one element in `devices` (itself), so `any` over
        // it is the predicate on the device.
        Pred::Any { collection, inner } if collection == "devices" => {
            let (f, required) = device_element_field(inner.field()?)?;
            device_cmp(inner, f, required, false)?
        }
        // `partners` holds at most the one distributor from `billingTier` (optional).
        Pred::Any { collection, inner } if collection == "partners" => {
            if inner.field()? != "name" {
                return None;
            }
            device_cmp(inner, "billingTier", false, false)?
        }
        Pred::Any { .. } => return None,
        _ => {
            let path = p.field()?;
            let (f, required) = device_field(path)?;
            device_cmp(p, f, required, path == "id")?
        }
    };
    Some(Translated {
        pushdown: Pushdown::Exact,
        text: native.clone(),
        native,
        why: "a device record holds exactly itself; compared case-sensitively on both sides",
    })
}

fn device_sort(keys: &[SortField]) -> Option<Vec<(String, String)>> {
    let mut parts = Vec::new();
    let mut by_id = false;
    for k in keys {
        // A key no device has ties every record: it orders nothing, here or at the edge.
        if super::normalize::DEVICE_ABSENT.contains(&k.field.as_str()) {
            continue;
        }
        let f = device_sort_field(&k.field)?;
        by_id |= f == "id";
        parts.push(format!("{f} {}", if k.desc { "desc" } else { "asc" }));
    }
    if !by_id {
        parts.push("id asc".into());
    }
    Some(vec![("sort".into(), parts.join(","))])
}

/// Plans a query against `/flex/v1beta1/devices`.
///
/// | normalized | Flex device field | pushed |
/// |---|---|---|
/// | `sourceId`, `id` (prefix stripped) | `id` | `eq`, `in`, `ne` exact |
/// | `name` | `name` | `eq`, `in` exact (optional field: `ne` stays at the edge) |
/// | `billingAccount/name` | `billingAccountName` | `eq`, `in` exact (optional) |
/// | `attributes/make`, `attributes/partNumber`, `attributes/resourceId` | `make`, `partNumber`, `resourceId` | `eq`, `in`, `ne` exact (required) |
/// | `devices/any(d: d/id …)`, `d/mac`, `d/serial`, `d/model` | `id`, `macAddress`, `serialNumber`, `model` | `eq`, `in`, `ne` exact (one element, required fields) |
/// | `partners/any(p: p/name …)` | `billingTier` | `eq`, `in` exact (optional) |
///
/// `devices/type` (`deviceType`) is not filterable upstream and stays at the edge, as do
/// `tolower`, string functions, comparisons, `all` and `or` across fields. Sort pushes
/// on `sourceId`/`id`, `createdAt`, `updatedAt` and the three required attributes,
/// with `id asc` as the tie-breaker; keys on fields no device has (the default
/// `endDate`) are dropped, since they tie every record.
pub(super) fn plan_devices(input: &PlanInput) -> SourcePlan {
    let mut plan = plan_collection(
        super::normalize::DEVICE_ABSENT,
        input,
        device_translate,
        device_sort,
    );
    plan.sort_exact = plan.sort_pushed
        && !input.sort.is_empty()
        && input.sort.iter().all(|k| {
            super::normalize::DEVICE_ABSENT.contains(&k.field.as_str())
                || matches!(
                    k.field.as_str(),
                    "createdAt" | "updatedAt" | "id" | "sourceId"
                )
        });
    plan
}
