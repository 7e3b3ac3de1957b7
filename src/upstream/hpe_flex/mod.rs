//! HPE GreenLake Flex Solutions v1beta1: orders ([`HpeFlex::Orders`], `GET
//! /flex/v1beta1/orders`) and devices ([`HpeFlex::Devices`], `GET /flex/v1beta1/devices`,
//! records of kind `device`). Both page by offset/limit (limit ≤ 100) with a `total`, take
//! an OData-subset filter and sort, and use one bearer token from OAuth2 client
//! credentials (the devices adapter is a sibling of the orders one, sharing its token
//! cache). Devices cannot be linked to an order, so they are their
//! own resource (`/v1/devices`), not part of order records; the transform endpoint is not
//! mapped (see `docs/adapters.md`).

mod dialect;
mod normalize;
mod wire;

use crate::model::Source;
use crate::upstream::client::http::NativeRequest;
use crate::upstream::client::wire::parse_page;
use crate::upstream::client::{Cursor, NormCtx, Page, UpstreamError, UpstreamErrorKind, Vendor};
use crate::upstream::pushdown::{PlanInput, SourcePlan};

/// The orders path.
const ORDERS_PATH: &str = "/flex/v1beta1/orders";

/// The devices path.
const DEVICES_PATH: &str = "/flex/v1beta1/devices";

/// GreenLake Flex, one of its two resources: same host, credentials, paging and errors;
/// each its own path, fields and normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HpeFlex {
    /// `GET /flex/v1beta1/orders`.
    Orders,
    /// `GET /flex/v1beta1/devices`.
    Devices,
}

impl Vendor for HpeFlex {
    fn source(&self) -> Source {
        Source::HpeFlex
    }

    fn plan(&self, input: &PlanInput) -> SourcePlan {
        match self {
            HpeFlex::Orders => dialect::plan(input),
            HpeFlex::Devices => dialect::plan_devices(input),
        }
    }

    fn request(&self, base: &str, plan: &SourcePlan, cursor: Cursor, size: u32) -> NativeRequest {
        let path = match self {
            HpeFlex::Orders => ORDERS_PATH,
            HpeFlex::Devices => DEVICES_PATH,
        };
        let mut r = NativeRequest::get(base, path);
        r.query.extend(plan.native.params.iter().cloned());
        r.param("offset", cursor.offset().to_string())
            .param("limit", size.to_string())
    }

    fn parse(&self, status: u16, body: &[u8], ctx: NormCtx) -> Result<Page, UpstreamError> {
        match self {
            HpeFlex::Orders => parse_page::<wire::OrderList, wire::RawList>(
                Source::HpeFlex,
                status,
                body,
                ctx,
                |o, ctx| normalize::order(o, ctx.now_ms),
            ),
            HpeFlex::Devices => parse_page::<wire::DeviceList, wire::RawList>(
                Source::HpeFlex,
                status,
                body,
                ctx,
                |d, _| normalize::device(d),
            ),
        }
    }

    fn error(&self, status: u16, body: &[u8], retry_after: Option<u64>) -> UpstreamError {
        let parsed: Option<wire::ErrorBody> = crate::upstream::client::wire::json(body).ok();
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
}
