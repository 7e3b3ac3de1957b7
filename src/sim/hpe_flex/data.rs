//! GreenLake Flex orders and devices in wire shape, and their seeded generation.

use serde::Serialize;

use crate::sim::calendar::{rfc3339_secs, DAY_MS};
use crate::sim::data::{ser_opt_shared, ser_shared, start_ms, stream, Pool, Shared};
use crate::sim::rng::Rng;

/// A GreenLake Flex order, in wire shape (camelCase, optional fields omitted when absent).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Order {
    pub(super) id: String,
    pub(super) created_at: String,
    pub(super) updated_at: String,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) generation: u32,
    #[serde(serialize_with = "ser_shared")]
    pub(super) billing_account_id: Shared,
    pub(super) sow_id: String,
    #[serde(serialize_with = "ser_shared")]
    pub(super) billing_account_name: Shared,
    pub(super) order_start_date: String,
    pub(super) order_end_date: String,
    #[serde(serialize_with = "ser_shared")]
    pub(super) customer_name: Shared,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    pub(super) reseller_name: Option<Shared>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    pub(super) distributor_name: Option<Shared>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    pub(super) partner_name: Option<Shared>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) is_flex_partner: Option<bool>,
    /// `orderEndDate` as epoch ms, the default sort key.
    #[serde(skip)]
    pub(super) end_ms: i64,
}

/// A device tag.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Tag {
    pub(super) name: &'static str,
    pub(super) value: std::borrow::Cow<'static, str>,
}

/// A GreenLake Flex device, in wire shape.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Device {
    pub(super) id: String,
    pub(super) mac_address: String,
    pub(super) serial_number: String,
    pub(super) resource_id: String,
    pub(super) part_number: String,
    pub(super) device_type: &'static str,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) created_at: String,
    pub(super) updated_at: String,
    pub(super) generation: u32,
    pub(super) model: &'static str,
    pub(super) make: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    pub(super) billing_account_name: Option<Shared>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_shared"
    )]
    pub(super) billing_tier: Option<Shared>,
}

pub(super) const DEVICE_TYPES: &[&str] = &[
    "COMPUTE",
    "COMPUTE",
    "STORAGE",
    "STORAGE",
    "SWITCH",
    "AP",
    "AP",
    "GATEWAY",
    "CONTROLLER",
    "DHCI_COMPUTE",
    "DHCI_STORAGE",
    "IAP",
    "SENSOR",
    "SD_WAN_GW",
    "NW_THIRD_PARTY",
    "UNKNOWN",
];

/// Generates `n` orders, sorted by the default sort (`orderEndDate asc`, then `id`).
pub(crate) fn gen_orders(pool: &Pool, seed: u64, n: usize) -> Vec<Order> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = Rng::for_record(seed, stream::GL_ORDERS, i as u64);
        let c = pool.customer(&mut r);
        let id = r.uuid();
        let start_day = start_ms(&mut r).div_euclid(DAY_MS);
        let years = r.range(1, 6);
        let end_day = start_day + years * 365 + r.range(0, 2);
        let created = start_day * DAY_MS - r.range(1, 90) * DAY_MS + r.range(0, 86_400) * 1000;
        let generation = 1 + r.below(5) as u32;
        let updated =
            created + r.range(0, i64::from(generation) * 30) * DAY_MS + r.range(0, 86_400) * 1000;
        let (billing_id, billing_name) = if r.chance(85) {
            (c.billing_id.clone(), c.name.clone())
        } else {
            (
                Shared::from(format!("HP-{}-FS{:08}", c.region, r.below(5))),
                Shared::from(format!("HPE Financial Services {}", c.region)),
            )
        };
        let reseller = r.chance(75).then(|| pool.reseller(&mut r));
        let distributor = r.chance(60).then(|| pool.distributor(&mut r));
        let partner = if r.chance(55) {
            match (&reseller, &distributor, r.below(3)) {
                (Some(x), _, 0) => Some(x.clone()),
                (_, Some(d), 1) => Some(d.clone()),
                _ => Some(pool.reseller(&mut r)),
            }
        } else {
            None
        };
        let is_flex = r.chance(80).then(|| r.chance(60));
        out.push(Order {
            id,
            created_at: rfc3339_secs(created),
            updated_at: rfc3339_secs(updated.max(created)),
            kind: "flex/orders",
            generation,
            billing_account_id: billing_id,
            sow_id: format!("OPE-00{}", r.digits(8)),
            billing_account_name: billing_name,
            order_start_date: rfc3339_secs(start_day * DAY_MS),
            order_end_date: rfc3339_secs(end_day * DAY_MS),
            customer_name: c.name.clone(),
            reseller_name: reseller,
            distributor_name: distributor,
            partner_name: partner,
            is_flex_partner: is_flex,
            end_ms: end_day * DAY_MS,
        });
    }
    out.sort_unstable_by(|a, b| a.end_ms.cmp(&b.end_ms).then_with(|| a.id.cmp(&b.id)));
    out
}

