//! The shared pool of customers, partners and products every vendor's generated data draws
//! from, so a customer of one source is also a customer of the others and unified queries
//! find the same names across sources.
//!
//! Pure and deterministic: built from the seed with [`Rng`]; imports no I/O and no clock.

use std::sync::Arc;

use serde::Serializer;

use super::rng::Rng;

/// Text shared by many generated records (customer and partner names): cloning is a
/// reference-count increment, which keeps generating 100,000 records fast.
pub(crate) type Shared = Arc<str>;

/// Serializes a [`Shared`] as a JSON string.
pub(crate) fn ser_shared<S: Serializer>(v: &Shared, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

/// Serializes an optional [`Shared`] as a JSON string or null.
pub(crate) fn ser_opt_shared<S: Serializer>(v: &Option<Shared>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_some(&**x),
        None => s.serialize_none(),
    }
}

/// Stream ids keep each generator's randomness apart.
pub(crate) mod stream {
    /// The shared pool.
    pub const POOL: u64 = 1;
    /// GreenLake orders.
    pub const GL_ORDERS: u64 = 10;
    /// GreenLake devices.
    pub const GL_DEVICES: u64 = 11;
    /// FNO entitlementOrders items.
    pub const FNO_ITEMS: u64 = 20;
    /// FNO Beta entitlements.
    pub const FNO_ENTITLEMENTS: u64 = 30;
    /// TelecomX FlexCare orders.
    pub const TELECOMX: u64 = 40;
}

/// A customer shared across the sources.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    /// Short account id, e.g. `ACC-00042` (FNO Beta `accountId`).
    pub code: String,
    /// Display name, often non-ASCII.
    pub name: Shared,
    /// Mail domain (ASCII).
    pub domain: String,
    /// Sales region (`EMEA`, `APJ`, `AMS`).
    pub region: &'static str,
    /// GreenLake billing account id, e.g. `HP-EMEA-0012345678`.
    pub billing_id: Shared,
    /// A contact person: first name, last name.
    pub contact: (&'static str, &'static str),
    /// The contact's e-mail address (ASCII).
    pub email: Shared,
}

/// A product shared by the license sources.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    /// Product name.
    pub name: &'static str,
    /// Version string.
    pub version: &'static str,
    /// Part number.
    pub part_number: String,
    /// License model name.
    pub license_model: &'static str,
    /// Hardware model for GreenLake devices.
    pub hw_model: &'static str,
    /// FNO internal unique id number.
    pub hid: u32,
}

/// Everything generated data draws from.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    /// Customers (at least the curated ones).
    pub customers: Vec<Customer>,
    /// Reseller names.
    pub resellers: Vec<Shared>,
    /// Distributor names.
    pub distributors: Vec<Shared>,
    /// Products.
    pub products: Vec<Product>,
}

/// Curated customers: non-ASCII scripts, apostrophes and reserved URL characters on purpose.
const CURATED: &[(&str, &str, &str)] = &[
    ("Müller GmbH", "mueller.example.de", "EMEA"),
    ("Sørensen A/S", "soerensen.example.dk", "EMEA"),
    ("株式会社テスト", "test-kk.example.jp", "APJ"),
    ("Société Générale d'Équipement", "sge.example.fr", "EMEA"),
    ("O'Brien & Sons Ltd", "obrien.example.ie", "EMEA"),
    ("Zürich Versicherungs AG", "zv.example.ch", "EMEA"),
    ("Łódź Systemy Sp. z o.o.", "lodz-systemy.example.pl", "EMEA"),
    ("Ångström Labs AB", "angstrom.example.se", "EMEA"),
    ("Café Niño S.L.", "cafenino.example.es", "EMEA"),
    ("Δέλτα Πληροφορική Α.Ε.", "delta-it.example.gr", "EMEA"),
    ("ООО Ромашка", "romashka.example.ru", "EMEA"),
    ("대한전자 주식회사", "daehan.example.kr", "APJ"),
    ("北京数据有限公司", "bjdata.example.cn", "APJ"),
    ("Some Company Inc.", "somecompany.example.com", "AMS"),
    ("HPE Tech Care", "techcare.example.com", "AMS"),
    ("São Paulo Logística Ltda.", "splog.example.br", "AMS"),
    (
        "Hewlett Packard Enterprise Cloud Storage",
        "hpecs.example.com",
        "AMS",
    ),
    ("ACME", "acme.example.com", "AMS"),
];

