//! The seed's nested item shape (keys in the seed's order), with epoch-millisecond or
//! `yyyy-MM-dd` dates.

use serde::Serialize;

use crate::sim::calendar::{format_date, la_midnight_ms, rfc3339_millis};

use super::data::{Attr, AttrVal, Item};
use crate::sim::FnoDateFormat;

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum WDate {
    Ms(i64),
    Text(String),
}

pub(super) fn wdate(fmt: FnoDateFormat, day: i64) -> WDate {
    match fmt {
        FnoDateFormat::EpochMillis => WDate::Ms(la_midnight_ms(day)),
        FnoDateFormat::IsoDate => WDate::Text(format_date(day)),
    }
}

pub(super) fn wdatetime(fmt: FnoDateFormat, ms: i64) -> WDate {
    match fmt {
        FnoDateFormat::EpochMillis => WDate::Ms(ms),
        FnoDateFormat::IsoDate => WDate::Text(rfc3339_millis(ms)),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WAttr<'a> {
    pub(super) attribute_name: &'a str,
    pub(super) string_value: Option<&'a str>,
    pub(super) date_value: Option<WDate>,
    pub(super) boolean_value: Option<bool>,
    pub(super) integer_value: Option<i64>,
    pub(super) array_value: Option<()>,
}

#[derive(Serialize)]
pub(super) struct WAttrs<'a> {
    pub(super) attribute: Vec<WAttr<'a>>,
}

pub(super) fn wattrs<'a>(fmt: FnoDateFormat, attrs: &'a [Attr]) -> WAttrs<'a> {
    WAttrs {
        attribute: attrs
            .iter()
            .map(|a| {
                let mut w = WAttr {
                    attribute_name: a.name,
                    string_value: None,
                    date_value: None,
                    boolean_value: None,
                    integer_value: None,
                    array_value: None,
                };
                match &a.val {
                    Some(AttrVal::Str(s)) => w.string_value = Some(s),
                    Some(AttrVal::Bool(b)) => w.boolean_value = Some(*b),
                    Some(AttrVal::Int(i)) => w.integer_value = Some(*i),
                    Some(AttrVal::Date(d)) => w.date_value = Some(wdate(fmt, *d)),
                    None => {}
                }
                w
            })
            .collect(),
    }
}

pub(super) const LM_ATTRS: &[Attr] = &[
    Attr {
        name: "NOTICE",
        val: None,
    },
    Attr {
        name: "ENTITLEMENT_TYPE",
        val: None,
    },
    Attr {
        name: "SERIAL_NUMBER",
        val: None,
    },
    Attr {
        name: "VENDOR_STRING",
        val: None,
    },
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WKeys<'a> {
    pub(super) name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) version: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WRef<'a> {
    pub(super) unique_id: String,
    pub(super) primary_keys: WKeys<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WActId<'a> {
    pub(super) id: &'a str,
    pub(super) auto_generate: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WFlag {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) is_cancel_license: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) is_virtual_license: Option<bool>,
    #[serde(
        rename = "useACPIGenerationId",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) use_acpi: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WPolicy {
    pub(super) rehosts_policy: Option<()>,
    pub(super) returns_policy: Option<()>,
    pub(super) repairs_policy: Option<()>,
    pub(super) extra_activations_policy: Option<()>,
    pub(super) cancel_license_policy: WFlag,
    pub(super) virtual_license_policy: WFlag,
    pub(super) reinstall_policy: Option<()>,
    #[serde(rename = "acpiGenerationIdLicensePolicy")]
    pub(super) acpi_policy: WFlag,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WTerm {
    pub(super) num_duration: i64,
    pub(super) duration_unit: &'static str,
}

#[derive(Serialize)]
pub(super) struct WEntitledProduct<'a> {
    pub(super) product: WRef<'a>,
    pub(super) quantity: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WEntitled<'a> {
    pub(super) entitled_product: Vec<WEntitledProduct<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WData<'a> {
    pub(super) activation_id: WActId<'a>,
    pub(super) description: &'a str,
    pub(super) product: WRef<'a>,
    pub(super) part_number: Option<&'a str>,
    pub(super) license_model: WRef<'a>,
    pub(super) alternate_license_model1: Option<()>,
    pub(super) alternate_license_model2: Option<()>,
    pub(super) license_model_attributes: WAttrs<'a>,
    pub(super) policy_attributes: WPolicy,
    pub(super) order_id: Option<&'a str>,
    pub(super) order_line_number: &'a str,
    pub(super) number_of_copies: u32,
    pub(super) start_date: WDate,
    pub(super) start_date_option: &'static str,
    pub(super) is_permanent: bool,
    pub(super) term: Option<WTerm>,
    pub(super) expiration_date: Option<WDate>,
    pub(super) version_date: Option<WDate>,
    pub(super) version_date_attributes: Option<()>,
    pub(super) line_item_type: Option<()>,
    pub(super) entitled_products: WEntitled<'a>,
    pub(super) line_item_attributes: WAttrs<'a>,
    pub(super) number_of_remaining_copies: u32,
    pub(super) available_extra_activations: u32,
    pub(super) is_trusted_type: bool,
    pub(super) state: &'a str,
    pub(super) license_technology: WRef<'a>,
    pub(super) parent_line_item: Option<&'a str>,
    pub(super) created_on_date_time: WDate,
    pub(super) last_modified_date_time: WDate,
    pub(super) overdraft_max: u32,
    pub(super) remaining_overdraft_count: u32,
    pub(super) id: u64,
    pub(super) fnptime_zone_value: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WContactKeys<'a> {
    pub(super) first_name: &'a str,
    pub(super) last_name: &'a str,
    pub(super) email_address: &'a str,
    pub(super) phone_number: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WContact<'a> {
    pub(super) unique_id: String,
    pub(super) user_name: &'a str,
    pub(super) primary_keys: WContactKeys<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WPartner<'a> {
    pub(super) tier_name: &'a str,
    pub(super) contact: Option<WContact<'a>>,
    pub(super) current_owner: bool,
    pub(super) account: WRef<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WPartners<'a> {
    pub(super) channel_partner: Vec<WPartner<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WItem<'a> {
    pub(super) activatable_item_type: &'a str,
    pub(super) parent_bulk_entitlement_id: Option<&'a str>,
    pub(super) entitlement_id: &'a str,
    pub(super) sold_to: &'a str,
    pub(super) ship_to_email: &'a str,
    pub(super) ship_to_address: &'a str,
    pub(super) entitlement_state: &'a str,
    pub(super) activatable_item_data: WData<'a>,
    pub(super) channel_partners: WPartners<'a>,
    pub(super) entitlement_attributes: WAttrs<'a>,
}

