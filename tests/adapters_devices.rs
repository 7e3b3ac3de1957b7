//! The GreenLake devices adapter against the simulator: full walks and paging, the
//! normalized shape, pushdown against a local reference (filters built from real device
//! values, sorts and windows: the pushed answer equals fetching everything and filtering,
//! sorting and paging locally), which predicates go upstream exactly, the token shared
//! with the orders adapter, and vendor errors typed without secrets.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;

use common::*;
use flexedge::filter::parse;
use flexedge::model::{Kind, Record, RecordSchema, Source};
use flexedge::query::{Query, QueryParams};
use flexedge::service::gateway::sort_keys;
use flexedge::sim::{Fault, Simulator};
use flexedge::testkit::{FakeClock, SimClient};
use flexedge::upstream::pushdown::Pushdown;
use flexedge::upstream::{
    AnyUpstream, Budget, Collection, Fetched, PlanInput, UpstreamError, UpstreamErrorKind,
};

const BIG: Budget = Budget {
    max_calls: 1_000,
    deadline_ms: NOW_MS + 600_000,
    read_ahead: false,
};

fn orders() -> AnyUpstream {
    adapter(Source::HpeFlex, good_creds(Source::HpeFlex))
}

fn devices_of(orders: &AnyUpstream) -> AnyUpstream {
    let d = orders.devices().expect("GreenLake has devices");
    assert_eq!(d.collection(), Collection::Devices);
    assert_eq!(d.source(), Source::HpeFlex);
    d
}

fn devices() -> AnyUpstream {
    devices_of(&orders())
}

/// Runs `filter`/`sort`/`offset`/`limit` through the adapter's plan and fetch.
fn run(
    sim: &Simulator,
    up: &AnyUpstream,
    filter: Option<&str>,
    sort: &str,
    offset: usize,
    limit: Option<usize>,
) -> (
    Result<Fetched, UpstreamError>,
    flexedge::upstream::SourcePlan,
) {
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(sim, &clock, 30_000);
    let query = Query::parse(&QueryParams {
        filter,
        sort: (!sort.is_empty()).then_some(sort),
        ..QueryParams::default()
    })
    .unwrap();
    let expr = filter.map(|f| parse(f).unwrap());
    let plan = up.plan(&PlanInput::new(
        expr.as_ref(),
        sort_keys(&query.sort),
        offset as u64,
        limit.map(|l| l as u64),
        NOW_MS,
    ));
    let out = block_on(up.fetch(&client, &clock, &plan, BIG, None));
    (out, plan)
}

fn all(sim: &Simulator) -> Vec<Record> {
    let (f, plan) = run(sim, &devices(), None, "", 0, None);
    assert!(plan.conjuncts.is_empty());
    f.unwrap().records
}

#[test]
fn a_full_walk_returns_every_device_once_in_its_shape() {
    let sim = sim(31, 250);
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(&sim, &clock, 30_000);
    let up = devices();
    let plan = up.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
    let f = block_on(up.fetch(&client, &clock, &plan, BIG, None)).unwrap();
    assert_eq!(f.records.len(), 250);
    assert_eq!(f.requests, 3, "{:?}", client.log());
    assert!(client
        .log()
        .iter()
        .any(|l| l.contains("/flex/v1beta1/devices")));
    assert!(!client
        .log()
        .iter()
        .any(|l| l.contains("/flex/v1beta1/orders")));
    let ids: BTreeSet<&str> = f.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 250);
    let (mut named, mut tagged, mut tiered) = (0, 0, 0);
    for r in &f.records {
        assert_eq!(r.kind, Kind::Device);
        assert_eq!(r.source, Source::HpeFlex);
        assert_eq!(r.id, format!("hpe_flex:{}", r.source_id));
        assert_eq!(r.devices.len(), 1, "{}", r.id);
        let d = &r.devices[0];
        assert_eq!(d.id.as_deref(), Some(r.source_id.as_str()));
        assert!(
            d.mac.is_some() && d.serial.is_some() && d.model.is_some() && d.device_type.is_some()
        );
        for a in ["make", "partNumber", "resourceId", "generation"] {
            assert!(r.attributes.contains_key(a), "{}: no {a}", r.id);
        }
        assert!(r.created_at.is_some() && r.updated_at.is_some());
        assert!(r.customer.is_none() && r.order_ref.is_none() && r.end_date.is_none());
        assert!(r.partners.len() <= 1);
        named += usize::from(r.name.is_some());
        tiered += r.partners.len();
        tagged += usize::from(r.attributes.keys().any(|k| k.starts_with("tag.")));
        let text = serde_json::to_string(r).unwrap();
        assert!(!text.contains("null") && !text.contains("\"\""), "{text}");
    }
    // The simulator leaves optional fields out of some devices: both cases occur.
    for (what, n) in [("name", named), ("billingTier", tiered), ("tags", tagged)] {
        assert!(n > 0 && n < 250, "{what}: {n}");
    }
}

