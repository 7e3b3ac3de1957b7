//! Issue #14 ("safe to expose") in process: `Service::handle` over the simulator on fake
//! time, for each bound, limit and fail-closed rule (the same behaviours run end to end
//! under `wrangler dev` in tests/e2e/safety.test.mjs).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::cell::{Cell, RefCell};

use base64::Engine as _;
use common::world::{world_seeded, Answer, World};
use common::{block_on, enc};
use flexedge::model::Source;
use flexedge::service::log::MemorySink;
use flexedge::service::{Ctx, Tier};
use flexedge::sim::{creds, Fault};
use flexedge::testkit::{FakeLimiter, SimClient};
use flexedge::upstream::{BypassCache, Call, HttpClient, Staged, TransportError};

const KEYS: &str = r#"[
    {"key": "safety-key-all", "sources": ["*"], "raw": true, "debug": true, "label": "all"},
    {"key": "safety-key-tx", "sources": ["telecomx_flexcare"]},
    {"key": "safety-low-a-key", "sources": ["telecomx_flexcare"], "rateLimit": "low", "label": "low-a"},
    {"key": "safety-low-b-key", "sources": ["telecomx_flexcare"], "rateLimit": "low", "label": "low-b"}
]"#;
const ALL: &str = "safety-key-all";

fn world_with(vars: &[(&str, &str)]) -> World {
    let mut all = vec![
        ("FLEXEDGE_API_KEYS", KEYS),
        ("FLEXEDGE_BREAKER_FAILURES", "0"),
    ];
    all.extend_from_slice(vars);
    let mut w = world_seeded(&all, 60, 5);
    w.key = ALL;
    w
}

fn world() -> World {
    world_with(&[])
}

fn ids(a: &Answer) -> Vec<String> {
    common::item_ids(&a.body)
}

// ---- HTTP hygiene --------------------------------------------------------------------

#[test]
fn problems_carry_their_headers_and_are_never_stored() {
    let w = world();
    let post = w.send_via(
        &SimClient::new(&w.sim, &w.clock, 1_000),
        w.request("POST", "/v1/orders", Some(ALL))
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), "GET, HEAD, OPTIONS");
    let missing = w.get_as("/v1/orders", None);
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.header("www-authenticate"),
        r#"Bearer realm="flexedge""#
    );
    let wrong = w.get_as("/v1/orders", Some("not-a-configured-key"));
    assert_eq!(
        wrong.header("www-authenticate"),
        r#"Bearer realm="flexedge", error="invalid_token""#
    );
    for a in [&post, &missing, &wrong, &w.get("/v1/orders?limit=x")] {
        assert_eq!(a.header("content-type"), "application/problem+json");
        assert_eq!(a.header("cache-control"), "no-store", "{}", a.text);
        assert_eq!(a.header("x-content-type-options"), "nosniff");
    }
    let ok = w.get("/v1/orders?limit=1");
    assert_eq!(ok.header("x-content-type-options"), "nosniff");
    assert_eq!(ok.header("ratelimit-policy"), "\"standard\";q=300;w=60");
}

