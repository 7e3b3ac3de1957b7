//! A faithful simulator of the four vendor APIs over seeded generated data.
//!
//! One [`Simulator`] answers GreenLake Flex (`/as/token.oauth2`, `/flex/v1beta1/…`), FNO
//! entitlementOrders (`/flexnet/operations/entitlementOrders[/count]`), the FNO Entitlements
//! API Beta (`/entitlements-api/v1/…`) and TelecomX (`/auth/login`, `/iptv/flexcareorder`)
//! by path, so one base URL serves all four. It is used in three places: in-process as the
//! Worker's default upstream, behind the native `flexedge-mock` server, and in tests.
//! Behaviour follows `shared/upstreams.md` and `shared/seeds/`; where they are silent the
//! choices are listed in `docs/simulator.md`.
//!
//! The core is platform-free and synchronous: the clock comes in as `now_ms`, artificial
//! delays go out in [`SimResponse::delay_ms`] for the caller to honour, and mutable state
//! (tokens, rate-limit windows, faults, created entitlements) sits behind a `Mutex`.
//! This module must not import `std::time`, any I/O, `worker`, or the adapters' wire types
//! (`crate::upstream`): independent readings of the vendor docs catch misreadings.
//!
//! ```
//! use flexedge::sim::{SimConfig, Simulator};
//! let sim = Simulator::new(SimConfig { seed: 7, records_per_source: 10, ..SimConfig::default() });
//! let req = http::Request::post("/auth/login")
//!     .body(br#"{"username":"admin@sim.telecomx.test","password":"sim-telecomx-admin"}"#.to_vec())
//!     .unwrap();
//! let resp = sim.handle(&req, 1_700_000_000_000).response;
//! assert_eq!(resp.status(), 200);
//! ```

pub mod creds;

mod calendar;
mod data;
mod faults;
mod fno_entitlements;
mod fno_orders;
mod hpe_flex;
mod respond;
mod rng;
mod telecomx_flexcare;

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, OnceLock};

use http::{Method, Request, Response};
use serde::Deserialize;
use serde_json::json;

use crate::model::Source;
pub use faults::{
    deliver, padding, Fault, FaultParseError, HANG_DELAY_MS, PADDING_HEADER, REDIRECT_TARGET,
};

/// The most records generated per source.
pub const MAX_RECORDS_PER_SOURCE: usize = 100_000;

/// How FNO entitlementOrders prints its dates (upstreams.md §2.3: the seed shows epoch
/// milliseconds, the REST guide says `yyyy-MM-dd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FnoDateFormat {
    /// Epoch milliseconds numbers, as in the seed (default). Date-only values are local
    /// midnight in America/Los_Angeles.
    #[default]
    EpochMillis,
    /// `yyyy-MM-dd` strings for dates; date-times as `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`.
    IsoDate,
}

/// How a [`Simulator`] is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// The seed: the same seed gives the same data and the same bytes on every platform.
    pub seed: u64,
    /// Records per source (orders, devices, line items, entitlements, FlexCare orders);
    /// clamped to `1..=100_000`.
    pub records_per_source: usize,
    /// FNO entitlementOrders date format.
    pub fno_dates: FnoDateFormat,
    /// GreenLake requests per minute per endpoint per client; `0` disables the limit
    /// (useful for benchmarks). Default 100, as documented.
    pub rate_limit_per_minute: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            records_per_source: 1_000,
            fno_dates: FnoDateFormat::EpochMillis,
            rate_limit_per_minute: 100,
        }
    }
}

/// One simulated answer: the response, and how long the caller should wait before
/// delivering it (latency and hang faults). The simulator never sleeps itself.
#[derive(Debug)]
pub struct SimResponse {
    /// The HTTP response.
    pub response: Response<Vec<u8>>,
    /// Artificial delay in milliseconds; [`HANG_DELAY_MS`] means "never answer in time".
    pub delay_ms: Option<u64>,
}

/// The simulated delay reached the caller's timeout: no answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut;

/// Mutable state shared by all vendors.
#[derive(Debug, Default)]
struct State {
    faults: [Option<Fault>; 4],
    /// Per vendor, faults for its next data requests, one each, before `faults` applies.
    queued: [VecDeque<Option<Fault>>; 4],
    hpe_flex: hpe_flex::State,
    telecomx_flexcare: telecomx_flexcare::State,
    fno_entitlements: fno_entitlements::State,
    debug_ids: u64,
    /// Requests that followed a [`Fault::Redirect`] to [`REDIRECT_TARGET`].
    redirected: u64,
    /// Requests per `METHOD path` to the vendors' APIs (`/__sim/stats`).
    calls: std::collections::BTreeMap<String, u64>,
}

