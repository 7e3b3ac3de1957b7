//! A circuit breaker per source, held by the service beside the adapters (it lives as long
//! as the isolate, like the token caches), so that one hung or failing vendor does not
//! slow every request to the deadline.
//!
//! Closed: every request asks the source; each fetch that fails as an unhealthy upstream
//! does (timeout, transport, 5xx, 429 after the retries) counts, a successful one resets
//! the count. After `FLEXEDGE_BREAKER_FAILURES` consecutive failures the circuit opens:
//! for `FLEXEDGE_BREAKER_COOLDOWN_MS` the source answers `upstream.circuit_open` at once,
//! with no upstream call. Then one request probes (half-open; the others still get
//! `circuit_open` while it is out): success closes the circuit, failure opens it for
//! another cool-down. A probe that never reports back (its request was cancelled) is
//! given up after one cool-down, and the next request probes.
//!
//! Time comes in as `now_ms` (the service's [`Clock`](crate::upstream::Clock)), so the
//! breaker is deterministic in tests. Imports no I/O and no `worker`.

use std::sync::Mutex;

use crate::model::Source;

use super::config::BreakerSettings;

/// How a fetch of a source ended, for the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The source answered.
    Success,
    /// The upstream looked unhealthy (timeout, transport, 5xx, throttled).
    Failure,
    /// Neither (e.g. rejected credentials: the upstream is up and answering).
    Neutral,
    /// The source was not asked after all (the plan pruned it): a probe is handed back.
    Untested,
}

impl Signal {
    /// The outcome of a source's report: its status and error code.
    pub fn of(status: &str, code: Option<&str>) -> Signal {
        match (status, code) {
            ("ok", _) => Signal::Success,
            ("skipped", _) => Signal::Untested,
            (
                "error",
                Some(
                    "upstream.timeout"
                    | "upstream.transport"
                    | "upstream.server"
                    | "upstream.rate_limited",
                ),
            ) => Signal::Failure,
            _ => Signal::Neutral,
        }
    }
}

/// Whether a request may ask a source now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The circuit is closed: ask.
    Closed,
    /// The cool-down is over and this request is the one probe.
    Probe,
    /// Open: answer `upstream.circuit_open` without asking.
    Open {
        /// Milliseconds until the next probe may go.
        retry_in_ms: i64,
        /// The consecutive failures that opened it.
        failures: u32,
    },
}

#[derive(Debug, Clone, Copy, Default)]
struct Circuit {
    failures: u32,
    open_until: Option<i64>,
    probing_since: Option<i64>,
}

/// The circuits of the four sources.
#[derive(Debug)]
pub struct Breakers {
    settings: BreakerSettings,
    circuits: Mutex<[Circuit; 4]>,
}

