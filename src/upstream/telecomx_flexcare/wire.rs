//! TelecomX `GET /iptv/flexcareorder` wire types. Properties without a value may be
//! omitted by the vendor.

use serde::Deserialize;

use serde_json::value::RawValue;

use crate::upstream::client::wire::{RawList as RawItems, Str, WireList};

/// `{offset, limit, total, flexcareOrders}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderList<'a> {
    /// All matches, ignoring offset/limit.
    #[serde(default)]
    pub total: Option<u64>,
    /// The orders.
    #[serde(borrow)]
    pub flexcare_orders: Vec<FlexcareOrder<'a>>,
}

/// The same with untyped items, read only when `raw` is requested.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawList<'a> {
    /// The orders as sent.
    #[serde(borrow)]
    pub flexcare_orders: Vec<&'a RawValue>,
}

impl<'a> WireList<'a> for OrderList<'a> {
    type Item = FlexcareOrder<'a>;

    fn items(&self) -> &[FlexcareOrder<'a>] {
        &self.flexcare_orders
    }

    fn total(&self) -> Option<u64> {
        self.total
    }
}

impl<'a> RawItems<'a> for RawList<'a> {
    fn items(&self) -> &[&'a RawValue] {
        &self.flexcare_orders
    }
}

/// A FlexCare order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlexcareOrder<'a> {
    /// ObjectId.
    #[serde(borrow, rename = "_id")]
    pub id: Str<'a>,
    /// Name.
    #[serde(borrow, default)]
    pub name: Option<Str<'a>>,
    /// ServiceNow id.
    #[serde(borrow, default)]
    pub snow_id: Option<Str<'a>>,
    /// PO number.
    #[serde(borrow, default)]
    pub po_number: Option<Str<'a>>,
    /// Reseller ObjectId.
    #[serde(borrow, default)]
    pub reseller: Option<Str<'a>>,
    /// EAN.
    #[serde(borrow, default)]
    pub ean_number: Option<Str<'a>>,
    /// PowerNet item number.
    #[serde(borrow, default)]
    pub powernet_item_number: Option<Str<'a>>,
    /// Devices (MAC addresses or other ids).
    #[serde(borrow, default)]
    pub devices: Option<Vec<Str<'a>>>,
    /// Who ordered.
    #[serde(borrow, default)]
    pub orderer: Option<Orderer<'a>>,
    /// Service agreement ObjectId.
    #[serde(borrow, default)]
    pub service_agreement: Option<Str<'a>>,
}

/// `orderer`.
#[derive(Debug, Clone, Deserialize)]
pub struct Orderer<'a> {
    /// Name.
    #[serde(borrow, default)]
    pub name: Option<Str<'a>>,
    /// Department.
    #[serde(borrow, default)]
    pub department: Option<Str<'a>>,
    /// Phone.
    #[serde(borrow, default)]
    pub phone: Option<Str<'a>>,
    /// E-mail.
    #[serde(borrow, default)]
    pub email: Option<Str<'a>>,
}