const ADJ: &[&str] = &[
    "Blue", "Nordic", "Pacific", "Alpine", "Atlas", "Coastal", "Northern", "Granite", "Silver",
    "Summit", "Harbor", "Prairie", "Crescent", "Polar", "Sunrise", "Delta", "Vertex", "Orbit",
];
const NOUN: &[&str] = &[
    "Data",
    "Logistics",
    "Health",
    "Foods",
    "Media",
    "Energy",
    "Motors",
    "Retail",
    "Telecom",
    "Bank",
    "Systems",
    "Hotels",
    "Pharma",
    "Textiles",
    "Airways",
    "Labs",
    "Robotics",
    "Water",
];
const SUFFIX: &[(&str, &str)] = &[
    ("Inc.", "AMS"),
    ("LLC", "AMS"),
    ("GmbH", "EMEA"),
    ("A/S", "EMEA"),
    ("AB", "EMEA"),
    ("S.A.", "EMEA"),
    ("B.V.", "EMEA"),
    ("Pty Ltd", "APJ"),
    ("K.K.", "APJ"),
    ("Pte. Ltd.", "APJ"),
];
const FIRST: &[&str] = &[
    "Anna", "Jörg", "Søren", "Yuki", "Élodie", "Liam", "María", "Chen", "Olga", "Priya", "Tomás",
    "Ingrid", "Kwame", "Zoë", "Mateus", "Hana",
];
const LAST: &[&str] = &[
    "Schmidt",
    "Jensen",
    "Tanaka",
    "Dubois",
    "Murphy",
    "García",
    "Wang",
    "Ivanova",
    "Sharma",
    "Nowak",
    "Lindqvist",
    "Mensah",
    "Rossi",
    "Silva",
    "Kim",
    "Müller",
];

const RESELLERS: &[&str] = &[
    "1st Street Resellers",
    "Friendly Reseller LLC",
    "Nordisk IT Partner A/S",
    "Groupe Intégration SAS",
    "Kōbe Systems Integration K.K.",
    "Westbay Solutions Inc.",
    "Alpen Digital GmbH",
    "Harbour & Hills Ltd",
    "Cloudline Partners B.V.",
    "Pampas Tecnología S.A.",
];
const DISTRIBUTORS: &[&str] = &[
    "HPE Distributions",
    "Global Tech Distribution",
    "Scandi Distribution AB",
    "Asia Pacific Supply Pte. Ltd.",
    "Iberia Mayorista S.L.",
];

/// (name, versions, license model, hardware model).
const PRODUCTS: &[(&str, &[&str], &str, &str)] = &[
    (
        "GreenLake Compute",
        &["1.0", "2.1"],
        "Embedded Counted",
        "HPE Compute 6030X",
    ),
    (
        "GreenLake Storage",
        &["3.2", "4.0"],
        "Embedded Uncounted",
        "HPE Alletra 6010",
    ),
    (
        "Aruba Central",
        &["2.5", "2.6"],
        "Nodelocked Counted",
        "Aruba AP-535",
    ),
    ("FlexCare IPTV", &["5.0"], "Embedded Counted", "Amino H200"),
    (
        "DataVault",
        &["1.0", "1.1", "2.0"],
        "Floating",
        "HPE ProLiant DL380",
    ),
    ("EdgeLink", &["7.4"], "Metered", "Aruba 6300M Switch"),
    ("K_Prod1", &["1.0"], "Embedded Counted", "HPE Compute 6030X"),
    ("K_Prod2", &["1.0"], "Embedded Counted", "HPE Synergy 480"),
    (
        "Analytics Suite",
        &["2024.1", "2025.2"],
        "Floating",
        "HPE Apollo 4200",
    ),
    (
        "Backup Pro",
        &["9.1"],
        "Nodelocked Uncounted",
        "HPE StoreOnce 3620",
    ),
];

/// Number of customers in the pool (curated ones included).
const CUSTOMERS: usize = 120;

