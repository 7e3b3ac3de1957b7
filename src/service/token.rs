//! The continuation token (`next`): where every source's stream stands after a page, signed
//! so that it cannot be forged, bound to the client key, the route and the query it came
//! from, and stale after [`LIFETIME_S`].
//!
//! Layout (base64url without padding of): the payload, then two 16-byte truncated
//! HMAC-SHA256 tags under `FLEXEDGE_TOKEN_SECRET`. The first covers the payload alone (a
//! token whose bytes were changed, or made up, is `query.next.invalid`); the second covers
//! the payload and the binding — the key's identity (a SHA-256 of the key, never the key),
//! the route and the canonical query — so a genuine token sent with another key, to
//! another route or with another query is told apart (`query.next.foreign`). Tags are
//! compared in constant time. The payload:
//!
//! ```text
//! version u8 = 1 | issued (s, varint) | emitted (varint) | flags u8 (bit 0: sorted)
//! | n u8 | n × ( source u8 | flags u8 (bit 0: exhausted, bit 1: frontier)
//!              | index varint | page size varint | rank varint
//!              | [frontier: length varint, JSON bytes] )
//! ```
//!
//! The payload holds no secret and no key: positions, counts, and for sources sorted at
//! the edge the sort values and id of the last record they gave. This module imports no I/O.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::model::Source;

/// How long a token stays valid: 24 hours.
pub const LIFETIME_S: u64 = 86_400;

/// The longest token accepted (bytes of its text); longer ones are invalid unread.
pub const MAX_TOKEN_LEN: usize = 8_192;

/// The longest frontier kept for one source (bytes of JSON).
const MAX_FRONTIER: usize = 2_048;

const TAG: usize = 16;
const VERSION: u8 = 1;

/// Where one source's stream stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    /// The source.
    pub source: Source,
    /// Raw records of its stream before its position.
    pub index: u64,
    /// The walk's page size (numbered pages), 0 otherwise.
    pub page_size: u32,
    /// Matching records it gave to earlier pages.
    pub rank: u64,
    /// It has nothing more to give.
    pub exhausted: bool,
    /// For a source sorted at the edge: the last record it gave (its sort fields and id,
    /// as JSON).
    pub frontier: Option<Vec<u8>>,
}

/// The state of a walk between two pages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Walk {
    /// Merged by a requested sort (else: native order interleaved).
    pub sorted: bool,
    /// Records given by earlier pages (the next page's `offset`).
    pub emitted: u64,
    /// Every involved source, in canonical order.
    pub sources: Vec<SourceState>,
}

/// What a token is bound to, besides its payload.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    /// The client key's identity ([`key_id`]).
    pub key: &'a [u8; 32],
    /// The route (`orders:hpe_flex+fno_orders+…`).
    pub route: &'a str,
    /// The canonical query without its offset.
    pub query: &'a str,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token this service made (changed, truncated, made up).
    Invalid,
    /// A genuine token of another key, route or query.
    Foreign,
    /// Older than [`LIFETIME_S`].
    Stale,
}

impl TokenError {
    /// The problem code.
    pub fn code(self) -> &'static str {
        match self {
            TokenError::Invalid => "query.next.invalid",
            TokenError::Foreign => "query.next.foreign",
            TokenError::Stale => "query.next.stale",
        }
    }

    /// The problem detail.
    pub fn detail(self) -> &'static str {
        match self {
            TokenError::Invalid => "`next` is not a continuation token of this service",
            TokenError::Foreign => {
                "`next` belongs to another query, route or client key: send it with the same key, route, filter, sort, select, limit, include, partial and pushdown as the request that returned it"
            }
            TokenError::Stale => {
                "`next` is older than 24 hours: start the walk again without it"
            }
        }
    }
}

/// The identity of a client key as tokens bind it: its SHA-256 (the key itself never
/// enters a token).
pub fn key_id(key: &[u8]) -> [u8; 32] {
    Sha256::digest(key).into()
}

