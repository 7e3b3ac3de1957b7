//! GreenLake Flex v1beta1 wire types (`GET /flex/v1beta1/orders`, `GET
//! /flex/v1beta1/devices` and their errors).

use serde::Deserialize;

use crate::upstream::client::dates::WireDate;
use serde_json::value::RawValue;

use crate::upstream::client::wire::{RawList as RawItems, Str, WireList};

/// The list envelope: `{items, count, total, offset}`.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderList<'a> {
    /// The orders on this page.
    #[serde(borrow)]
    pub items: Vec<Order<'a>>,
    /// All matches for the filter.
    #[serde(default)]
    pub total: Option<u64>,
}

/// The same envelope with untyped items, read only when `raw` is requested.
#[derive(Debug, Clone, Deserialize)]
pub struct RawList<'a> {
    /// The orders as the vendor sent them.
    #[serde(borrow)]
    pub items: Vec<&'a RawValue>,
}

impl<'a> WireList<'a> for OrderList<'a> {
    type Item = Order<'a>;

    fn items(&self) -> &[Order<'a>] {
        &self.items
    }

    fn total(&self) -> Option<u64> {
        self.total
    }
}

impl<'a> WireList<'a> for DeviceList<'a> {
    type Item = Device<'a>;

    fn items(&self) -> &[Device<'a>] {
        &self.items
    }

    fn total(&self) -> Option<u64> {
        self.total
    }
}

impl<'a> RawItems<'a> for RawList<'a> {
    fn items(&self) -> &[&'a RawValue] {
        &self.items
    }
}

/// A Flex order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order<'a> {
    /// UUID.
    #[serde(borrow)]
    pub id: Str<'a>,
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
    #[serde(borrow, default)]
    pub billing_account_id: Option<Str<'a>>,
    /// SOW id.
    #[serde(borrow, default)]
    pub sow_id: Option<Str<'a>>,
    /// Billing account name.
    #[serde(borrow, default)]
    pub billing_account_name: Option<Str<'a>>,
    /// Order start.
    #[serde(default)]
    pub order_start_date: Option<WireDate>,
    /// Order end.
    #[serde(default)]
    pub order_end_date: Option<WireDate>,
    /// Customer name.
    #[serde(borrow, default)]
    pub customer_name: Option<Str<'a>>,
    /// Reseller name.
    #[serde(borrow, default)]
    pub reseller_name: Option<Str<'a>>,
    /// Distributor name.
    #[serde(borrow, default)]
    pub distributor_name: Option<Str<'a>>,
    /// Partner name.
    #[serde(borrow, default)]
    pub partner_name: Option<Str<'a>>,
    /// Flex partner order.
    #[serde(default)]
    pub is_flex_partner: Option<bool>,
}

/// The devices list envelope: `{items, count, total, offset}`.
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceList<'a> {
    /// The devices on this page.
    #[serde(borrow)]
    pub items: Vec<Device<'a>>,
    /// All matches for the filter.
    #[serde(default)]
    pub total: Option<u64>,
}

/// A Flex device. The spec marks `id, macAddress, serialNumber, resourceId, partNumber,
/// deviceType, type, createdAt, updatedAt, generation, model, make` required; only `id`
/// is required here, so that one odd device does not fail its whole page.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device<'a> {
    /// UUID.
    #[serde(borrow)]
    pub id: Str<'a>,
    /// MAC address (`CA:35:DC:4F:5D:FE`).
    #[serde(borrow, default)]
    pub mac_address: Option<Str<'a>>,
    /// Serial number.
    #[serde(borrow, default)]
    pub serial_number: Option<Str<'a>>,
    /// Resource UUID (often the same as `id`).
    #[serde(borrow, default)]
    pub resource_id: Option<Str<'a>>,
    /// Part number (SKU).
    #[serde(borrow, default)]
    pub part_number: Option<Str<'a>>,
    /// `COMPUTE`, `STORAGE`, `AP`, … (not filterable upstream).
    #[serde(borrow, default)]
    pub device_type: Option<Str<'a>>,
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
    #[serde(borrow, default)]
    pub model: Option<Str<'a>>,
    /// Manufacturer (`HPE`, `Aruba`).
    #[serde(borrow, default)]
    pub make: Option<Str<'a>>,
    /// Custom tags.
    #[serde(borrow, default)]
    pub tags: Option<Vec<Tag<'a>>>,
    /// Custom device name.
    #[serde(borrow, default)]
    pub name: Option<Str<'a>>,
    /// Billing account name.
    #[serde(borrow, default)]
    pub billing_account_name: Option<Str<'a>>,
    /// "Name of the associated distributor account".
    #[serde(borrow, default)]
    pub billing_tier: Option<Str<'a>>,
}

/// A device tag (`name` and `value` are both required by the spec).
#[derive(Debug, Clone, Deserialize)]
pub struct Tag<'a> {
    /// Tag name.
    #[serde(borrow, default)]
    pub name: Option<Str<'a>>,
    /// Tag value.
    #[serde(borrow, default)]
    pub value: Option<Str<'a>>,
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

/// The transform envelope (`GET /flex/v1beta1/orders/transform`): one object per
/// distinct value of the `group-by` field, holding only that field.
#[derive(Debug, Clone, Deserialize)]
pub struct TransformList<'a> {
    /// The distinct values on this page.
    #[serde(borrow)]
    pub items: Vec<OrderTransform<'a>>,
    /// All distinct values for the filter.
    #[serde(default)]
    pub total: Option<u64>,
}

/// One distinct value (`OrderTransform`: every member optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderTransform<'a> {
    /// `group-by=sowId`.
    #[serde(default, borrow)]
    pub sow_id: Option<Str<'a>>,
    /// `group-by=customerName`.
    #[serde(default, borrow)]
    pub customer_name: Option<Str<'a>>,
    /// `group-by=billingAccountId`.
    #[serde(default, borrow)]
    pub billing_account_id: Option<Str<'a>>,
    /// `group-by=billingAccountName`.
    #[serde(default, borrow)]
    pub billing_account_name: Option<Str<'a>>,
}

impl OrderTransform<'_> {
    /// The value of the `group-by` field `field`, when present.
    pub fn value(&self, field: &str) -> Option<&str> {
        let v = match field {
            "sowId" => &self.sow_id,
            "customerName" => &self.customer_name,
            "billingAccountId" => &self.billing_account_id,
            "billingAccountName" => &self.billing_account_name,
            _ => return None,
        };
        v.as_deref()
    }
}
