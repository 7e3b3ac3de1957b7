//! Pushdown into TelecomX's one free-text `filter` (a case-insensitive substring search
//! over `name, p1TaskId, poNumber, licenses.active, changes.from, changes.to`).
//!
//! `name` or `orderRef` (`poNumber`) with `eq`, `contains`, `startswith`, `endswith`
//! (also under `tolower`) is pushed as the search text — always Inexact: the search also
//! hits other fields and ignores case, so it returns a superset and the predicate stays
//! at the edge. Only one text can be sent: the longest candidate wins, the others stay at
//! the edge. TelecomX cannot sort: sort and offset/limit are never pushed.

use crate::filter::CmpOp;
use crate::model::Source;
use crate::upstream::pushdown::{plan_with, PlanInput, Pred, Pushdown, SourcePlan, Translated};

fn candidate(p: &Pred) -> Option<&str> {
    let (field, v) = match p {
        Pred::Cmp {
            field,
            op: CmpOp::Eq,
            value,
            ..
        } => (field, value.as_str()?),
        Pred::Str { field, value, .. } => (field, value.as_str()),
        _ => return None,
    };
    // Final sigma lower-cases by context, so substring containment could break; leave
    // such text to the edge.
    (matches!(field.as_str(), "name" | "orderRef") && !v.trim().is_empty() && !v.contains('Σ'))
        .then_some(v)
}

/// Plans a query against `GET /iptv/flexcareorder`.
pub(super) fn plan(input: &PlanInput) -> SourcePlan {
    let best = input
        .conjuncts
        .iter()
        .filter(|c| c.admits.is_none())
        .filter_map(|c| candidate(&c.pred))
        .max_by_key(|v| v.len())
        .map(str::to_owned);
    let mut sent = false;
    let (mut plan, pieces, _) = plan_with(
        Source::TelecomxFlexcare,
        super::normalize::ABSENT,
        "TelecomX takes one free-text search over name and PO number, nothing else",
        input,
        |p| {
            let v = candidate(p)?;
            if sent || Some(v) != best.as_deref() {
                return None;
            }
            sent = true;
            Some(Translated {
                pushdown: Pushdown::Inexact,
                native: v.to_owned(),
                text: format!("filter={v}"),
                why: "the search ignores case and also hits other fields: a superset",
            })
        },
        |_| None,
    );
    if let Some(v) = pieces.into_iter().next() {
        plan.native.params.push(("filter".into(), v));
    }
    plan
}
