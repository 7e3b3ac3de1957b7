//! `make bench`: what a page costs at depth — upstream calls and the gateway's CPU time
//! per page at pages 1, 10 and 100, side by side, over 4 × 20,000 simulated records.
//!
//! `testkit::bench::BenchWorld` serves the pages in process; the upstream answers are
//! recorded once and replayed, so the time is the gateway's own work per page (plan,
//! token, requests, parse, normalize, merge, serialize), not the simulator's. Page N is
//! reached by following `next` from page 1 (untimed), then asked again and again. Flat
//! columns are the goal. Plain `main` (no harness); prints figures, asserts no speed.

#![allow(clippy::unwrap_used, clippy::disallowed_methods)] // a benchmark may unwrap and read the wall clock (natively)

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/results.rs"]
mod results;

use std::hint::black_box;
use std::time::Instant;

use flexedge::testkit::bench::{BenchWorld, Tape};

const RECORDS: usize = 20_000;
const RUNS: usize = 20;
const DEPTHS: [usize; 3] = [1, 10, 100];

fn body(world: &BenchWorld, tape: &Tape<'_>, uri: &str) -> serde_json::Value {
    let (status, bytes) = world.get_body(tape, uri).expect("finishes in one poll");
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, 200, "{uri}: {v}");
    v
}

/// The URI of each page in `DEPTHS`, by following `next` from `path`.
fn pages(world: &BenchWorld, tape: &Tape<'_>, path: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut uri = path.to_owned();
    for page in 1..=*DEPTHS.last().unwrap() {
        if DEPTHS.contains(&page) {
            out.push((page, uri.clone()));
        }
        let v = body(world, tape, &uri);
        let Some(t) = v["next"].as_str() else { break };
        uri = format!("{path}&next={t}");
    }
    out
}

/// Median CPU ms of asking `uri` again, and the upstream calls it makes.
fn cost(world: &BenchWorld, tape: &Tape<'_>, uri: &str) -> (u64, f64) {
    let calls = body(world, tape, uri)["budget"]["used"]
        .as_u64()
        .unwrap_or(0);
    let mut ms = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let c0 = cpu::cpu_ms(t);
        black_box(world.get(tape, black_box(uri)));
        ms.push(cpu::cpu_ms(t) - c0);
    }
    ms.sort_by(f64::total_cmp);
    (calls, ms[ms.len() / 2])
}

fn main() {
    let world = BenchWorld::new(RECORDS);
    let tape = world.tape();
    println!(
        "\n=== bench paging: calls and gateway CPU per page at depth, {RECORDS} records per source (native, replayed upstream answers, median of {RUNS})"
    );
    println!(
        "{:<52} {:>22} {:>22} {:>22}",
        "query", "page 1", "page 10", "page 100"
    );
    for path in [
        "/v1/orders?limit=100",
        "/v1/orders?limit=100&filter=status%20ne%20'draft'",
        "/v1/sources/hpe_flex/orders?limit=100",
        "/v1/sources/fno_orders/orders?limit=100",
        "/v1/sources/fno_entitlements/orders?limit=100",
        "/v1/sources/telecomx_flexcare/orders?limit=100",
        "/v1/sources/hpe_flex/orders?limit=100&sort=endDate",
    ] {
        let cells: Vec<String> = pages(&world, &tape, path)
            .iter()
            .map(|(page, uri)| {
                let (calls, ms) = cost(&world, &tape, uri);
                results::record(&format!("paging_cpu_ms/{path}/page_{page}"), ms, "ms", None);
                format!("{calls} calls {ms:7.2} ms")
            })
            .collect();
        let cell = |i: usize| cells.get(i).cloned().unwrap_or_else(|| "—".into());
        println!("{path:<52} {:>22} {:>22} {:>22}", cell(0), cell(1), cell(2));
    }
    // The same depths by `offset` (each source's share sought from its count).
    let cells: Vec<String> = DEPTHS
        .iter()
        .map(|d| {
            let (calls, ms) = cost(
                &world,
                &tape,
                &format!("/v1/orders?limit=100&offset={}", (d - 1) * 100),
            );
            format!("{calls} calls {ms:7.2} ms")
        })
        .collect();
    println!(
        "{:<52} {:>22} {:>22} {:>22}",
        "/v1/orders?limit=100&offset=(page-1)*100", cells[0], cells[1], cells[2]
    );
}
