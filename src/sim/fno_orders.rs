//! FlexNet Operations REST entitlementOrders (upstreams.md §2): `POST
//! /flexnet/operations/entitlementOrders` (activatable line items matching
//! `activatableItemSearchCriteria`, paged by `batchSize`/`pageNumber`, no total) and
//! `POST …/count` (criteria under `queryParams`), `statusInfo` SUCCESS/FAILURE, the seed's
//! nested item shape with epoch-millisecond dates (or `yyyy-MM-dd`), maintenance line items
//! never returned, HTTP Basic or `Bearer rna_…` auth.
//!
//! Imports only sibling sim modules, `http`, `serde`, `time` (parsing query date-times);
//! no clock.

use http::{Method, Request, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::calendar::{
    format_date, la_day_of, la_midnight_ms, la_offset_ms, parse_date, parse_date_sep,
    rfc3339_millis, DAY_MS,
};
use std::sync::Arc;

use super::data::{stream, Pool, Shared};
use super::respond;
use super::rng::Rng;
use super::{creds, FnoDateFormat, Simulator};

/// A custom attribute value.
#[derive(Debug, Clone)]
enum AttrVal {
    Str(String),
    Bool(bool),
    Int(i64),
    /// A day number.
    Date(i64),
}

#[derive(Debug, Clone)]
struct Attr {
    name: &'static str,
    val: Option<AttrVal>,
}

#[derive(Debug, Clone)]
struct ProductRef {
    name: &'static str,
    version: &'static str,
    hid: u32,
    qty: u32,
}

#[derive(Debug, Clone)]
struct Partner {
    tier: &'static str,
    account: Shared,
    account_hid: u32,
    contact: Option<(String, String, String, String)>, // first, last, email, phone
    current_owner: bool,
}

/// The entitlement-level fields every line item of an entitlement shares.
#[derive(Debug)]
struct Ent {
    item_type: &'static str,
    parent_bulk: Option<String>,
    parent_bulk_sold_to: Option<Shared>,
    entitlement_id: String,
    sold_to: Shared,
    ship_to_email: String,
    ship_to_address: String,
    ent_state: &'static str,
    allow_portal_login: bool,
    current_owner_name: String,
    partners: Vec<Partner>,
    ent_attrs: Vec<Attr>,
}

/// One activatable (or maintenance) line item with its entitlement's fields.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    ent: Arc<Ent>,
    maintenance: bool,
    activation_id: String,
    description: String,
    product: ProductRef,
    product_type: &'static str,
    entitled: Vec<ProductRef>,
    part_number: Option<String>,
    license_model: (&'static str, u32),
    license_tech: &'static str,
    order_id: Option<String>,
    order_line: String,
    copies: u32,
    remaining: u32,
    start_day: i64,
    is_permanent: bool,
    term_days: Option<i64>,
    exp_day: Option<i64>,
    version_day: Option<i64>,
    state: &'static str,
    parent_line_item: Option<String>,
    created_ms: i64,
    modified_ms: i64,
    id: u64,
    line_attrs: Vec<Attr>,
}

const TIER_END: &str = "bo.constants.partnertiernames.endcustomer";
const TIER_ONE: &str = "bo.constants.partnertiernames.partnertierone";
const ENT_STATES: &[&str] = &[
    "DEPLOYED", "DEPLOYED", "DEPLOYED", "DEPLOYED", "DRAFT", "TEST", "INACTIVE", "ON_HOLD",
    "OBSOLETE",
];
const TECHS: &[&str] = &[
    "FlexNet Licensing",
    "FlexNet Licensing",
    "FlexNet Embedded",
    "Cloud Licensing Service",
];
const REGIONS: &[&str] = &["EMEA", "APJ", "AMS", "Nordics", "DACH"];

fn upper_id(r: &mut Rng, prefix: &str, groups: usize) -> String {
    let mut s = String::from(prefix);
    for g in 0..groups {
        if g > 0 {
            s.push('-');
        }
        s.push_str(&r.hex(4).to_ascii_uppercase());
    }
    s
}

/// Generates entitlements until `n` activatable line items exist (plus hidden maintenance
/// line items), in creation order.
pub(crate) fn generate(pool: &Pool, seed: u64, n: usize) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(n + n / 6 + 4);
    let mut visible = 0usize;
    let mut e = 0u64;
    let mut next_id = 594_000u64;
    while visible < n {
        let mut r = Rng::for_record(seed, stream::FNO_ITEMS, e);
        e += 1;
        let c = pool.customer(&mut r);
        let webreg = r.chance(8);
        let entitlement_id = upper_id(&mut r, "ENT-", 2);
        let (parent_bulk, parent_bulk_sold_to) = if webreg {
            (
                Some(upper_id(&mut r, "BULK-", 2)),
                Some(pool.reseller(&mut r)),
            )
        } else {
            (None, None)
        };
        let ent_state = r.pick(ENT_STATES).copied().unwrap_or("DEPLOYED");
        let contact_email = c.email.to_string();
        let ship_to_email = if r.chance(50) {
            contact_email.clone()
        } else {
            String::new()
        };
        let ship_to_address = if r.chance(30) {
            format!("Building {} Street {}", r.digits(2), r.digits(3))
        } else {
            String::new()
        };
        let mut partners = vec![Partner {
            tier: TIER_END,
            account: c.name.clone(),
            account_hid: 400
                + c.code
                    .get(4..)
                    .and_then(|d| d.parse::<u32>().ok())
                    .unwrap_or(0),
            contact: r.chance(85).then(|| {
                let phone = if r.chance(50) {
                    format!("+{}", r.digits(10))
                } else {
                    " ".to_string()
                };
                (
                    c.contact.0.to_string(),
                    c.contact.1.to_string(),
                    contact_email.clone(),
                    phone,
                )
            }),
            current_owner: true,
        }];
        if r.chance(40) {
            partners.push(Partner {
                tier: TIER_ONE,
                account: pool.reseller(&mut r),
                account_hid: 10_000 + r.below(900) as u32,
                contact: None,
                current_owner: false,
            });
        }
        let ent_attrs = vec![
            Attr {
                name: "REGION",
                val: r
                    .chance(80)
                    .then(|| AttrVal::Str(r.pick(REGIONS).copied().unwrap_or("EMEA").to_string())),
            },
            Attr {
                name: "SEATS",
                val: r.chance(70).then(|| AttrVal::Int(r.range(1, 5000))),
            },
            Attr {
                name: "RENEWABLE",
                val: Some(AttrVal::Bool(r.chance(50))),
            },
            Attr {
                name: "CONTRACT_DATE",
                val: r.chance(60).then(|| AttrVal::Date(r.range(16_436, 22_000))),
            },
        ];
        let allow_portal_login = r.chance(30);
        let owner = if r.chance(70) {
            "admin".to_string()
        } else {
            c.email.to_string()
        };
        let created_base = super::data::start_ms(&mut r);
        let ent = Arc::new(Ent {
            item_type: if webreg { "WEBREGKEY" } else { "LINEITEM" },
            sold_to: c.name.clone(),
            ent_state,
            allow_portal_login,
            parent_bulk,
            parent_bulk_sold_to,
            entitlement_id,
            ship_to_email,
            ship_to_address,
            current_owner_name: owner,
            partners,
            ent_attrs,
        });
        let n_lines = 1 + r.below(3) as usize;
        let with_maint = r.chance(15);
        let mut first_activation: Option<String> = None;
        for li in 0..(n_lines + usize::from(with_maint)) {
            let maintenance = li == n_lines;
            if !maintenance && visible >= n {
                break;
            }
            let p = pool.product(&mut r);
            let activation_id = upper_id(&mut r, "", 4);
            let start_day = created_base.div_euclid(DAY_MS) + r.range(0, 30);
            let is_permanent = !maintenance && r.chance(20);
            let term_days = (!is_permanent)
                .then(|| *r.pick(&[30i64, 95, 365, 730, 1095, 1825]).unwrap_or(&365));
            let exp_day = term_days.map(|t| start_day + t);
            let copies = *r.pick(&[1u32, 5, 10, 25, 100, 250]).unwrap_or(&1);
            let remaining = r.below(u64::from(copies) + 1) as u32;
            let mut entitled = vec![ProductRef {
                name: p.name,
                version: p.version,
                hid: p.hid,
                qty: 1,
            }];
            if r.chance(25) {
                let q = pool.product(&mut r);
                entitled.push(ProductRef {
                    name: q.name,
                    version: q.version,
                    hid: q.hid,
                    qty: 1 + r.below(3) as u32,
                });
            }
            let created_ms = created_base + li as i64 * 60_000 + r.range(0, 60_000);
            next_id += 1 + r.below(7);
            let item = Item {
                ent: Arc::clone(&ent),
                maintenance,
                description: if r.chance(50) {
                    String::new()
                } else {
                    format!("{} {} for {}", p.name, p.version, c.name)
                },
                product: ProductRef {
                    name: if maintenance { "Support Plus" } else { p.name },
                    version: if maintenance { "1.0" } else { p.version },
                    hid: p.hid,
                    qty: 1,
                },
                product_type: if maintenance {
                    "MAINTENANCE"
                } else if entitled.len() > 1 {
                    "SUITE"
                } else {
                    "LICENSED_PRODUCT"
                },
                entitled,
                part_number: r.chance(60).then(|| p.part_number.clone()),
                license_model: (p.license_model, 200 + r.below(60) as u32),
                license_tech: r.pick(TECHS).copied().unwrap_or("FlexNet Licensing"),
                order_id: r.chance(65).then(|| format!("SO-{}", r.digits(7))),
                order_line: if r.chance(50) {
                    String::new()
                } else {
                    (li + 1).to_string()
                },
                copies,
                remaining,
                start_day,
                is_permanent,
                term_days,
                exp_day,
                version_day: r.chance(20).then(|| start_day + r.range(0, 365)),
                state: if ent_state == "DEPLOYED" {
                    "DEPLOYED"
                } else {
                    ent_state
                },
                parent_line_item: if li > 0 && r.chance(20) {
                    first_activation.clone()
                } else {
                    None
                },
                created_ms,
                modified_ms: created_ms + r.range(0, 90) * DAY_MS + r.range(0, 86_400_000),
                id: next_id,
                line_attrs: vec![
                    Attr {
                        name: "Boolean1",
                        val: Some(AttrVal::Bool(r.chance(30))),
                    },
                    Attr {
                        name: "COST_CENTER",
                        val: r
                            .chance(50)
                            .then(|| AttrVal::Str(format!("CC-{}", r.digits(4)))),
                    },
                    Attr {
                        name: "PO_LINE",
                        val: r.chance(40).then(|| AttrVal::Int(r.range(1, 99))),
                    },
                ],
                activation_id,
            };
            if first_activation.is_none() {
                first_activation = Some(item.activation_id.clone());
            }
            if !maintenance {
                visible += 1;
            }
            out.push(item);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Wire shape (seed order of keys).

#[derive(Serialize)]
#[serde(untagged)]
enum WDate {
    Ms(i64),
    Text(String),
}

fn wdate(fmt: FnoDateFormat, day: i64) -> WDate {
    match fmt {
        FnoDateFormat::EpochMillis => WDate::Ms(la_midnight_ms(day)),
        FnoDateFormat::IsoDate => WDate::Text(format_date(day)),
    }
}

fn wdatetime(fmt: FnoDateFormat, ms: i64) -> WDate {
    match fmt {
        FnoDateFormat::EpochMillis => WDate::Ms(ms),
        FnoDateFormat::IsoDate => WDate::Text(rfc3339_millis(ms)),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WAttr<'a> {
    attribute_name: &'a str,
    string_value: Option<&'a str>,
    date_value: Option<WDate>,
    boolean_value: Option<bool>,
    integer_value: Option<i64>,
    array_value: Option<()>,
}

#[derive(Serialize)]
struct WAttrs<'a> {
    attribute: Vec<WAttr<'a>>,
}

fn wattrs<'a>(fmt: FnoDateFormat, attrs: &'a [Attr]) -> WAttrs<'a> {
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

const LM_ATTRS: &[Attr] = &[
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
struct WKeys<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WRef<'a> {
    unique_id: String,
    primary_keys: WKeys<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WActId<'a> {
    id: &'a str,
    auto_generate: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WFlag {
    #[serde(skip_serializing_if = "Option::is_none")]
    is_cancel_license: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_virtual_license: Option<bool>,
    #[serde(
        rename = "useACPIGenerationId",
        skip_serializing_if = "Option::is_none"
    )]
    use_acpi: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WPolicy {
    rehosts_policy: Option<()>,
    returns_policy: Option<()>,
    repairs_policy: Option<()>,
    extra_activations_policy: Option<()>,
    cancel_license_policy: WFlag,
    virtual_license_policy: WFlag,
    reinstall_policy: Option<()>,
    #[serde(rename = "acpiGenerationIdLicensePolicy")]
    acpi_policy: WFlag,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WTerm {
    num_duration: i64,
    duration_unit: &'static str,
}

#[derive(Serialize)]
struct WEntitledProduct<'a> {
    product: WRef<'a>,
    quantity: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WEntitled<'a> {
    entitled_product: Vec<WEntitledProduct<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WData<'a> {
    activation_id: WActId<'a>,
    description: &'a str,
    product: WRef<'a>,
    part_number: Option<&'a str>,
    license_model: WRef<'a>,
    alternate_license_model1: Option<()>,
    alternate_license_model2: Option<()>,
    license_model_attributes: WAttrs<'a>,
    policy_attributes: WPolicy,
    order_id: Option<&'a str>,
    order_line_number: &'a str,
    number_of_copies: u32,
    start_date: WDate,
    start_date_option: &'static str,
    is_permanent: bool,
    term: Option<WTerm>,
    expiration_date: Option<WDate>,
    version_date: Option<WDate>,
    version_date_attributes: Option<()>,
    line_item_type: Option<()>,
    entitled_products: WEntitled<'a>,
    line_item_attributes: WAttrs<'a>,
    number_of_remaining_copies: u32,
    available_extra_activations: u32,
    is_trusted_type: bool,
    state: &'a str,
    license_technology: WRef<'a>,
    parent_line_item: Option<&'a str>,
    created_on_date_time: WDate,
    last_modified_date_time: WDate,
    overdraft_max: u32,
    remaining_overdraft_count: u32,
    id: u64,
    fnptime_zone_value: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WContactKeys<'a> {
    first_name: &'a str,
    last_name: &'a str,
    email_address: &'a str,
    phone_number: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WContact<'a> {
    unique_id: String,
    user_name: &'a str,
    primary_keys: WContactKeys<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WPartner<'a> {
    tier_name: &'a str,
    contact: Option<WContact<'a>>,
    current_owner: bool,
    account: WRef<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WPartners<'a> {
    channel_partner: Vec<WPartner<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WItem<'a> {
    activatable_item_type: &'a str,
    parent_bulk_entitlement_id: Option<&'a str>,
    entitlement_id: &'a str,
    sold_to: &'a str,
    ship_to_email: &'a str,
    ship_to_address: &'a str,
    entitlement_state: &'a str,
    activatable_item_data: WData<'a>,
    channel_partners: WPartners<'a>,
    entitlement_attributes: WAttrs<'a>,
}

fn hid(n: u32) -> String {
    format!("HID-{n}")
}

fn wref<'a>(n: u32, name: &'a str, version: Option<&'a str>) -> WRef<'a> {
    WRef {
        unique_id: hid(n),
        primary_keys: WKeys { name, version },
    }
}

fn wire(it: &Item, fmt: FnoDateFormat) -> WItem<'_> {
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

// ---------------------------------------------------------------------------------------
// Request body.

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum Flexi {
    Bool(bool),
    Num(i64),
    Float(f64),
    Text(String),
}

impl Flexi {
    fn as_bool(&self) -> Option<bool> {
        match self {
            Flexi::Bool(b) => Some(*b),
            Flexi::Text(t) if t.eq_ignore_ascii_case("true") => Some(true),
            Flexi::Text(t) if t.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
    fn as_i64(&self) -> Option<i64> {
        match self {
            Flexi::Num(n) => Some(*n),
            Flexi::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(*f as i64),
            Flexi::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }
    fn as_text(&self) -> String {
        match self {
            Flexi::Bool(b) => b.to_string(),
            Flexi::Num(n) => n.to_string(),
            Flexi::Float(f) => f.to_string(),
            Flexi::Text(t) => t.clone(),
        }
    }
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
struct Q {
    value: Option<Flexi>,
    search_type: Option<String>,
    partner_tier: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
struct AttrQ {
    attribute_name: Option<String>,
    boolean_value: Option<Flexi>,
    date_value: Option<Q>,
    number_value: Option<Q>,
    string_value: Option<StrValue>,
}

#[derive(Deserialize, Debug, Clone, Default)]
struct AttrList {
    #[serde(default)]
    attribute: Vec<AttrQ>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
struct LineAttrQ {
    attribute_name: Option<String>,
    string_value: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
struct Criteria {
    parent_bulk_entitlement_id: Option<Q>,
    entitlement_id: Option<Q>,
    activation_id: Option<Q>,
    product_name: Option<Q>,
    product_version: Option<Q>,
    product_type: Option<String>,
    part_number: Option<Q>,
    start_date: Option<Q>,
    is_permanent: Option<Flexi>,
    expiration_date: Option<Q>,
    version_date: Option<Q>,
    license_technology: Option<Q>,
    order_id: Option<Q>,
    with_no_order_id: Option<Flexi>,
    restrict_to_items_with_count: Option<Flexi>,
    fulfilled_amount: Option<Flexi>,
    user_id: Option<String>,
    custom_attributes: Option<AttrList>,
    sold_to: Option<Q>,
    parent_bulk_ent_sold_to: Option<Q>,
    activatable_item_type: Option<String>,
    allow_portal_login: Option<Flexi>,
    current_owner_name: Option<Q>,
    line_item_parent_line_item_id: Option<Q>,
    created_on_date_time: Option<Q>,
    last_modified_date_time: Option<Q>,
    line_item_attributes: Option<LineAttrQ>,
    account_id: Option<Q>,
    batch_size: Option<Flexi>,
    page_number: Option<Flexi>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct Body {
    activatable_item_search_criteria: Option<Criteria>,
    query_params: Option<Criteria>,
    batch_size: Option<Flexi>,
    page_number: Option<Flexi>,
}

/// A criteria error: becomes `statusInfo: FAILURE` with this reason.
struct Failure(String);

#[derive(Clone, Copy, PartialEq)]
enum StrOp {
    Starts,
    Contains,
    Ends,
    Equals,
}

/// A compiled string predicate (case-insensitive).
struct StrP {
    op: StrOp,
    needle: String,
}

impl StrP {
    fn compile(field: &str, q: &Q) -> Result<StrP, Failure> {
        let needle = match &q.value {
            Some(v) => v.as_text().to_lowercase(),
            None => return Err(Failure(format!("1001; value is required for {field}"))),
        };
        let op = match q
            .search_type
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("STARTS_WITH") => StrOp::Starts,
            Some("CONTAINS") => StrOp::Contains,
            Some("ENDS_WITH") => StrOp::Ends,
            Some("EQUALS") => StrOp::Equals,
            Some(other) => {
                return Err(Failure(format!(
                    "1002; Invalid searchType {} for {field}",
                    other.chars().take(40).collect::<String>()
                )))
            }
            None => return Err(Failure(format!("1002; searchType is required for {field}"))),
        };
        Ok(StrP { op, needle })
    }

    fn test(&self, s: &str) -> bool {
        let h = s.to_lowercase();
        match self.op {
            StrOp::Starts => h.starts_with(&self.needle),
            StrOp::Contains => h.contains(&self.needle),
            StrOp::Ends => h.ends_with(&self.needle),
            StrOp::Equals => h == self.needle,
        }
    }

    fn test_opt(&self, s: Option<&str>) -> bool {
        s.is_some_and(|s| self.test(s))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum DateOp {
    Before,
    After,
    On,
}

fn date_op(field: &str, q: &Q) -> Result<DateOp, Failure> {
    match q
        .search_type
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("BEFORE") => Ok(DateOp::Before),
        Some("AFTER") => Ok(DateOp::After),
        Some("ON") => Ok(DateOp::On),
        Some(other) => Err(Failure(format!(
            "1002; Invalid searchType {} for {field}",
            other.chars().take(40).collect::<String>()
        ))),
        None => Err(Failure(format!("1002; searchType is required for {field}"))),
    }
}

/// A date predicate on day numbers.
struct DateP {
    op: DateOp,
    day: i64,
}

impl DateP {
    fn compile(field: &str, q: &Q) -> Result<DateP, Failure> {
        let op = date_op(field, q)?;
        let text = q.value.as_ref().map(Flexi::as_text).unwrap_or_default();
        let day = parse_date(text.trim())
            .or_else(|| parse_date_sep(text.trim(), b'/'))
            .ok_or_else(|| {
                Failure(format!(
                    "1003; Invalid date {} for {field}; expected yyyy-MM-dd",
                    text.chars().take(40).collect::<String>()
                ))
            })?;
        Ok(DateP { op, day })
    }

    fn test(&self, day: Option<i64>) -> bool {
        match day {
            None => false,
            Some(d) => match self.op {
                DateOp::Before => d < self.day,
                DateOp::After => d > self.day,
                DateOp::On => d == self.day,
            },
        }
    }
}

/// A date-time predicate: an instant, or a whole Los Angeles day for date-only values.
struct DateTimeP {
    op: DateOp,
    /// (instant, day) — instant is `None` for a date-only value.
    instant: Option<i64>,
    day: i64,
}

fn parse_datetime(s: &str) -> Option<(Option<i64>, i64)> {
    use time::format_description::well_known::Rfc3339;
    if let Some(day) = parse_date(s) {
        return Some((None, day));
    }
    if let Ok(dt) = time::OffsetDateTime::parse(s, &Rfc3339) {
        let ms = i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).ok()?;
        return Some((Some(ms), la_day_of(ms)));
    }
    // No zone: the FNO database zone (America/Los_Angeles).
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let local = time::PrimitiveDateTime::parse(s, &fmt).ok()?;
    let local_ms = i64::try_from(local.assume_utc().unix_timestamp_nanos() / 1_000_000).ok()?;
    let ms = local_ms - la_offset_ms(local_ms + 8 * 3_600_000);
    Some((Some(ms), la_day_of(ms)))
}

impl DateTimeP {
    fn compile(field: &str, q: &Q) -> Result<DateTimeP, Failure> {
        let op = date_op(field, q)?;
        let text = q.value.as_ref().map(Flexi::as_text).unwrap_or_default();
        let (instant, day) = parse_datetime(text.trim()).ok_or_else(|| {
            Failure(format!(
                "1003; Invalid date-time {} for {field}",
                text.chars().take(40).collect::<String>()
            ))
        })?;
        Ok(DateTimeP { op, instant, day })
    }

    fn test(&self, ms: i64) -> bool {
        let day = la_day_of(ms);
        match (self.op, self.instant) {
            (DateOp::On, _) => day == self.day,
            (DateOp::Before, Some(t)) => ms < t,
            (DateOp::After, Some(t)) => ms > t,
            (DateOp::Before, None) => day < self.day,
            (DateOp::After, None) => day > self.day,
        }
    }
}

enum AttrP {
    Bool(String, bool),
    Date(String, DateP),
    Num(String, &'static str, i64),
    Str(String, StrP),
}

fn compile_attr(q: &AttrQ) -> Result<AttrP, Failure> {
    let name = q
        .attribute_name
        .clone()
        .ok_or_else(|| Failure("1001; attributeName is required in customAttributes".into()))?;
    if let Some(b) = &q.boolean_value {
        let b = b
            .as_bool()
            .ok_or_else(|| Failure(format!("1003; Invalid booleanValue for {name}")))?;
        return Ok(AttrP::Bool(name, b));
    }
    if let Some(d) = &q.date_value {
        let p = DateP::compile(&name, d)?;
        return Ok(AttrP::Date(name, p));
    }
    if let Some(nq) = &q.number_value {
        let v = nq
            .value
            .as_ref()
            .and_then(Flexi::as_i64)
            .ok_or_else(|| Failure(format!("1003; Invalid numberValue for {name}")))?;
        let op = match nq
            .search_type
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("GREATER_THAN") => "GT",
            Some("GREATER_THAN_EQUALS") => "GE",
            Some("LESS_THAN") => "LT",
            Some("LESS_THAN_EQUALS") => "LE",
            Some("EQUALS") => "EQ",
            Some("NOT_EQUALS") => "NE",
            _ => {
                return Err(Failure(format!(
                    "1002; Invalid searchType for numberValue of {name}"
                )))
            }
        };
        return Ok(AttrP::Num(name, op, v));
    }
    if let Some(s) = &q.string_value {
        // The doc shows `stringValue` as `{value, searchType}`; a bare string means EQUALS.
        let sq = match s {
            StrValue::Q(q) => q.clone(),
            StrValue::Bare(v) => Q {
                value: Some(v.clone()),
                search_type: Some("EQUALS".into()),
                partner_tier: None,
            },
        };
        return Ok(AttrP::Str(name.clone(), StrP::compile(&name, &sq)?));
    }
    Err(Failure(format!(
        "1001; a value is required for custom attribute {name}"
    )))
}

/// `stringValue` may be an object `{value, searchType}` (REST doc) or a bare string.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum StrValue {
    Q(Q),
    Bare(Flexi),
}

fn attr_matches(p: &AttrP, it: &Item) -> bool {
    let all = it.ent.ent_attrs.iter().chain(it.line_attrs.iter());
    let name_of = |p: &AttrP| -> String {
        match p {
            AttrP::Bool(n, _) | AttrP::Date(n, _) | AttrP::Num(n, _, _) | AttrP::Str(n, _) => {
                n.clone()
            }
        }
    };
    let name = name_of(p);
    all.filter(|a| a.name.eq_ignore_ascii_case(&name))
        .any(|a| match (p, &a.val) {
            (AttrP::Bool(_, b), Some(AttrVal::Bool(v))) => b == v,
            (AttrP::Date(_, d), Some(AttrVal::Date(v))) => d.test(Some(*v)),
            (AttrP::Num(_, op, n), Some(AttrVal::Int(v))) => match *op {
                "GT" => v > n,
                "GE" => v >= n,
                "LT" => v < n,
                "LE" => v <= n,
                "EQ" => v == n,
                _ => v != n,
            },
            (AttrP::Str(_, s), Some(AttrVal::Str(v))) => s.test(v),
            _ => false,
        })
}

type Pred = Box<dyn Fn(&Item) -> bool>;

fn compile(c: &Criteria) -> Result<Vec<Pred>, Failure> {
    let mut preds: Vec<Pred> = Vec::new();
    macro_rules! string_field {
        ($field:ident, $name:literal, |$it:ident| $get:expr) => {
            if let Some(q) = &c.$field {
                let p = StrP::compile($name, q)?;
                preds.push(Box::new(move |$it: &Item| p.test_opt($get)));
            }
        };
    }
    string_field!(
        parent_bulk_entitlement_id,
        "parentBulkEntitlementId",
        |it| it.ent.parent_bulk.as_deref()
    );
    string_field!(entitlement_id, "entitlementId", |it| Some(
        it.ent.entitlement_id.as_str()
    ));
    string_field!(activation_id, "activationId", |it| Some(
        it.activation_id.as_str()
    ));
    string_field!(product_name, "productName", |it| Some(it.product.name));
    string_field!(product_version, "productVersion", |it| Some(
        it.product.version
    ));
    string_field!(part_number, "partNumber", |it| it.part_number.as_deref());
    string_field!(license_technology, "licenseTechnology", |it| Some(
        it.license_tech
    ));
    string_field!(order_id, "orderId", |it| it.order_id.as_deref());
    string_field!(sold_to, "soldTo", |it| Some(&*it.ent.sold_to));
    string_field!(parent_bulk_ent_sold_to, "parentBulkEntSoldTo", |it| it
        .ent
        .parent_bulk_sold_to
        .as_deref());
    string_field!(current_owner_name, "currentOwnerName", |it| Some(
        it.ent.current_owner_name.as_str()
    ));
    string_field!(
        line_item_parent_line_item_id,
        "lineItemParentLineItemId",
        |it| it.parent_line_item.as_deref()
    );
    if let Some(pt) = &c.product_type {
        let pt = pt.to_ascii_uppercase();
        if !matches!(pt.as_str(), "LICENSED_PRODUCT" | "SUITE" | "MAINTENANCE") {
            return Err(Failure(format!(
                "1004; Invalid productType {}",
                pt.chars().take(40).collect::<String>()
            )));
        }
        preds.push(Box::new(move |it: &Item| it.product_type == pt));
    }
    if let Some(t) = &c.activatable_item_type {
        let t = t.to_ascii_uppercase();
        if !matches!(t.as_str(), "LINEITEM" | "WEBREGKEY") {
            return Err(Failure(format!(
                "1004; Invalid activatableItemType {}",
                t.chars().take(40).collect::<String>()
            )));
        }
        preds.push(Box::new(move |it: &Item| it.ent.item_type == t));
    }
    for (field, name, get) in [
        (
            &c.start_date,
            "startDate",
            (|it: &Item| Some(it.start_day)) as fn(&Item) -> Option<i64>,
        ),
        (&c.expiration_date, "expirationDate", |it: &Item| it.exp_day),
        (&c.version_date, "versionDate", |it: &Item| it.version_day),
    ] {
        if let Some(q) = field {
            let p = DateP::compile(name, q)?;
            preds.push(Box::new(move |it: &Item| p.test(get(it))));
        }
    }
    for (field, name, get) in [
        (
            &c.created_on_date_time,
            "createdOnDateTime",
            (|it: &Item| it.created_ms) as fn(&Item) -> i64,
        ),
        (
            &c.last_modified_date_time,
            "lastModifiedDateTime",
            |it: &Item| it.modified_ms,
        ),
    ] {
        if let Some(q) = field {
            let p = DateTimeP::compile(name, q)?;
            preds.push(Box::new(move |it: &Item| p.test(get(it))));
        }
    }
    let flag = |f: &Option<Flexi>, name: &str| -> Result<Option<bool>, Failure> {
        match f {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| Failure(format!("1003; Invalid boolean for {name}"))),
        }
    };
    if let Some(b) = flag(&c.is_permanent, "isPermanent")? {
        preds.push(Box::new(move |it: &Item| it.is_permanent == b));
    }
    if let Some(b) = flag(&c.allow_portal_login, "allowPortalLogin")? {
        preds.push(Box::new(move |it: &Item| it.ent.allow_portal_login == b));
    }
    // `false` has no effect for these two (documented).
    if flag(&c.with_no_order_id, "withNoOrderId")? == Some(true) {
        preds.push(Box::new(|it: &Item| it.order_id.is_none()));
    }
    if flag(&c.restrict_to_items_with_count, "restrictToItemsWithCount")? == Some(true) {
        preds.push(Box::new(|it: &Item| it.remaining > 0));
    }
    if let Some(f) = &c.fulfilled_amount {
        let n = f
            .as_i64()
            .ok_or_else(|| Failure("1003; Invalid fulfilledAmount".into()))?;
        preds.push(Box::new(move |it: &Item| {
            i64::from(it.copies - it.remaining.min(it.copies)) == n
        }));
    }
    if let Some(u) = &c.user_id {
        let u = u.to_lowercase();
        preds.push(Box::new(move |it: &Item| {
            it.ent.partners.iter().any(|p| {
                p.contact
                    .as_ref()
                    .is_some_and(|(_, _, e, _)| e.to_lowercase() == u)
            })
        }));
    }
    if let Some(list) = &c.custom_attributes {
        for a in &list.attribute {
            let p = compile_attr(a)?;
            preds.push(Box::new(move |it: &Item| attr_matches(&p, it)));
        }
    }
    if let Some(la) = &c.line_item_attributes {
        let name = la.attribute_name.clone().unwrap_or_default();
        let val = la.string_value.clone().unwrap_or_default().to_lowercase();
        preds.push(Box::new(move |it: &Item| {
            it.line_attrs.iter().any(|a| {
                a.name.eq_ignore_ascii_case(&name)
                    && matches!(&a.val, Some(AttrVal::Str(s)) if s.to_lowercase() == val)
            })
        }));
    }
    if let Some(q) = &c.account_id {
        let p = StrP::compile("accountId", q)?;
        let tier = match q.partner_tier.as_deref() {
            None | Some("") => Some(TIER_END.to_string()),
            Some(t) if t.eq_ignore_ascii_case("ANY") => None,
            Some(t) => Some(t.to_lowercase()),
        };
        preds.push(Box::new(move |it: &Item| {
            it.ent
                .partners
                .iter()
                .any(|pa| tier.as_deref().is_none_or(|t| pa.tier == t) && p.test(&pa.account))
        }));
    }
    Ok(preds)
}

// ---------------------------------------------------------------------------------------
// Endpoints.

/// The endpoints, after routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/flexnet/operations/entitlementOrders`
    Query,
    /// `/flexnet/operations/entitlementOrders/count`
    Count,
    /// Anything else under `/flexnet/`.
    Unknown,
}

/// Routes FNO REST paths.
pub(crate) fn route(path: &str) -> Option<Endpoint> {
    match path.trim_end_matches('/') {
        "/flexnet/operations/entitlementOrders" => Some(Endpoint::Query),
        "/flexnet/operations/entitlementOrders/count" => Some(Endpoint::Count),
        p if p.starts_with("/flexnet/") => Some(Endpoint::Unknown),
        _ => None,
    }
}

/// Transport-level 401: empty body, as a servlet container answers.
pub(crate) fn unauthorized() -> Response<Vec<u8>> {
    let mut r = respond::raw(401, "text/plain", Vec::new());
    respond::set_header(
        &mut r,
        "www-authenticate",
        "Basic realm=\"FlexNet Operations\"",
    );
    r
}

/// HTTP 500 with a FAILURE statusInfo.
pub(crate) fn internal(sim: &Simulator) -> Response<Vec<u8>> {
    let n = {
        let id = sim.next_debug_id();
        id.bytes()
            .filter(u8::is_ascii_digit)
            .take(8)
            .map(char::from)
            .collect::<String>()
    };
    let incident = format!(
        "{:0<4}-{:0<4}",
        n.get(..4).unwrap_or("0"),
        n.get(4..8).unwrap_or("0")
    );
    respond::json(
        500,
        &json!({"statusInfo": {"status": "FAILURE", "reason": format!("9999; Internal error [Incident# {incident}]")}}),
    )
}

/// 429 (undocumented for FNO): a FAILURE statusInfo.
pub(crate) fn too_many() -> Response<Vec<u8>> {
    respond::json(
        429,
        &json!({"statusInfo": {"status": "FAILURE", "reason": "429; Too many requests"}}),
    )
}

fn failure(reason: &str, status: u16) -> Response<Vec<u8>> {
    respond::json(
        status,
        &json!({"statusInfo": {"status": "FAILURE", "reason": reason}}),
    )
}

fn authorized(req: &Request<Vec<u8>>) -> bool {
    if let Some((u, p)) = respond::basic(req) {
        return u == creds::FNO_USER && p == creds::FNO_PASSWORD;
    }
    respond::bearer(req) == Some(creds::FNO_TOKEN)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusInfo {
    status: &'static str,
    reason: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryResponse<'a> {
    status_info: StatusInfo,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    activatable_item: Vec<WItem<'a>>,
}

/// Default page size when `batchSize` is absent (documented as required; the public
/// script that posts `{}` still gets items).
const DEFAULT_BATCH: i64 = 100;

/// Handles one FNO entitlementOrders request (after fault injection).
pub(crate) fn handle(
    sim: &Simulator,
    ep: &Endpoint,
    req: &Request<Vec<u8>>,
    _now_ms: i64,
) -> Response<Vec<u8>> {
    if *ep == Endpoint::Unknown {
        return respond::raw(404, "text/plain", Vec::new());
    }
    if !authorized(req) {
        return unauthorized();
    }
    if req.method() != Method::POST {
        let mut r = respond::raw(405, "text/plain", Vec::new());
        respond::set_header(&mut r, "allow", "POST");
        return r;
    }
    let body: Body = if req.body().iter().all(u8::is_ascii_whitespace) {
        Body::default()
    } else {
        match serde_json::from_slice(req.body()) {
            Ok(b) => b,
            Err(e) => return failure(&format!("1000; Malformed request body: {e}"), 400),
        }
    };
    let criteria = if *ep == Endpoint::Count {
        body.query_params.clone()
    } else {
        body.activatable_item_search_criteria.clone()
    }
    .unwrap_or_default();
    let preds = match compile(&criteria) {
        Ok(p) => p,
        Err(Failure(reason)) => return failure(&reason, 200),
    };
    let all = sim.fno_items();
    let mut hits = all
        .iter()
        .filter(|it| !it.maintenance && preds.iter().all(|p| p(it)));
    if *ep == Endpoint::Count {
        let count = hits.count();
        return respond::json(
            200,
            &json!({"statusInfo": {"status": "SUCCESS", "reason": null}, "count": count}),
        );
    }
    // batchSize/pageNumber: top-level (SOAP shape) wins over inside the criteria (REST doc).
    let batch = body.batch_size.as_ref().or(criteria.batch_size.as_ref());
    let page = body.page_number.as_ref().or(criteria.page_number.as_ref());
    let batch = match batch.map(Flexi::as_i64) {
        None => DEFAULT_BATCH,
        Some(Some(b)) if b >= 1 => b,
        Some(_) => return failure("1005; batchSize must be a positive integer", 200),
    };
    let page = match page.map(Flexi::as_i64) {
        None => 1,
        Some(Some(p)) if p >= 1 => p,
        Some(_) => {
            return failure(
                "1005; pageNumber must be a positive integer (pages start at 1)",
                200,
            )
        }
    };
    let skip = (page - 1).saturating_mul(batch);
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    let take = usize::try_from(batch).unwrap_or(usize::MAX);
    let fmt = sim.config().fno_dates;
    let items: Vec<WItem<'_>> = hits
        .by_ref()
        .skip(skip)
        .take(take)
        .map(|it| wire(it, fmt))
        .collect();
    respond::json(
        200,
        &QueryResponse {
            status_info: StatusInfo {
                status: "SUCCESS",
                reason: None,
            },
            activatable_item: items,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_items_exist_but_are_extra() {
        let pool = Pool::new(3);
        let items = generate(&pool, 3, 200);
        assert_eq!(items.iter().filter(|i| !i.maintenance).count(), 200);
        assert!(items.iter().any(|i| i.maintenance));
    }

    #[test]
    fn datetime_parsing() {
        assert!(parse_datetime("2022-09-13T15:00:34+02:00").is_some());
        assert!(parse_datetime("2022-09-13T15:00:34").is_some());
        assert_eq!(parse_datetime("2022-09-13").map(|x| x.0), Some(None));
        assert!(parse_datetime("13/09/2022").is_none());
    }
}
