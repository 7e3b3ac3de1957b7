//! The differential test of pushdown: for hundreds of generated filters, sorts and windows
//! over simulated data, the answer with pushdown (plan per source, fetch, merge, sort,
//! page) equals the answer from fetching everything and filtering locally. Prints the
//! upstream requests and records fetched with and without pushdown side by side.
//!
//! Run with `cargo test --test adapters_differential -- --nocapture` to see the table.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::cmp::Ordering;
use std::collections::BTreeMap;

use common::*;
use flexedge::filter::{parse, Filter};
use flexedge::model::{Record, RecordSchema, Source, Timestamp};
use flexedge::sim::{FnoDateFormat, SimConfig, Simulator};
use flexedge::testkit::{FakeClock, SimClient};
use flexedge::upstream::{AnyUpstream, Budget, PlanInput, SortField};

const RECORDS: usize = 150;

/// Queries to generate (`DIFF_QUERIES` overrides; the default keeps the debug build
/// under a minute).
fn queries() -> usize {
    std::env::var("DIFF_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

const BUDGET: Budget = Budget {
    max_calls: 1_000,
    deadline_ms: i64::MAX,
    read_ahead: false,
};

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Text of a value, sometimes with its case changed (to probe case handling).
fn vary(r: &mut Rng, s: &str) -> String {
    match r.below(6) {
        0 => s.to_uppercase(),
        1 => s.to_lowercase(),
        _ => s.to_owned(),
    }
}

fn substring(r: &mut Rng, s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return s.to_owned();
    }
    let a = r.below(chars.len() - 1);
    let b = (a + 1 + r.below(4)).min(chars.len());
    chars[a..b].iter().collect()
}

fn ts_lit(r: &mut Rng, t: Option<Timestamp>) -> String {
    let base = t.map_or(1_700_000_000_000, |t| t.millis());
    let jitter = (r.below(5) as i64 - 2) * 86_400_000 + (r.below(24) as i64) * 3_600_000;
    let t = Timestamp::from_millis(base + jitter);
    if r.chance(30) {
        t.to_string()[..10].to_owned()
    } else {
        t.to_string()
    }
}

/// One conjunct, with values sampled from a real record so that it often matches.
fn conjunct(r: &mut Rng, rec: &Record) -> String {
    let srcs = [
        "hpe_flex",
        "fno_orders",
        "fno_entitlements",
        "telecomx_flexcare",
    ];
    let name = rec.name.clone().unwrap_or_else(|| "Hotel".into());
    let cust = rec
        .customer
        .as_ref()
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| "Acme".into());
    let oref = rec.order_ref.clone().unwrap_or_else(|| "PO-1".into());
    let item = rec.items.get(r.below(rec.items.len().max(1)));
    let activation = item
        .and_then(|i| i.activation_id.clone())
        .unwrap_or_else(|| "act-none".into());
    let version = item
        .and_then(|i| i.product_version.clone())
        .unwrap_or_else(|| "1.0".into());
    let entitlement = rec
        .entitlement_id
        .clone()
        .unwrap_or_else(|| "ENT-none".into());
    let partner = rec.partners.get(r.below(rec.partners.len().max(1)));
    let (role, partner_name) = partner.map_or(("reseller", "Nobody".to_owned()), |p| {
        (p.role.as_str(), p.name.clone().unwrap_or_default())
    });
    // A record's own instant, exactly (boundaries are where day arithmetic goes wrong).
    let exactly = |t: Option<Timestamp>| t.unwrap_or(Timestamp::from_millis(1_700_000_000_000));
    let attr = |k: &str| match rec.attributes.get(k) {
        Some(flexedge::model::AttrValue::Text(t)) => t.clone(),
        _ => "none".to_owned(),
    };
    match r.below(44) {
        0 => format!("customer/name eq {}", q(&vary(r, &cust))),
        1 => format!("orderRef eq {}", q(&vary(r, &oref))),
        2 => format!("orderRef in ({}, {})", q(&oref), q("PO-none")),
        3 => format!("sourceId eq {}", q(&vary(r, &rec.source_id))),
        4 => format!("id eq {}", q(&rec.id)),
        5 => format!(
            "billingAccount/id ne {}",
            q(rec
                .billing_account
                .as_ref()
                .and_then(|b| b.id.as_deref())
                .unwrap_or("X"))
        ),
        6 => format!("contains(name, {})", q(&substring(r, &name))),
        7 => format!(
            "contains(tolower(name), {})",
            q(&substring(r, &name.to_lowercase()))
        ),
        8 => format!(
            "startswith(sourceId, {})",
            q(&rec
                .source_id
                .chars()
                .take(1 + r.below(4))
                .collect::<String>())
        ),
        9 => format!("startDate ge {}", ts_lit(r, rec.start_date)),
        10 => format!("endDate lt {}", ts_lit(r, rec.end_date)),
        11 => format!("createdAt gt {}", ts_lit(r, rec.created_at)),
        12 => format!("isPermanent eq {}", r.chance(50)),
        13 => format!(
            "status eq {}",
            q(r.pick(&["draft", "active", "inactive", "expired", "obsolete", "unknown"]))
        ),
        14 => format!("source eq {}", q(r.pick(&srcs))),
        15 => format!("source ne {}", q(r.pick(&srcs))),
        16 => format!(
            "items/any(i: i/productName eq {})",
            q(rec
                .items
                .first()
                .and_then(|i| i.product_name.as_deref())
                .unwrap_or("Analyzer"))
        ),
        17 => format!(
            "customer/id eq {}",
            q(rec
                .customer
                .as_ref()
                .and_then(|c| c.id.as_deref())
                .unwrap_or("C-1"))
        ),
        18 => format!("customer/name eq {} or name eq {}", q(&cust), q(&name)),
        19 => format!(
            "orderRef eq {} or orderRef eq {}",
            q(&oref),
            q(&vary(r, &oref))
        ),
        20 => "not (status eq 'active')".into(),
        21 => format!("tolower(name) eq {}", q(&name.to_lowercase())),
        22 => format!("endswith(orderRef, {})", q(&substring(r, &oref))),
        23 => format!("attributes/isFlexPartner eq {}", r.chance(50)),
        24 => format!("entitlementId eq {}", q(&vary(r, &entitlement))),
        25 => format!("attributes/entitlementId eq {}", q(&entitlement)),
        26 => format!(
            "items/any(i: i/activationId eq {})",
            q(&vary(r, &activation))
        ),
        27 => format!("items/any(i: i/productVersion eq {})", q(&version)),
        28 => format!(
            "items/any(i: i/activationId eq {}) and entitlementId eq {}",
            q(&activation),
            q(&entitlement)
        ),
        29 => format!(
            "partners/any(p: p/role eq {} and p/name eq {})",
            q(role),
            q(&vary(r, &partner_name))
        ),
        30 => format!(
            "partners/any(p: p/name in ({}, 'Nobody') and p/role eq {})",
            q(&partner_name),
            q(r.pick(&["reseller", "distributor", "partner", role]))
        ),
        31 => {
            // A one-day window: the record's own day, as dates or as the Pacific midnights.
            let t = exactly(rec.start_date);
            let day = Timestamp::from_millis(t.millis().div_euclid(86_400_000) * 86_400_000);
            let (a, b) = if r.chance(50) {
                (day, Timestamp::from_millis(day.millis() + 86_400_000))
            } else {
                (t, Timestamp::from_millis(t.millis() + 86_400_000))
            };
            let (a, b) = (a.to_string(), b.to_string());
            if r.chance(50) {
                format!("startDate ge {} and startDate lt {}", &a[..10], &b[..10])
            } else {
                format!("startDate ge {a} and startDate lt {b}")
            }
        }
        32 => format!(
            "endDate {} {}",
            r.pick(&["le", "lt", "ge", "gt"]),
            exactly(rec.end_date)
        ),
        33 => format!("startDate eq {}", exactly(rec.start_date)),
        34 => {
            let t = exactly(rec.created_at).millis();
            format!(
                "createdAt ge {} and createdAt lt {}",
                Timestamp::from_millis(t - 3_600_000),
                Timestamp::from_millis(t + 1 + r.below(3) as i64 * 3_600_000)
            )
        }
        35 => format!(
            "updatedAt {} {}",
            r.pick(&["le", "lt", "ge", "gt", "eq"]),
            exactly(rec.updated_at)
        ),
        36 => format!(
            "startDate {} {} and startDate {} {}",
            r.pick(&["gt", "ge"]),
            ts_lit(r, rec.start_date),
            r.pick(&["lt", "le"]),
            ts_lit(r, rec.end_date.or(rec.start_date))
        ),
        37 => format!(
            "attributes/licenseTechnology eq {}",
            q(&vary(r, &attr("licenseTechnology")))
        ),
        38 => format!(
            "attributes/parentBulkEntitlementId eq {}",
            q(&attr("parentBulkEntitlementId"))
        ),
        39 => format!(
            "startswith(attributes/parentLineItem, {})",
            q(&attr("parentLineItem").chars().take(4).collect::<String>())
        ),
        40 => format!(
            "attributes/activatableItemType eq {}",
            q(r.pick(&["LINEITEM", "WEBREGKEY", "lineitem"]))
        ),
        41 => format!("partners/any(p: p/name eq {})", q(&vary(r, &partner_name))),
        42 => {
            // A line's own version date (exactly, or nearby).
            let v = match rec.attributes.get("versionDate") {
                Some(flexedge::model::AttrValue::Text(t)) => Timestamp::parse_opt(t),
                _ => None,
            };
            let lit = if r.chance(50) {
                exactly(v).to_string()
            } else {
                ts_lit(r, v)
            };
            format!(
                "attributes/versionDate {} {lit}",
                r.pick(&["le", "lt", "ge", "gt", "eq"])
            )
        }
        _ => format!("customer/name eq {}", q(&cust)),
    }
}