pub(super) fn hid(n: u32) -> String {
    format!("HID-{n}")
}

pub(super) fn wref<'a>(n: u32, name: &'a str, version: Option<&'a str>) -> WRef<'a> {
    WRef {
        unique_id: hid(n),
        primary_keys: WKeys { name, version },
    }
}

pub(super) fn wire(it: &Item, fmt: FnoDateFormat) -> WItem<'_> {
    WItem {
        activatable_item_type: it.ent.item_type,
        parent_bulk_entitlement_id: it.ent.parent_bulk.as_deref(),
        entitlement_id: &it.ent.entitlement_id,
        sold_to: &it.ent.sold_to,
        ship_to_email: &it.ent.ship_to_email,
        ship_to_address: &it.ent.ship_to_address,
        entitlement_state: it.ent.ent_state,
        activatable_item_data: WData {
            activation_id: WActId {
                id: &it.activation_id,
                auto_generate: None,
            },
            description: &it.description,
            product: wref(it.product.hid, it.product.name, Some(it.product.version)),
            part_number: it.part_number.as_deref(),
            license_model: wref(it.license_model.1, it.license_model.0, None),
            alternate_license_model1: None,
            alternate_license_model2: None,
            license_model_attributes: wattrs(fmt, LM_ATTRS),
            policy_attributes: WPolicy {
                rehosts_policy: None,
                returns_policy: None,
                repairs_policy: None,
                extra_activations_policy: None,
                cancel_license_policy: WFlag {
                    is_cancel_license: Some(false),
                    is_virtual_license: None,
                    use_acpi: None,
                },
                virtual_license_policy: WFlag {
                    is_cancel_license: None,
                    is_virtual_license: Some(it.id.is_multiple_of(2)),
                    use_acpi: None,
                },
                reinstall_policy: None,
                acpi_policy: WFlag {
                    is_cancel_license: None,
                    is_virtual_license: None,
                    use_acpi: Some(false),
                },
            },
            order_id: it.order_id.as_deref(),
            order_line_number: &it.order_line,
            number_of_copies: it.copies,
            start_date: wdate(fmt, it.start_day),
            start_date_option: "DEFINE_NOW",
            is_permanent: it.is_permanent,
            term: it.term_days.map(|d| WTerm {
                num_duration: d,
                duration_unit: "DAYS",
            }),
            expiration_date: it.exp_day.map(|d| wdate(fmt, d)),
            version_date: it.version_day.map(|d| wdate(fmt, d)),
            version_date_attributes: None,
            line_item_type: None,
            entitled_products: WEntitled {
                entitled_product: it
                    .entitled
                    .iter()
                    .map(|p| WEntitledProduct {
                        product: wref(p.hid, p.name, Some(p.version)),
                        quantity: p.qty,
                    })
                    .collect(),
            },
            line_item_attributes: wattrs(fmt, &it.line_attrs),
            number_of_remaining_copies: it.remaining,
            available_extra_activations: 0,
            is_trusted_type: false,
            state: it.state,
            license_technology: wref(34, it.license_tech, None),
            parent_line_item: it.parent_line_item.as_deref(),
            created_on_date_time: wdatetime(fmt, it.created_ms),
            last_modified_date_time: wdatetime(fmt, it.modified_ms),
            overdraft_max: 0,
            remaining_overdraft_count: 0,
            id: it.id,
            fnptime_zone_value: None,
        },
        channel_partners: WPartners {
            channel_partner: it
                .ent
                .partners
                .iter()
                .map(|p| WPartner {
                    tier_name: p.tier,
                    contact: p.contact.as_ref().map(|(f, l, e, ph)| WContact {
                        unique_id: hid(p.account_hid + 30_000),
                        user_name: e,
                        primary_keys: WContactKeys {
                            first_name: f,
                            last_name: l,
                            email_address: e,
                            phone_number: ph,
                        },
                    }),
                    current_owner: p.current_owner,
                    account: wref(p.account_hid, &p.account, None),
                })
                .collect(),
        },
        entitlement_attributes: wattrs(fmt, &it.ent.ent_attrs),
    }
}
