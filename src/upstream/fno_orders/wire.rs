//! FlexNet Operations REST `entitlementOrders` wire types (request criteria, response).
//!
//! Every field is optional: FNO payloads are null-heavy and older releases omit keys.

use serde::{Deserialize, Serialize};

use crate::upstream::dates::WireDate;

/// `{statusInfo, activatableItem}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// SUCCESS / FAILURE.
    #[serde(default)]
    pub status_info: Option<StatusInfo>,
    /// The line items (absent or null on an empty page).
    #[serde(default)]
    pub activatable_item: Option<Vec<ActivatableItem>>,
}

/// The same response with untyped items, read only when `raw` is requested.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawResponse {
    /// The items as sent.
    #[serde(default)]
    pub activatable_item: Option<Vec<serde_json::Value>>,
}

/// `{status, reason}`.
#[derive(Debug, Clone, Deserialize)]
pub struct StatusInfo {
    /// `SUCCESS`, `PARTIAL_FAILURE`, `FAILURE`.
    #[serde(default)]
    pub status: Option<String>,
    /// Why it failed.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `{uniqueId, primaryKeys{name, version}}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ref {
    /// `HID-…`.
    #[serde(default)]
    pub unique_id: Option<String>,
    /// Name and version.
    #[serde(default)]
    pub primary_keys: Option<PrimaryKeys>,
}

/// Primary keys of a referenced object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrimaryKeys {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
    /// Contact first name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Contact last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Contact e-mail.
    #[serde(default)]
    pub email_address: Option<String>,
    /// Contact phone.
    #[serde(default)]
    pub phone_number: Option<String>,
}

/// One activatable line item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivatableItem {
    /// `LINEITEM` / `WEBREGKEY`.
    #[serde(default)]
    pub activatable_item_type: Option<String>,
    /// Parent bulk entitlement.
    #[serde(default)]
    pub parent_bulk_entitlement_id: Option<String>,
    /// Entitlement id.
    #[serde(default)]
    pub entitlement_id: Option<String>,
    /// Sold-to account name (deprecated).
    #[serde(default)]
    pub sold_to: Option<String>,
    /// Ship-to e-mail.
    #[serde(default)]
    pub ship_to_email: Option<String>,
    /// Ship-to address.
    #[serde(default)]
    pub ship_to_address: Option<String>,
    /// `TEST | DRAFT | DEPLOYED | INACTIVE | ON_HOLD | OBSOLETE`.
    #[serde(default)]
    pub entitlement_state: Option<String>,
    /// The line item proper.
    pub activatable_item_data: ItemData,
    /// Channel partners.
    #[serde(default)]
    pub channel_partners: Option<ChannelPartners>,
    /// Entitlement custom attributes.
    #[serde(default)]
    pub entitlement_attributes: Option<Attributes>,
}

/// `activatableItemData`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemData {
    /// `{id, autoGenerate}`.
    pub activation_id: ActivationId,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Main product.
    #[serde(default)]
    pub product: Option<Ref>,
    /// Part number (`null` or a ref or a string on some releases).
    #[serde(default)]
    pub part_number: Option<PartNumber>,
    /// License model.
    #[serde(default)]
    pub license_model: Option<Ref>,
    /// License model attributes.
    #[serde(default)]
    pub license_model_attributes: Option<Attributes>,
    /// Order id.
    #[serde(default)]
    pub order_id: Option<String>,
    /// Order line number.
    #[serde(default)]
    pub order_line_number: Option<String>,
    /// Copies.
    #[serde(default)]
    pub number_of_copies: Option<f64>,
    /// Start date (epoch ms or yyyy-MM-dd).
    #[serde(default)]
    pub start_date: Option<WireDate>,
    /// Never expires.
    #[serde(default)]
    pub is_permanent: Option<bool>,
    /// Expiration date.
    #[serde(default)]
    pub expiration_date: Option<WireDate>,
    /// Products.
    #[serde(default)]
    pub entitled_products: Option<EntitledProducts>,
    /// Line item attributes.
    #[serde(default)]
    pub line_item_attributes: Option<Attributes>,
    /// Remaining copies.
    #[serde(default)]
    pub number_of_remaining_copies: Option<f64>,
    /// Line item state.
    #[serde(default)]
    pub state: Option<String>,
    /// License technology.
    #[serde(default)]
    pub license_technology: Option<Ref>,
    /// Created.
    #[serde(default)]
    pub created_on_date_time: Option<WireDate>,
    /// Modified.
    #[serde(default)]
    pub last_modified_date_time: Option<WireDate>,
}

/// `{id, autoGenerate}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivationId {
    /// The activation id.
    pub id: String,
}

