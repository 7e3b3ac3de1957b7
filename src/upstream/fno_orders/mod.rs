//! FlexNet Operations REST entitlement orders (`POST /flexnet/operations/entitlementOrders`):
//! activatable line items, `batchSize`/`pageNumber` paging (1-based, no total: walk until
//! a short page), criteria pushdown, HTTP Basic or Bearer. A query failure arrives as
//! HTTP 200 with `statusInfo.status = FAILURE` and becomes `upstream.vendor_failure`.

mod dialect;
mod normalize;
mod wire;

use crate::model::Source;
use crate::upstream::client::http::NativeRequest;
use crate::upstream::client::wire::{json, parse_page};
use crate::upstream::client::{Cursor, NormCtx, Page, Paging, UpstreamError, Vendor};
use crate::upstream::pushdown::{PlanInput, SourcePlan};

/// The query path.
const ORDERS_PATH: &str = "/flexnet/operations/entitlementOrders";

/// The number of the first page.
const FIRST_PAGE: u64 = 1;

/// The FNO entitlement-orders vendor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FnoOrders;

impl Vendor for FnoOrders {
    fn source(&self) -> Source {
        Source::FnoOrders
    }

    fn paging(&self) -> Paging {
        Paging::Page { first: FIRST_PAGE }
    }

    fn plan(&self, input: &PlanInput) -> SourcePlan {
        dialect::plan(input)
    }

    fn request(&self, base: &str, plan: &SourcePlan, cursor: Cursor, size: u32) -> NativeRequest {
        let page = cursor.page(FIRST_PAGE, size);
        let criteria = plan.native.body.as_deref().unwrap_or("{}");
        let body = format!(
            "{{\"activatableItemSearchCriteria\":{criteria},\"batchSize\":{size},\"pageNumber\":{page}}}"
        );
        NativeRequest::post_json(base, ORDERS_PATH, body)
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        parse_page::<wire::Response, wire::RawResponse>(
            Source::FnoOrders,
            status,
            body,
            ctx,
            |a, ctx| normalize::item(a, ctx.now_ms),
        )
    }

    /// Reads an FNO failure body: `{statusInfo:{status, reason}}` or anything with a
    /// message.
    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        let reason = json::<wire::ErrorBody>(body).ok().and_then(|l| {
            l.status_info
                .and_then(|s| s.reason)
                .or(l.message)
                .or(l.error)
        });
        UpstreamError::from_status_detail(Source::FnoOrders, status, retry_after, reason)
    }
}