/// The most distinct `METHOD path` counters kept; later ones count under `other`.
const MAX_CALL_COUNTERS: usize = 1_000;

/// The simulator of the four vendor APIs. `Sync`: share it by reference or `Arc`.
#[derive(Debug)]
pub struct Simulator {
    cfg: SimConfig,
    pool: data::Pool,
    hpe_flex_orders: OnceLock<Vec<hpe_flex::Order>>,
    hpe_flex_devices: OnceLock<Vec<hpe_flex::Device>>,
    fno_orders_items: OnceLock<Vec<fno_orders::Item>>,
    fno_entitlements: OnceLock<Vec<fno_entitlements::Entitlement>>,
    telecomx_flexcare_orders: OnceLock<Vec<telecomx_flexcare::Order>>,
    state: Mutex<State>,
}

/// Which vendor endpoint a path routes to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Admin(AdminRoute),
    HpeFlex(hpe_flex::Endpoint),
    FnoOrders(fno_orders::Endpoint),
    FnoEntitlements(fno_entitlements::Endpoint),
    TelecomxFlexcare(telecomx_flexcare::Endpoint),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum AdminRoute {
    Faults,
    Health,
    Redirected,
    Stats,
}

impl Route {
    fn vendor(&self) -> Option<Source> {
        match self {
            Route::Admin(_) => None,
            Route::HpeFlex(_) => Some(Source::HpeFlex),
            Route::FnoOrders(_) => Some(Source::FnoOrders),
            Route::FnoEntitlements(_) => Some(Source::FnoEntitlements),
            Route::TelecomxFlexcare(_) => Some(Source::TelecomxFlexcare),
        }
    }

    /// Token and login endpoints are exempt from faults (they model the identity provider).
    fn is_data(&self) -> bool {
        !matches!(
            self,
            Route::Admin(_)
                | Route::HpeFlex(hpe_flex::Endpoint::Token)
                | Route::TelecomxFlexcare(telecomx_flexcare::Endpoint::Login)
        )
    }
}

fn route(path: &str) -> Option<Route> {
    match path {
        "/__sim/faults" => return Some(Route::Admin(AdminRoute::Faults)),
        "/__sim/health" => return Some(Route::Admin(AdminRoute::Health)),
        REDIRECT_TARGET => return Some(Route::Admin(AdminRoute::Redirected)),
        "/__sim/stats" => return Some(Route::Admin(AdminRoute::Stats)),
        _ => {}
    }
    if let Some(e) = hpe_flex::route(path) {
        return Some(Route::HpeFlex(e));
    }
    if let Some(e) = fno_orders::route(path) {
        return Some(Route::FnoOrders(e));
    }
    if let Some(e) = fno_entitlements::route(path) {
        return Some(Route::FnoEntitlements(e));
    }
    telecomx_flexcare::route(path).map(Route::TelecomxFlexcare)
}

fn vendor_index(v: Source) -> usize {
    match v {
        Source::HpeFlex => 0,
        Source::FnoOrders => 1,
        Source::FnoEntitlements => 2,
        Source::TelecomxFlexcare => 3,
    }
}

impl Simulator {
    /// Builds a simulator. Cheap: each vendor's records are generated on first use.
    pub fn new(mut cfg: SimConfig) -> Simulator {
        cfg.records_per_source = cfg.records_per_source.clamp(1, MAX_RECORDS_PER_SOURCE);
        Simulator {
            pool: data::Pool::new(cfg.seed),
            cfg,
            hpe_flex_orders: OnceLock::new(),
            hpe_flex_devices: OnceLock::new(),
            fno_orders_items: OnceLock::new(),
            fno_entitlements: OnceLock::new(),
            telecomx_flexcare_orders: OnceLock::new(),
            state: Mutex::new(State::default()),
        }
    }

    /// The configuration in force (after clamping).
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// Generates every vendor's data now (otherwise it happens on first request).
    pub fn warm_up(&self) {
        let _ = (
            self.hpe_flex_orders(),
            self.hpe_flex_devices(),
            self.fno_orders_items(),
            self.fno_entitlements(),
            self.telecomx_flexcare_orders(),
        );
    }

    /// Switches a fault on for every data request to this vendor.
    pub fn set_fault(&self, vendor: Source, fault: Fault) {
        if let Some(slot) = self.lock().faults.get_mut(vendor_index(vendor)) {
            *slot = Some(fault);
        }
    }

