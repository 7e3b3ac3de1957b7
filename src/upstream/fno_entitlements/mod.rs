//! FNO Entitlements API (Beta) list (`GET /entitlements-api/v1/entitlements`): `page`/`limit`
//! paging without a total (walk until a short page), exact-match parameters, bearer
//! access token. A body without `entitlements` (the spec's literal `{"status": …}`) is
//! `upstream.malformed`.
//!
//! The REST API has no get-by-id and no list parameter for the entitlement id. One
//! entitlement is found in two calls: `GET /v1/entitlement/{id}/line-items?limit=1` (a 404
//! says it does not exist), then the list narrowed by that line item's exact
//! `activationId` (an activation id is unique across all line items, upstreams.md §3.5).

mod dialect;
mod normalize;
mod wire;
pub(super) mod write;

use crate::model::Source;
use crate::upstream::client::http::{path_segment, NativeRequest};
use crate::upstream::client::wire::{json, parse_page};
use crate::upstream::client::{Cursor, Lookup, NormCtx, Page, Paging, UpstreamError, Vendor};
use crate::upstream::pushdown::{PlanInput, SourcePlan};

/// The list path.
const LIST_PATH: &str = "/entitlements-api/v1/entitlements";

/// The path of one entitlement's line items (`{}` is the entitlement id).
const LINES_PATH: &str = "/entitlements-api/v1/entitlement";

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

    fn lookup(&self, base: &str, source_id: &str) -> Lookup {
        let path = format!("{LINES_PATH}/{}/line-items", path_segment(source_id));
        Lookup::Narrow(NativeRequest::get(base, &path).param("limit", "1"))
    }

    fn narrow(
        &self,
        status: u16,
        body: &[u8],
    ) -> Result<Option<Vec<(String, String)>>, UpstreamError> {
        let lines: wire::LineItemList =
            json(body).map_err(|e| UpstreamError::malformed(Source::FnoEntitlements, status, e))?;
        Ok(lines
            .line_items
            .into_iter()
            .flatten()
            .find_map(|l| l.activation_id.filter(|a| !a.trim().is_empty()))
            .map(|a| vec![("activationId".to_owned(), a)]))
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