const SORT_FIELDS: &[&str] = &[
    "customer/name",
    "orderRef",
    "startDate",
    "endDate",
    "createdAt",
    "sourceId",
    "name",
    "status",
    "billingAccount/name",
];

fn sort_value(r: &Record, f: &str) -> Option<String> {
    let t = |t: Option<Timestamp>| t.map(|t| format!("{:020}", t.millis() as i128 + (1i128 << 62)));
    match f {
        "customer/name" => r.customer.as_ref().and_then(|c| c.name.clone()),
        "billingAccount/name" => r.billing_account.as_ref().and_then(|c| c.name.clone()),
        "orderRef" => r.order_ref.clone(),
        "startDate" => t(r.start_date),
        "endDate" => t(r.end_date),
        "createdAt" => t(r.created_at),
        "sourceId" => Some(r.source_id.clone()),
        "name" => r.name.clone(),
        "status" => Some(r.status.as_str().to_owned()),
        _ => None,
    }
}

/// The edge's order (as `query::Plan::compare`): keys in turn, absent last when
/// ascending and first when descending; then `id` ascending as the merge tie-break.
fn edge_cmp(keys: &[SortField], a: &Record, b: &Record) -> Ordering {
    for k in keys {
        let (x, y) = (sort_value(a, &k.field), sort_value(b, &k.field));
        let o = (x.is_none(), x).cmp(&(y.is_none(), y));
        let o = if k.desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.id.cmp(&b.id)
}

struct World<'a> {
    sim: &'a Simulator,
    ups: Vec<AnyUpstream>,
}