pub(super) fn upper_hex_pairs(r: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n * 3);
    for i in 0..n {
        if i > 0 {
            s.push(':');
        }
        r.push_hex(&mut s, 2, true);
    }
    s
}

/// `prefix`, then `a` letters/digits groups as given by `spec` (`L` letter, `D` digit).
pub(super) fn code(r: &mut Rng, prefix: &str, spec: &[(u8, usize)]) -> String {
    let mut s = String::with_capacity(12);
    s.push_str(prefix);
    for &(kind, n) in spec {
        if kind == b'L' {
            r.push_letters(&mut s, n);
        } else {
            r.push_digits(&mut s, n);
        }
    }
    s
}

/// Generates `n` devices, sorted by the default sort (`resourceId asc`).
pub(crate) fn gen_devices(pool: &Pool, seed: u64, n: usize) -> Vec<Device> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = Rng::for_record(seed, stream::GL_DEVICES, i as u64);
        let c = pool.customer(&mut r);
        let p = pool.product(&mut r);
        let id = r.uuid();
        let device_type = r.pick(DEVICE_TYPES).copied().unwrap_or("UNKNOWN");
        let created = start_ms(&mut r);
        let generation = 1 + r.below(4) as u32;
        let updated = created + r.range(0, 400) * DAY_MS;
        let tags = r.chance(50).then(|| {
            let mut t = vec![Tag {
                name: "env",
                value: if r.chance(70) { "prod" } else { "lab" }.into(),
            }];
            if r.chance(40) {
                t.push(Tag {
                    name: "site",
                    value: format!("{}-{}", c.region.to_ascii_lowercase(), r.digits(2)).into(),
                });
            }
            t
        });
        out.push(Device {
            mac_address: upper_hex_pairs(&mut r, 6),
            serial_number: code(&mut r, "CN", &[(b'D', 3), (b'L', 2), (b'D', 2)]),
            resource_id: id.clone(),
            id,
            part_number: code(&mut r, "", &[(b'L', 2), (b'D', 3), (b'L', 2)]),
            device_type,
            kind: "flex/devices",
            created_at: rfc3339_secs(created),
            updated_at: rfc3339_secs(updated),
            generation,
            model: p.hw_model,
            make: if p.hw_model.starts_with("Aruba") {
                "Aruba"
            } else {
                "HPE"
            },
            tags,
            name: r.chance(60).then(|| {
                format!(
                    "{}-{}-{}",
                    device_type.to_ascii_lowercase(),
                    c.region.to_ascii_lowercase(),
                    r.digits(4)
                )
            }),
            billing_account_name: r.chance(85).then(|| c.name.clone()),
            billing_tier: r.chance(60).then(|| pool.distributor(&mut r)),
        });
    }
    out.sort_unstable_by(|a, b| a.resource_id.cmp(&b.resource_id));
    out
}
