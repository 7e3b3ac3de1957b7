//! The pushdown planner, in three layers without cycles: `pred` (the vocabulary: a
//! recognised conjunct as a predicate over one normalized field), `recognise` (the AST
//! split at its top-level `and`, each conjunct recognised, and whether it prunes whole
//! sources) and `plan` (what an adapter is asked, [`PlanInput`], what it decides,
//! [`SourcePlan`], and the skeleton every vendor dialect fills in). Arrows:
//! `plan` → `recognise` → `pred`.
//!
//! This module imports no I/O.

mod plan;
mod pred;
mod recognise;

pub use plan::{NativeQuery, PlanInput, PlannedConjunct, Pushdown, SortField, SourcePlan, Window};
pub use pred::{Conjunct, Lit, Pred, StrFn};
pub use recognise::members_read;

pub(crate) use plan::{plan_with, pushable, sort_is_by_id, Params, Translated};
