//! An in-process [`HttpClient`] over [`crate::sim::Simulator`], and a fake [`Clock`].
//!
//! The simulator answers synchronously and reports an artificial delay; the client
//! advances the fake clock by it (or by its timeout, answering
//! [`TransportError::Timeout`], when the delay reaches it: [`Simulator::answer_within`]).
//! No real time passes, so tests with retries, rate limits and deadlines run instantly
//! and deterministically. Every request is logged as `METHOD path?query` (no headers, so
//! no credentials). Imports no `worker` and no `std::time`.

use std::cell::{Cell, RefCell};

use crate::sim::Simulator;
use crate::upstream::{Clock, HttpClient, TransportError};

/// A clock that moves only when told to (or when something sleeps on it). Its jitter
/// is a fixed pseudo-random sequence (the same in every run).
#[derive(Debug)]
pub struct FakeClock {
    now: Cell<i64>,
    jitter: Cell<u64>,
}

impl FakeClock {
    /// A clock reading `start_ms`.
    pub fn new(start_ms: i64) -> Self {
        FakeClock {
            now: Cell::new(start_ms),
            jitter: Cell::new(0x9e37_79b9_7f4a_7c15),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, ms: u64) {
        let ms = i64::try_from(ms).unwrap_or(i64::MAX);
        self.now.set(self.now.get().saturating_add(ms));
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> i64 {
        self.now.get()
    }

    async fn sleep_ms(&self, ms: u64) {
        self.advance(ms);
    }

    fn jitter_ms(&self, upto: u64) -> u64 {
        // xorshift64: deterministic, never zero.
        let mut x = self.jitter.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter.set(x);
        x % upto.saturating_add(1)
    }
}

/// Sends requests to a simulator in process, on a fake clock.
#[derive(Debug)]
pub struct SimClient<'a> {
    sim: &'a Simulator,
    clock: &'a FakeClock,
    timeout_ms: u64,
    max_body: u64,
    log: RefCell<Vec<String>>,
}

impl<'a> SimClient<'a> {
    /// A client over `sim` whose requests time out after `timeout_ms` of simulated delay.
    pub fn new(sim: &'a Simulator, clock: &'a FakeClock, timeout_ms: u64) -> Self {
        SimClient {
            sim,
            clock,
            timeout_ms,
            max_body: crate::service::DEFAULT_MAX_UPSTREAM_BYTES,
            log: RefCell::new(Vec::new()),
        }
    }

    /// The same with another cap on response bodies (an `oversize` answer over it is
    /// [`TransportError::TooLarge`], as at the edge).
    pub fn with_max_body(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Every request sent so far (`METHOD path?query`).
    pub fn log(&self) -> Vec<String> {
        self.log.borrow().clone()
    }

    /// Forgets the log.
    pub fn clear_log(&self) {
        self.log.borrow_mut().clear();
    }
}

impl HttpClient for SimClient<'_> {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.send_within(req, self.timeout_ms).await
    }

    /// Times out at the earlier of the client's own timeout and `timeout_ms` (what is left
    /// of the request's deadline), advancing the clock only that far.
    async fn send_within(
        &self,
        req: http::Request<Vec<u8>>,
        timeout_ms: u64,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let timeout_ms = timeout_ms.min(self.timeout_ms);
        let line = match req.uri().path_and_query() {
            Some(pq) => format!("{} {}", req.method(), pq),
            None => format!("{} {}", req.method(), req.uri()),
        };
        self.log.borrow_mut().push(line);
        match self
            .sim
            .answer_within(&req, self.clock.now_ms(), timeout_ms)
        {
            Ok((response, delay)) => {
                self.clock.advance(delay);
                crate::sim::deliver(response, self.max_body).map_err(|_| TransportError::TooLarge {
                    limit: self.max_body,
                })
            }
            Err(_) => {
                self.clock.advance(timeout_ms);
                Err(TransportError::Timeout)
            }
        }
    }
}