/// The answer of the pushed plan (sorted and paged locally when the plan did not push
/// them) must equal the local reference over every device.
fn check(
    sim: &Simulator,
    everything: &[Record],
    filter: &str,
    sort: &str,
    offset: usize,
    limit: usize,
) {
    let query = Query::parse(&QueryParams {
        filter: Some(filter),
        sort: (!sort.is_empty()).then_some(sort),
        ..QueryParams::default()
    })
    .unwrap_or_else(|e| panic!("{filter}: {e:?}"));
    let qp = query
        .plan::<Record>(RecordSchema::default(), NOW_MS)
        .unwrap();
    let order = |a: &Record, b: &Record| qp.compare(a, b).then_with(|| a.id.cmp(&b.id));
    let mut want: Vec<&Record> = everything.iter().filter(|r| qp.matches(r)).collect();
    want.sort_by(|a, b| order(a, b));
    let want: Vec<&str> = want
        .iter()
        .skip(offset)
        .take(limit)
        .map(|r| r.id.as_str())
        .collect();
    let (f, plan) = run(sim, &devices(), Some(filter), sort, offset, Some(limit));
    let f = f.unwrap();
    let mut got: Vec<&Record> = f.records.iter().collect();
    if plan.window.is_none() {
        got.sort_by(|a, b| order(a, b));
        got = got.into_iter().skip(offset).take(limit).collect();
    }
    let got: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        got, want,
        "{filter} | sort {sort} | {offset}+{limit}\n{plan}"
    );
}

#[test]
fn pushdown_gives_the_local_answer() {
    let sim = sim(32, 230);
    let everything = all(&sim);
    let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut filters = Vec::new();
    for (i, r) in everything.iter().enumerate().step_by(37) {
        let d = &r.devices[0];
        let attr = |k: &str| match r.attributes.get(k) {
            Some(flexedge::model::AttrValue::Text(t)) => t.clone(),
            other => panic!("{k}: {other:?}"),
        };
        let serial = d.serial.clone().unwrap();
        let mac = d.mac.clone().unwrap();
        let other = &everything[(i + 1) % everything.len()];
        filters.extend([
            format!("sourceId eq {}", q(&r.source_id)),
            format!("id in ({}, {})", q(&r.id), q(&other.id)),
            format!("id ne {}", q(&r.id)),
            format!("devices/any(d: d/serial eq {})", q(&serial)),
            format!("devices/any(d: d/serial eq {})", q(&serial.to_lowercase())),
            format!(
                "devices/any(d: d/mac in ({}, {}))",
                q(&mac),
                q(&other.devices[0].mac.clone().unwrap())
            ),
            format!("devices/any(d: d/serial ne {})", q(&serial)),
            format!(
                "devices/any(d: tolower(d/mac) eq {})",
                q(&mac.to_lowercase())
            ),
            format!(
                "devices/any(d: d/type eq {})",
                q(d.device_type.as_deref().unwrap())
            ),
            format!(
                "attributes/make eq {} and attributes/partNumber ne {}",
                q(&attr("make")),
                q(&attr("partNumber"))
            ),
            format!("attributes/partNumber eq {}", q(&attr("partNumber"))),
            format!("attributes/resourceId in ({})", q(&attr("resourceId"))),
            format!(
                "devices/any(d: d/model eq {}) and attributes/make eq 'HPE'",
                q(d.model.as_deref().unwrap())
            ),
        ]);
        if let Some(n) = &r.name {
            filters.push(format!("name eq {}", q(n)));
            filters.push(format!("name ne {}", q(n)));
            filters.push(format!("contains(name, {})", q(&n[..n.len().min(4)])));
        }
        if let Some(b) = r.billing_account.as_ref().and_then(|b| b.name.as_ref()) {
            filters.push(format!("billingAccount/name eq {}", q(b)));
            filters.push(format!("billingAccount/name ne {}", q(b)));
        }
        if let Some(p) = r.partners.first().and_then(|p| p.name.as_ref()) {
            filters.push(format!("partners/any(p: p/name eq {})", q(p)));
            filters.push(format!("partners/any(p: p/name in ({}, 'nobody'))", q(p)));
        }
    }
    filters.extend(
        [
            "name eq null",
            "billingAccount/name ne null",
            "attributes/tag.env eq 'prod'",
            "createdAt lt 2024-01-01T00:00:00Z",
            "status eq 'unknown' and kind eq 'device'",
            "customer/name eq 'x'",
            "source eq 'hpe_flex'",
            "not (attributes/make eq 'HPE')",
            "attributes/make eq 'HPE' or name ne null",
        ]
        .map(str::to_owned),
    );
    let sorts = [
        "",
        "endDate asc, id asc",
        "attributes/partNumber desc",
        "createdAt, id desc",
        "updatedAt desc",
        "name",
        "billingAccount/name desc",
        "attributes/make, attributes/resourceId desc",
    ];
    let mut n = 0;
    for (i, f) in filters.iter().enumerate() {
        let sort = sorts[i % sorts.len()];
        check(&sim, &everything, f, sort, 0, 1_000);
        check(&sim, &everything, f, sort, i % 7, 3);
        n += 2;
    }
    // Windows over the whole set under every sort (pushed where the sort is).
    for (i, sort) in sorts.iter().enumerate() {
        check(
            &sim,
            &everything,
            "attributes/make ne 'nobody'",
            sort,
            17 * i,
            40,
        );
        n += 1;
    }
    assert!(n > 150, "{n}");
}

