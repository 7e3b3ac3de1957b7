//! Golden tests: a vendor response per source (`tests/golden/adapters/<source>/response.json`)
//! normalized into records and compared with `expected.json`. Set `UPDATE_GOLDEN=1` to
//! rewrite the expected files (then review the diff).

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::PathBuf;

use flexedge::model::Source;
use flexedge::upstream::{AdapterConfig, AnyUpstream, Credentials, NormCtx};

/// 2026-05-01T00:00:00Z: fixes the derived `expired`/`active` statuses.
const NOW_MS: i64 = 1_777_593_600_000;

/// The (orders) adapter of a source; parsing a page needs no base URL or credentials.
fn adapter(s: Source) -> AnyUpstream {
    AnyUpstream::build(
        s,
        &AdapterConfig {
            base_url: "http://golden.invalid".to_owned(),
            credentials: Credentials::None,
        },
    )
}

fn ctx(raw: bool) -> NormCtx {
    NormCtx {
        now_ms: NOW_MS,
        include_raw: raw,
    }
}

fn normalize(s: Source, body: &[u8], raw: bool) -> serde_json::Value {
    let page = adapter(s).parse_page(200, body, ctx(raw)).unwrap();
    serde_json::to_value(&page.records).unwrap()
}

fn dir(s: Source) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/adapters")
        .join(s.as_str())
}

#[test]
fn vendor_responses_normalize_to_the_golden_records() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for s in Source::ALL {
        let body = std::fs::read(dir(s).join("response.json")).unwrap();
        let got = normalize(s, &body, false);
        let expected_path = dir(s).join("expected.json");
        if update {
            let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
            std::fs::write(&expected_path, text).unwrap();
            continue;
        }
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&expected_path).unwrap()).unwrap();
        if got != expected {
            failures.push(format!(
                "{s}: got\n{}",
                serde_json::to_string_pretty(&got).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn raw_is_the_vendor_object_and_only_on_request() {
    for s in Source::ALL {
        let body = std::fs::read(dir(s).join("response.json")).unwrap();
        let without = normalize(s, &body, false);
        assert!(without
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("raw").is_none()));
        let with = normalize(s, &body, true);
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let list = ["items", "activatableItem", "entitlements", "flexcareOrders"]
            .iter()
            .find_map(|k| doc.get(*k))
            .unwrap();
        for (rec, orig) in with
            .as_array()
            .unwrap()
            .iter()
            .zip(list.as_array().unwrap())
        {
            assert_eq!(rec.get("raw"), Some(orig), "{s}");
        }
    }
}

/// GreenLake devices: `tests/golden/adapters/hpe_flex_devices/{response,expected}.json`
/// (a full device with tags, one without optional fields, one with blank values).
#[test]
fn hpe_flex_devices_normalize_to_the_golden_records() {
    let d =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/adapters/hpe_flex_devices");
    let body = std::fs::read(d.join("response.json")).unwrap();
    let parse = |raw: bool| {
        let devices = adapter(Source::HpeFlex).devices().unwrap();
        let page = devices.parse_page(200, &body, ctx(raw)).unwrap();
        assert_eq!(page.total, Some(3));
        assert_eq!(page.count, 3);
        page.records
    };
    let got = serde_json::to_value(parse(false)).unwrap();
    let expected_path = d.join("expected.json");
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
        std::fs::write(&expected_path, text).unwrap();
        return;
    }
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&expected_path).unwrap()).unwrap();
    assert_eq!(
        got,
        expected,
        "got\n{}",
        serde_json::to_string_pretty(&got).unwrap()
    );
    // `raw` is the vendor object, only on request, as the very text of the page.
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let text = std::str::from_utf8(&body).unwrap();
    for (rec, orig) in parse(true).iter().zip(doc["items"].as_array().unwrap()) {
        let raw = rec.raw.as_ref().unwrap();
        assert_eq!(&raw.to_value(), orig);
        assert!(text.contains(raw.get()), "{}", raw.get());
    }
}
