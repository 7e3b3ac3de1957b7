//! FNO activatable line items, their entitlements and channel partners, and their seeded
//! generation (maintenance line items included, never returned).

use crate::sim::calendar::DAY_MS;
use std::sync::Arc;

use crate::sim::data::{stream, Pool, Shared};
use crate::sim::rng::Rng;

/// A custom attribute value.
#[derive(Debug, Clone)]
pub(super) enum AttrVal {
    Str(String),
    Bool(bool),
    Int(i64),
    /// A day number.
    Date(i64),
}

#[derive(Debug, Clone)]
pub(super) struct Attr {
    pub(super) name: &'static str,
    pub(super) val: Option<AttrVal>,
}

#[derive(Debug, Clone)]
pub(super) struct ProductRef {
    pub(super) name: &'static str,
    pub(super) version: &'static str,
    pub(super) hid: u32,
    pub(super) qty: u32,
}

#[derive(Debug, Clone)]
pub(super) struct Partner {
    pub(super) tier: &'static str,
    pub(super) account: Shared,
    pub(super) account_hid: u32,
    pub(super) contact: Option<(String, String, String, String)>, // first, last, email, phone
    pub(super) current_owner: bool,
}

/// The entitlement-level fields every line item of an entitlement shares.
#[derive(Debug)]
pub(super) struct Ent {
    pub(super) item_type: &'static str,
    pub(super) parent_bulk: Option<String>,
    pub(super) parent_bulk_sold_to: Option<Shared>,
    pub(super) entitlement_id: String,
    pub(super) sold_to: Shared,
    pub(super) ship_to_email: String,
    pub(super) ship_to_address: String,
    pub(super) ent_state: &'static str,
    pub(super) allow_portal_login: bool,
    pub(super) current_owner_name: String,
    pub(super) partners: Vec<Partner>,
    pub(super) ent_attrs: Vec<Attr>,
}

/// One activatable (or maintenance) line item with its entitlement's fields.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(super) ent: Arc<Ent>,
    pub(super) maintenance: bool,
    pub(super) activation_id: String,
    pub(super) description: String,
    pub(super) product: ProductRef,
    pub(super) product_type: &'static str,
    pub(super) entitled: Vec<ProductRef>,
    pub(super) part_number: Option<String>,
    pub(super) license_model: (&'static str, u32),
    pub(super) license_tech: &'static str,
    pub(super) order_id: Option<String>,
    pub(super) order_line: String,
    pub(super) copies: u32,
    pub(super) remaining: u32,
    pub(super) start_day: i64,
    pub(super) is_permanent: bool,
    pub(super) term_days: Option<i64>,
    pub(super) exp_day: Option<i64>,
    pub(super) version_day: Option<i64>,
    pub(super) state: &'static str,
    pub(super) parent_line_item: Option<String>,
    pub(super) created_ms: i64,
    pub(super) modified_ms: i64,
    pub(super) id: u64,
    pub(super) line_attrs: Vec<Attr>,
}

pub(super) const TIER_END: &str = "bo.constants.partnertiernames.endcustomer";
pub(super) const TIER_ONE: &str = "bo.constants.partnertiernames.partnertierone";
pub(super) const ENT_STATES: &[&str] = &[
    "DEPLOYED", "DEPLOYED", "DEPLOYED", "DEPLOYED", "DRAFT", "TEST", "INACTIVE", "ON_HOLD",
    "OBSOLETE",
];
pub(super) const TECHS: &[&str] = &[
    "FlexNet Licensing",
    "FlexNet Licensing",
    "FlexNet Embedded",
    "Cloud Licensing Service",
];
pub(super) const REGIONS: &[&str] = &["EMEA", "APJ", "AMS", "Nordics", "DACH"];

pub(super) fn upper_id(r: &mut Rng, prefix: &str, groups: usize) -> String {
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
        let created_base = crate::sim::data::start_ms(&mut r);
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