/// `/odata` answers in OData's error format, behind the same gate as `/v1`: a valid
/// configuration, a key, its rate limit; its errors carry the same headers.
#[test]
fn the_odata_service_passes_the_same_gate() {
    let w = world();
    let path = "/odata/Orders?$top=1";
    for i in 0..Tier::Low.limit() {
        let a = w.get_as(path, Some("safety-low-a-key"));
        assert_eq!(a.status, 200, "{i}: {}", a.text);
    }
    let limited = w.get_as(path, Some("safety-low-a-key"));
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert_eq!(limited.body["error"]["code"], "rate_limit.exceeded");
    assert_eq!(limited.header("retry-after"), "10");
    assert_eq!(limited.header("ratelimit-policy"), "\"low\";q=20;w=10");
    let wrong = w.get_as(path, Some("not-a-configured-key"));
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.header("www-authenticate"),
        r#"Bearer realm="flexedge", error="invalid_token""#
    );
    let post = w.send_via(
        &SimClient::new(&w.sim, &w.clock, 1_000),
        w.request("POST", path, Some(ALL)).body(Vec::new()).unwrap(),
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), "GET, HEAD, OPTIONS");
    let bad = w.get("/odata/Orders?$top=x");
    assert_eq!(bad.status, 400, "{}", bad.text);
    for a in [&limited, &wrong, &post, &bad] {
        assert_eq!(a.header("cache-control"), "no-store", "{}", a.text);
        assert_eq!(a.header("x-content-type-options"), "nosniff");
    }
    let broken = world_with(&[("FLEXEDGE_API_KEYS", r#"[{"key": "typo-key-123456"}]"#)]);
    let a = broken.get_as(path, Some("typo-key-123456"));
    assert_eq!(a.status, 500, "{}", a.text);
    assert_eq!(a.body["error"]["code"], "config.invalid");
    assert!(!a.text.contains("typo-key-123456"), "{}", a.text);
    // The service document and $metadata stay public.
    assert_eq!(broken.get_as("/odata/$metadata", None).status, 200);
}

#[test]
fn vary_origin_whenever_cors_is_configured() {
    for (origins, origin) in [
        ("https://app.example", Some("https://app.example")),
        ("https://app.example", Some("https://evil.example")),
        ("https://app.example", None),
        ("*", Some("https://any.example")),
    ] {
        let w = world_with(&[("FLEXEDGE_CORS_ORIGINS", origins)]);
        let mut b = w.request("GET", "/health", None);
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        let a = w.send_via(
            &SimClient::new(&w.sim, &w.clock, 1_000),
            b.body(Vec::new()).unwrap(),
        );
        let vary: Vec<_> = a.headers.get_all("vary").iter().collect();
        assert!(
            vary.iter()
                .any(|v| v.to_str().unwrap().eq_ignore_ascii_case("origin")),
            "{origins} {origin:?}: {vary:?}"
        );
    }
    let w = world();
    let a = w.get_as("/health", None);
    assert!(
        !a.headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().eq_ignore_ascii_case("origin")),
        "no CORS, no Vary: Origin"
    );
}

#[test]
fn strict_enums_everywhere() {
    let w = world();
    for uri in [
        "/v1/orders?include=",
        "/v1/sources/hpe_flex/orders?include=",
        "/v1/orders/hpe_flex:x?include=",
        "/v1/devices?include=",
        "/v1/orders?explain=1",
        "/v1/orders?strict=",
        "/v1/orders?pushdown=no",
    ] {
        let a = w.get(uri);
        assert_eq!(a.status, 400, "{uri}: {}", a.text);
        assert_eq!(a.body["code"], "query.invalid_parameter", "{uri}");
    }
}

#[test]
fn transform_refuses_include_for_every_key() {
    let w = world();
    for key in [ALL, "safety-key-tx"] {
        let a = w.get_as(
            "/v1/orders/transform?group-by=source&include=raw",
            Some(key),
        );
        assert_eq!(a.status, 400, "{key}: {}", a.text);
        assert_eq!(a.body["parameter"], "include");
    }
}

#[test]
fn sources_shows_only_the_keys_sources_and_health_no_hosts() {
    let w = world();
    let a = w.get_as("/v1/sources", Some("safety-key-tx"));
    let shown: Vec<_> = a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shown, ["telecomx_flexcare"]);
    assert_eq!(
        w.get("/v1/sources").body["items"].as_array().unwrap().len(),
        4
    );
    let remote = world_with(&[("HPE_FLEX_BASE_URL", "https://gl.secret-host.example")]);
    let h = remote.get_as("/health", None);
    assert!(!h.text.contains("secret-host"), "{}", h.text);
    assert_eq!(h.body["sources"][0]["mode"], "remote");
}

// ---- request bodies ------------------------------------------------------------------