fn tag(secret: &[u8], domain: &[u8], parts: &[&[u8]]) -> [u8; TAG] {
    let mut out = [0u8; TAG];
    // HMAC takes keys of any length: this cannot fail.
    if let Ok(mut m) = Hmac::<Sha256>::new_from_slice(secret) {
        m.update(domain);
        for p in parts {
            m.update(&(p.len() as u64).to_le_bytes());
            m.update(p);
        }
        let full = m.finalize().into_bytes();
        out.copy_from_slice(full.get(..TAG).unwrap_or(&[0u8; TAG]));
    }
    out
}

fn bind_tag(secret: &[u8], payload: &[u8], b: &Binding<'_>) -> [u8; TAG] {
    tag(
        secret,
        b"flexedge.next.bind.v1",
        &[payload, b.key, b.route.as_bytes(), b.query.as_bytes()],
    )
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn source_index(s: Source) -> u8 {
    match s {
        Source::HpeFlex => 0,
        Source::FnoOrders => 1,
        Source::FnoEntitlements => 2,
        Source::TelecomxFlexcare => 3,
    }
}

/// Writes the token for `walk`, issued at `now_s` (Unix seconds).
pub fn encode(secret: &[u8], walk: &Walk, binding: &Binding<'_>, now_s: u64) -> String {
    let mut p = vec![VERSION];
    put_varint(&mut p, now_s);
    put_varint(&mut p, walk.emitted);
    p.push(u8::from(walk.sorted));
    p.push(u8::try_from(walk.sources.len()).unwrap_or(u8::MAX));
    for s in &walk.sources {
        p.push(source_index(s.source));
        let frontier = s.frontier.as_ref().filter(|f| f.len() <= MAX_FRONTIER);
        p.push(u8::from(s.exhausted) | (u8::from(frontier.is_some()) << 1));
        put_varint(&mut p, s.index);
        put_varint(&mut p, u64::from(s.page_size));
        put_varint(&mut p, s.rank);
        if let Some(f) = frontier {
            put_varint(&mut p, f.len() as u64);
            p.extend_from_slice(f);
        }
    }
    let t1 = tag(secret, b"flexedge.next.v1", &[&p]);
    let t2 = bind_tag(secret, &p, binding);
    p.extend_from_slice(&t1);
    p.extend_from_slice(&t2);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(p)
}

/// A strict reader of the payload: every read is bounds-checked.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(*b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (b, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(b)
    }
}

fn parse(payload: &[u8]) -> Option<(u64, Walk)> {
    let mut r = Reader { rest: payload };
    if r.byte()? != VERSION {
        return None;
    }
    let issued = r.varint()?;
    let emitted = r.varint()?;
    let sorted = match r.byte()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let n = r.byte()?;
    if n > 4 {
        return None;
    }
    let mut sources = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        let source = *Source::ALL.get(usize::from(r.byte()?))?;
        if sources
            .last()
            .is_some_and(|l: &SourceState| source_index(l.source) >= source_index(source))
        {
            return None;
        }
        let flags = r.byte()?;
        if flags > 3 {
            return None;
        }
        let index = r.varint()?;
        let page_size = u32::try_from(r.varint()?).ok()?;
        let rank = r.varint()?;
        let frontier = if flags & 2 != 0 {
            let len = usize::try_from(r.varint()?).ok()?;
            if len > MAX_FRONTIER {
                return None;
            }
            Some(r.bytes(len)?.to_vec())
        } else {
            None
        };
        sources.push(SourceState {
            source,
            index,
            page_size,
            rank,
            exhausted: flags & 1 != 0,
            frontier,
        });
    }
    if !r.rest.is_empty() {
        return None;
    }
    Some((
        issued,
        Walk {
            sorted,
            emitted,
            sources,
        },
    ))
}

/// Reads a token at `now_s`: its integrity, then its binding, then its age.
pub fn decode(
    secret: &[u8],
    token: &str,
    binding: &Binding<'_>,
    now_s: u64,
) -> Result<Walk, TokenError> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Invalid);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| TokenError::Invalid)?;
    let split = bytes
        .len()
        .checked_sub(2 * TAG)
        .ok_or(TokenError::Invalid)?;
    let (payload, tags) = bytes.split_at(split);
    let (t1, t2) = tags.split_at(TAG);
    let want1 = tag(secret, b"flexedge.next.v1", &[payload]);
    if !bool::from(want1.as_slice().ct_eq(t1)) {
        return Err(TokenError::Invalid);
    }
    let (issued, walk) = parse(payload).ok_or(TokenError::Invalid)?;
    let want2 = bind_tag(secret, payload, binding);
    if !bool::from(want2.as_slice().ct_eq(t2)) {
        return Err(TokenError::Foreign);
    }
    if now_s.saturating_sub(issued) > LIFETIME_S {
        return Err(TokenError::Stale);
    }
    Ok(walk)
}