    /// Switches this vendor's fault off (and drops its queued ones).
    pub fn clear_fault(&self, vendor: Source) {
        let mut st = self.lock();
        if let Some(slot) = st.faults.get_mut(vendor_index(vendor)) {
            *slot = None;
        }
        if let Some(q) = st.queued.get_mut(vendor_index(vendor)) {
            q.clear();
        }
    }

    /// Switches every fault off (queued ones too).
    pub fn clear_faults(&self) {
        let mut st = self.lock();
        st.faults = [None; 4];
        st.queued = Default::default();
    }

    /// Queues faults for this vendor's next data requests, one each in order (`None`: that
    /// request answers normally); once they are used up the standing fault applies again.
    /// E.g. `[Some(Fault::Latency(7_500)), Some(Fault::Hang)]`: the first page is slow and
    /// the second never comes.
    pub fn queue_faults(&self, vendor: Source, faults: impl IntoIterator<Item = Option<Fault>>) {
        if let Some(q) = self.lock().queued.get_mut(vendor_index(vendor)) {
            q.extend(faults);
        }
    }

    /// The fault of this vendor's next data request: the first queued one, else the
    /// standing one.
    fn take_fault(&self, vendor: Source) -> Option<Fault> {
        let mut st = self.lock();
        let i = vendor_index(vendor);
        match st.queued.get_mut(i).and_then(VecDeque::pop_front) {
            Some(f) => f,
            None => st.faults.get(i).copied().flatten(),
        }
    }

    /// The fault in force for a vendor.
    pub fn fault(&self, vendor: Source) -> Option<Fault> {
        self.lock()
            .faults
            .get(vendor_index(vendor))
            .copied()
            .flatten()
    }

    /// Answers one request at the instant `now_ms` (epoch milliseconds). Never panics on
    /// any input; unknown paths get a 404.
    pub fn handle(&self, req: &Request<Vec<u8>>, now_ms: i64) -> SimResponse {
        let path = req.uri().path();
        let Some(route) = route(path) else {
            return SimResponse {
                response: respond::json(
                    404,
                    &json!({"error": "not_found", "message": "no simulated API at this path"}),
                ),
                delay_ms: None,
            };
        };
        let vendor = route.vendor();
        if vendor.is_some() {
            self.count(req.method(), path);
        }
        // Fault: the request header wins over the vendor switch.
        let fault = match respond::header(req, "x-sim-fault") {
            Some(h) => match Fault::parse(h) {
                Ok(f) => f,
                Err(e) => {
                    return SimResponse {
                        response: respond::json(
                            400,
                            &json!({"error": "bad_fault", "message": e.to_string()}),
                        ),
                        delay_ms: None,
                    }
                }
            },
            None => vendor
                .filter(|_| route.is_data())
                .and_then(|v| self.take_fault(v)),
        };
        let fault = if route.is_data() { fault } else { None };
        let mut delay_ms = None;
        if let (Some(f), Some(v)) = (fault, vendor) {
            let early = match f {
                Fault::Latency(ms) => {
                    delay_ms = Some(ms);
                    None
                }
                Fault::Hang => {
                    delay_ms = Some(HANG_DELAY_MS);
                    None
                }
                Fault::RateLimited(s) => Some(self.vendor_429(v, s, req)),
                Fault::Status500 => Some(self.vendor_500(v, req, now_ms)),
                Fault::ExpiredToken => Some(self.vendor_expired(v, req, now_ms)),
                Fault::EchoCredential(at) => Some(faults::echo_credential(req, at)),
                Fault::FailureEcho(at) if v == Source::FnoOrders => {
                    Some(faults::failure_echo(req, at))
                }
                Fault::FailureEcho(at) => Some(faults::echo_credential(req, at)),
                Fault::Redirect => Some(faults::redirect()),
                Fault::MalformedJson | Fault::TruncatedJson | Fault::Oversize { .. } => None,
            };
            if let Some(response) = early {
                return SimResponse { response, delay_ms };
            }
        }
        let mut response = match &route {
            Route::Admin(a) => self.admin(a, req),
            Route::HpeFlex(e) => hpe_flex::handle(self, e, req, now_ms),
            Route::FnoOrders(e) => fno_orders::handle(self, e, req, now_ms),
            Route::FnoEntitlements(e) => fno_entitlements::handle(self, e, req, now_ms),
            Route::TelecomxFlexcare(e) => telecomx_flexcare::handle(self, e, req, now_ms),
        };
        match fault {
            Some(Fault::MalformedJson) => {
                let body = faults::malform(response.body());
                *response.body_mut() = body;
            }
            Some(Fault::TruncatedJson) => {
                let body = faults::truncate(response.body());
                *response.body_mut() = body;
            }
            Some(Fault::Oversize { bytes, chunked }) => {
                let v = if chunked {
                    format!("{bytes};chunked")
                } else {
                    bytes.to_string()
                };
                respond::set_header(&mut response, PADDING_HEADER, &v);
            }
            _ => {}
        }
        SimResponse { response, delay_ms }
    }