#[test]
fn a_declared_body_over_the_cap_is_refused_before_anything_else() {
    let w = world();
    for (method, uri) in [
        ("POST", "/v1/orders"),
        ("PUT", "/nowhere"),
        ("GET", "/health"),
    ] {
        let a = w.send_via(
            &SimClient::new(&w.sim, &w.clock, 1_000),
            w.request(method, uri, None)
                .header("content-length", "104857600")
                .body(Vec::new())
                .unwrap(),
        );
        assert_eq!(a.status, 413, "{method} {uri}");
        assert_eq!(a.body["code"], "request.too_large");
    }
    let small = w.send_via(
        &SimClient::new(&w.sim, &w.clock, 1_000),
        w.request("POST", "/v1/orders", Some(ALL))
            .header("content-length", "10")
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(small.status, 405);
}

// ---- fail-closed configuration -------------------------------------------------------

#[test]
fn key_config_typos_fail_closed_naming_the_setting() {
    for keys in [
        r#"[{"key": "typo-key-123456", "source": ["hpe_flex"]}]"#,
        r#"[{"key": "typo-key-123456"}]"#,
        r#"[{"key": "typo-key-123456", "sources": ["*"]}, {"key": "typo-key-123456", "sources": ["hpe_flex"]}]"#,
        r#"[{"key": "short", "sources": ["*"]}]"#,
        "",
    ] {
        let w = world_with(&[("FLEXEDGE_API_KEYS", keys)]);
        let a = w.get_as("/v1/orders", Some("typo-key-123456"));
        assert_eq!(a.status, 500, "{keys}: {}", a.text);
        assert_eq!(a.body["code"], "config.invalid");
        assert_eq!(a.body["setting"], "FLEXEDGE_API_KEYS");
        assert!(!a.text.contains("typo-key-123456"), "{}", a.text);
        let h = w.get_as("/health", None);
        assert_eq!(h.status, 200);
        assert_eq!(h.body["status"], "degraded");
        assert_eq!(h.body["invalidSettings"][0], "FLEXEDGE_API_KEYS");
    }
    let w = world_with(&[("FLEXEDGE_DEADLINE_MS", "8s")]);
    let a = w.get("/v1/orders");
    assert_eq!(
        (a.status, a.body["setting"].as_str()),
        (500, Some("FLEXEDGE_DEADLINE_MS"))
    );
    assert_eq!(w.get("/health").body["status"], "degraded");
}

#[test]
fn without_the_simulator_a_source_with_no_base_url_is_not_configured() {
    let w = world_with(&[
        ("FLEXEDGE_SIMULATOR", ""),
        ("TELECOMX_BASE_URL", creds::EMBEDDED_BASE_URL),
        ("TELECOMX_USERNAME", creds::TELECOMX_ADMIN_USER),
        ("TELECOMX_PASSWORD", creds::TELECOMX_ADMIN_PASSWORD),
    ]);
    let a = w.get("/v1/orders?limit=500");
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.source("telecomx_flexcare")["status"], "ok");
    for s in ["hpe_flex", "fno_orders", "fno_entitlements"] {
        assert_eq!(a.source(s)["status"], "error", "{s}");
        assert_eq!(a.source(s)["error"]["code"], "source.not_configured");
        assert_eq!(a.source(s)["requests"], 0);
    }
    assert!(ids(&a).iter().all(|i| i.starts_with("telecomx_flexcare:")));
    // A lookup by id on an unconfigured source says so (503 naming it), never "no record".
    let one = w.get("/v1/orders/hpe_flex:ORD-1");
    assert_eq!(one.status, 503, "{}", one.text);
    assert_eq!(one.body["code"], "source.not_configured");
    assert_eq!(one.body["source"], "hpe_flex");
    assert!(one.body["detail"]
        .as_str()
        .unwrap()
        .contains("HPE_FLEX_BASE_URL"));
    let h = w.get_as("/health", None);
    assert_eq!(h.body["status"], "degraded");
    let modes: Vec<_> = h.body["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["mode"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        modes,
        [
            "not_configured",
            "not_configured",
            "not_configured",
            "remote"
        ]
    );
}

