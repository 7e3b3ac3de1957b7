//! A group-by answered by the vendor (`Walker::group_counts`), written once for every
//! vendor that has one ([`Vendor::group_field`]; today GreenLake's `orders/transform`):
//! the filter's size, the distinct values page by page, then one count call per value.
//! It is taken only where it costs fewer calls than reading every record, and it reads
//! no record at all; otherwise the caller reads the source and groups at the edge.
//!
//! Talks HTTP only through the exchange; imports no `worker`, no wasm, no `std::time`.

use std::collections::BTreeMap;

use futures_util::future::join_all;

use crate::upstream::pushdown::SourcePlan;

use super::budget::Spend;
use super::error::{UpstreamError, UpstreamErrorKind};
use super::fetch::{Keys, NormCtx, Walker};
use super::http::{Clock, HttpClient, NativeRequest};
use super::wire::text;

/// The groups of one source as its vendor counted them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grouped {
    /// Each value (as the edge normalizes it: a blank one is `None`) with the records
    /// that have it; `None` also holds the records without the field. No zero counts.
    pub groups: Vec<(Option<String>, u64)>,
    /// The records the filter matches (the sum of the counts).
    pub total: u64,
    /// The requests made, described for explain (no secrets).
    pub requests: Vec<String>,
    /// How the groups were made, for explain.
    pub how: String,
}

/// What the vendor group-by (`group_counts`, above) decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Grouping {
    /// The vendor counted the groups: no record is read.
    Vendor(Grouped),
    /// Read the records and group at the edge; `asked` are the requests already made
    /// to decide (the filter's count, the first values page), for explain.
    Edge {
        /// The requests made, described (no secrets).
        asked: Vec<String>,
    },
}

/// The smallest full read (in calls) for which a vendor group-by is tried: the count,
/// the first values page and one count per value are at least three calls.
const MIN_SCAN_CALLS: u64 = 4;

impl Walker<'_> {
    /// The groups of `path` under `plan`, counted by the vendor, when it has a group-by
    /// of that path and it costs fewer calls than reading every record
    /// ([`Grouping::Edge`] otherwise: the caller reads and groups at the edge). The calls
    /// are claimed from `spend` before the counts start; a vendor that refuses the values
    /// request (a 4xx) is read instead.
    pub async fn group_counts<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        path: &str,
        spend: Spend<'_>,
    ) -> Result<Grouping, UpstreamError> {
        let mut asked = Vec::new();
        Ok(
            match self
                .try_group(client, clock, plan, path, spend, &mut asked)
                .await?
            {
                Some(g) => Grouping::Vendor(g),
                None => Grouping::Edge { asked },
            },
        )
    }

    /// `group_counts`, noting in `requests` each request made.
    async fn try_group<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        path: &str,
        spend: Spend<'_>,
        requests: &mut Vec<String>,
    ) -> Result<Option<Grouped>, UpstreamError> {
        let Some(field) = self.vendor.group_field(plan, path) else {
            return Ok(None);
        };
        let size = self.vendor.max_page().max(1);
        let max = u64::from(size);
        // The filter's size first (one small call): a source read in a few pages is read.
        let Some(count_req) = self.vendor.count_request(self.base, plan) else {
            return Ok(None);
        };
        requests.push(count_req.describe());
        let Some(total) = self.count(client, clock, plan, spend).await? else {
            return Ok(None);
        };
        let scan_calls = total.div_ceil(max).max(1);
        if scan_calls < MIN_SCAN_CALLS {
            return Ok(None);
        }
        let Some(first_req) = self.vendor.keys_request(self.base, plan, field, 0, size) else {
            return Ok(None);
        };
        requests.push(first_req.describe());
        let first = match self
            .keys_page(client, clock, &first_req, field, spend)
            .await
        {
            Err(e) if e.kind == UpstreamErrorKind::BadRequest => return Ok(None),
            r => r?,
        };
        let Some(distinct) = first.total else {
            return Ok(None);
        };
        // The calls still to make: the other values pages, then one count per value;
        // taken only when fewer than reading every record from here.
        let pages = distinct.div_ceil(max).max(1);
        let calls = pages.saturating_sub(1).saturating_add(distinct);
        if calls >= scan_calls {
            return Ok(None);
        }
        let Ok(calls_u32) = u32::try_from(calls) else {
            return Ok(None);
        };
        if !spend.claim(calls_u32) {
            return Ok(None);
        }
        let mut values = first.values;
        let mut rest = Vec::new();
        for p in 1..pages {
            let Some(req) =
                self.vendor
                    .keys_request(self.base, plan, field, p.saturating_mul(max), size)
            else {
                return Ok(None);
            };
            requests.push(req.describe());
            rest.push(req);
        }
        for page in join_all(
            rest.iter()
                .map(|req| self.keys_page(client, clock, req, field, spend)),
        )
        .await
        {
            values.extend(page?.values);
        }
        // A value listed twice (pages of a list that changed while it was read) is counted
        // once.
        values.sort_unstable();
        values.dedup();
        // One count per value; a value no `eq` can count (blank) joins the `None` group
        // through the difference below.
        let mut counted = Vec::new();
        for v in &values {
            if let Some(req) = self.vendor.key_count_request(self.base, plan, field, v) {
                requests.push(req.describe());
                counted.push((v, req));
            }
        }
        let ctx = NormCtx {
            now_ms: plan.now_ms,
            include_raw: false,
        };
        let answers = join_all(counted.iter().map(|(_, req)| async move {
            let (status, body) = self.exchange(client, clock, req, spend).await?;
            self.vendor.parse_count(status, &body, ctx)
        }))
        .await;
        let mut groups: BTreeMap<Option<String>, u64> = BTreeMap::new();
        let mut sum = 0u64;
        for ((v, _), n) in counted.iter().zip(answers) {
            let n = n?;
            sum = sum.saturating_add(n);
            *groups.entry(text(Some(v.as_str()))).or_insert(0) += n;
        }
        // Records whose value is absent or blank are in the filter's total only.
        if let Some(rest) = total.checked_sub(sum).filter(|r| *r > 0) {
            *groups.entry(None).or_insert(0) += rest;
        }
        groups.retain(|_, n| *n > 0);
        Ok(Some(Grouped {
            total: groups.values().sum(),
            groups: groups.into_iter().collect(),
            how: format!(
                "group-by pushed: {distinct} distinct `{field}` values in {pages} transform page(s), then one count call per value ({} calls in all, against {scan_calls} pages to read every record)",
                requests.len()
            ),
            requests: std::mem::take(requests),
        }))
    }

    /// One page of distinct values.
    async fn keys_page<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        req: &NativeRequest,
        field: &str,
        spend: Spend<'_>,
    ) -> Result<Keys, UpstreamError> {
        let (status, body) = self.exchange(client, clock, req, spend).await?;
        self.vendor.parse_keys(status, &body, field)
    }
}
