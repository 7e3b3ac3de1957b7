//! FlexNet Operations REST `entitlementOrders` wire types (request criteria, response).
//!
//! Every field is optional: FNO payloads are null-heavy and older releases omit keys.

use serde::{Deserialize, Serialize};

use crate::model::Source;
use crate::upstream::client::dates::WireDate;
use serde_json::value::RawValue;

use crate::upstream::client::wire::{RawList as RawItems, Str, WireList};
use crate::upstream::client::{UpstreamError, UpstreamErrorKind};

/// `{statusInfo, activatableItem}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response<'a> {
    /// SUCCESS / FAILURE.
    #[serde(default)]
    pub status_info: Option<StatusInfo>,
    /// The line items (absent or null on an empty page).
    #[serde(default, borrow)]
    pub activatable_item: Option<Vec<ActivatableItem<'a>>>,
}

/// The same response with untyped items, read only when `raw` is requested.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawResponse<'a> {
    /// The items as sent.
    #[serde(default, borrow)]
    pub activatable_item: Option<Vec<&'a RawValue>>,
}

impl<'a> WireList<'a> for Response<'a> {
    type Item = ActivatableItem<'a>;

    fn items(&self) -> &[ActivatableItem<'a>] {
        self.activatable_item.as_deref().unwrap_or(&[])
    }

    /// HTTP 200 with `statusInfo.status` other than `SUCCESS` is a failure.
    fn failure(&self, source: Source, status: u16) -> Result<(), UpstreamError> {
        StatusInfo::failure(self.status_info.as_ref(), source, status)
    }
}

impl<'a> RawItems<'a> for RawResponse<'a> {
    fn items(&self) -> &[&'a RawValue] {
        self.activatable_item.as_deref().unwrap_or(&[])
    }
}

/// The answer of `/entitlementOrders/count`: `{statusInfo, count}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountResponse {
    /// SUCCESS / FAILURE.
    #[serde(default)]
    pub status_info: Option<StatusInfo>,
    /// The number of matching activatable items.
    #[serde(default)]
    pub count: Option<u64>,
}

impl StatusInfo {
    /// A status other than `SUCCESS` as the vendor failure it reports (HTTP 200 bodies).
    pub fn failure(
        info: Option<&StatusInfo>,
        source: Source,
        status: u16,
    ) -> Result<(), UpstreamError> {
        let st = info.and_then(|s| s.status.as_deref());
        if st.is_some_and(|s| !s.eq_ignore_ascii_case("SUCCESS")) {
            let reason = info
                .and_then(|s| s.reason.clone())
                .unwrap_or_else(|| "no reason given".into());
            return Err(UpstreamError::new(
                source,
                UpstreamErrorKind::VendorFailure {
                    reason: reason.clone(),
                },
                Some(status),
                format!("FNO query failed: {reason}"),
            ));
        }
        Ok(())
    }
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
pub struct Ref<'a> {
    /// `HID-…`.
    #[serde(default, borrow)]
    pub unique_id: Option<Str<'a>>,
    /// Name and version.
    #[serde(default, borrow)]
    pub primary_keys: Option<PrimaryKeys<'a>>,
}

/// Primary keys of a referenced object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrimaryKeys<'a> {
    /// Name.
    #[serde(default, borrow)]
    pub name: Option<Str<'a>>,
    /// Version.
    #[serde(default, borrow)]
    pub version: Option<Str<'a>>,
    /// Contact first name.
    #[serde(default, borrow)]
    pub first_name: Option<Str<'a>>,
    /// Contact last name.
    #[serde(default, borrow)]
    pub last_name: Option<Str<'a>>,
    /// Contact e-mail.
    #[serde(default, borrow)]
    pub email_address: Option<Str<'a>>,
    /// Contact phone.
    #[serde(default, borrow)]
    pub phone_number: Option<Str<'a>>,
}