// ---- rate limits and debug switches ----------------------------------------------------

#[test]
fn a_key_over_its_tier_gets_429_and_another_key_is_unaffected() {
    let w = world();
    let path = "/v1/sources/telecomx_flexcare/orders?limit=1";
    for i in 0..Tier::Low.limit() {
        assert_eq!(w.get_as(path, Some("safety-low-a-key")).status, 200, "{i}");
    }
    let limited = w.get_as(path, Some("safety-low-a-key"));
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert_eq!(limited.body["code"], "rate_limit.exceeded");
    assert_eq!(limited.header("retry-after"), "10");
    assert_eq!(limited.header("ratelimit"), "\"low\";r=0;t=10");
    assert_eq!(limited.header("ratelimit-policy"), "\"low\";q=20;w=10");
    // Same tier, another key: its own count.
    assert_eq!(w.get_as(path, Some("safety-low-b-key")).status, 200);
    w.limiter.next_window();
    assert_eq!(w.get_as(path, Some("safety-low-a-key")).status, 200);
}

#[test]
fn a_missing_rate_limit_binding_fails_closed() {
    let mut w = world();
    w.limiter = FakeLimiter::new().without(Tier::Standard);
    let a = w.get("/v1/orders");
    assert_eq!(a.status, 500);
    assert_eq!(a.body["setting"], "RATE_LIMIT_STANDARD");
}

/// Records what the service marks on the requests it sends.
struct Marks<'a> {
    inner: SimClient<'a>,
    bypass: Cell<u32>,
    pages: Cell<u32>,
    tokens: Cell<u32>,
    unmarked: Cell<u32>,
    staged: RefCell<Vec<u64>>,
    settled: RefCell<Vec<(Vec<u64>, bool)>>,
}

impl<'a> Marks<'a> {
    fn new(inner: SimClient<'a>) -> Self {
        Marks {
            inner,
            bypass: Cell::new(0),
            pages: Cell::new(0),
            tokens: Cell::new(0),
            unmarked: Cell::new(0),
            staged: RefCell::new(Vec::new()),
            settled: RefCell::new(Vec::new()),
        }
    }
}

impl HttpClient for Marks<'_> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        if req.extensions().get::<BypassCache>().is_some() {
            self.bypass.set(self.bypass.get() + 1);
        }
        let counter = match Call::of(&req) {
            Some(Call::Page) => &self.pages,
            Some(Call::Token) => &self.tokens,
            None => &self.unmarked,
        };
        counter.set(counter.get() + 1);
        let page = Call::of(&req) == Some(Call::Page);
        let mut res = self.inner.send(req).await?;
        if page && res.status().is_success() {
            // As the edge's cache does: hold every 2xx page back for the verdict.
            let id = self.staged.borrow().len() as u64;
            self.staged.borrow_mut().push(id);
            res.extensions_mut().insert(Staged(id));
        }
        Ok(res)
    }

    fn settle(&self, staged: &[Staged], keep: bool) {
        self.settled
            .borrow_mut()
            .push((staged.iter().map(|s| s.0).collect(), keep));
    }
}

