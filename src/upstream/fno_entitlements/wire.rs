//! FNO Entitlements API (Beta) wire types: `GET /entitlements-api/v1/entitlements`.
//!
//! The REST spec documents only `{"status": "string"}`; the entity shape follows the
//! GraphQL twin (`EntitlementDetail`), accepting the create-body spellings as aliases
//! (`product`/`products`, `isPermanent`/`permanent`, `lineItemStatus`/`lineItemState`).

use serde::Deserialize;

use crate::upstream::dates::WireDate;

/// `{entitlements, page, limit}`.
#[derive(Debug, Clone, Deserialize)]
pub struct EntitlementList {
    /// The entitlements (required: a body without it is malformed).
    pub entitlements: Vec<Entitlement>,
}

/// The same with untyped items, read only when `raw` is requested.
#[derive(Debug, Clone, Deserialize)]
pub struct RawList {
    /// The entitlements as sent.
    pub entitlements: Vec<serde_json::Value>,
}

/// An entitlement with accounts, attributes and line items.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entitlement {
    /// Entitlement id.
    pub entitlement_id: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// `draft, deployed, active, inactive, obsoleted` (any case).
    #[serde(default)]
    pub status: Option<String>,
    /// Created.
    #[serde(default)]
    pub created_on: Option<WireDate>,
    /// Updated.
    #[serde(default)]
    pub updated_on: Option<WireDate>,
    /// Ship-to e-mail.
    #[serde(default)]
    pub ship_to_email: Option<String>,
    /// Ship-to address.
    #[serde(default)]
    pub ship_to_address: Option<String>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Option<Vec<Account>>,
    /// Custom attributes.
    #[serde(default)]
    pub attributes: Option<Vec<Attribute>>,
    /// Line items.
    #[serde(default)]
    pub line_items: Option<Vec<LineItem>>,
}

/// An account on an entitlement.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Account id.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Account name.
    #[serde(default)]
    pub account_name: Option<String>,
    /// `CUSTOMER`, `CHANNEL_PARTNER`, …
    #[serde(default)]
    pub account_type: Option<String>,
    /// `END_CUSTOMER`, `PARTNER_TIER_ONE`.
    #[serde(default)]
    pub partner_tier_name: Option<String>,
    /// Contact e-mail.
    #[serde(default)]
    pub contact_email: Option<String>,
}

/// `{name, value}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Attribute {
    /// Name.
    pub name: String,
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
    /// Number.
    Num(f64),
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
        Ok(AttrWire::Num(v as f64))
    }

    fn visit_u64<E>(self, v: u64) -> Result<AttrWire, E> {
        Ok(AttrWire::Num(v as f64))
    }

    fn visit_f64<E>(self, v: f64) -> Result<AttrWire, E> {
        Ok(AttrWire::Num(v))
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
pub struct LineItem {
    /// Products.
    #[serde(default, alias = "product")]
    pub products: Option<Vec<Product>>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<f64>,
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
    #[serde(default)]
    pub part_number: Option<String>,
}

/// A product on a line item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Name.
    #[serde(default)]
    pub product_name: Option<String>,
    /// Version.
    #[serde(default)]
    pub product_version: Option<String>,
    /// Part number.
    #[serde(default)]
    pub part_number: Option<String>,
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
    /// A status code.
    Code(i64),
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
        assert!(matches!(r("3"), Ok(AttrWire::Num(n)) if n == 3.0));
        assert!(matches!(r("-2.5"), Ok(AttrWire::Num(n)) if n == -2.5));
        assert!(matches!(r(r#""2024/01/02""#), Ok(AttrWire::Text(s)) if s == "2024/01/02"));
        assert!(matches!(r(r#"["a","b"]"#), Ok(AttrWire::List(v)) if v == ["a", "b"]));
        for bad in ["null", "{}", "[1]", r#"["a",{}]"#] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