    /// Answers `req` as a client with a timeout of `timeout_ms` sees it: the response and
    /// the delay to wait before delivering it, or [`TimedOut`] when the simulated delay is
    /// at least the timeout (the caller then waits `timeout_ms` and reports a timeout). The
    /// one rule every in-process client of the simulator follows.
    pub fn answer_within(
        &self,
        req: &Request<Vec<u8>>,
        now_ms: i64,
        timeout_ms: u64,
    ) -> Result<(Response<Vec<u8>>, u64), TimedOut> {
        let out = self.handle(req, now_ms);
        let delay = out.delay_ms.unwrap_or(0);
        if delay >= timeout_ms {
            return Err(TimedOut);
        }
        Ok((out.response, delay))
    }

    fn vendor_429(
        &self,
        v: Source,
        retry_after_s: u64,
        req: &Request<Vec<u8>>,
    ) -> Response<Vec<u8>> {
        let mut r = match v {
            Source::HpeFlex => {
                let mut r = hpe_flex::too_many(self, retry_after_s);
                let limit = self.cfg.rate_limit_per_minute.max(1).to_string();
                respond::set_header(&mut r, "x-ratelimit-limit", &limit);
                respond::set_header(&mut r, "x-ratelimit-remaining", "0");
                respond::set_header(&mut r, "x-ratelimit-reset", &retry_after_s.to_string());
                r
            }
            Source::FnoOrders => fno_orders::too_many(),
            Source::FnoEntitlements => fno_entitlements::error(
                429,
                "Too Many Requests",
                "Rate limit exceeded",
                req.uri().path(),
                0,
            ),
            Source::TelecomxFlexcare => telecomx_flexcare::error(429, "too_many_requests"),
        };
        respond::set_header(&mut r, "retry-after", &retry_after_s.to_string());
        r
    }

    fn vendor_500(&self, v: Source, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
        match v {
            Source::HpeFlex => hpe_flex::internal(self),
            Source::FnoOrders => fno_orders::internal(self),
            Source::FnoEntitlements => fno_entitlements::error(
                500,
                "Internal Server Error",
                "Unexpected error",
                req.uri().path(),
                now_ms,
            ),
            Source::TelecomxFlexcare => telecomx_flexcare::error(500, "internal_error"),
        }
    }

    fn vendor_expired(&self, v: Source, req: &Request<Vec<u8>>, now_ms: i64) -> Response<Vec<u8>> {
        match v {
            Source::HpeFlex => hpe_flex::unauthorized(self),
            Source::FnoOrders => fno_orders::unauthorized(),
            Source::FnoEntitlements => fno_entitlements::unauthorized(req.uri().path(), now_ms),
            Source::TelecomxFlexcare => telecomx_flexcare::error(403, "access_denied"),
        }
    }

    fn admin(&self, a: &AdminRoute, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        match a {
            AdminRoute::Health => respond::json(
                200,
                &json!({"ok": true, "seed": self.cfg.seed, "recordsPerSource": self.cfg.records_per_source, "redirected": self.lock().redirected}),
            ),
            AdminRoute::Redirected => {
                self.lock().redirected += 1;
                respond::json(200, &json!({"redirected": true}))
            }
            AdminRoute::Faults => self.admin_faults(req),
            AdminRoute::Stats => self.admin_stats(req),
        }
    }

    /// Counts one request to a vendor API (faulted ones too: the vendor saw them).
    fn count(&self, method: &Method, path: &str) {
        let mut st = self.lock();
        let key = format!(
            "{} {}",
            method.as_str(),
            path.chars().take(300).collect::<String>()
        );
        let key = if st.calls.contains_key(&key) || st.calls.len() < MAX_CALL_COUNTERS {
            key
        } else {
            "other".to_owned()
        };
        *st.calls.entry(key).or_insert(0) += 1;
    }

    /// The requests each vendor endpoint received, by `METHOD path` (what a test reads to
    /// see that nothing reached the vendor).
    pub fn calls(&self) -> std::collections::BTreeMap<String, u64> {
        self.lock().calls.clone()
    }

