//! Injectable faults: what they are, how they are spelled, and how they bend a response.
//!
//! A fault is switched per vendor (`Simulator::set_fault`, or `POST /__sim/faults`) or per
//! request (header `x-sim-fault`). Spelling: `latency(250)`, `hang`, `rate_limited(5)`,
//! `status500`, `malformed_json`, `truncated_json`, `expired_token`, `oversize(bytes)`,
//! `oversize_chunked(bytes)`, `echo_credential(at)`, `failure_echo(at)`, `redirect`,
//! `none`. Imports no I/O and no clock.

use std::fmt;

use http::{Request, Response};
use serde_json::json;

use super::respond;

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
    /// The normal answer followed by this many bytes of JSON whitespace (still valid
    /// JSON), with a `Content-Length`, or sent chunked without one: a body no edge should
    /// read whole. The simulator marks the answer ([`PADDING_HEADER`]); whoever delivers
    /// it adds the bytes ([`deliver`] in process, the mock server on the wire).
    Oversize {
        /// Padding bytes.
        bytes: u64,
        /// Sent chunked, without `Content-Length`.
        chunked: bool,
    },
    /// HTTP 500 whose `message` holds the credential the request carried (a bearer
    /// token, or a Basic password) starting at this character: a vendor that echoes it.
    EchoCredential(usize),
    /// FNO entitlementOrders: HTTP 200 with `statusInfo.status: FAILURE` and a `reason`
    /// holding the credential at this character (other vendors: as `EchoCredential`).
    FailureEcho(usize),
    /// HTTP 307 to `/__sim/redirected` on the same server (which counts its visitors).
    Redirect,
}

/// The response header by which the simulator asks its deliverer to append padding:
/// `<bytes>` or `<bytes>;chunked`.
pub const PADDING_HEADER: &str = "x-sim-padding";

/// The padding a response asks for: bytes, and whether to send it chunked.
pub fn padding(resp: &Response<Vec<u8>>) -> Option<(u64, bool)> {
    let v = resp.headers().get(PADDING_HEADER)?.to_str().ok()?;
    let (n, chunked) = match v.split_once(';') {
        Some((n, c)) => (n, c.trim() == "chunked"),
        None => (v, false),
    };
    Some((n.trim().parse().ok()?, chunked))
}

/// What an in-process client does with a padded answer: refuse it, with its size, when
/// the whole body would be over `cap` bytes (as a client reading with a cap would, having
/// read at most `cap`), or else append the padding.
pub fn deliver(mut resp: Response<Vec<u8>>, cap: u64) -> Result<Response<Vec<u8>>, u64> {
    let Some((bytes, _)) = padding(&resp) else {
        return Ok(resp);
    };
    let total = (resp.body().len() as u64).saturating_add(bytes);
    if total > cap {
        return Err(total);
    }
    resp.headers_mut().remove(PADDING_HEADER);
    let pad = usize::try_from(bytes).unwrap_or(0);
    let len = resp.body().len().saturating_add(pad);
    resp.body_mut().resize(len, b' ');
    Ok(resp)
}

/// The credential `req` carries, as the vendor would see it: a bearer token, or the
/// password of HTTP Basic.
fn presented_credential(req: &Request<Vec<u8>>) -> String {
    if let Some(t) = respond::bearer(req) {
        return t.to_owned();
    }
    respond::basic(req).map(|(_, p)| p).unwrap_or_default()
}

/// A text of filler with the request's credential starting at character `at`.
fn with_credential_at(req: &Request<Vec<u8>>, at: usize) -> String {
    let filler = "error details: ".chars().cycle().take(at.min(10_000));
    let mut text: String = filler.collect();
    text.push_str(&presented_credential(req));
    text.push_str(" (echoed by the vendor)");
    text
}

/// The answer of [`Fault::EchoCredential`] (and of [`Fault::FailureEcho`] when `fno`
/// is false).
pub(crate) fn echo_credential(req: &Request<Vec<u8>>, at: usize) -> Response<Vec<u8>> {
    respond::json(
        500,
        &json!({"error": "internal_error", "message": with_credential_at(req, at)}),
    )
}

