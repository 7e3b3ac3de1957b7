//! Idempotency records: the contract, decided here once, and the store seam the platform
//! implements (a Durable Object on the Worker, [`MemoryStore`] in tests).
//!
//! A record is kept under a name derived from the client key's identity and the
//! `Idempotency-Key` (both hashed: the store never sees either), and holds the hash of the
//! request (route and canonical body), when it was made, and the answer once there is one.
//! [`begin`] decides what a new request with that key gets:
//!
//! - no record (or one older than [`TTL_MS`]): go ahead; a pending record is kept;
//! - the same hash, an answer recorded: that answer again ([`Begin::Replay`]), with no
//!   upstream call;
//! - another hash: [`Begin::Mismatch`] (422);
//! - the same hash, still pending: [`Begin::InProgress`] (409; a concurrent duplicate);
//! - pending for longer than [`PENDING_MS`] (the request that reserved it died mid-write):
//!   [`Begin::Abandoned`], whose answer is "outcome unknown".
//!
//! The store must run `begin` atomically per record (a Durable Object does: one object per
//! record, its storage calls are serialized by its input gate).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How long a record answers replays: 24 hours.
pub const TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// How long a record may stay pending before it counts as abandoned: longer than any
/// request may run (the deadline is at most 60 s).
pub const PENDING_MS: i64 = 120_000;

/// An answer as recorded: what the client got the first time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// The HTTP status.
    pub status: u16,
    /// The headers that matter on a replay (`content-type`, `location`).
    pub headers: Vec<(String, String)>,
    /// The body (JSON text).
    pub body: String,
}

/// A record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// SHA-256 of the route and the canonical body.
    pub request_hash: String,
    /// When the first request with this key began (epoch ms).
    pub created_ms: i64,
    /// The first answer; `None` while that request is still running.
    #[serde(default)]
    pub answer: Option<Stored>,
}

/// What a request with an `Idempotency-Key` gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Begin {
    /// No earlier request: go ahead (the record is now pending).
    Proceed,
    /// The same request was answered: answer the same.
    Replay {
        /// The first answer.
        answer: Stored,
    },
    /// The key was used with another request.
    Mismatch,
    /// The same request is running now.
    InProgress,
    /// The same request began long ago and never finished: its outcome is unknown.
    Abandoned,
}

/// The decision for a request hashing to `request_hash` at `now_ms`, given the record
/// stored under its key, and the record to store (if it changes).
pub fn begin(existing: Option<Entry>, request_hash: &str, now_ms: i64) -> (Begin, Option<Entry>) {
    let live = existing.filter(|e| now_ms.saturating_sub(e.created_ms) < TTL_MS);
    match live {
        None => (
            Begin::Proceed,
            Some(Entry {
                request_hash: request_hash.to_owned(),
                created_ms: now_ms,
                answer: None,
            }),
        ),
        Some(e) if e.request_hash != request_hash => (Begin::Mismatch, None),
        Some(Entry {
            answer: Some(answer),
            ..
        }) => (Begin::Replay { answer }, None),
        Some(e) if now_ms.saturating_sub(e.created_ms) < PENDING_MS => (Begin::InProgress, None),
        Some(_) => (Begin::Abandoned, None),
    }
}

/// The record after the request finished with `answer` (a record that is gone or belongs
/// to another request is left alone).
pub fn finish(existing: Option<Entry>, request_hash: &str, answer: Stored) -> Option<Entry> {
    existing
        .filter(|e| e.request_hash == request_hash)
        .map(|e| Entry {
            answer: Some(answer),
            ..e
        })
}

/// The store could not be reached or answered nonsense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "idempotency store: {}", self.0)
    }
}

/// Where idempotency records live. `name` is a hash (64 hex digits); implementations run
/// [`begin`] and [`finish`] atomically per name and forget a record after [`TTL_MS`].
#[allow(async_fn_in_trait)]
pub trait IdempotencyStore {
    /// Looks up and, when the request may go ahead, reserves the record.
    async fn begin(&self, name: &str, request_hash: &str, now_ms: i64)
        -> Result<Begin, StoreError>;
    /// Records the answer of the request that reserved the record.
    async fn finish(
        &self,
        name: &str,
        request_hash: &str,
        answer: &Stored,
    ) -> Result<(), StoreError>;
    /// Drops the reservation of a request the vendor certainly did not act on (a retry
    /// with the same key may then go ahead).
    async fn release(&self, name: &str, request_hash: &str) -> Result<(), StoreError>;
}

