//! The normalized record and its enumerations.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Number, RawJson, Timestamp};

/// The four upstreams, by their stable source ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// HPE GreenLake Flex Solutions v1beta1.
    HpeFlex,
    /// FlexNet Operations REST entitlementOrders (activatable line items).
    FnoOrders,
    /// FlexNet Entitlements API (Beta).
    FnoEntitlements,
    /// TelecomX IPTV FlexCare orders.
    TelecomxFlexcare,
}

impl Source {
    /// Every source, in their canonical order.
    pub const ALL: [Source; 4] = [
        Source::HpeFlex,
        Source::FnoOrders,
        Source::FnoEntitlements,
        Source::TelecomxFlexcare,
    ];

    /// The stable id (`hpe_flex`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::HpeFlex => "hpe_flex",
            Source::FnoOrders => "fno_orders",
            Source::FnoEntitlements => "fno_entitlements",
            Source::TelecomxFlexcare => "telecomx_flexcare",
        }
    }

    /// The source with this stable id.
    pub fn from_id(id: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == id)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of unit a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A GreenLake or TelecomX order.
    Order,
    /// An FNO activatable line item.
    LineItem,
    /// An FNO Beta entitlement.
    Entitlement,
    /// A GreenLake device.
    Device,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 4] = [Kind::Order, Kind::LineItem, Kind::Entitlement, Kind::Device];

    /// The JSON spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::LineItem => "line_item",
            Kind::Entitlement => "entitlement",
            Kind::Device => "device",
        }
    }
}

/// The common lifecycle status; each adapter documents its mapping.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not yet deployed.
    Draft,
    /// In force.
    Active,
    /// Deployed but suspended, on hold or test.
    Inactive,
    /// Past its end date.
    Expired,
    /// Withdrawn.
    Obsolete,
    /// The source does not say.
    #[default]
    Unknown,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::Active,
        Status::Inactive,
        Status::Expired,
        Status::Obsolete,
        Status::Unknown,
    ];

    /// The JSON spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Expired => "expired",
            Status::Obsolete => "obsolete",
            Status::Unknown => "unknown",
        }
    }
}

/// An `{id, name}` pair (customer, billing account).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Party {
    /// The vendor's identifier, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The display name, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A partner's role on an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerRole {
    /// Reseller.
    Reseller,
    /// Distributor.
    Distributor,
    /// A partner without a finer role (GreenLake `partnerName`).
    Partner,
    /// An FNO channel partner.
    Channel,
}

impl PartnerRole {
    /// Every role.
    pub const ALL: [PartnerRole; 4] = [
        PartnerRole::Reseller,
        PartnerRole::Distributor,
        PartnerRole::Partner,
        PartnerRole::Channel,
    ];

    /// The JSON spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            PartnerRole::Reseller => "reseller",
            PartnerRole::Distributor => "distributor",
            PartnerRole::Partner => "partner",
            PartnerRole::Channel => "channel",
        }
    }
}

/// A partner on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    /// The partner's role.
    pub role: PartnerRole,
    /// The vendor's identifier, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The display name, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The vendor's partner tier, in one spelling across vendors: lower case without
    /// separators or prefix (FNO `bo.constants.partnertiernames.partnertierone` and FNO
    /// Beta `PARTNER_TIER_ONE` are both `partnertierone`); absent where the vendor has no
    /// tiers (GreenLake, TelecomX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

impl Partner {
    /// A vendor's tier name in the record's spelling (see [`Partner::tier`]); `None` for
    /// a blank one.
    pub fn tier_of(vendor: &str) -> Option<String> {
        let word = vendor.rsplit('.').next().unwrap_or(vendor);
        let t: String = word
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        (!t.is_empty()).then_some(t)
    }
}

