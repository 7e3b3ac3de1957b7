//! FNO Entitlements API (Beta) list (`GET /entitlements-api/v1/entitlements`): `page`/`limit`
//! paging without a total (walk until a short page), exact-match parameters, bearer
//! access token. A body without `entitlements` (the spec's literal `{"status": …}`) is
//! `upstream.malformed`.

pub mod dialect;
pub mod normalize;
pub mod wire;

use crate::model::Source;
use crate::upstream::error::UpstreamError;
use crate::upstream::fetch::{Cursor, NormCtx, Page, Vendor};
use crate::upstream::http::NativeRequest;
use crate::upstream::plan::{Plan, PlanInput};

/// The list path.
pub const LIST_PATH: &str = "/entitlements-api/v1/entitlements";

/// The number of the first page (Spring-style, 0-based; the curl sample sends `page=0`).
pub const FIRST_PAGE: u64 = 0;

/// The FNO Entitlements (Beta) vendor.
#[derive(Debug, Clone, Copy, Default)]
pub struct FnoEntitlements;

impl Vendor for FnoEntitlements {
    fn source(&self) -> Source {
        Source::FnoEntitlements
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
            Cursor::Page {
                number: FIRST_PAGE,
                size: 0,
            },
            plan.window.map_or(0, |w| w.offset),
        )
    }

    fn request(&self, base: &str, plan: &Plan, cursor: Cursor, size: u32) -> NativeRequest {
        let page = match cursor {
            Cursor::Page { number, .. } => number,
            Cursor::Offset(o) => o / u64::from(size.max(1)) + FIRST_PAGE,
        };
        let mut r = NativeRequest::get(base, LIST_PATH);
        r.query.extend(plan.native.params.iter().cloned());
        r.param("page", page.to_string())
            .param("limit", size.to_string())
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        let list: wire::EntitlementList = crate::upstream::common::json(body)
            .map_err(|e| UpstreamError::malformed(Source::FnoEntitlements, status, e))?;
        let mut records: Vec<_> = list
            .entitlements
            .iter()
            .map(|e| normalize::entitlement(e, ctx.now_ms))
            .collect();
        if ctx.include_raw {
            let raw: wire::RawList = crate::upstream::common::json(body)
                .map_err(|e| UpstreamError::malformed(Source::FnoEntitlements, status, e))?;
            for (r, v) in records.iter_mut().zip(raw.entitlements) {
                r.raw = Some(v);
            }
        }
        Ok(Page {
            count: list.entitlements.len() as u64,
            total: None,
            records,
        })
    }

    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        let detail = crate::upstream::common::json::<wire::ErrorBody>(body)
            .ok()
            .and_then(|l| {
                let status = match l.status {
                    Some(wire::StatusField::Text(s)) => Some(s),
                    _ => None,
                };
                l.message.or(l.error).or(status)
            });
        let msg = match detail {
            Some(d) => format!("HTTP {status}: {d}"),
            None => format!("HTTP {status}"),
        };
        UpstreamError::from_status(Source::FnoEntitlements, status, retry_after, msg)
    }
}