impl Pool {
    /// Builds the pool from the seed.
    pub(crate) fn new(seed: u64) -> Pool {
        let mut customers = Vec::with_capacity(CUSTOMERS);
        for i in 0..CUSTOMERS {
            let mut r = Rng::for_record(seed, stream::POOL, i as u64);
            let (name, domain, region) = match CURATED.get(i) {
                Some(&(n, d, reg)) => (n.to_string(), d.to_string(), reg),
                None => {
                    let a = r.pick(ADJ).copied().unwrap_or("Blue");
                    let n = r.pick(NOUN).copied().unwrap_or("Data");
                    let &(s, reg) = r.pick(SUFFIX).unwrap_or(&("Inc.", "AMS"));
                    let name = format!("{a} {n} {s}");
                    let domain = format!(
                        "{}{}{}.example.com",
                        a.to_ascii_lowercase(),
                        n.to_ascii_lowercase(),
                        i
                    );
                    (name, domain, reg)
                }
            };
            let billing_id: Shared = format!("HP-{region}-{}", r.digits(10)).into();
            let contact = (
                r.pick(FIRST).copied().unwrap_or("Anna"),
                r.pick(LAST).copied().unwrap_or("Schmidt"),
            );
            let email: Shared = format!("{}@{}", mail_local(contact.0, contact.1), domain).into();
            customers.push(Customer {
                email,
                code: format!("ACC-{:05}", i + 1),
                name: name.into(),
                domain,
                region,
                billing_id,
                contact,
            });
        }
        let mut products = Vec::new();
        let mut r = Rng::for_record(seed, stream::POOL, 1_000_000);
        let mut hid = 127_900u32;
        for &(name, versions, lm, hw) in PRODUCTS {
            for &v in versions {
                hid += 1;
                products.push(Product {
                    name,
                    version: v,
                    part_number: format!(
                        "{}{}-{}",
                        (b'A' + r.below(26) as u8) as char,
                        r.digits(3),
                        r.digits(3)
                    ),
                    license_model: lm,
                    hw_model: hw,
                    hid,
                });
            }
        }
        Pool {
            customers,
            resellers: RESELLERS.iter().map(|s| Shared::from(*s)).collect(),
            distributors: DISTRIBUTORS.iter().map(|s| Shared::from(*s)).collect(),
            products,
        }
    }

    /// A customer, skewed so that a few customers are frequent (Zipf-like) — realistic and
    /// makes grouping interesting. The curated names (non-ASCII, reserved characters) get
    /// about 40% of all records so small data sets still contain them.
    pub(crate) fn customer(&self, r: &mut Rng) -> &Customer {
        let n = self.customers.len() as u64;
        let i = if r.chance(40) {
            r.below(CURATED.len() as u64) as usize
        } else {
            // min of two uniforms skews towards low indexes.
            r.below(n).min(r.below(n)) as usize
        };
        self.customers.get(i).unwrap_or(&self.customers[0])
    }

    /// A product.
    pub(crate) fn product(&self, r: &mut Rng) -> &Product {
        let i = r.below(self.products.len() as u64) as usize;
        self.products.get(i).unwrap_or(&self.products[0])
    }

    /// A reseller name.
    pub(crate) fn reseller(&self, r: &mut Rng) -> Shared {
        r.pick(&self.resellers)
            .cloned()
            .unwrap_or_else(|| Shared::from("1st Street Resellers"))
    }

    /// A distributor name.
    pub(crate) fn distributor(&self, r: &mut Rng) -> Shared {
        r.pick(&self.distributors)
            .cloned()
            .unwrap_or_else(|| Shared::from("HPE Distributions"))
    }
}

/// Random first/last names for contacts not tied to a customer.
pub(crate) fn person(r: &mut Rng) -> (&'static str, &'static str) {
    (
        r.pick(FIRST).copied().unwrap_or("Anna"),
        r.pick(LAST).copied().unwrap_or("Schmidt"),
    )
}

/// An ASCII mail local part for a person (`anna.schmidt`), transliterating common letters.
pub(crate) fn mail_local(first: &str, last: &str) -> String {
    let mut s = String::new();
    for (i, part) in [first, last].iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        for c in part.chars() {
            match c {
                'ä' | 'Ä' => s.push_str("ae"),
                'ö' | 'Ö' | 'ø' | 'Ø' => s.push_str("oe"),
                'ü' | 'Ü' => s.push_str("ue"),
                'é' | 'É' | 'è' | 'ë' => s.push('e'),
                'á' | 'à' => s.push('a'),
                'í' => s.push('i'),
                'ó' => s.push('o'),
                c if c.is_ascii_alphanumeric() => s.push(c.to_ascii_lowercase()),
                _ => {}
            }
        }
    }
    s
}

/// A start instant between 2015-01-01 and 2030-12-31 (epoch ms, whole seconds).
pub(crate) fn start_ms(r: &mut Rng) -> i64 {
    const FROM: i64 = 1_420_070_400_000; // 2015-01-01
    const TO: i64 = 1_924_905_600_000; // 2030-12-31
    r.range(FROM / 1000, TO / 1000) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_is_deterministic_and_shared_names_present() {
        let a = Pool::new(42);
        let b = Pool::new(42);
        assert_eq!(a.customers.len(), CUSTOMERS);
        for (x, y) in a.customers.iter().zip(&b.customers) {
            assert_eq!(x.name, y.name);
            assert_eq!(x.billing_id, y.billing_id);
        }
        assert!(a.customers.iter().any(|c| &*c.name == "Müller GmbH"));
        assert!(a.customers.iter().any(|c| !c.name.is_ascii()));
    }

    #[test]
    fn mail_local_is_ascii() {
        assert_eq!(mail_local("Jörg", "Müller"), "joerg.mueller");
        assert!(mail_local("Søren", "Kim").is_ascii());
    }
}
