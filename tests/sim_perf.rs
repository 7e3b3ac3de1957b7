//! Generation speed: every vendor's 100,000 records build in well under a second natively
//! (in release builds; debug builds only print the figures).

mod sim_common;

use std::time::Instant;

use flexedge::sim::{SimConfig, Simulator};
use sim_common::{get, post_json, NOW};

#[test]
fn hundred_thousand_records_per_source_generate_quickly() {
    let sim = Simulator::new(SimConfig {
        seed: 11,
        records_per_source: 100_000,
        ..SimConfig::default()
    });
    let mut timings = Vec::new();
    let t = Instant::now();
    let gl = sim_common::greenlake_token(&sim);
    let _ = sim.handle(
        &get(
            "/flex/v1beta1/orders?limit=1",
            &[("authorization", &format!("Bearer {gl}"))],
        ),
        NOW,
    );
    timings.push(("greenlake orders", t.elapsed()));
    let t = Instant::now();
    let _ = sim.handle(
        &get(
            "/flex/v1beta1/devices?limit=1",
            &[("authorization", &format!("Bearer {gl}"))],
        ),
        NOW,
    );
    timings.push(("greenlake devices", t.elapsed()));
    let t = Instant::now();
    let r = sim.handle(
        &post_json(
            "/flexnet/operations/entitlementOrders/count",
            "{}",
            &sim_common::fno_basic(),
        ),
        NOW,
    );
    timings.push(("fno orders", t.elapsed()));
    assert_eq!(r.response.status(), 200);
    let t = Instant::now();
    let _ = sim.handle(
        &get(
            "/entitlements-api/v1/entitlements?limit=1",
            &sim_common::fno_bearer(),
        ),
        NOW,
    );
    timings.push(("fno beta", t.elapsed()));
    let tx = sim_common::telecomx_token(&sim, true);
    let t = Instant::now();
    let r = sim.handle(
        &get("/iptv/flexcareorder?limit=1", &[("x-api-key", &tx)]),
        NOW,
    );
    timings.push(("telecomx", t.elapsed()));
    assert_eq!(r.response.status(), 200);
    for (name, d) in &timings {
        println!("generate 100000 {name}: {} ms", d.as_millis());
    }
    if !cfg!(debug_assertions) {
        for (name, d) in &timings {
            assert!(d.as_millis() < 800, "{name} took {} ms", d.as_millis());
        }
    }
}
