//! HPE GreenLake Flex Solutions v1beta1: orders ([`HpeFlex`], `GET /flex/v1beta1/orders`)
//! and devices ([`HpeFlexDevices`], `GET /flex/v1beta1/devices`, records of kind
//! `device`). Both page by offset/limit (limit ≤ 100) with a `total`, take an
//! OData-subset filter and sort, and use one bearer token from OAuth2 client credentials
//! (the devices adapter is a [`sibling`](crate::upstream::Adapter::sibling) of the orders
//! one, sharing its token cache). Devices cannot be linked to an order, so they are their
//! own resource (`/v1/devices`), not part of order records; the transform endpoint is not
//! mapped (see `docs/adapters.md`).

pub mod dialect;
pub mod normalize;
pub mod wire;

use crate::model::Source;
use crate::upstream::error::{UpstreamError, UpstreamErrorKind};
use crate::upstream::fetch::{Cursor, NormCtx, Page, Vendor};
use crate::upstream::http::NativeRequest;
use crate::upstream::plan::{Plan, PlanInput};

/// The orders path.
pub const ORDERS_PATH: &str = "/flex/v1beta1/orders";

/// The devices path.
pub const DEVICES_PATH: &str = "/flex/v1beta1/devices";

/// The GreenLake Flex vendor.
#[derive(Debug, Clone, Copy, Default)]
pub struct HpeFlex;

impl Vendor for HpeFlex {
    fn source(&self) -> Source {
        Source::HpeFlex
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
        list_request(base, ORDERS_PATH, plan, cursor, size)
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        let list: wire::OrderList = crate::upstream::common::json(body)
            .map_err(|e| UpstreamError::malformed(Source::HpeFlex, status, e))?;
        let records = list.items.iter().map(|o| normalize::order(o, ctx.now_ms));
        page(records, list.total, body, status, ctx)
    }

    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        error(status, body, retry_after)
    }
}

/// The GreenLake Flex devices vendor: same host, credentials, paging and errors as
/// [`HpeFlex`], its own path, fields and normalization.
#[derive(Debug, Clone, Copy, Default)]
pub struct HpeFlexDevices;

impl Vendor for HpeFlexDevices {
    fn source(&self) -> Source {
        Source::HpeFlex
    }

    fn max_page(&self) -> u32 {
        100
    }

    fn plan(&self, input: &PlanInput) -> Plan {
        dialect::plan_devices(input)
    }

    fn start(&self, plan: &Plan) -> (Cursor, u64) {
        (Cursor::Offset(plan.window.map_or(0, |w| w.offset)), 0)
    }

    fn request(&self, base: &str, plan: &Plan, cursor: Cursor, size: u32) -> NativeRequest {
        list_request(base, DEVICES_PATH, plan, cursor, size)
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        let list: wire::DeviceList = crate::upstream::common::json(body)
            .map_err(|e| UpstreamError::malformed(Source::HpeFlex, status, e))?;
        page(
            list.items.iter().map(normalize::device),
            list.total,
            body,
            status,
            ctx,
        )
    }

    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        error(status, body, retry_after)
    }
}

/// A parsed page of a GreenLake list endpoint (orders or devices): the normalized items and,
/// when `raw` is asked for, each item's original object from the same body.
fn page(
    records: impl Iterator<Item = crate::model::Record>,
    total: Option<u64>,
    body: &[u8],
    status: u16,
    ctx: NormCtx,
) -> Result<Page, UpstreamError> {
    let mut records: Vec<_> = records.collect();
    if ctx.include_raw {
        let raw: wire::RawList = crate::upstream::common::json(body)
            .map_err(|e| UpstreamError::malformed(Source::HpeFlex, status, e))?;
        for (r, v) in records.iter_mut().zip(raw.items) {
            r.raw = Some(v);
        }
    }
    Ok(Page {
        count: records.len() as u64,
        total,
        records,
    })
}

/// One page of a GreenLake list endpoint at `path`.
fn list_request(base: &str, path: &str, plan: &Plan, cursor: Cursor, size: u32) -> NativeRequest {
    let offset = match cursor {
        Cursor::Offset(o) => o,
        Cursor::Page { number, size } => number.saturating_mul(u64::from(size)),
    };
    let mut r = NativeRequest::get(base, path);
    r.query.extend(plan.native.params.iter().cloned());
    r.param("offset", offset.to_string())
        .param("limit", size.to_string())
}

/// Classifies a GreenLake error response from its body.
fn error(status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
    let parsed: Option<wire::ErrorBody> = crate::upstream::common::json(body).ok();
    let Some(b) = parsed else {
        return UpstreamError::from_status(
            Source::HpeFlex,
            status,
            retry_after,
            format!("HTTP {status} without a GreenLake error body"),
        );
    };
    let retry_after = retry_after.or_else(|| {
        b.error_details
            .iter()
            .flatten()
            .find_map(|d| d.retry_after_seconds)
    });
    let issue = b
        .error_details
        .iter()
        .flatten()
        .flat_map(|d| d.issues.iter().flatten())
        .find_map(|i| {
            Some(format!(
                " ({}: {})",
                i.subject.as_deref()?,
                i.description.as_deref().unwrap_or("")
            ))
        })
        .unwrap_or_default();
    let message = format!(
        "{}: {}{}{}",
        b.error_code.as_deref().unwrap_or("HPE_GL_ERROR"),
        b.message.as_deref().unwrap_or(""),
        issue,
        b.debug_id
            .as_deref()
            .map(|d| format!(" [debugId {d}]"))
            .unwrap_or_default()
    );
    let mut e = UpstreamError::from_status(Source::HpeFlex, status, retry_after, message);
    if status == 422 {
        e.kind = UpstreamErrorKind::BadRequest;
    }
    e
}