/// A stable hash of the walk's state (not of the token, which carries its issue time):
/// what an `ETag` covers of the continuation.
pub fn state_hash(walk: &Walk) -> String {
    let mut p = Vec::new();
    put_varint(&mut p, walk.emitted);
    p.push(u8::from(walk.sorted));
    for s in &walk.sources {
        p.push(source_index(s.source));
        p.push(u8::from(s.exhausted));
        put_varint(&mut p, s.index);
        put_varint(&mut p, u64::from(s.page_size));
        put_varint(&mut p, s.rank);
        if let Some(f) = &s.frontier {
            p.extend_from_slice(f);
        }
    }
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret-0123456789";

    fn walk() -> Walk {
        Walk {
            sorted: true,
            emitted: 12_345,
            sources: vec![
                SourceState {
                    source: Source::HpeFlex,
                    index: 300,
                    page_size: 0,
                    rank: 300,
                    exhausted: false,
                    frontier: None,
                },
                SourceState {
                    source: Source::FnoEntitlements,
                    index: 77,
                    page_size: 25,
                    rank: 70,
                    exhausted: true,
                    frontier: Some(br#"{"id":"fno_entitlements:x"}"#.to_vec()),
                },
            ],
        }
    }

    fn binding<'a>(key: &'a [u8; 32], route: &'a str, query: &'a str) -> Binding<'a> {
        Binding { key, route, query }
    }

    #[test]
    fn round_trips_and_refuses_what_it_should() {
        let k = key_id(b"client-key-1");
        let b = binding(&k, "orders:all", "limit=10");
        let t = encode(SECRET, &walk(), &b, 1_000);
        assert_eq!(decode(SECRET, &t, &b, 1_000), Ok(walk()));
        assert_eq!(decode(SECRET, &t, &b, 1_000 + LIFETIME_S), Ok(walk()));
        assert_eq!(
            decode(SECRET, &t, &b, 1_001 + LIFETIME_S),
            Err(TokenError::Stale)
        );
        // Other key, route, query: foreign.
        let k2 = key_id(b"client-key-2");
        for other in [
            binding(&k2, "orders:all", "limit=10"),
            binding(&k, "orders:hpe_flex", "limit=10"),
            binding(&k, "orders:all", "limit=11"),
        ] {
            assert_eq!(decode(SECRET, &t, &other, 1_000), Err(TokenError::Foreign));
        }
        // Another secret, a flipped bit anywhere, truncation, garbage: invalid.
        assert_eq!(
            decode(b"another-secret-000", &t, &b, 1_000),
            Err(TokenError::Invalid)
        );
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&t)
            .unwrap();
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0x01;
            let bad = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bad);
            assert!(decode(SECRET, &bad, &b, 1_000).is_err(), "bit {i}");
        }
        for bad in [
            "",
            "x",
            "!!!",
            &t[..t.len() - 3],
            &"A".repeat(MAX_TOKEN_LEN + 1),
        ] {
            assert_eq!(decode(SECRET, bad, &b, 1_000), Err(TokenError::Invalid));
        }
    }

    #[test]
    fn tokens_hold_no_key() {
        let k = key_id(b"client-key-1");
        let t = encode(SECRET, &walk(), &binding(&k, "r", "q"), 5);
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&t)
            .unwrap();
        assert!(!raw.windows(12).any(|w| w == b"client-key-1"));
        assert!(!raw.windows(8).any(|w| w == &k[..8]));
    }

    #[test]
    fn state_hashes_ignore_the_issue_time() {
        assert_eq!(state_hash(&walk()), state_hash(&walk()));
        let mut w = walk();
        w.emitted += 1;
        assert_ne!(state_hash(&walk()), state_hash(&w));
    }
}
