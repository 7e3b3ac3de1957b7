//! Response decoration shared by every route: CORS, `ETag` / `If-None-Match`, and
//! `Cache-Control`.

use http::{header, HeaderValue, Method, Request, Response, StatusCode};

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Cors {
    /// No CORS headers (same-origin use only).
    #[default]
    Off,
    /// Any origin (`*`).
    Any,
    /// Only these exact origins.
    List(Vec<String>),
}

impl Cors {
    /// Parses `FLEXEDGE_CORS_ORIGINS`: `*`, or a comma-separated list of origins.
    pub fn parse(value: Option<&str>) -> Cors {
        match value.map(str::trim) {
            None | Some("") => Cors::Off,
            Some("*") => Cors::Any,
            Some(list) => Cors::List(
                list.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect(),
            ),
        }
    }

    fn allow_origin(&self, origin: Option<&str>) -> Option<HeaderValue> {
        match self {
            Cors::Off => None,
            Cors::Any => Some(HeaderValue::from_static("*")),
            Cors::List(list) => {
                let origin = origin?;
                list.iter()
                    .any(|o| o == origin)
                    .then(|| HeaderValue::from_str(origin).ok())
                    .flatten()
            }
        }
    }

    /// Adds the CORS headers for `origin` to a response, and `Vary: Origin` to every
    /// response whenever CORS is configured (allowed origin, other origin or none), so a
    /// shared cache never hands one origin's answer to another.
    pub fn apply(&self, origin: Option<&str>, res: &mut Response<Vec<u8>>) {
        if *self == Cors::Off {
            return;
        }
        let h = res.headers_mut();
        h.append(header::VARY, HeaderValue::from_static("origin"));
        let Some(allow) = self.allow_origin(origin) else {
            return;
        };
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(
                "etag, x-request-id, retry-after, ratelimit, ratelimit-policy, location, idempotent-replayed",
            ),
        );
    }

    /// The answer to a CORS preflight (`OPTIONS`), before [`Cors::apply`] (which the
    /// service runs on every response).
    pub fn preflight(&self, origin: Option<&str>) -> Response<Vec<u8>> {
        let mut res = Response::new(Vec::new());
        *res.status_mut() = StatusCode::NO_CONTENT;
        if self.allow_origin(origin).is_some() {
            let h = res.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, HEAD, POST, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(
                    "authorization, if-none-match, content-type, idempotency-key",
                ),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        res
    }
}

/// A strong validator for a response body (xxh3-128, hex).
pub fn etag_for(body: &[u8]) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(body))
}

/// SHA-256 of `bytes`, as 64 lower-case hex digits (identities and body hashes of the
/// idempotency records: one-way, unlike [`etag_for`]'s xxh3).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether an `If-None-Match` header value matches `etag` (weak comparison, `*` allowed).
pub fn if_none_match(header_value: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    header_value
        .split(',')
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

/// For a successful GET: sets `ETag` (unless the route set one, e.g. over the data but not
/// the per-request timings) and `Cache-Control`, and turns the response into a bodiless 304
/// when the client already holds this representation.
pub fn conditional<B>(req: &Request<B>, res: &mut Response<Vec<u8>>, max_age_s: u32) {
    if req.method() != Method::GET || res.status() != StatusCode::OK {
        return;
    }
    let etag = match res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
    {
        Some(set) => set.to_owned(),
        None => etag_for(res.body()),
    };
    let matched = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| if_none_match(v, &etag));
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    let cc = format!("private, max-age={max_age_s}");
    if let Ok(v) = HeaderValue::from_str(&cc) {
        h.insert(header::CACHE_CONTROL, v);
    }
    h.append(header::VARY, HeaderValue::from_static("authorization"));
    if matched {
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        res.body_mut().clear();
        res.headers_mut().remove(header::CONTENT_TYPE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(inm: Option<&str>) -> Request<Vec<u8>> {
        let mut b = Request::builder().method("GET").uri("/v1/orders");
        if let Some(v) = inm {
            b = b.header("if-none-match", v);
        }
        b.body(Vec::new()).unwrap()
    }

    fn ok(body: &str) -> Response<Vec<u8>> {
        Response::new(body.as_bytes().to_vec())
    }

    #[test]
    fn etag_then_304() {
        let mut first = ok("{\"a\":1}");
        conditional(&get(None), &mut first, 30);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers()["cache-control"], "private, max-age=30");
        let mut second = ok("{\"a\":1}");
        conditional(&get(Some(&etag)), &mut second, 30);
        assert_eq!(second.status(), 304);
        assert!(second.body().is_empty());
        let mut changed = ok("{\"a\":2}");
        conditional(&get(Some(&etag)), &mut changed, 30);
        assert_eq!(changed.status(), 200);
    }

    #[test]
    fn sha256_of_the_standard_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        assert!(if_none_match("\"x\", W/\"abc\"", "\"abc\""));
        assert!(if_none_match("*", "\"abc\""));
        assert!(!if_none_match("\"abd\"", "\"abc\""));
    }

    #[test]
    fn cors_lists_only_named_origins() {
        let cors = Cors::parse(Some("https://a.example, https://b.example/"));
        let mut res = ok("");
        cors.apply(Some("https://b.example"), &mut res);
        assert_eq!(
            res.headers()["access-control-allow-origin"],
            "https://b.example"
        );
        let mut res = ok("");
        cors.apply(Some("https://evil.example"), &mut res);
        assert!(res.headers().get("access-control-allow-origin").is_none());
        assert_eq!(Cors::parse(None), Cors::Off);
        assert_eq!(Cors::parse(Some("*")), Cors::Any);
        let pre = Cors::Any.preflight(Some("https://x.example"));
        assert_eq!(pre.status(), 204);
        assert!(pre.headers().contains_key("access-control-allow-methods"));
    }
}