fn pushdown_of(filter: &str) -> Vec<(Pushdown, Option<String>)> {
    let expr = parse(filter).unwrap();
    devices()
        .plan(&PlanInput::new(Some(&expr), vec![], 0, None, NOW_MS))
        .conjuncts
        .into_iter()
        .map(|c| (c.pushdown, c.native))
        .collect()
}

#[test]
fn exactly_what_hpe_flex_matches_the_same_way_goes_upstream() {
    let exact = [
        ("id eq 'hpe_flex:abc'", "id eq 'abc'"),
        ("sourceId ne 'abc'", "id ne 'abc'"),
        ("name eq 'n'", "name eq 'n'"),
        (
            "billingAccount/name in ('a', 'b''c')",
            "billingAccountName in ('a', 'b''c')",
        ),
        (
            "attributes/partNumber ne 'JK130GT'",
            "partNumber ne 'JK130GT'",
        ),
        ("attributes/make eq 'HPE'", "make eq 'HPE'"),
        ("attributes/resourceId eq 'r'", "resourceId eq 'r'"),
        ("devices/any(d: d/mac eq 'CA:35')", "macAddress eq 'CA:35'"),
        ("devices/any(d: d/serial ne 'CN1')", "serialNumber ne 'CN1'"),
        (
            "devices/any(x: x/model in ('M1', 'M2'))",
            "model in ('M1', 'M2')",
        ),
        ("devices/any(d: d/id eq 'abc')", "id eq 'abc'"),
        (
            "partners/any(p: p/name eq 'HPE Distributions')",
            "billingTier eq 'HPE Distributions'",
        ),
    ];
    for (f, native) in exact {
        assert_eq!(
            pushdown_of(f),
            vec![(Pushdown::Exact, Some(native.to_owned()))],
            "{f}"
        );
    }
    // Optional fields: `ne` would drop devices without the field upstream (or not);
    // case-insensitive, substring, comparisons, `deviceType`, `all`, `or`: edge only.
    for f in [
        "name ne 'n'",
        "billingAccount/name ne 'a'",
        "partners/any(p: p/name ne 'x')",
        "partners/any(p: p/role eq 'distributor')",
        "tolower(name) eq 'n'",
        "contains(name, 'n')",
        "devices/any(d: d/type eq 'AP')",
        "devices/any(d: tolower(d/serial) eq 'cn1')",
        "devices/all(d: d/serial eq 'CN1')",
        "attributes/generation eq 2",
        "attributes/tag.env eq 'prod'",
        "createdAt gt 2024-01-01T00:00:00Z",
        "attributes/make eq 'HPE' or name eq 'n'",
        "id eq 'abc'",
    ] {
        let p = pushdown_of(f);
        assert_eq!(p.len(), 1, "{f}");
        assert_eq!(p[0].0, Pushdown::Unsupported, "{f}: {p:?}");
    }
    // A field no device has prunes the source without a request.
    for f in [
        "customer/name eq 'x'",
        "orderRef eq 'x'",
        "items/any(i: i/partNumber eq 'x')",
    ] {
        let expr = parse(f).unwrap();
        let plan = devices().plan(&PlanInput::new(Some(&expr), vec![], 0, None, NOW_MS));
        assert!(plan.pruned, "{f}");
    }
}