/// A part number: a string, or a ref whose `primaryKeys.name` is the number. Read by a
/// visitor, not `#[serde(untagged)]` (which buffers the value and formats an error for
/// each variant tried before the one that fits).
#[derive(Debug, Clone)]
pub enum PartNumber {
    /// Plain text.
    Text(String),
    /// `{uniqueId, primaryKeys{name}}`.
    Ref(Ref),
}

impl<'de> Deserialize<'de> for PartNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PartNumberVisitor)
    }
}

struct PartNumberVisitor;

impl<'de> serde::de::Visitor<'de> for PartNumberVisitor {
    type Value = PartNumber;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a part number: text or {uniqueId, primaryKeys}")
    }

    fn visit_str<E>(self, v: &str) -> Result<PartNumber, E> {
        Ok(PartNumber::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<PartNumber, E> {
        Ok(PartNumber::Text(v))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<PartNumber, A::Error> {
        Ref::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(PartNumber::Ref)
    }
}

/// `{entitledProduct: [...]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitledProducts {
    /// The products.
    #[serde(default)]
    pub entitled_product: Option<Vec<EntitledProduct>>,
}

/// `{product, quantity}`.
#[derive(Debug, Clone, Deserialize)]
pub struct EntitledProduct {
    /// Product.
    #[serde(default)]
    pub product: Option<Ref>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<f64>,
}

/// `{attribute: [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Attributes {
    /// The attributes.
    #[serde(default)]
    pub attribute: Option<Vec<Attribute>>,
}

/// A custom attribute with all its value slots.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    /// Name.
    pub attribute_name: String,
    /// Text value.
    #[serde(default)]
    pub string_value: Option<String>,
    /// Date value (kept as text).
    #[serde(default)]
    pub date_value: Option<WireDate>,
    /// Boolean value.
    #[serde(default)]
    pub boolean_value: Option<bool>,
    /// Integer value.
    #[serde(default)]
    pub integer_value: Option<f64>,
}

/// `{channelPartner: [...]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelPartners {
    /// The partners.
    #[serde(default)]
    pub channel_partner: Option<Vec<ChannelPartner>>,
}

/// A channel partner.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelPartner {
    /// `bo.constants.partnertiernames.endcustomer`, …
    #[serde(default)]
    pub tier_name: Option<String>,
    /// Contact.
    #[serde(default)]
    pub contact: Option<ContactRef>,
    /// Account.
    #[serde(default)]
    pub account: Option<Ref>,
}

/// A contact reference.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRef {
    /// Names, e-mail, phone.
    #[serde(default)]
    pub primary_keys: Option<PrimaryKeys>,
}

/// `{value, searchType}` in request criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleQuery {
    /// The value.
    pub value: String,
    /// `EQUALS`, `STARTS_WITH`, `CONTAINS`, `ENDS_WITH`; dates `BEFORE`, `AFTER`, `ON`.
    pub search_type: &'static str,
}

/// The search criteria we send (only the fields the dialect uses).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    /// Activation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_id: Option<SimpleQuery>,
    /// Entitlement id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlement_id: Option<SimpleQuery>,
    /// Order id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<SimpleQuery>,
    /// Product name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_name: Option<SimpleQuery>,
    /// Start date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<SimpleQuery>,
    /// Expiration date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<SimpleQuery>,
    /// Created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_on_date_time: Option<SimpleQuery>,
    /// Modified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<SimpleQuery>,
    /// Permanent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_permanent: Option<bool>,
}

/// The request body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request<'a> {
    /// Criteria.
    pub activatable_item_search_criteria: &'a Criteria,
    /// Page size.
    pub batch_size: u32,
    /// 1-based page.
    pub page_number: u64,
}

/// A non-2xx body: `{statusInfo}` or anything with a `message`/`error`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// FNO status block.
    #[serde(default)]
    pub status_info: Option<StatusInfo>,
    /// A message.
    #[serde(default)]
    pub message: Option<String>,
    /// An error word.
    #[serde(default)]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_numbers_are_text_or_a_ref() {
        let r = |j: &str| serde_json::from_str::<PartNumber>(j);
        assert!(matches!(r(r#""PN-1""#), Ok(PartNumber::Text(s)) if s == "PN-1"));
        let got = r(r#"{"uniqueId":"HID-1","primaryKeys":{"name":"PN-2"}}"#);
        assert!(
            matches!(&got, Ok(PartNumber::Ref(x)) if x.unique_id.as_deref() == Some("HID-1")),
            "{got:?}"
        );
        for bad in ["1", "null", "[]", "true"] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
