//! TelecomX IPTV FlexCare orders (`GET /iptv/flexcareorder`): offset/limit paging with a
//! `total`, one free-text filter, a login token with a sliding expiry. TelecomX answers
//! 403 `access_denied` both for an invalid token and for an insufficient access level:
//! the shared exchange logs in again once, then reports `upstream.forbidden`.

mod dialect;
mod normalize;
mod wire;

use crate::model::Source;
use crate::upstream::client::http::NativeRequest;
use crate::upstream::client::wire::{json, parse_page, MessageBody};
use crate::upstream::client::{Cursor, NormCtx, Page, UpstreamError, Vendor};
use crate::upstream::pushdown::{PlanInput, SourcePlan};

/// The list path.
const LIST_PATH: &str = "/iptv/flexcareorder";

/// The TelecomX FlexCare vendor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TelecomxFlexcare;

impl Vendor for TelecomxFlexcare {
    fn source(&self) -> Source {
        Source::TelecomxFlexcare
    }

    fn plan(&self, input: &PlanInput) -> SourcePlan {
        dialect::plan(input)
    }

    fn request(&self, base: &str, plan: &SourcePlan, cursor: Cursor, size: u32) -> NativeRequest {
        let mut r = NativeRequest::get(base, LIST_PATH)
            .param("offset", cursor.offset().to_string())
            .param("limit", size.to_string());
        r.query.extend(plan.native.params.iter().cloned());
        r
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        parse_page::<wire::OrderList, wire::RawList>(
            Source::TelecomxFlexcare,
            status,
            body,
            ctx,
            |o, _| normalize::order(o),
        )
    }

    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        let detail = json::<MessageBody>(body).ok().and_then(MessageBody::detail);
        UpstreamError::from_status_detail(Source::TelecomxFlexcare, status, retry_after, detail)
    }
}