#[test]
fn debug_switches_need_a_debug_key_and_no_cache_is_ignored_otherwise() {
    let w = world();
    for q in ["explain=true", "pushdown=false"] {
        let a = w.get_as(
            &format!("/v1/sources/telecomx_flexcare/orders?{q}"),
            Some("safety-key-tx"),
        );
        assert_eq!(a.status, 403, "{q}: {}", a.text);
        assert_eq!(a.body["code"], "auth.forbidden");
    }
    let send = |key: &str| {
        let marks = Marks::new(SimClient::new(&w.sim, &w.clock, 1_000));
        let a = w.send_via(
            &marks,
            w.request("GET", "/v1/sources/telecomx_flexcare/orders", Some(key))
                .header("cache-control", "no-cache")
                .body(Vec::new())
                .unwrap(),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        (marks.bypass.get(), marks.pages.get())
    };
    let (bypass, pages) = send("safety-key-tx");
    assert_eq!(
        bypass, 0,
        "no-cache from a key that is not debug is ignored"
    );
    assert!(pages >= 1);
    let (bypass, pages) = send(ALL);
    assert_eq!(bypass, pages, "a debug key's no-cache bypasses the cache");
}

// ---- token calls, cache verdicts, redirects --------------------------------------------

#[test]
fn token_calls_are_marked_and_failed_2xx_answers_are_never_kept() {
    let w = world();
    let marks = Marks::new(SimClient::new(&w.sim, &w.clock, 1_000));
    let a = w.get_via(&marks, "/v1/orders?limit=10", Some(ALL));
    assert_eq!(a.status, 200);
    assert_eq!(marks.unmarked.get(), 0, "every request says what it is for");
    assert_eq!(marks.tokens.get(), 2, "GreenLake token + TelecomX login");
    let settled = marks.settled.borrow().clone();
    assert_eq!(settled.len(), 4, "{settled:?}");
    assert!(settled.iter().all(|(_, keep)| *keep));
    // FNO's 200 with statusInfo FAILURE: the fetch fails, its held answer is dropped.
    w.sim.set_fault(Source::FnoOrders, Fault::FailureEcho(3));
    let marks = Marks::new(SimClient::new(&w.sim, &w.clock, 1_000));
    let a = w.get_via(&marks, "/v1/sources/fno_orders/orders", Some(ALL));
    // The only source failed and may still have records: 503 naming it and its error.
    assert_eq!(a.status, 503, "{}", a.text);
    assert_eq!(a.body["code"], "upstream.unavailable");
    assert_eq!(a.body["source"], "fno_orders");
    assert!(a.text.contains("upstream.vendor_failure"), "{}", a.text);
    let settled = marks.settled.borrow().clone();
    assert!(!marks.staged.borrow().is_empty());
    assert!(
        !settled.is_empty() && settled.iter().all(|(_, keep)| !keep),
        "{settled:?}"
    );
}

#[test]
fn a_redirect_is_reported_not_followed() {
    let w = world();
    w.sim.set_fault(Source::HpeFlex, Fault::Redirect);
    // Over every source, so the others answer and the failed one is reported beside them.
    let a = w.get("/v1/orders");
    let e = &a.source("hpe_flex")["error"];
    assert_eq!(e["code"], "upstream.bad_request", "{}", a.text);
    assert_eq!(e["status"], 307);
}

// ---- redaction -----------------------------------------------------------------------

fn assert_no_fragment(text: &str, secrets: &[String]) {
    for s in secrets {
        for w in s.as_bytes().windows(8) {
            let w = std::str::from_utf8(w).unwrap_or("");
            assert!(
                w.is_empty() || !text.contains(w),
                "{w:?} of a secret in {text}"
            );
        }
    }
}

/// Records the credentials sent (the live tokens, which the test never sees otherwise).
struct Sent<'a> {
    inner: SimClient<'a>,
    credentials: RefCell<Vec<String>>,
}

impl HttpClient for Sent<'_> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        if let Some(v) = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
        {
            let cred = v.split_once(' ').map_or(v, |(_, c)| c).to_owned();
            self.credentials.borrow_mut().push(cred);
        }
        self.inner.send(req).await
    }
}

