//! The machine-readable side of `make bench` (issue #17), shared by the benches with
//! `#[path = "support/results.rs"] mod results;`: each figure a bench prints is also
//! appended as one JSON line `{name, value, unit, baseline}` to `$BENCH_RESULTS_JSONL` when
//! scripts/bench.sh set it (nothing otherwise); tests/bench/report.mjs gathers the lines into
//! `target/bench/results.json`. `baseline` names the figure of the same run it compares with.

use std::io::Write;

/// Appends one figure to `$BENCH_RESULTS_JSONL`, if set.
pub fn record(name: &str, value: f64, unit: &str, baseline: Option<&str>) {
    let Some(path) = std::env::var_os("BENCH_RESULTS_JSONL") else {
        return;
    };
    assert!(
        value.is_finite(),
        "bench figure {name}: {value} is not a number"
    );
    let line = serde_json::json!({
        "name": name,
        "value": (value * 1e4).round() / 1e4,
        "unit": unit,
        "baseline": baseline,
    });
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .expect("BENCH_RESULTS_JSONL opens for appending");
    writeln!(file, "{line}").expect("a bench figure is written");
}
