//! FNO Entitlements API (Beta) wire types: `GET /entitlements-api/v1/entitlements`.
//!
//! The REST spec documents only `{"status": "string"}`; the entity shape follows the
//! GraphQL twin (`EntitlementDetail`), accepting the create-body spellings as aliases
//! (`product`/`products`, `isPermanent`/`permanent`, `lineItemStatus`/`lineItemState`).

use serde::Deserialize;

use crate::upstream::client::dates::WireDate;
use serde_json::value::RawValue;

use crate::upstream::client::wire::{RawList as RawItems, Str, WireList};

/// `{entitlements, page, limit}`.
#[derive(Debug, Clone, Deserialize)]
pub struct EntitlementList<'a> {
    /// The entitlements (required: a body without it is malformed).
    #[serde(borrow)]
    pub entitlements: Vec<Entitlement<'a>>,
}

/// The same with untyped items, read only when `raw` is requested.
#[derive(Debug, Clone, Deserialize)]
pub struct RawList<'a> {
    /// The entitlements as sent.
    #[serde(borrow)]
    pub entitlements: Vec<&'a RawValue>,
}

impl<'a> WireList<'a> for EntitlementList<'a> {
    type Item = Entitlement<'a>;

    fn items(&self) -> &[Entitlement<'a>] {
        &self.entitlements
    }
}

impl<'a> RawItems<'a> for RawList<'a> {
    fn items(&self) -> &[&'a RawValue] {
        &self.entitlements
    }
}

/// `GET /v1/entitlement/{entitlementId}/line-items`: `{lineItems, page, limit}` (the
/// GraphQL twin's `LineItemListResponse`); only the activation ids are read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemList {
    /// The entitlement's line items (absent: none).
    #[serde(default)]
    pub line_items: Option<Vec<LineItemRef>>,
}

/// A line item of [`LineItemList`], as far as a look-up needs it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemRef {
    /// The line item's activation id.
    #[serde(default)]
    pub activation_id: Option<String>,
}

/// An entitlement with accounts, attributes and line items.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entitlement<'a> {
    /// Entitlement id.
    #[serde(borrow)]
    pub entitlement_id: Str<'a>,
    /// Description.
    #[serde(borrow, default)]
    pub description: Option<Str<'a>>,
    /// `draft, deployed, active, inactive, obsoleted` (any case).
    #[serde(borrow, default)]
    pub status: Option<Str<'a>>,
    /// Created.
    #[serde(default)]
    pub created_on: Option<WireDate>,
    /// Updated.
    #[serde(default)]
    pub updated_on: Option<WireDate>,
    /// Ship-to e-mail.
    #[serde(borrow, default)]
    pub ship_to_email: Option<Str<'a>>,
    /// Ship-to address.
    #[serde(borrow, default)]
    pub ship_to_address: Option<Str<'a>>,
    /// Accounts.
    #[serde(borrow, default)]
    pub accounts: Option<Vec<Account<'a>>>,
    /// Custom attributes.
    #[serde(borrow, default)]
    pub attributes: Option<Vec<Attribute<'a>>>,
    /// Line items.
    #[serde(borrow, default)]
    pub line_items: Option<Vec<LineItem<'a>>>,
}

/// An account on an entitlement.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account<'a> {
    /// Account id.
    #[serde(borrow, default)]
    pub account_id: Option<Str<'a>>,
    /// Account name.
    #[serde(borrow, default)]
    pub account_name: Option<Str<'a>>,
    /// `CUSTOMER`, `CHANNEL_PARTNER`, …
    #[serde(borrow, default)]
    pub account_type: Option<Str<'a>>,
    /// `END_CUSTOMER`, `PARTNER_TIER_ONE`.
    #[serde(borrow, default)]
    pub partner_tier_name: Option<Str<'a>>,
    /// Contact e-mail.
    #[serde(borrow, default)]
    pub contact_email: Option<Str<'a>>,
}

/// `{name, value}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Attribute<'a> {
    /// Name.
    #[serde(borrow)]
    pub name: Str<'a>,
    /// Value (text; dates as `yyyy/MM/dd`).
    #[serde(default)]
    pub value: Option<AttrWire>,
}

/// An attribute value: text, number or boolean. Read by a visitor, not
/// `#[serde(untagged)]` (which buffers the value and formats an error for each variant
/// tried before the one that fits).
#[derive(Debug, Clone)]
pub enum AttrWire {
    /// Boolean.
    Bool(bool),
    /// Number (its kind kept).
    Num(serde_json::Number),
    /// Text.
    Text(String),
    /// A list (multi-valued text), kept joined with `,`.
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for AttrWire {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AttrVisitor)
    }
}