/// One activatable line item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivatableItem<'a> {
    /// `LINEITEM` / `WEBREGKEY`.
    #[serde(default, borrow)]
    pub activatable_item_type: Option<Str<'a>>,
    /// Parent bulk entitlement.
    #[serde(default, borrow)]
    pub parent_bulk_entitlement_id: Option<Str<'a>>,
    /// Entitlement id.
    #[serde(default, borrow)]
    pub entitlement_id: Option<Str<'a>>,
    /// Sold-to account name (deprecated).
    #[serde(default, borrow)]
    pub sold_to: Option<Str<'a>>,
    /// Ship-to e-mail.
    #[serde(default, borrow)]
    pub ship_to_email: Option<Str<'a>>,
    /// Ship-to address.
    #[serde(default, borrow)]
    pub ship_to_address: Option<Str<'a>>,
    /// `TEST | DRAFT | DEPLOYED | INACTIVE | ON_HOLD | OBSOLETE`.
    #[serde(default, borrow)]
    pub entitlement_state: Option<Str<'a>>,
    /// The line item proper.
    #[serde(borrow)]
    pub activatable_item_data: ItemData<'a>,
    /// Channel partners.
    #[serde(default, borrow)]
    pub channel_partners: Option<ChannelPartners<'a>>,
    /// Entitlement custom attributes.
    #[serde(default, borrow)]
    pub entitlement_attributes: Option<Attributes<'a>>,
}

/// `activatableItemData`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemData<'a> {
    /// `{id, autoGenerate}`.
    #[serde(borrow)]
    pub activation_id: ActivationId<'a>,
    /// Description.
    #[serde(default, borrow)]
    pub description: Option<Str<'a>>,
    /// Main product.
    #[serde(default, borrow)]
    pub product: Option<Ref<'a>>,
    /// Part number (`null` or a ref or a string on some releases).
    #[serde(default, borrow)]
    pub part_number: Option<PartNumber<'a>>,
    /// License model.
    #[serde(default, borrow)]
    pub license_model: Option<Ref<'a>>,
    /// License model attributes.
    #[serde(default, borrow)]
    pub license_model_attributes: Option<Attributes<'a>>,
    /// Order id.
    #[serde(default, borrow)]
    pub order_id: Option<Str<'a>>,
    /// Order line number.
    #[serde(default, borrow)]
    pub order_line_number: Option<Str<'a>>,
    /// Copies.
    #[serde(default)]
    pub number_of_copies: Option<serde_json::Number>,
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
    #[serde(default, borrow)]
    pub entitled_products: Option<EntitledProducts<'a>>,
    /// Line item attributes.
    #[serde(default, borrow)]
    pub line_item_attributes: Option<Attributes<'a>>,
    /// Remaining copies.
    #[serde(default)]
    pub number_of_remaining_copies: Option<serde_json::Number>,
    /// Line item state.
    #[serde(default, borrow)]
    pub state: Option<Str<'a>>,
    /// License technology.
    #[serde(default, borrow)]
    pub license_technology: Option<Ref<'a>>,
    /// Version date.
    #[serde(default)]
    pub version_date: Option<WireDate>,
    /// The parent line item: its activation id as text, or a ref (its `uniqueId`).
    #[serde(default, borrow)]
    pub parent_line_item: Option<PartNumber<'a>>,
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
pub struct ActivationId<'a> {
    /// The activation id.
    #[serde(borrow)]
    pub id: Str<'a>,
}

/// A part number: a string, or a ref whose `primaryKeys.name` is the number. Read by a
/// visitor, not `#[serde(untagged)]` (which buffers the value and formats an error for
/// each variant tried before the one that fits).
#[derive(Debug, Clone)]
pub enum PartNumber<'a> {
    /// Plain text.
    Text(Str<'a>),
    /// `{uniqueId, primaryKeys{name}}`.
    Ref(Ref<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for PartNumber<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PartNumberVisitor)
    }
}

struct PartNumberVisitor;

impl<'de> serde::de::Visitor<'de> for PartNumberVisitor {
    type Value = PartNumber<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a part number: text or {uniqueId, primaryKeys}")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<PartNumber<'de>, E> {
        Ok(PartNumber::Text(Str(std::borrow::Cow::Borrowed(v))))
    }

    fn visit_str<E>(self, v: &str) -> Result<PartNumber<'de>, E> {
        Ok(PartNumber::Text(Str(std::borrow::Cow::Owned(v.to_owned()))))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<PartNumber<'de>, A::Error> {
        Ref::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(PartNumber::Ref)
    }
}