impl World<'_> {
    /// Fetches with pushdown; returns (ids, requests, records fetched).
    fn pushdown(
        &self,
        expr: Option<&flexedge::filter::Expr>,
        keys: &[SortField],
        offset: u64,
        limit: Option<u64>,
    ) -> (Vec<String>, u32, u64) {
        let clock = FakeClock::new(NOW_MS);
        let client = SimClient::new(self.sim, &clock, 30_000);
        let base = PlanInput::new(expr, keys.to_vec(), 0, None, NOW_MS);
        let plans: Vec<_> = self.ups.iter().map(|u| u.plan(&base)).collect();
        let live = plans.iter().filter(|p| !p.pruned).count();
        let mut all = Vec::new();
        let (mut reqs, mut fetched) = (0, 0);
        for u in &self.ups {
            // One live source: its window is the answer's; several: each must supply the
            // first offset+limit of its sorted stream for the merge.
            let input = if live == 1 {
                PlanInput::new(expr, keys.to_vec(), offset, limit, NOW_MS)
            } else {
                PlanInput::new(expr, keys.to_vec(), 0, limit.map(|l| l + offset), NOW_MS)
            };
            let plan = u.plan(&input);
            let f = block_on(u.fetch(&client, &clock, &plan, BUDGET, None)).unwrap();
            assert!(!f.exhausted);
            reqs += f.requests;
            fetched += f.fetched;
            let skipped = if live == 1 && plan.window.is_some() {
                offset
            } else {
                0
            };
            all.push((skipped, f.records));
        }
        let skipped_total: u64 = all.iter().map(|(s, _)| *s).sum();
        let mut recs: Vec<Record> = all.into_iter().flat_map(|(_, r)| r).collect();
        recs.sort_by(|a, b| edge_cmp(keys, a, b));
        let skip = (offset - skipped_total.min(offset)) as usize;
        let ids = recs
            .into_iter()
            .skip(skip)
            .take(limit.map_or(usize::MAX, |l| l as usize))
            .map(|r| r.id)
            .collect();
        (ids, reqs, fetched)
    }
}

#[test]
fn pushdown_answers_equal_fetch_everything_and_filter_locally() {
    differential(sim(42, RECORDS), queries(), 0x5eed);
}

