//! Generation speed: every vendor's 100,000 records build in about half a second of CPU
//! natively (release, `opt-level = "z"`). The assertion (release builds on Linux, this
//! thread's CPU time so a loaded machine does not fail it) is a 1.5 s regression guard;
//! debug builds and other platforms only print the figures.

// Native only: measures wall time.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

mod sim_common;

use std::time::{Duration, Instant};

/// This thread's CPU time (user + system) from `/proc/thread-self/stat`, if available.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the command name: state is field 3, utime 14, stime 15 (1-based, whole line).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// (wall, cpu) of a closure.
fn timed(f: impl FnOnce()) -> (Duration, Option<Duration>) {
    let c0 = thread_cpu();
    let t0 = Instant::now();
    f();
    let wall = t0.elapsed();
    let cpu = match (c0, thread_cpu()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    (wall, cpu)
}

use flexedge::sim::{SimConfig, Simulator};
use sim_common::{get, post_json, NOW};

#[test]
fn hundred_thousand_records_per_source_generate_quickly() {
    let sim = Simulator::new(SimConfig {
        seed: 11,
        // Debug builds only print figures: keep `cargo test` fast with a smaller set.
        records_per_source: if cfg!(debug_assertions) {
            10_000
        } else {
            100_000
        },
        ..SimConfig::default()
    });
    let gl = format!("Bearer {}", sim_common::hpe_flex_token(&sim));
    let tx = sim_common::telecomx_flexcare_token(&sim, true);
    let requests = [
        (
            "greenlake orders",
            get("/flex/v1beta1/orders?limit=1", &[("authorization", &gl)]),
        ),
        (
            "greenlake devices",
            get("/flex/v1beta1/devices?limit=1", &[("authorization", &gl)]),
        ),
        (
            "fno orders",
            post_json(
                "/flexnet/operations/entitlementOrders/count",
                "{}",
                &sim_common::fno_basic(),
            ),
        ),
        (
            "fno beta",
            get(
                "/entitlements-api/v1/entitlements?limit=1",
                &sim_common::fno_bearer(),
            ),
        ),
        (
            "telecomx",
            get("/iptv/flexcareorder?limit=1", &[("x-api-key", &tx)]),
        ),
    ];
    for (name, req) in &requests {
        let mut status = 0;
        let (wall, cpu) = timed(|| status = sim.handle(req, NOW).response.status().as_u16());
        assert_eq!(status, 200, "{name}");
        println!(
            "generate {} {name} (+ first request): wall {} ms, thread CPU {}",
            sim.config().records_per_source,
            wall.as_millis(),
            cpu.map_or("n/a".to_string(), |c| format!("{} ms", c.as_millis()))
        );
        if !cfg!(debug_assertions) {
            if let Some(c) = cpu {
                assert!(
                    c.as_millis() < 1000,
                    "{name} took {} ms of CPU",
                    c.as_millis()
                );
            }
        }
    }
}