    /// `GET /__sim/stats`: `{"calls": {"POST /entitlements-api/v1/entitlement": 2, …}}`;
    /// `DELETE` resets the counters.
    fn admin_stats(&self, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        match *req.method() {
            Method::GET => {}
            Method::DELETE => self.lock().calls.clear(),
            _ => return respond::json(405, &json!({"error": "method_not_allowed"})),
        }
        respond::json(200, &json!({"calls": self.calls()}))
    }

    fn faults_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for v in Source::ALL {
            let f = self.fault(v).map(|f| f.to_string());
            m.insert(
                v.as_str().to_string(),
                f.map_or(serde_json::Value::Null, serde_json::Value::String),
            );
        }
        serde_json::Value::Object(m)
    }

    fn admin_faults(&self, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        #[derive(Deserialize)]
        struct Body {
            vendor: Option<String>,
            fault: Option<String>,
            #[serde(default)]
            sequence: Option<Vec<String>>,
        }
        let bad =
            |msg: String| respond::json(400, &json!({"error": "bad_request", "message": msg}));
        let body: Body = if req.body().iter().all(u8::is_ascii_whitespace) {
            let pairs = respond::query_pairs(req);
            Body {
                vendor: respond::query_get(&pairs, "vendor").map(str::to_string),
                fault: respond::query_get(&pairs, "fault").map(str::to_string),
                sequence: None,
            }
        } else {
            match serde_json::from_slice(req.body()) {
                Ok(b) => b,
                Err(e) => return bad(format!("invalid JSON body: {e}")),
            }
        };
        let vendors: Vec<Source> = match body.vendor.as_deref() {
            None | Some("all") | Some("*") => Source::ALL.to_vec(),
            Some(id) => match Source::from_id(id) {
                Some(v) => vec![v],
                None => {
                    return bad(format!(
                        "unknown vendor `{}`",
                        id.chars().take(40).collect::<String>()
                    ))
                }
            },
        };
        match *req.method() {
            Method::GET => {}
            Method::DELETE => vendors.iter().for_each(|v| self.clear_fault(*v)),
            Method::POST | Method::PUT if body.sequence.is_some() => {
                let parsed: Result<Vec<Option<Fault>>, _> = body
                    .sequence
                    .iter()
                    .flatten()
                    .take(1_000)
                    .map(|f| Fault::parse(f))
                    .collect();
                match parsed {
                    Ok(seq) => vendors
                        .iter()
                        .for_each(|v| self.queue_faults(*v, seq.iter().copied())),
                    Err(e) => return bad(e.to_string()),
                }
            }
            Method::POST | Method::PUT => match Fault::parse(body.fault.as_deref().unwrap_or("")) {
                Ok(Some(f)) => vendors.iter().for_each(|v| self.set_fault(*v, f)),
                Ok(None) => vendors.iter().for_each(|v| self.clear_fault(*v)),
                Err(e) => return bad(e.to_string()),
            },
            _ => return respond::json(405, &json!({"error": "method_not_allowed"})),
        }
        respond::json(200, &json!({"faults": self.faults_json()}))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn next_debug_id(&self) -> String {
        let n = {
            let mut st = self.lock();
            st.debug_ids += 1;
            st.debug_ids
        };
        respond::counter_uuid(self.cfg.seed, n)
    }

    fn n(&self) -> usize {
        self.cfg.records_per_source
    }

    fn hpe_flex_orders(&self) -> &[hpe_flex::Order] {
        self.hpe_flex_orders
            .get_or_init(|| hpe_flex::gen_orders(&self.pool, self.cfg.seed, self.n()))
    }

    fn hpe_flex_devices(&self) -> &[hpe_flex::Device] {
        self.hpe_flex_devices
            .get_or_init(|| hpe_flex::gen_devices(&self.pool, self.cfg.seed, self.n()))
    }

    fn fno_orders_items(&self) -> &[fno_orders::Item] {
        self.fno_orders_items
            .get_or_init(|| fno_orders::generate(&self.pool, self.cfg.seed, self.n()))
    }

    fn fno_entitlements(&self) -> &[fno_entitlements::Entitlement] {
        self.fno_entitlements
            .get_or_init(|| fno_entitlements::generate(&self.pool, self.cfg.seed, self.n()))
    }

    fn telecomx_flexcare_orders(&self) -> &[telecomx_flexcare::Order] {
        self.telecomx_flexcare_orders
            .get_or_init(|| telecomx_flexcare::generate(&self.pool, self.cfg.seed, self.n()))
    }
}
