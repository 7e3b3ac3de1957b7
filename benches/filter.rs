//! `make bench`: records/s of the filter engine over 100,000 generated normalized records,
//! beside a hand-written Rust closure doing the same filtering, in the same run.
//!
//! Plain `main` (no harness): each filter runs several passes; the best pass is reported.
//! `BENCH_ONLY=<label part>` and `BENCH_PASSES=<n>` narrow a run for profiling.

// Native only: measures wall time.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

#[path = "support/results.rs"]
mod results;

use std::hint::black_box;
use std::time::Instant;

use flexedge::filter::Filter;
use flexedge::model::{
    Item, Kind, Partner, PartnerRole, Party, Record, RecordSchema, Source, Status, Timestamp,
};

const ROWS: usize = 100_000;
const PASSES: usize = 25;

/// A tiny deterministic generator (64-bit LCG) so every run sees the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() as usize) % v.len()]
    }
}

fn records() -> Vec<Record> {
    let mut g = Lcg(42);
    let customers = [
        "Acme Corp",
        "Globex",
        "Initech",
        "Umbrella",
        "Acme Labs",
        "Hooli",
        "Stark Industries",
        "Wayne Enterprises",
    ];
    let products = [
        "GreenLake Compute",
        "GreenLake Storage",
        "FlexNet Server",
        "IPTV Box",
        "Support",
    ];
    let statuses = [
        Status::Active,
        Status::Active,
        Status::Expired,
        Status::Draft,
        Status::Inactive,
        Status::Unknown,
    ];
    let base = Timestamp::parse("2023-01-01T00:00:00Z").unwrap().millis();
    (0..ROWS)
        .map(|i| {
            let source = *g.pick(&Source::ALL);
            let mut r = Record::new(source, format!("{i:08x}"), Kind::Order);
            r.name = Some(format!("{} order {i}", g.pick(&products)));
            r.customer = Some(Party {
                id: Some(format!("C{}", g.next() % 500)),
                name: Some((*g.pick(&customers)).to_owned()),
            });
            r.status = *g.pick(&statuses);
            let start = base + (g.next() % 1000) as i64 * 86_400_000;
            r.start_date = Some(Timestamp(start));
            if !g.next().is_multiple_of(5) {
                r.end_date = Some(Timestamp(start + (g.next() % 1500) as i64 * 86_400_000));
            }
            r.created_at = Some(Timestamp(start - 86_400_000));
            for _ in 0..g.next() % 3 {
                r.partners.push(Partner {
                    role: *g.pick(&[
                        PartnerRole::Reseller,
                        PartnerRole::Distributor,
                        PartnerRole::Channel,
                    ]),
                    id: None,
                    name: Some("P".into()),
                    tier: None,
                });
            }
            for _ in 0..1 + g.next() % 3 {
                r.items.push(Item {
                    product_name: Some((*g.pick(&products)).to_owned()),
                    quantity: Some((g.next() % 20).into()),
                    ..Default::default()
                });
            }
            r
        })
        .collect()
}

/// Times `a` and `b` in alternating passes (so load changes on a shared machine hit both
/// alike) and returns (matches, best records/s) for each.
/// How many passes each case runs (`BENCH_PASSES`, default [`PASSES`]).
fn passes() -> usize {
    std::env::var("BENCH_PASSES")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(PASSES)
}

fn time_pair(
    rows: &[Record],
    a: impl Fn(&Record) -> bool,
    b: impl Fn(&Record) -> bool,
) -> ((usize, f64), (usize, f64)) {
    let passes = passes();
    let (mut best_a, mut best_b) = (f64::MAX, f64::MAX);
    let (mut na, mut nb) = (0, 0);
    for _ in 0..passes {
        let t = Instant::now();
        na = rows.iter().filter(|r| a(black_box(r))).count();
        best_a = best_a.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        nb = rows.iter().filter(|r| b(black_box(r))).count();
        best_b = best_b.min(t.elapsed().as_secs_f64());
    }
    let n = rows.len() as f64;
    ((na, n / best_a), (nb, n / best_b))
}

fn main() {
    let rows = records();
    let ts = |s: &str| Timestamp::parse(s).unwrap().millis();
    let y2026 = ts("2026-01-01T00:00:00Z");
    let y2025 = ts("2025-01-01T00:00:00Z");
    type Closure = Box<dyn Fn(&Record) -> bool>;
    let cases: Vec<(&str, &str, Closure)> = vec![
        (
            "1 clause: string eq",
            "status eq 'active'",
            Box::new(|r: &Record| r.status == Status::Active),
        ),
        (
            "3 clauses: eq, contains, date",
            "status eq 'active' and contains(customer/name, 'Acme') and endDate gt 2026-01-01T00:00:00Z",
            Box::new(move |r: &Record| {
                r.status.as_str() == "active"
                    && r.customer.as_ref().and_then(|c| c.name.as_deref()).is_some_and(|n| n.contains("Acme"))
                    && r.end_date.is_some_and(|d| d.0 > y2026)
            }),
        ),
        (
            "in + date range",
            "source in ('hpe_flex', 'fno_orders') and startDate ge 2025-01-01 and endDate ne null",
            Box::new(move |r: &Record| {
                matches!(r.source.as_str(), "hpe_flex" | "fno_orders")
                    && r.start_date.is_some_and(|d| d.0 >= y2025)
                    && r.end_date.is_some()
            }),
        ),
        (
            "lambda any",
            "partners/any(p: p/role eq 'reseller') and items/any(i: i/quantity gt 15)",
            Box::new(|r: &Record| {
                r.partners.iter().any(|p| p.role.as_str() == "reseller")
                    && r.items.iter().any(|i| i.quantity.as_ref().and_then(|q| q.as_f64()).is_some_and(|q| q > 15.0))
            }),
        ),
        (
            "tolower + contains",
            "contains(tolower(customer/name), 'acme')",
            Box::new(|r: &Record| {
                r.customer
                    .as_ref()
                    .and_then(|c| c.name.as_deref())
                    .is_some_and(|n| n.to_lowercase().contains("acme"))
            }),
        ),
    ];
    println!(
        "{} records, best of {} alternating passes, bench profile (opt-level 3)",
        rows.len(),
        passes()
    );
    println!(
        "{:<32} {:>8} {:>16} {:>16} {:>7}",
        "filter", "matches", "engine rec/s", "closure rec/s", "ratio"
    );
    // BENCH_ONLY=<substring of a label> runs one case (for profiling).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    for (label, text, closure) in cases.iter().filter(|c| c.0.contains(only.as_str())) {
        let f = Filter::<Record>::parse(text, RecordSchema::default(), 0)
            .expect("bench filter compiles");
        let ((n_engine, engine), (n_closure, fast)) = time_pair(&rows, |r| f.matches(r), closure);
        assert_eq!(n_engine, n_closure, "{label}: engine and closure disagree");
        println!(
            "{label:<32} {n_engine:>8} {:>16} {:>16} {:>6.2}x",
            format!("{:.1}M", engine / 1e6),
            format!("{:.1}M", fast / 1e6),
            fast / engine
        );
        println!("    {text}");
        let closure_name = format!("filter_closure_rec_per_s/{label}");
        results::record(
            &format!("filter_engine_rec_per_s/{label}"),
            engine,
            "records/s",
            Some(&closure_name),
        );
        results::record(&closure_name, fast, "records/s", None);
    }
}
