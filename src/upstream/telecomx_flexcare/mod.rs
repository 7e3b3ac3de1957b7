//! TelecomX IPTV FlexCare orders (`GET /iptv/flexcareorder`): offset/limit paging with a
//! `total`, one free-text filter, a login token with a sliding expiry. TelecomX answers
//! 403 `access_denied` both for an invalid token and for an insufficient access level:
//! the shared exchange logs in again once, then reports `upstream.forbidden`.

pub mod dialect;
pub mod normalize;
pub mod wire;

use crate::model::Source;
use crate::upstream::error::UpstreamError;
use crate::upstream::fetch::{Cursor, NormCtx, Page, Vendor};
use crate::upstream::http::NativeRequest;
use crate::upstream::plan::{Plan, PlanInput};

/// The list path.
pub const LIST_PATH: &str = "/iptv/flexcareorder";

/// The TelecomX FlexCare vendor.
#[derive(Debug, Clone, Copy, Default)]
pub struct TelecomxFlexcare;

impl Vendor for TelecomxFlexcare {
    fn source(&self) -> Source {
        Source::TelecomxFlexcare
    }

    fn max_page(&self) -> u32 {
        100
    }

    fn plan(&self, input: &PlanInput) -> Plan {
        dialect::plan(input)
    }

    fn start(&self, plan: &Plan) -> (Cursor, u64) {
        (Cursor::Offset(plan.window.map_or(0, |w| w.offset)), 0)
    }

    fn request(&self, base: &str, plan: &Plan, cursor: Cursor, size: u32) -> NativeRequest {
        let offset = match cursor {
            Cursor::Offset(o) => o,
            Cursor::Page { number, size } => number.saturating_mul(u64::from(size)),
        };
        let mut r = NativeRequest::get(base, LIST_PATH)
            .param("offset", offset.to_string())
            .param("limit", size.to_string());
        r.query.extend(plan.native.params.iter().cloned());
        r
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        let list: wire::OrderList = crate::upstream::common::json(body)
            .map_err(|e| UpstreamError::malformed(Source::TelecomxFlexcare, status, e))?;
        let mut records: Vec<_> = list.flexcare_orders.iter().map(normalize::order).collect();
        if ctx.include_raw {
            let raw: wire::RawList = crate::upstream::common::json(body)
                .map_err(|e| UpstreamError::malformed(Source::TelecomxFlexcare, status, e))?;
            for (r, v) in records.iter_mut().zip(raw.flexcare_orders) {
                r.raw = Some(v);
            }
        }
        Ok(Page {
            count: list.flexcare_orders.len() as u64,
            total: list.total,
            records,
        })
    }

    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        let token = crate::upstream::common::json::<wire::ErrorBody>(body)
            .ok()
            .and_then(|b| b.message.or(b.error));
        let msg = match token {
            Some(t) => format!("HTTP {status}: {t}"),
            None => format!("HTTP {status}"),
        };
        UpstreamError::from_status(Source::TelecomxFlexcare, status, retry_after, msg)
    }
}