/// Accepts what the untagged enum accepted: a boolean, any number, a string, or a list of
/// strings.
struct AttrVisitor;

impl<'de> serde::de::Visitor<'de> for AttrVisitor {
    type Value = AttrWire;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a boolean, number, string or list of strings")
    }

    fn visit_bool<E>(self, v: bool) -> Result<AttrWire, E> {
        Ok(AttrWire::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<AttrWire, E> {
        Ok(AttrWire::Num(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<AttrWire, E> {
        Ok(AttrWire::Num(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<AttrWire, E> {
        // serde_json never hands a non-finite double; refuse one rather than invent a value.
        serde_json::Number::from_f64(v)
            .map(AttrWire::Num)
            .ok_or_else(|| E::custom("a non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<AttrWire, E> {
        Ok(AttrWire::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<AttrWire, E> {
        Ok(AttrWire::Text(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AttrWire, A::Error> {
        let mut out = Vec::new();
        // Bounded by the input: each turn consumes one element.
        while let Some(s) = seq.next_element::<String>()? {
            out.push(s);
        }
        Ok(AttrWire::List(out))
    }
}

/// A line item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem<'a> {
    /// The line's activation id.
    #[serde(borrow, default)]
    pub activation_id: Option<Str<'a>>,
    /// Products.
    #[serde(borrow, default, alias = "product")]
    pub products: Option<Vec<Product<'a>>>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<serde_json::Number>,
    /// Start (`yyyy-MM-dd`).
    #[serde(default)]
    pub start_date: Option<WireDate>,
    /// Expiry (`yyyy-MM-dd`).
    #[serde(default)]
    pub expiry_date: Option<WireDate>,
    /// Permanent.
    #[serde(default, alias = "permanent")]
    pub is_permanent: Option<bool>,
    /// Part number.
    #[serde(borrow, default)]
    pub part_number: Option<Str<'a>>,
    /// The line's state (`DEPLOYED`, `DRAFT`, `OBSOLETE`, …; `lineItemStatus` on writes).
    #[serde(borrow, default, alias = "lineItemStatus")]
    pub line_item_state: Option<Str<'a>>,
    /// The line's order type (`NEW_ORDER`, …).
    #[serde(borrow, default)]
    pub order_type: Option<Str<'a>>,
}

/// A product on a line item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product<'a> {
    /// Name.
    #[serde(borrow, default)]
    pub product_name: Option<Str<'a>>,
    /// Version.
    #[serde(borrow, default)]
    pub product_version: Option<Str<'a>>,
    /// Part number.
    #[serde(borrow, default)]
    pub part_number: Option<Str<'a>>,
}

/// An error body: Spring-style `{timestamp, status, error, message, path}`, or the
/// documented `{"status": "…"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    /// Human-readable message.
    #[serde(default)]
    pub message: Option<String>,
    /// The HTTP reason phrase.
    #[serde(default)]
    pub error: Option<String>,
    /// A status code (Spring) or a status word (the documented shape).
    #[serde(default)]
    pub status: Option<StatusField>,
}

/// `status` as a number or a word.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StatusField {
    /// A status code (read so that the body parses; the message says more).
    Code(#[allow(dead_code)] i64),
    /// A status word.
    Text(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_read_every_form_the_untagged_enum_read() {
        let r = |j: &str| serde_json::from_str::<AttrWire>(j);
        assert!(matches!(r("true"), Ok(AttrWire::Bool(true))));
        // Numbers keep their kind: `3` an integer, `3.0` and `-2.5` decimals.
        assert!(matches!(r("3"), Ok(AttrWire::Num(n)) if n.to_string() == "3"));
        assert!(matches!(r("3.0"), Ok(AttrWire::Num(n)) if n.to_string() == "3.0"));
        assert!(matches!(r("-2.5"), Ok(AttrWire::Num(n)) if n.to_string() == "-2.5"));
        assert!(
            matches!(r("18446744073709551615"), Ok(AttrWire::Num(n)) if n.as_u64() == Some(u64::MAX))
        );
        assert!(matches!(r(r#""2024/01/02""#), Ok(AttrWire::Text(s)) if s == "2024/01/02"));
        assert!(matches!(r(r#"["a","b"]"#), Ok(AttrWire::List(v)) if v == ["a", "b"]));
        for bad in ["null", "{}", "[1]", r#"["a",{}]"#] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