/// The same with FNO dates as `yyyy-MM-dd` text (read as midnight UTC, where the epoch
/// form is Pacific midnight): the date pushdown must hold for both.
#[test]
fn pushdown_holds_with_fno_dates_as_text() {
    let sim = Simulator::new(SimConfig {
        seed: 43,
        records_per_source: RECORDS,
        rate_limit_per_minute: 0,
        fno_dates: FnoDateFormat::IsoDate,
    });
    differential(sim, queries() / 2, 0xda7e);
}

fn differential(sim: Simulator, queries: usize, seed: u64) {
    let ups: Vec<AnyUpstream> = Source::ALL
        .iter()
        .map(|&s| adapter(s, good_creds(s)))
        .collect();
    let world = World { sim: &sim, ups };

    // Without pushdown: everything, once (and what it costs per query).
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(&sim, &clock, 30_000);
    let mut everything = Vec::new();
    let (mut base_reqs, mut base_fetched) = (0u32, 0u64);
    let mut per_source = BTreeMap::new();
    for u in &world.ups {
        let plan = u.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
        let f = block_on(u.fetch(&client, &clock, &plan, BUDGET, None)).unwrap();
        base_reqs += f.requests;
        base_fetched += f.fetched;
        per_source.insert(u.source(), f.records.clone());
        everything.extend(f.records);
    }
    assert_eq!(everything.len(), 4 * RECORDS);

    let mut r = Rng(seed);
    let mut mismatches = Vec::new();
    let (mut sum_reqs, mut sum_fetched, mut nonempty) = (0u64, 0u64, 0usize);
    println!(
        "{:<4} {:>9} {:>9} {:>10} {:>10} {:>6}  filter | sort | window",
        "#", "req(push)", "req(all)", "rec(push)", "rec(all)", "hits"
    );
    for i in 0..queries {
        let src = r.pick(&Source::ALL);
        let pool = &per_source[&src];
        let rec = &pool[r.below(pool.len())];
        let n = 1 + r.below(3);
        let parts: Vec<String> = (0..n).map(|_| conjunct(&mut r, rec)).collect();
        let text = if r.chance(5) {
            None
        } else {
            Some(
                parts
                    .iter()
                    .map(|p| format!("({p})"))
                    .collect::<Vec<_>>()
                    .join(" and "),
            )
        };
        let keys: Vec<SortField> = (0..r.below(3))
            .map(|_| SortField {
                field: r.pick(SORT_FIELDS).to_string(),
                desc: r.chance(40),
            })
            .collect();
        let offset = if r.chance(50) { 0 } else { r.below(15) as u64 };
        let limit = if r.chance(20) {
            None
        } else {
            Some(r.below(30) as u64)
        };
        let expr = text.as_deref().map(|t| parse(t).unwrap());

        // Reference: filter everything locally, sort, page.
        let mut expected: Vec<&Record> = match &expr {
            Some(e) => {
                let f = Filter::<Record>::new(e, RecordSchema::default(), NOW_MS).unwrap();
                everything.iter().filter(|x| f.matches(x)).collect()
            }
            None => everything.iter().collect(),
        };
        expected.sort_by(|a, b| edge_cmp(&keys, a, b));
        let expected: Vec<String> = expected
            .into_iter()
            .skip(offset as usize)
            .take(limit.map_or(usize::MAX, |l| l as usize))
            .map(|x| x.id.clone())
            .collect();

        let (got, reqs, fetched) = world.pushdown(expr.as_ref(), &keys, offset, limit);
        sum_reqs += u64::from(reqs);
        sum_fetched += fetched;
        if !expected.is_empty() {
            nonempty += 1;
        }
        let sort_text: Vec<String> = keys
            .iter()
            .map(|k| format!("{}{}", k.field, if k.desc { " desc" } else { "" }))
            .collect();
        if i < 40 || got != expected {
            println!(
                "{i:<4} {reqs:>9} {base_reqs:>9} {fetched:>10} {base_fetched:>10} {:>6}  {} | {} | {offset},{limit:?}",
                expected.len(),
                text.as_deref().unwrap_or("-"),
                sort_text.join(","),
            );
        }
        if got != expected {
            mismatches.push(format!(
                "#{i}: {text:?} sort {sort_text:?} offset {offset} limit {limit:?}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    println!(
        "\n{queries} queries ({nonempty} with a non-empty answer): upstream requests {sum_reqs} with pushdown vs {} without; records fetched {sum_fetched} vs {}; mismatches {}",
        u64::from(base_reqs) * queries as u64,
        base_fetched * queries as u64,
        mismatches.len()
    );
    assert!(
        nonempty > queries / 4,
        "too few queries match anything: {nonempty}"
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