#[test]
fn sort_pushes_on_required_fields_with_the_id_tie_break() {
    let sort = |s: &str| {
        let query = Query::parse(&QueryParams {
            sort: Some(s),
            ..QueryParams::default()
        })
        .unwrap();
        let plan = devices().plan(&PlanInput::new(
            None,
            sort_keys(&query.sort),
            5,
            Some(10),
            NOW_MS,
        ));
        let native = plan
            .native
            .params
            .iter()
            .find(|(k, _)| k == "sort")
            .map(|(_, v)| v.clone());
        (plan.sort_pushed, native, plan.window.is_some())
    };
    assert_eq!(
        sort("endDate asc, id asc"),
        (true, Some("id asc".into()), true)
    );
    assert_eq!(
        sort("attributes/partNumber desc"),
        (true, Some("partNumber desc,id asc".into()), true)
    );
    assert_eq!(
        sort("createdAt, sourceId desc"),
        (true, Some("createdAt asc,id desc".into()), true)
    );
    // Optional fields sort absent values differently upstream; collections are not pushed.
    for s in [
        "name",
        "billingAccount/name",
        "devices/serial",
        "attributes/tag.env",
    ] {
        if Query::parse(&QueryParams {
            sort: Some(s),
            ..QueryParams::default()
        })
        .is_ok()
        {
            assert_eq!(sort(s), (false, None, false), "{s}");
        }
    }
}

#[test]
fn devices_and_orders_share_one_token() {
    let sim = sim(33, 120);
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(&sim, &clock, 30_000);
    let orders = orders();
    let devices = devices_of(&orders);
    let input = PlanInput::new(None, vec![], 0, None, NOW_MS);
    block_on(orders.fetch(&client, &clock, &orders.plan(&input), BIG, None)).unwrap();
    let d = block_on(devices.fetch(&client, &clock, &devices.plan(&input), BIG, None)).unwrap();
    assert_eq!(d.records.len(), 120);
    let logins = client
        .log()
        .iter()
        .filter(|l| l.contains("token.oauth2"))
        .count();
    assert_eq!(logins, 1, "{:?}", client.log());
}

#[test]
fn vendor_errors_are_typed_without_secrets() {
    for (fault, check) in [
        (Fault::Status500, UpstreamErrorKind::Server),
        (Fault::MalformedJson, UpstreamErrorKind::Malformed),
        (Fault::TruncatedJson, UpstreamErrorKind::Malformed),
        (Fault::Hang, UpstreamErrorKind::Timeout),
        (
            Fault::RateLimited(1),
            UpstreamErrorKind::RateLimited {
                retry_after: Some(1),
            },
        ),
    ] {
        let sim = sim(34, 30);
        sim.set_fault(Source::HpeFlex, fault);
        let clock = FakeClock::new(NOW_MS);
        let client = SimClient::new(&sim, &clock, 30_000);
        let up = devices();
        let plan = up.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
        let e = block_on(up.fetch(
            &client,
            &clock,
            &plan,
            Budget {
                max_calls: 10,
                deadline_ms: NOW_MS + 20_000,
                read_ahead: false,
            },
            None,
        ))
        .unwrap_err();
        assert_eq!(e.kind, check, "{fault:?}: {e}");
        let text = format!("{e} {e:?}");
        for s in all_secrets() {
            assert!(!text.contains(s), "{text}");
        }
    }
    // GreenLake rejects a filter on `deviceType`: a typed bad request naming the filter.
    let sim = sim(35, 10);
    let clock = FakeClock::new(NOW_MS);
    let client = SimClient::new(&sim, &clock, 30_000);
    let up = devices();
    let mut plan = up.plan(&PlanInput::new(None, vec![], 0, None, NOW_MS));
    plan.native
        .params
        .push(("filter".into(), "deviceType eq 'AP'".into()));
    let e = block_on(up.fetch(&client, &clock, &plan, BIG, None)).unwrap_err();
    assert_eq!(e.kind, UpstreamErrorKind::BadRequest, "{e}");
    assert!(e.message.contains("filter"), "{e}");
}
