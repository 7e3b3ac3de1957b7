//! Small request/response helpers shared by the vendor simulators: JSON answers, query
//! pairs, headers and HTTP auth parsing.
//!
//! Imports `http`, `serde_json`, `form_urlencoded` and `base64`; no I/O, no clock.

use base64::Engine as _;
use http::{header, HeaderValue, Request, Response, StatusCode};
use serde::Serialize;

/// A JSON response with this status.
pub(crate) fn json<T: Serialize + ?Sized>(status: u16, body: &T) -> Response<Vec<u8>> {
    match serde_json::to_vec(body) {
        Ok(bytes) => raw(status, "application/json", bytes),
        Err(_) => raw(500, "text/plain", b"simulator serialisation error".to_vec()),
    }
}

/// A response with this status, content type and body.
pub(crate) fn raw(status: u16, content_type: &'static str, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// Adds a header (silently skipped if the value is not a valid header value).
pub(crate) fn set_header(resp: &mut Response<Vec<u8>>, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

/// The decoded query pairs, in order.
pub(crate) fn query_pairs(req: &Request<Vec<u8>>) -> Vec<(String, String)> {
    match req.uri().query() {
        Some(q) => form_urlencoded::parse(q.as_bytes()).into_owned().collect(),
        None => Vec::new(),
    }
}

/// The first value of a query parameter.
pub(crate) fn query_get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A header as text.
pub(crate) fn header<'a>(req: &'a Request<Vec<u8>>, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The bearer token of `Authorization: Bearer …` (scheme case-insensitive).
pub(crate) fn bearer(req: &Request<Vec<u8>>) -> Option<&str> {
    let v = header(req, "authorization")?.trim();
    let (scheme, rest) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// `(user, password)` of `Authorization: Basic …`.
pub(crate) fn basic(req: &Request<Vec<u8>>) -> Option<(String, String)> {
    let v = header(req, "authorization")?.trim();
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// A deterministic UUID-shaped id from a counter (GreenLake `debugId`s).
pub(crate) fn counter_uuid(seed: u64, n: u64) -> String {
    let mut r = super::rng::Rng::for_record(seed, 0xdeb0, n);
    r.uuid()
}