/// The FNO answer of [`Fault::FailureEcho`]: a 200 whose `statusInfo` fails with the
/// credential in its reason.
pub(crate) fn failure_echo(req: &Request<Vec<u8>>, at: usize) -> Response<Vec<u8>> {
    respond::json(
        200,
        &json!({"statusInfo": {"status": "FAILURE", "reason": with_credential_at(req, at)}}),
    )
}

/// The answer of [`Fault::Redirect`].
pub(crate) fn redirect() -> Response<Vec<u8>> {
    let mut r = respond::json(307, &json!({"message": "moved"}));
    respond::set_header(&mut r, "location", REDIRECT_TARGET);
    r
}

/// Where [`Fault::Redirect`] sends a client (the simulator counts who arrives).
pub const REDIRECT_TARGET: &str = "/__sim/redirected";

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
            "unknown fault `{}` (expected latency(ms), hang, rate_limited(s), status500, malformed_json, truncated_json, expired_token, oversize(bytes), oversize_chunked(bytes), echo_credential(at), failure_echo(at), redirect or none)",
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
            "oversize" => Fault::Oversize {
                bytes: num(200_000_000)?,
                chunked: false,
            },
            "oversize_chunked" => Fault::Oversize {
                bytes: num(200_000_000)?,
                chunked: true,
            },
            "echo_credential" => Fault::EchoCredential(usize::try_from(num(280)?).unwrap_or(280)),
            "failure_echo" => Fault::FailureEcho(usize::try_from(num(280)?).unwrap_or(280)),
            "redirect" => Fault::Redirect,
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
            Fault::Oversize {
                bytes,
                chunked: false,
            } => write!(f, "oversize({bytes})"),
            Fault::Oversize {
                bytes,
                chunked: true,
            } => write!(f, "oversize_chunked({bytes})"),
            Fault::EchoCredential(at) => write!(f, "echo_credential({at})"),
            Fault::FailureEcho(at) => write!(f, "failure_echo({at})"),
            Fault::Redirect => f.write_str("redirect"),
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
            Fault::Oversize {
                bytes: 5,
                chunked: true,
            },
            Fault::Oversize {
                bytes: 7,
                chunked: false,
            },
            Fault::EchoCredential(280),
            Fault::FailureEcho(3),
            Fault::Redirect,
        ] {
            assert_eq!(Fault::parse(&f.to_string()), Ok(Some(f)));
        }
        assert_eq!(Fault::parse("none"), Ok(None));
        assert_eq!(Fault::parse("latency=40"), Ok(Some(Fault::Latency(40))));
        assert!(Fault::parse("explode").is_err());
        assert!(Fault::parse("latency(x)").is_err());
    }

    #[test]
    fn padding_is_delivered_or_refused_by_size() {
        let mut r = respond::json(200, &json!({"a": 1}));
        respond::set_header(&mut r, PADDING_HEADER, "10;chunked");
        assert_eq!(padding(&r), Some((10, true)));
        assert_eq!(deliver(r.clone(), 10).err(), Some(17));
        let ok = deliver(r, 17).unwrap();
        assert_eq!(ok.body().len(), 17);
        assert!(serde_json::from_slice::<serde_json::Value>(ok.body()).is_ok());
        assert!(ok.headers().get(PADDING_HEADER).is_none());
    }

    #[test]
    fn echoes_put_the_credential_where_asked() {
        let req = Request::get("/x")
            .header("authorization", "Bearer tok-123456789")
            .body(Vec::new())
            .unwrap();
        let r = echo_credential(&req, 280);
        let v: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
        let m = v["message"].as_str().unwrap();
        assert_eq!(
            m.chars().skip(280).take(13).collect::<String>(),
            "tok-123456789"
        );
        let f = failure_echo(&req, 5);
        let v: serde_json::Value = serde_json::from_slice(f.body()).unwrap();
        assert_eq!(v["statusInfo"]["status"], "FAILURE");
    }

    #[test]
    fn bent_bodies_are_not_json() {
        let body = br#"{"a":[1,2,3]}"#;
        assert!(serde_json::from_slice::<serde_json::Value>(&malform(body)).is_err());
        assert!(serde_json::from_slice::<serde_json::Value>(&truncate(body)).is_err());
    }
}