#[test]
fn an_echoed_credential_never_reaches_a_response() {
    let w = world();
    for (vendor, fault) in [
        (Source::HpeFlex, Fault::EchoCredential(280)),
        (Source::FnoOrders, Fault::EchoCredential(280)),
        (Source::FnoOrders, Fault::FailureEcho(280)),
        (Source::FnoEntitlements, Fault::EchoCredential(280)),
        (Source::TelecomxFlexcare, Fault::EchoCredential(280)),
        (Source::TelecomxFlexcare, Fault::EchoCredential(3)),
    ] {
        w.sim.clear_faults();
        w.sim.set_fault(vendor, fault);
        let sent = Sent {
            inner: SimClient::new(&w.sim, &w.clock, 1_000),
            credentials: RefCell::new(Vec::new()),
        };
        // Over every source, so the others answer and the failed one is reported beside
        // them (a single-source list whose only source fails is a 503 problem).
        let path = "/v1/orders";
        let mut texts = Vec::new();
        for strict in ["false", "true"] {
            let a = w.get_via(&sent, &format!("{path}?strict={strict}"), Some(ALL));
            // The fault answered (a 500, or FNO's 200 FAILURE), and the message shows
            // where the credential was (`***`, perhaps cut at 300 characters to `**…`).
            assert!(a.text.contains("**"), "{vendor} {fault}: {}", a.text);
            if strict == "false" {
                let code = a.source(vendor.as_str())["error"]["code"].clone();
                assert!(
                    code == "upstream.server" || code == "upstream.vendor_failure",
                    "{vendor} {fault}: {}",
                    a.text
                );
            } else {
                assert_eq!(a.status, 502);
            }
            texts.push(a.text);
        }
        // What the vendor could echo: the credentials sent (live tokens, the FNO token, a
        // Basic header and the password inside it).
        let mut secrets: Vec<String> = sent.credentials.borrow().clone();
        assert!(!secrets.is_empty(), "the credentials sent were recorded");
        for c in secrets.clone() {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(&c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            if let Some((_, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
                secrets.push(password.to_owned());
            }
        }
        for t in &texts {
            assert_no_fragment(t, &secrets);
        }
    }
}

// ---- bounded work ----------------------------------------------------------------------

#[test]
fn group_by_is_capped_before_any_upstream_call() {
    let w = world();
    let same = vec!["devices/id"; 64].join(",");
    let ten = "devices/id,devices/mac,items/partNumber,items/productName,partners/name,partners/id,contact/email,customer/name,name,orderRef";
    for g in [same.as_str(), ten] {
        let marks = Marks::new(SimClient::new(&w.sim, &w.clock, 1_000));
        let a = w.send_via(
            &marks,
            w.request(
                "GET",
                &format!("/v1/orders/transform?group-by={}", enc(g)),
                Some(ALL),
            )
            .body(Vec::new())
            .unwrap(),
        );
        assert_eq!(a.status, 400, "{g}: {}", a.text);
        assert!(
            a.body["code"]
                .as_str()
                .unwrap()
                .starts_with("query.group_by."),
            "{}",
            a.text
        );
        assert_eq!(marks.pages.get() + marks.tokens.get(), 0, "{g}");
    }
    // A repeated path is dropped.
    let a = w.get("/v1/orders/transform?group-by=status,kind,status&limit=1000");
    assert_eq!(a.status, 200, "{}", a.text);
    let keys: Vec<_> = a.body["items"][0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["count", "kind", "status"]);
    // Eight fields over three collections: answered, each collection read element-wise.
    let eight = "devices/id,devices/mac,items/partNumber,items/productName,partners/name,partners/id,source,kind";
    let a = w.get(&format!(
        "/v1/orders/transform?group-by={}&limit=5",
        enc(eight)
    ));
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["total"].as_u64().unwrap() > 0);
}

#[test]
fn an_oversized_upstream_body_is_too_large_and_the_others_are_intact() {
    let w = world();
    for (vendor, chunked) in [(Source::HpeFlex, false), (Source::FnoOrders, true)] {
        let others = w.get(&format!(
            "/v1/orders?limit=1000&filter={}",
            enc(&format!("source ne '{}'", vendor.as_str()))
        ));
        w.sim.set_fault(
            vendor,
            Fault::Oversize {
                bytes: 200_000_000,
                chunked,
            },
        );
        let a = w.get("/v1/orders?limit=1000");
        assert_eq!(a.status, 200);
        let rep = a.source(vendor.as_str());
        assert_eq!(rep["error"]["code"], "upstream.too_large", "{}", a.text);
        assert_eq!(ids(&a), ids(&others));
        w.sim.clear_faults();
    }
}

/// A client that makes token calls wait one turn, so that concurrent requests overlap on
/// them (the simulator itself answers at once).
struct Yielding<'a>(SimClient<'a>);