/// No store: every write is refused (503) before it is sent (fail closed).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoStore;

impl IdempotencyStore for NoStore {
    async fn begin(&self, _: &str, _: &str, _: i64) -> Result<Begin, StoreError> {
        Err(StoreError("none is configured".into()))
    }
    async fn finish(&self, _: &str, _: &str, _: &Stored) -> Result<(), StoreError> {
        Err(StoreError("none is configured".into()))
    }
    async fn release(&self, _: &str, _: &str) -> Result<(), StoreError> {
        Err(StoreError("none is configured".into()))
    }
}

/// Records in memory (tests; one isolate only).
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: RefCell<HashMap<String, Entry>>,
}

impl MemoryStore {
    /// The number of records kept.
    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }

    /// Whether no record is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.borrow().is_empty()
    }
}

impl IdempotencyStore for MemoryStore {
    async fn begin(&self, name: &str, hash: &str, now_ms: i64) -> Result<Begin, StoreError> {
        let mut m = self.entries.borrow_mut();
        let (b, store) = begin(m.get(name).cloned(), hash, now_ms);
        if let Some(e) = store {
            m.insert(name.to_owned(), e);
        }
        Ok(b)
    }

    async fn finish(&self, name: &str, hash: &str, answer: &Stored) -> Result<(), StoreError> {
        let mut m = self.entries.borrow_mut();
        if let Some(e) = finish(m.get(name).cloned(), hash, answer.clone()) {
            m.insert(name.to_owned(), e);
        }
        Ok(())
    }

    async fn release(&self, name: &str, hash: &str) -> Result<(), StoreError> {
        let mut m = self.entries.borrow_mut();
        if m.get(name)
            .is_some_and(|e| e.request_hash == hash && e.answer.is_none())
        {
            m.remove(name);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> Stored {
        Stored {
            status: 201,
            headers: vec![("location".into(), "/v1/orders/x".into())],
            body: "{}".into(),
        }
    }

    #[test]
    fn the_contract_step_by_step() {
        let (b, e) = begin(None, "h1", 1_000);
        assert_eq!(b, Begin::Proceed);
        let pending = e.unwrap();
        assert_eq!(
            begin(Some(pending.clone()), "h1", 2_000).0,
            Begin::InProgress
        );
        assert_eq!(begin(Some(pending.clone()), "h2", 2_000).0, Begin::Mismatch);
        assert_eq!(
            begin(Some(pending.clone()), "h1", 1_000 + PENDING_MS).0,
            Begin::Abandoned
        );
        let done = finish(Some(pending.clone()), "h1", answer()).unwrap();
        assert_eq!(
            begin(Some(done.clone()), "h1", 5_000).0,
            Begin::Replay { answer: answer() }
        );
        assert_eq!(begin(Some(done.clone()), "h2", 5_000).0, Begin::Mismatch);
        // After 24 hours the key is free again.
        let (b, e) = begin(Some(done), "h2", 1_000 + TTL_MS);
        assert_eq!(b, Begin::Proceed);
        assert_eq!(e.unwrap().request_hash, "h2");
        // Finishing someone else's record changes nothing.
        assert_eq!(finish(Some(pending), "h2", answer()), None);
    }

    #[test]
    fn the_outcome_travels_as_json() {
        let b = Begin::Replay { answer: answer() };
        let text = serde_json::to_string(&b).unwrap();
        assert!(text.starts_with(r#"{"outcome":"replay""#), "{text}");
        assert_eq!(serde_json::from_str::<Begin>(&text).unwrap(), b);
        assert_eq!(
            serde_json::to_string(&Begin::InProgress).unwrap(),
            r#"{"outcome":"in_progress"}"#
        );
    }
}
