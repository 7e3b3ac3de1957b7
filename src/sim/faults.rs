//! Injectable faults: what they are, how they are spelled, and how they bend a response.
//!
//! A fault is switched per vendor (`Simulator::set_fault`, or `POST /__sim/faults`) or per
//! request (header `x-sim-fault`). Spelling: `latency(250)`, `hang`, `rate_limited(5)`,
//! `status500`, `malformed_json`, `truncated_json`, `expired_token`, `none`.
//! Imports no I/O and no clock.

use std::fmt;

/// The delay a `hang` asks for: longer than any deadline a client should use (10 minutes).
pub const HANG_DELAY_MS: u64 = 600_000;

/// One injectable fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer normally, but only after this many milliseconds.
    Latency(u64),
    /// Do not answer before any sensible deadline ([`HANG_DELAY_MS`]).
    Hang,
    /// 429 with `Retry-After: <seconds>` and the vendor's 429 body.
    RateLimited(u64),
    /// The vendor's 500 answer.
    Status500,
    /// 200 with a body that is not valid JSON.
    MalformedJson,
    /// 200 with the real body cut in half.
    TruncatedJson,
    /// The vendor's answer to an expired token, whatever token was sent.
    ExpiredToken,
}

/// A fault spelling that is not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultParseError {
    /// The rejected spelling (faults carry no secrets).
    pub input: String,
}

impl fmt::Display for FaultParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown fault `{}` (expected latency(ms), hang, rate_limited(s), status500, malformed_json, truncated_json, expired_token or none)",
            self.input
        )
    }
}

impl std::error::Error for FaultParseError {}

impl Fault {
    /// Parses a spelling; `Ok(None)` for `none`/`clear`/empty (no fault).
    pub fn parse(s: &str) -> Result<Option<Fault>, FaultParseError> {
        let err = || FaultParseError {
            input: s.chars().take(64).collect(),
        };
        let t = s.trim();
        let (name, arg) = match t.find(['(', '=', ':']) {
            Some(i) => {
                let name = t.get(..i).unwrap_or("");
                let rest = t.get(i + 1..).unwrap_or("");
                let rest = rest.strip_suffix(')').unwrap_or(rest).trim();
                (name.trim(), Some(rest))
            }
            None => (t, None),
        };
        let num = |default: u64| -> Result<u64, FaultParseError> {
            match arg {
                None | Some("") => Ok(default),
                Some(a) => a.parse::<u64>().map_err(|_| err()),
            }
        };
        let fault = match name.to_ascii_lowercase().as_str() {
            "" | "none" | "clear" => return Ok(None),
            "latency" => Fault::Latency(num(1000)?.min(HANG_DELAY_MS)),
            "hang" | "timeout" => Fault::Hang,
            "rate_limited" | "ratelimited" | "429" => Fault::RateLimited(num(1)?.min(86_400)),
            "status500" | "500" | "internal_error" => Fault::Status500,
            "malformed_json" => Fault::MalformedJson,
            "truncated_json" => Fault::TruncatedJson,
            "expired_token" => Fault::ExpiredToken,
            _ => return Err(err()),
        };
        Ok(Some(fault))
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Latency(ms) => write!(f, "latency({ms})"),
            Fault::Hang => f.write_str("hang"),
            Fault::RateLimited(s) => write!(f, "rate_limited({s})"),
            Fault::Status500 => f.write_str("status500"),
            Fault::MalformedJson => f.write_str("malformed_json"),
            Fault::TruncatedJson => f.write_str("truncated_json"),
            Fault::ExpiredToken => f.write_str("expired_token"),
        }
    }
}

/// Makes a JSON body invalid while keeping it recognisably JSON-ish: a stray `,}` after the
/// opening brace (a parser fails at byte 1 or 2).
pub(crate) fn malform(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 2);
    match body.split_first() {
        Some((first, rest)) => {
            out.push(*first);
            out.extend_from_slice(b",}");
            out.extend_from_slice(rest);
        }
        None => out.extend_from_slice(b"{,}"),
    }
    out
}

/// Cuts a body in half (at least one byte removed when non-empty).
pub(crate) fn truncate(body: &[u8]) -> Vec<u8> {
    let keep = body.len() / 2;
    body.get(..keep).unwrap_or_default().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trip() {
        for f in [
            Fault::Latency(250),
            Fault::Hang,
            Fault::RateLimited(5),
            Fault::Status500,
            Fault::MalformedJson,
            Fault::TruncatedJson,
            Fault::ExpiredToken,
        ] {
            assert_eq!(Fault::parse(&f.to_string()), Ok(Some(f)));
        }
        assert_eq!(Fault::parse("none"), Ok(None));
        assert_eq!(Fault::parse("latency=40"), Ok(Some(Fault::Latency(40))));
        assert!(Fault::parse("explode").is_err());
        assert!(Fault::parse("latency(x)").is_err());
    }

    #[test]
    fn bent_bodies_are_not_json() {
        let body = br#"{"a":[1,2,3]}"#;
        assert!(serde_json::from_slice::<serde_json::Value>(&malform(body)).is_err());
        assert!(serde_json::from_slice::<serde_json::Value>(&truncate(body)).is_err());
    }
}