impl HttpClient for Yielding<'_> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        if Call::of(&req) == Some(Call::Token) {
            flexedge::testkit::yield_once().await;
        }
        self.0.send(req).await
    }
}

#[test]
fn concurrent_requests_share_one_token_refresh() {
    let w = world();
    let client = Yielding(SimClient::new(&w.sim, &w.clock, 1_000));
    let log = MemorySink::default();
    let ctx = Ctx {
        client: &client,
        clock: &w.clock,
        request_id: "0123456789abcdef",
        log: &log,
        limiter: &w.limiter,
    };
    let req = || {
        w.request("GET", "/v1/orders?limit=3", Some(ALL))
            .body(Vec::new())
            .unwrap()
    };
    let answers = block_on(futures_util::future::join_all([
        w.service.handle(req(), &ctx),
        w.service.handle(req(), &ctx),
        w.service.handle(req(), &ctx),
    ]));
    for r in answers {
        assert_eq!(r.status(), 200);
    }
    let log = client.0.log();
    let count = |p: &str| log.iter().filter(|l| l.starts_with(p)).count();
    assert_eq!(count("POST /as/token.oauth2"), 1, "{log:#?}");
    assert_eq!(count("POST /auth/login"), 1, "{log:#?}");
    assert_eq!(count("GET /flex/v1beta1/orders"), 3);
}

#[test]
fn a_hung_source_opens_its_circuit_then_probes() {
    let w = world_with(&[
        ("FLEXEDGE_BREAKER_FAILURES", "3"),
        ("FLEXEDGE_BREAKER_COOLDOWN_MS", "30000"),
    ]);
    w.sim.set_fault(Source::FnoEntitlements, Fault::Hang);
    let client = SimClient::new(&w.sim, &w.clock, 1_000);
    let ask = || {
        client.clear_log();
        let a = w.get_via(&client, "/v1/orders?limit=5", Some(ALL));
        let hit = client
            .log()
            .iter()
            .any(|l| l.contains("/entitlements-api/"));
        (a, hit)
    };
    for i in 0..3 {
        let (a, hit) = ask();
        assert_eq!(
            a.source("fno_entitlements")["error"]["code"],
            "upstream.timeout",
            "{i}"
        );
        assert!(hit);
    }
    let (a, hit) = ask();
    let rep = a.source("fno_entitlements");
    assert_eq!(rep["error"]["code"], "upstream.circuit_open", "{}", a.text);
    assert_eq!(rep["requests"], 0);
    assert!(!hit, "an open circuit asks nothing");
    assert_eq!(a.source("hpe_flex")["status"], "ok");
    let src = w.get("/v1/sources");
    assert_eq!(src.body["items"][2]["circuit"], "open");
    // A lookup by id goes through the same circuit: answered at once, asking nothing.
    client.clear_log();
    let one = w.get_via(&client, "/v1/orders/fno_entitlements:ENT-1", Some(ALL));
    assert_eq!(one.status, 503, "{}", one.text);
    assert_eq!(one.body["code"], "upstream.circuit_open");
    assert_eq!(one.body["source"], "fno_entitlements");
    assert!(client.log().is_empty(), "{:?}", client.log());
    // After the cool-down one probe goes; still hung, so open again.
    w.clock.advance(30_000);
    let (a, hit) = ask();
    assert!(hit);
    assert_eq!(
        a.source("fno_entitlements")["error"]["code"],
        "upstream.timeout"
    );
    let (a, hit) = ask();
    assert!(!hit);
    assert_eq!(
        a.source("fno_entitlements")["error"]["code"],
        "upstream.circuit_open"
    );
    // Healed: the next probe closes it.
    w.sim.clear_faults();
    w.clock.advance(30_000);
    let (a, hit) = ask();
    assert!(hit);
    assert_eq!(a.source("fno_entitlements")["status"], "ok");
    assert_eq!(w.get("/v1/sources").body["items"][2]["circuit"], "closed");
}
