//! GreenLake Flex v1beta1 wire types (`GET /flex/v1beta1/orders`, `GET
//! /flex/v1beta1/devices` and their errors).

use serde::Deserialize;

use crate::upstream::dates::WireDate;

/// The list envelope: `{items, count, total, offset}`.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderList {
    /// The orders on this page.
    pub items: Vec<Order>,
    /// All matches for the filter.
    #[serde(default)]
    pub total: Option<u64>,
}

/// The same envelope with untyped items, read only when `raw` is requested.
#[derive(Debug, Clone, Deserialize)]
pub struct RawList {
    /// The orders as the vendor sent them.
    pub items: Vec<serde_json::Value>,
}

/// A Flex order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// UUID.
    pub id: String,
    /// Creation instant.
    #[serde(default)]
    pub created_at: Option<WireDate>,
    /// Last update instant.
    #[serde(default)]
    pub updated_at: Option<WireDate>,
    /// Update counter.
    #[serde(default)]
    pub generation: Option<i64>,
    /// Billing account id.
    #[serde(default)]
    pub billing_account_id: Option<String>,
    /// SOW id.
    #[serde(default)]
    pub sow_id: Option<String>,
    /// Billing account name.
    #[serde(default)]
    pub billing_account_name: Option<String>,
    /// Order start.
    #[serde(default)]
    pub order_start_date: Option<WireDate>,
    /// Order end.
    #[serde(default)]
    pub order_end_date: Option<WireDate>,
    /// Customer name.
    #[serde(default)]
    pub customer_name: Option<String>,
    /// Reseller name.
    #[serde(default)]
    pub reseller_name: Option<String>,
    /// Distributor name.
    #[serde(default)]
    pub distributor_name: Option<String>,
    /// Partner name.
    #[serde(default)]
    pub partner_name: Option<String>,
    /// Flex partner order.
    #[serde(default)]
    pub is_flex_partner: Option<bool>,
}

/// The devices list envelope: `{items, count, total, offset}`.
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceList {
    /// The devices on this page.
    pub items: Vec<Device>,
    /// All matches for the filter.
    #[serde(default)]
    pub total: Option<u64>,
}

/// A Flex device. The spec marks `id, macAddress, serialNumber, resourceId, partNumber,
/// deviceType, type, createdAt, updatedAt, generation, model, make` required; only `id`
/// is required here, so that one odd device does not fail its whole page.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// UUID.
    pub id: String,
    /// MAC address (`CA:35:DC:4F:5D:FE`).
    #[serde(default)]
    pub mac_address: Option<String>,
    /// Serial number.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// Resource UUID (often the same as `id`).
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Part number (SKU).
    #[serde(default)]
    pub part_number: Option<String>,
    /// `COMPUTE`, `STORAGE`, `AP`, … (not filterable upstream).
    #[serde(default)]
    pub device_type: Option<String>,
    /// Creation instant.
    #[serde(default)]
    pub created_at: Option<WireDate>,
    /// Last update instant.
    #[serde(default)]
    pub updated_at: Option<WireDate>,
    /// Update counter.
    #[serde(default)]
    pub generation: Option<i64>,
    /// Model name.
    #[serde(default)]
    pub model: Option<String>,
    /// Manufacturer (`HPE`, `Aruba`).
    #[serde(default)]
    pub make: Option<String>,
    /// Custom tags.
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
    /// Custom device name.
    #[serde(default)]
    pub name: Option<String>,
    /// Billing account name.
    #[serde(default)]
    pub billing_account_name: Option<String>,
    /// "Name of the associated distributor account".
    #[serde(default)]
    pub billing_tier: Option<String>,
}

/// A device tag (`name` and `value` are both required by the spec).
#[derive(Debug, Clone, Deserialize)]
pub struct Tag {
    /// Tag name.
    #[serde(default)]
    pub name: Option<String>,
    /// Tag value.
    #[serde(default)]
    pub value: Option<String>,
}

/// The GreenLake error envelope.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// `HPE_GL_ERROR_BAD_REQUEST`, …
    #[serde(default)]
    pub error_code: Option<String>,
    /// `Bad Request.`, …
    #[serde(default)]
    pub message: Option<String>,
    /// Correlation id.
    #[serde(default)]
    pub debug_id: Option<String>,
    /// Details (server errors carry `retryAfterSeconds`).
    #[serde(default)]
    pub error_details: Option<Vec<ErrorDetail>>,
}

/// One error detail.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// Seconds to wait (server errors).
    #[serde(default)]
    pub retry_after_seconds: Option<u64>,
    /// Which parameters were wrong (bad requests).
    #[serde(default)]
    pub issues: Option<Vec<Issue>>,
}

/// A bad-request issue.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    /// `filter`.
    #[serde(default)]
    pub subject: Option<String>,
    /// `Invalid filter expression.`
    #[serde(default)]
    pub description: Option<String>,
}