fn index(s: Source) -> usize {
    Source::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

impl Breakers {
    /// Closed circuits with these settings (`failures == 0`: never open).
    pub fn new(settings: BreakerSettings) -> Self {
        Breakers {
            settings,
            circuits: Mutex::new([Circuit::default(); 4]),
        }
    }

    fn with<T>(&self, source: Source, f: impl FnOnce(&mut Circuit) -> T) -> Option<T> {
        let mut all = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        all.get_mut(index(source)).map(f)
    }

    /// Whether a request at `now` may ask `source` (a [`Admission::Probe`] must be
    /// followed by [`Breakers::record`]).
    pub fn admit(&self, source: Source, now: i64) -> Admission {
        let BreakerSettings {
            failures: threshold,
            cooldown_ms,
        } = self.settings;
        if threshold == 0 {
            return Admission::Closed;
        }
        self.with(source, |c| {
            let Some(until) = c.open_until else {
                return Admission::Closed;
            };
            let probe_out = c
                .probing_since
                .is_some_and(|p| now < p.saturating_add(cooldown_ms));
            if now < until || probe_out {
                let next = if probe_out {
                    c.probing_since.unwrap_or(now).saturating_add(cooldown_ms)
                } else {
                    until
                };
                return Admission::Open {
                    retry_in_ms: next.saturating_sub(now).max(0),
                    failures: c.failures,
                };
            }
            c.probing_since = Some(now);
            Admission::Probe
        })
        .unwrap_or(Admission::Closed)
    }

    /// Records how the fetch of a request admitted as `admission` ended, at `now`.
    pub fn record(&self, source: Source, admission: Admission, outcome: Signal, now: i64) {
        let BreakerSettings {
            failures: threshold,
            cooldown_ms,
        } = self.settings;
        if threshold == 0 || matches!(admission, Admission::Open { .. }) {
            return;
        }
        self.with(source, |c| {
            let probe = admission == Admission::Probe;
            match outcome {
                Signal::Success => *c = Circuit::default(),
                Signal::Failure => {
                    c.failures = c.failures.saturating_add(1);
                    if probe || c.failures >= threshold {
                        c.open_until = Some(now.saturating_add(cooldown_ms));
                        c.probing_since = None;
                    }
                }
                // The upstream answered, if not as hoped: a probe closes the circuit.
                Signal::Neutral if probe => *c = Circuit::default(),
                Signal::Neutral => {}
                Signal::Untested if probe => c.probing_since = None,
                Signal::Untested => {}
            }
        });
    }

    /// `closed`, `open` or `half_open` (a probe is due or out), for `/v1/sources`.
    pub fn state(&self, source: Source, now: i64) -> &'static str {
        self.with(source, |c| match c.open_until {
            None => "closed",
            Some(t) if now < t => "open",
            Some(_) => "half_open",
        })
        .unwrap_or("closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Source = Source::FnoOrders;

    fn breakers() -> Breakers {
        Breakers::new(BreakerSettings {
            failures: 3,
            cooldown_ms: 1_000,
        })
    }

    fn fail(b: &Breakers, now: i64) -> Admission {
        let a = b.admit(S, now);
        b.record(S, a, Signal::Failure, now);
        a
    }

    #[test]
    fn opens_after_consecutive_failures_then_probes_once() {
        let b = breakers();
        assert_eq!(fail(&b, 0), Admission::Closed);
        assert_eq!(fail(&b, 10), Admission::Closed);
        // A success in between resets the count.
        let a = b.admit(S, 20);
        b.record(S, a, Signal::Success, 20);
        for t in [30, 40, 50] {
            assert_eq!(fail(&b, t), Admission::Closed);
        }
        assert_eq!(b.state(S, 60), "open");
        assert_eq!(
            b.admit(S, 60),
            Admission::Open {
                retry_in_ms: 990,
                failures: 3
            }
        );
        // Other sources are not affected.
        assert_eq!(b.admit(Source::HpeFlex, 60), Admission::Closed);
        // After the cool-down: one probe; the others wait while it is out.
        assert_eq!(b.admit(S, 1_050), Admission::Probe);
        assert!(matches!(b.admit(S, 1_060), Admission::Open { .. }));
        // The probe fails: open for another cool-down.
        b.record(S, Admission::Probe, Signal::Failure, 1_100);
        assert!(matches!(b.admit(S, 2_000), Admission::Open { .. }));
        assert_eq!(b.admit(S, 2_100), Admission::Probe);
        b.record(S, Admission::Probe, Signal::Success, 2_150);
        assert_eq!(b.state(S, 2_150), "closed");
        assert_eq!(b.admit(S, 2_160), Admission::Closed);
    }

    #[test]
    fn a_lost_probe_is_given_up_after_a_cool_down() {
        let b = breakers();
        for t in [0, 1, 2] {
            fail(&b, t);
        }
        assert_eq!(b.admit(S, 1_500), Admission::Probe);
        // Never recorded (the request was cancelled).
        assert!(matches!(b.admit(S, 2_000), Admission::Open { .. }));
        assert_eq!(b.admit(S, 2_500), Admission::Probe);
    }

    #[test]
    fn neutral_outcomes_neither_count_nor_keep_it_open() {
        let b = breakers();
        for t in 0..10 {
            let a = b.admit(S, t);
            b.record(S, a, Signal::Neutral, t);
        }
        assert_eq!(b.admit(S, 10), Admission::Closed);
        for t in [20, 21, 22] {
            fail(&b, t);
        }
        assert_eq!(b.admit(S, 1_100), Admission::Probe);
        b.record(S, Admission::Probe, Signal::Neutral, 1_100);
        assert_eq!(b.admit(S, 1_101), Admission::Closed);
        assert_eq!(Signal::of("error", Some("upstream.auth")), Signal::Neutral);
        assert_eq!(
            Signal::of("error", Some("upstream.timeout")),
            Signal::Failure
        );
        assert_eq!(Signal::of("ok", None), Signal::Success);
        // A probe that asked nothing is handed back: the next request probes.
        for t in [2_000, 2_001, 2_002] {
            fail(&b, t);
        }
        assert_eq!(b.admit(S, 3_100), Admission::Probe);
        b.record(S, Admission::Probe, Signal::of("skipped", None), 3_100);
        assert_eq!(b.admit(S, 3_101), Admission::Probe);
    }

    #[test]
    fn zero_failures_means_no_breaker() {
        let b = Breakers::new(BreakerSettings {
            failures: 0,
            cooldown_ms: 1_000,
        });
        for t in 0..100 {
            assert_eq!(fail(&b, t), Admission::Closed);
        }
    }
}
