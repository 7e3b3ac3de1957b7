//! FlexNet Operations REST entitlement orders (`POST /flexnet/operations/entitlementOrders`):
//! activatable line items, `batchSize`/`pageNumber` paging (1-based, no total: walk until
//! a short page), criteria pushdown, HTTP Basic or Bearer. A query failure arrives as
//! HTTP 200 with `statusInfo.status = FAILURE` and becomes `upstream.vendor_failure`.

pub mod dialect;
pub mod normalize;
pub mod wire;

use crate::model::Source;
use crate::upstream::error::{UpstreamError, UpstreamErrorKind};
use crate::upstream::fetch::{Cursor, NormCtx, Page, Vendor};
use crate::upstream::http::NativeRequest;
use crate::upstream::plan::{Plan, PlanInput};

/// The query path.
pub const ORDERS_PATH: &str = "/flexnet/operations/entitlementOrders";

/// The FNO entitlement-orders vendor.
#[derive(Debug, Clone, Copy, Default)]
pub struct FnoOrders;

/// Reads an FNO failure body: `{statusInfo:{status, reason}}` or anything with a message.
fn failure_reason(body: &[u8]) -> Option<String> {
    let l: wire::ErrorBody = crate::upstream::common::json(body).ok()?;
    l.status_info
        .and_then(|s| s.reason)
        .or(l.message)
        .or(l.error)
}

impl Vendor for FnoOrders {
    fn source(&self) -> Source {
        Source::FnoOrders
    }

    fn has_total(&self) -> bool {
        false
    }

    fn max_page(&self) -> u32 {
        100
    }

    fn plan(&self, input: &PlanInput) -> Plan {
        dialect::plan(input)
    }

    fn start(&self, plan: &Plan) -> (Cursor, u64) {
        (
            Cursor::Page { number: 1, size: 0 },
            plan.window.map_or(0, |w| w.offset),
        )
    }

    fn request(&self, base: &str, plan: &Plan, cursor: Cursor, size: u32) -> NativeRequest {
        let page = match cursor {
            Cursor::Page { number, .. } => number,
            Cursor::Offset(o) => o / u64::from(size.max(1)) + 1,
        };
        let criteria = plan.native.body.as_deref().unwrap_or("{}");
        let body = format!(
            "{{\"activatableItemSearchCriteria\":{criteria},\"batchSize\":{size},\"pageNumber\":{page}}}"
        );
        NativeRequest::post_json(base, ORDERS_PATH, body)
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        let resp: wire::Response = crate::upstream::common::json(body)
            .map_err(|e| UpstreamError::malformed(Source::FnoOrders, status, e))?;
        let st = resp.status_info.as_ref().and_then(|s| s.status.as_deref());
        if st.is_some_and(|s| !s.eq_ignore_ascii_case("SUCCESS")) {
            let reason = resp
                .status_info
                .and_then(|s| s.reason)
                .unwrap_or_else(|| "no reason given".into());
            return Err(UpstreamError::new(
                Source::FnoOrders,
                UpstreamErrorKind::VendorFailure {
                    reason: reason.clone(),
                },
                Some(status),
                format!("FNO query failed: {reason}"),
            ));
        }
        let items = resp.activatable_item.unwrap_or_default();
        let mut records: Vec<_> = items
            .iter()
            .map(|a| normalize::item(a, ctx.now_ms))
            .collect();
        if ctx.include_raw {
            let raw: wire::RawResponse = crate::upstream::common::json(body)
                .map_err(|e| UpstreamError::malformed(Source::FnoOrders, status, e))?;
            for (r, v) in records
                .iter_mut()
                .zip(raw.activatable_item.unwrap_or_default())
            {
                r.raw = Some(v);
            }
        }
        Ok(Page {
            count: items.len() as u64,
            total: None,
            records,
        })
    }

    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        let reason = failure_reason(body);
        let msg = match &reason {
            Some(r) => format!("HTTP {status}: {r}"),
            None => format!("HTTP {status}"),
        };
        UpstreamError::from_status(Source::FnoOrders, status, retry_after, msg)
    }
}
