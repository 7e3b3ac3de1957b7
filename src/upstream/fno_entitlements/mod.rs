//! FNO Entitlements API (Beta) list (`GET /entitlements-api/v1/entitlements`): `page`/`limit`
//! paging without a total (walk until a short page), exact-match parameters, bearer
//! access token. A body without `entitlements` (the spec's literal `{"status": …}`) is
//! `upstream.malformed`.

mod dialect;
mod normalize;
mod wire;
pub(super) mod write;

use crate::model::Source;
use crate::upstream::client::http::NativeRequest;
use crate::upstream::client::wire::{json, parse_page};
use crate::upstream::client::{Cursor, NormCtx, Page, Paging, UpstreamError, Vendor};
use crate::upstream::pushdown::{PlanInput, SourcePlan};

/// The list path.
const LIST_PATH: &str = "/entitlements-api/v1/entitlements";

/// The number of the first page (Spring-style, 0-based; the curl sample sends `page=0`).
const FIRST_PAGE: u64 = 0;

/// The FNO Entitlements (Beta) vendor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FnoEntitlements;

impl Vendor for FnoEntitlements {
    fn source(&self) -> Source {
        Source::FnoEntitlements
    }

    fn paging(&self) -> Paging {
        Paging::Page { first: FIRST_PAGE }
    }

    fn plan(&self, input: &PlanInput) -> SourcePlan {
        dialect::plan(input)
    }

    fn request(&self, base: &str, plan: &SourcePlan, cursor: Cursor, size: u32) -> NativeRequest {
        let mut r = NativeRequest::get(base, LIST_PATH);
        r.query.extend(plan.native.params.iter().cloned());
        r.param("page", cursor.page(FIRST_PAGE, size).to_string())
            .param("limit", size.to_string())
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        parse_page::<wire::EntitlementList, wire::RawList>(
            Source::FnoEntitlements,
            status,
            body,
            ctx,
            |e, ctx| normalize::entitlement(e, ctx.now_ms),
        )
    }

    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        let detail = json::<wire::ErrorBody>(body).ok().and_then(|l| {
            let status = match l.status {
                Some(wire::StatusField::Text(s)) => Some(s),
                _ => None,
            };
            l.message.or(l.error).or(status)
        });
        UpstreamError::from_status_detail(Source::FnoEntitlements, status, retry_after, detail)
    }
}
