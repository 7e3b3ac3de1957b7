//! `make bench`: the gateway's own CPU time per unified request, natively, in process.
//!
//! `testkit::bench::BenchWorld` serves `/v1/orders?limit=100` over four simulated sources with 100
//! records each; the upstream answers are recorded once and replayed, so the timing is the
//! gateway's work (plan, requests, parse, normalize, filter, merge, serialize), not the
//! simulator's. The same world runs as wasm under Node in `tests/bench/wasm-cpu.mjs`.
//! Plain `main` (no harness).

// Native only: measures wall time.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/results.rs"]
mod results;

use std::hint::black_box;
use std::time::Instant;

use flexedge::testkit::bench::BenchWorld;

const RECORDS: usize = 100;
const WARMUP: usize = 30;
const RUNS: usize = 300;
const PATHS: [&str; 2] = ["/v1/orders?limit=100", "/v1/orders?limit=100&include=raw"];

/// `FLEXEDGE_BENCH_RUNS=n` times `n` requests per path after `min(n, 30)` warm-ups, and
/// `FLEXEDGE_BENCH_PATH=p` runs only path `p` (for instruction counts under
/// `valgrind --tool=callgrind`, where 660 requests take too long).
fn knobs() -> (usize, usize, Vec<String>) {
    let runs = std::env::var("FLEXEDGE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(RUNS);
    let paths = match std::env::var("FLEXEDGE_BENCH_PATH") {
        Ok(p) => vec![p],
        Err(_) => PATHS.iter().map(|p| (*p).to_owned()).collect(),
    };
    (WARMUP.min(runs), runs, paths)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let world = BenchWorld::new(RECORDS);
    let tape = world.tape();
    let (warmup, runs, paths) = knobs();
    for path in &paths {
        let path = path.as_str();
        let mut bytes = 0;
        for _ in 0..warmup {
            let (status, len) = world.get(&tape, path).expect("finishes in one poll");
            assert_eq!(status, 200, "{path}");
            bytes = len;
        }
        let misses = tape.misses();
        let mut ms = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let c0 = cpu::cpu_ms(t);
            black_box(world.get(&tape, black_box(path)));
            ms.push(cpu::cpu_ms(t) - c0);
        }
        assert_eq!(
            tape.misses(),
            misses,
            "every timed upstream answer was replayed"
        );
        ms.sort_by(f64::total_cmp);
        if ms.is_empty() {
            continue;
        }
        println!(
            "gateway native CPU  {path:<36} p50 {:6.3} ms  p99 {:6.3} ms  ({runs} runs, {RECORDS} records/source, {} KiB response)",
            pct(&ms, 0.50),
            pct(&ms, 0.99),
            bytes / 1024
        );
        // The two standard paths under the names tests/bench/report.mjs reads.
        if let Some(key) = [(PATHS[0], "orders"), (PATHS[1], "orders_raw")]
            .iter()
            .find_map(|(p, k)| (*p == path).then_some(k))
        {
            results::record(&format!("native_cpu_p50/{key}"), pct(&ms, 0.50), "ms", None);
            results::record(&format!("native_cpu_p99/{key}"), pct(&ms, 0.99), "ms", None);
        }
    }
    println!("upstream requests per unified query (replayed):");
    for r in tape.requests() {
        println!("  {r}");
    }
}
