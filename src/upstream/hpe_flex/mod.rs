//! HPE GreenLake Flex Solutions v1beta1: orders ([`HpeFlex::Orders`], `GET
//! /flex/v1beta1/orders`) and devices ([`HpeFlex::Devices`], `GET /flex/v1beta1/devices`,
//! records of kind `device`). Both page by offset/limit (limit ≤ 100) with a `total`, take
//! an OData-subset filter and sort, and use one bearer token from OAuth2 client
//! credentials (the devices adapter is a sibling of the orders one, sharing its token
//! cache). Devices cannot be linked to an order, so they are their
//! own resource (`/v1/devices`), not part of order records. A transform (group-by) of one
//! order field may use GreenLake's `orders/transform` for the distinct values and a
//! `limit=0` count per value (see `dialect.rs`). One device is read with `GET /flex/v1beta1/devices/{id}`;
//! one order with the list filtered by `id eq` (exact, so its answer is complete).

mod dialect;
mod normalize;
mod wire;

use crate::model::{RawJson, Record, Source};
use crate::upstream::client::http::{path_segment, NativeRequest};
use crate::upstream::client::wire::{json, parse_page};
use crate::upstream::client::{
    Cursor, Keys, Lookup, NormCtx, Page, UpstreamError, UpstreamErrorKind, Vendor,
};
use crate::upstream::pushdown::{PlanInput, SourcePlan};

/// The orders path.
const ORDERS_PATH: &str = "/flex/v1beta1/orders";

/// The transform path (distinct values of one order field).
const TRANSFORM_PATH: &str = "/flex/v1beta1/orders/transform";

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

    fn min_page(&self) -> u32 {
        0
    }

    fn lookup(&self, base: &str, source_id: &str) -> Lookup {
        match self {
            HpeFlex::Orders => Lookup::Filter,
            HpeFlex::Devices => Lookup::Object(NativeRequest::get(
                base,
                &format!("{DEVICES_PATH}/{}", path_segment(source_id)),
            )),
        }
    }

    fn parse_object(
        &self,
        status: u16,
        body: &[u8],
        ctx: NormCtx,
    ) -> Result<Record, UpstreamError> {
        let malformed = |e: serde_json::Error| UpstreamError::malformed(Source::HpeFlex, status, e);
        let d: wire::Device<'_> = json(body).map_err(malformed)?;
        let mut r = match self {
            HpeFlex::Devices => normalize::device(&d),
            HpeFlex::Orders => {
                return Err(UpstreamError::malformed(
                    Source::HpeFlex,
                    status,
                    "orders have no single-record endpoint",
                ))
            }
        };
        if ctx.include_raw {
            r.raw = Some(RawJson::from_raw(
                json::<&serde_json::value::RawValue>(body).map_err(malformed)?,
            ));
        }
        Ok(r)
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

    fn group_field(&self, plan: &SourcePlan, path: &str) -> Option<&'static str> {
        match self {
            HpeFlex::Orders => dialect::group_field(plan, path),
            HpeFlex::Devices => None,
        }
    }

    fn keys_request(
        &self,
        base: &str,
        plan: &SourcePlan,
        field: &str,
        offset: u64,
        size: u32,
    ) -> Option<NativeRequest> {
        if *self != HpeFlex::Orders {
            return None;
        }
        // The filter only: the transform sorts by its group-by field and has no select.
        let mut r = NativeRequest::get(base, TRANSFORM_PATH);
        r.query.extend(
            plan.native
                .params
                .iter()
                .filter(|(k, _)| k == "filter")
                .cloned(),
        );
        Some(
            r.param("group-by", field.to_owned())
                .param("offset", offset.to_string())
                .param("limit", size.to_string()),
        )
    }

    fn parse_keys(&self, status: u16, body: &[u8], field: &str) -> Result<Keys, UpstreamError> {
        let list: wire::TransformList<'_> =
            json(body).map_err(|e| UpstreamError::malformed(Source::HpeFlex, status, e))?;
        Ok(Keys {
            values: list
                .items
                .iter()
                .filter_map(|t| t.value(field))
                .map(|v| v.to_string())
                .collect(),
            total: list.total,
        })
    }

    fn key_count_request(
        &self,
        base: &str,
        plan: &SourcePlan,
        field: &str,
        key: &str,
    ) -> Option<NativeRequest> {
        let filter = dialect::narrowed_filter(plan, field, key)?;
        let mut narrowed = plan.clone();
        narrowed
            .native
            .params
            .retain(|(k, _)| k != "filter" && k != "sort");
        narrowed.native.params.push(("filter".into(), filter));
        self.count_request(base, &narrowed)
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
