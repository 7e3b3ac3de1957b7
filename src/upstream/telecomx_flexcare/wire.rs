//! TelecomX `GET /iptv/flexcareorder` wire types. Properties without a value may be
//! omitted by the vendor.

use serde::Deserialize;

/// `{offset, limit, total, flexcareOrders}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderList {
    /// All matches, ignoring offset/limit.
    #[serde(default)]
    pub total: Option<u64>,
    /// The orders.
    pub flexcare_orders: Vec<FlexcareOrder>,
}

/// The same with untyped items, read only when `raw` is requested.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawList {
    /// The orders as sent.
    pub flexcare_orders: Vec<serde_json::Value>,
}

/// A FlexCare order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlexcareOrder {
    /// ObjectId.
    #[serde(rename = "_id")]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// ServiceNow id.
    #[serde(default)]
    pub snow_id: Option<String>,
    /// PO number.
    #[serde(default)]
    pub po_number: Option<String>,
    /// Reseller ObjectId.
    #[serde(default)]
    pub reseller: Option<String>,
    /// EAN.
    #[serde(default)]
    pub ean_number: Option<String>,
    /// PowerNet item number.
    #[serde(default)]
    pub powernet_item_number: Option<String>,
    /// Devices (MAC addresses or other ids).
    #[serde(default)]
    pub devices: Option<Vec<String>>,
    /// Who ordered.
    #[serde(default)]
    pub orderer: Option<Orderer>,
    /// Service agreement ObjectId.
    #[serde(default)]
    pub service_agreement: Option<String>,
}

/// `orderer`.
#[derive(Debug, Clone, Deserialize)]
pub struct Orderer {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// An error body: `{message}` or `{error}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    /// `access_denied`, `internal_error`, …
    #[serde(default)]
    pub message: Option<String>,
    /// Alternative spelling.
    #[serde(default)]
    pub error: Option<String>,
}
