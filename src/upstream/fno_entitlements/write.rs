//! The Beta API's write operations: their requests, their answers, and the read-back of
//! the entitlement a write touched.
//!
//! The document shows only `{"status": "string"}` as the answer of a write; the simulator
//! (and, by the GraphQL twin's `LineItemResponseItem`, the vendor) adds `entitlementId`
//! and per-line `{activationId, status, errorMsg}`. A `status` other than `SUCCESS`, on the
//! answer or on a line, is a vendor failure. The list has no `entitlementId` parameter;
//! its exact-match `activationId` finds the entitlement holding a line, which is how a
//! written entitlement is read back (one request).

use serde::Deserialize;

use crate::model::{Record, Source};
use crate::upstream::client::http::NativeRequest;
use crate::upstream::client::wire::json;
use crate::upstream::client::{UpstreamError, UpstreamErrorKind};
use crate::upstream::{WriteAnswer, WriteOp};

use super::LIST_PATH;

/// The path of the create (singular: `entitlement`).
const CREATE_PATH: &str = "/entitlements-api/v1/entitlement";

/// An id as one path segment: every byte but letters, digits and `*-._` `%XX`-escaped.
fn segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The vendor request of a write with a validated JSON body.
pub(crate) fn request(base: &str, op: &WriteOp<'_>, body: String) -> NativeRequest {
    let path = match op {
        WriteOp::CreateEntitlement => CREATE_PATH.to_owned(),
        WriteOp::AddLineItems(id) => format!("{CREATE_PATH}/{}/line-items", segment(id)),
        WriteOp::AddMaintenanceLineItems(id) => {
            format!("{CREATE_PATH}/{}/maintenance-line-items", segment(id))
        }
    };
    NativeRequest::post_json(base, &path, body)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    entitlement_id: Option<String>,
    #[serde(default)]
    line_items: Vec<LineResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineResult {
    #[serde(default)]
    activation_id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    error_msg: Option<String>,
}

fn success(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.eq_ignore_ascii_case("success"))
}

/// Reads a 2xx answer of a write.
pub(crate) fn answer(status: u16, body: &[u8]) -> Result<WriteAnswer, UpstreamError> {
    let source = Source::FnoEntitlements;
    let a: Answer = json(body).map_err(|e| UpstreamError::malformed(source, status, e))?;
    let failed: Vec<String> = a
        .line_items
        .iter()
        .filter(|l| !success(l.status.as_deref()))
        .map(|l| {
            format!(
                "{}: {}",
                l.activation_id.as_deref().unwrap_or("a line item"),
                l.error_msg.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    if !success(a.status.as_deref()) || !failed.is_empty() {
        let reason = if failed.is_empty() {
            format!("status {}", a.status.as_deref().unwrap_or(""))
        } else {
            failed.join("; ")
        };
        return Err(UpstreamError::new(
            source,
            UpstreamErrorKind::VendorFailure {
                reason: reason.clone(),
            },
            Some(status),
            format!("the vendor refused the write: {reason}"),
        ));
    }
    Ok(WriteAnswer {
        entitlement_id: a.entitlement_id.filter(|s| !s.is_empty()),
        activation_ids: a
            .line_items
            .into_iter()
            .filter_map(|l| l.activation_id)
            .collect(),
    })
}

/// The list request that finds the entitlement holding the line `activation_id`.
pub(crate) fn read_back(base: &str, activation_id: &str) -> NativeRequest {
    NativeRequest::get(base, LIST_PATH)
        .param("activationId", activation_id)
        .param("page", "0")
        .param("limit", "20")
}

/// The record of `entitlement_id` among a read-back page's records.
pub(crate) fn pick(records: Vec<Record>, entitlement_id: &str) -> Option<Record> {
    records.into_iter().find(|r| r.source_id == entitlement_id)
}