/// `{entitledProduct: [...]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitledProducts<'a> {
    /// The products.
    #[serde(default, borrow)]
    pub entitled_product: Option<Vec<EntitledProduct<'a>>>,
}

/// `{product, quantity}`.
#[derive(Debug, Clone, Deserialize)]
pub struct EntitledProduct<'a> {
    /// Product.
    #[serde(default, borrow)]
    pub product: Option<Ref<'a>>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<serde_json::Number>,
}

/// `{attribute: [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Attributes<'a> {
    /// The attributes.
    #[serde(default, borrow)]
    pub attribute: Option<Vec<Attribute<'a>>>,
}

/// A custom attribute with all its value slots.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute<'a> {
    /// Name.
    #[serde(borrow)]
    pub attribute_name: Str<'a>,
    /// Text value.
    #[serde(default, borrow)]
    pub string_value: Option<Str<'a>>,
    /// Date value (kept as text).
    #[serde(default)]
    pub date_value: Option<WireDate>,
    /// Boolean value.
    #[serde(default)]
    pub boolean_value: Option<bool>,
    /// Integer value.
    #[serde(default)]
    pub integer_value: Option<serde_json::Number>,
}

/// `{channelPartner: [...]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelPartners<'a> {
    /// The partners.
    #[serde(default, borrow)]
    pub channel_partner: Option<Vec<ChannelPartner<'a>>>,
}

/// A channel partner.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelPartner<'a> {
    /// `bo.constants.partnertiernames.endcustomer`, …
    #[serde(default, borrow)]
    pub tier_name: Option<Str<'a>>,
    /// Contact.
    #[serde(default, borrow)]
    pub contact: Option<ContactRef<'a>>,
    /// Account.
    #[serde(default, borrow)]
    pub account: Option<Ref<'a>>,
}

/// A contact reference.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRef<'a> {
    /// Names, e-mail, phone.
    #[serde(default, borrow)]
    pub primary_keys: Option<PrimaryKeys<'a>>,
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

/// `accountId` in request criteria: `{value, searchType, partnerTier}`; without a tier
/// the vendor matches the end customer's account, `ANY` any channel partner's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountQuery {
    /// The value.
    pub value: String,
    /// `EQUALS`, `STARTS_WITH`, `CONTAINS`, `ENDS_WITH`.
    pub search_type: &'static str,
    /// `ANY`, or absent for the end customer's tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_tier: Option<&'static str>,
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
    /// Version date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_date: Option<SimpleQuery>,
    /// Created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_on_date_time: Option<SimpleQuery>,
    /// Modified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<SimpleQuery>,
    /// Permanent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_permanent: Option<bool>,
    /// `parentBulkEntitlementId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_bulk_entitlement_id: Option<SimpleQuery>,
    /// `licenseTechnology`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_technology: Option<SimpleQuery>,
    /// `lineItemParentLineItemId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_item_parent_line_item_id: Option<SimpleQuery>,
    /// `accountId` (with its `partnerTier`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountQuery>,
    /// `activatableItemType`: `LINEITEM` or `WEBREGKEY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activatable_item_type: Option<&'static str>,
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
    use std::borrow::Cow;

    #[test]
    fn part_numbers_are_text_or_a_ref() {
        fn r(j: &str) -> serde_json::Result<PartNumber<'_>> {
            serde_json::from_str(j)
        }
        assert!(matches!(r(r#""PN-1""#), Ok(PartNumber::Text(s)) if &*s == "PN-1"));
        // Borrowed when it can be, owned (unescaped) when it has escapes.
        assert!(matches!(
            r(r#""PN-1""#),
            Ok(PartNumber::Text(Str(Cow::Borrowed(_))))
        ));
        assert!(matches!(r(r#""P\"N""#), Ok(PartNumber::Text(s)) if &*s == "P\"N"));
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