/// Who to talk to about an order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Contact {
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number, as the vendor wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// One product line of an order or entitlement.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// Product name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// Product version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_version: Option<String>,
    /// Part number (SKU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_number: Option<String>,
    /// Entitled quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Number>,
    /// Quantity not yet consumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<Number>,
    /// The FNO activation id of the line item this product is on (an FNO Beta
    /// entitlement's lines, an FNO line item's own), so either FNO source is found by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_id: Option<String>,
    /// The line's own status (FNO Beta: each line's `lineItemState`, with expiry applied),
    /// when the line has one beside the record's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The line's order type (FNO Beta `orderType`: `NEW_ORDER`, `RENEWAL_ORDER`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<String>,
    /// The line's own start (FNO Beta `startDate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Timestamp>,
    /// The line's own expiry (FNO Beta `expiryDate`; absent when permanent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Timestamp>,
}

/// A device attached to an order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Device {
    /// The vendor's device id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Device type (vendor vocabulary).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub device_type: Option<String>,
}

/// A custom attribute value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttrValue {
    /// Boolean attribute.
    Bool(bool),
    /// Numeric attribute (its kind kept: integer or decimal).
    Number(Number),
    /// Text (also dates, kept in the vendor's spelling).
    Text(String),
}

/// One normalized order, line item, entitlement or device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// `<source>:<sourceId>`, globally unique.
    pub id: String,
    /// Which upstream it came from.
    pub source: Source,
    /// The upstream's own id.
    pub source_id: String,
    /// What kind of unit it is.
    pub kind: Kind,
    /// The vendor's order reference (SOW id, FNO order id, PO number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_ref: Option<String>,
    /// The FNO entitlement this record is or belongs to: a Beta entitlement's own id, an
    /// FNO line item's parent entitlement (the link between the two FNO sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitlement_id: Option<String>,
    /// Display name or description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The end customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Party>,
    /// The billing account (GreenLake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<Party>,
    /// Resellers, distributors and channel partners.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<Partner>,
    /// Contact person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Lifecycle status.
    #[serde(default)]
    pub status: Status,
    /// Start of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Timestamp>,
    /// End of validity (absent when permanent or unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Timestamp>,
    /// Never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_permanent: Option<bool>,
    /// Creation instant at the vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Last modification at the vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Product lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// Devices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
    /// Custom attributes by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttrValue>,
    /// The vendor's original object as it arrived, only when the client asks for it
    /// (`include=raw`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawJson>,
}

impl Record {
    /// A record with only its identity set; adapters fill in the rest.
    pub fn new(source: Source, source_id: impl Into<String>, kind: Kind) -> Self {
        let source_id = source_id.into();
        let mut id = String::with_capacity(source.as_str().len() + 1 + source_id.len());
        id.push_str(source.as_str());
        id.push(':');
        id.push_str(&source_id);
        Record {
            id,
            source,
            source_id,
            kind,
            order_ref: None,
            entitlement_id: None,
            name: None,
            customer: None,
            billing_account: None,
            partners: Vec::new(),
            contact: None,
            status: Status::Unknown,
            start_date: None,
            end_date: None,
            is_permanent: None,
            created_at: None,
            updated_at: None,
            items: Vec::new(),
            devices: Vec::new(),
            attributes: BTreeMap::new(),
            raw: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_are_absent_in_json() {
        let r = Record::new(Source::TelecomxFlexcare, "65f0c0ffee", Kind::Order);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"id":"telecomx_flexcare:65f0c0ffee","source":"telecomx_flexcare","sourceId":"65f0c0ffee","kind":"order","status":"unknown"}"#
        );
    }

    #[test]
    fn json_round_trips() {
        let mut r = Record::new(Source::HpeFlex, "3b741a59", Kind::Order);
        r.customer = Some(Party {
            id: None,
            name: Some("Søren & Co".into()),
        });
        r.end_date = Some(Timestamp::parse("2035-01-01T00:00:00Z").unwrap());
        r.attributes
            .insert("tier".into(), AttrValue::Number(2.into()));
        let back: Record = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn source_ids_round_trip() {
        for s in Source::ALL {
            assert_eq!(Source::from_id(s.as_str()), Some(s));
        }
        assert_eq!(Source::from_id("nope"), None);
    }
}
