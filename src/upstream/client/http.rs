//! The HTTP seam: the only way adapters talk to the network, and the clock they wait on.
//!
//! On wasm the edge implements [`HttpClient`] with Fetch and [`Clock`] with the Workers
//! runtime; natively, tests implement both in process over the simulator with fake time.
//! Neither trait requires `Send`: a Worker is single-threaded. This module imports no
//! `worker`, no wasm and no `std::time`.

use std::fmt;

/// A failure below HTTP: the request never produced a (usable) response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// Connection refused, reset, DNS failure, TLS failure…
    Connect(String),
    /// No response before the client's own timeout.
    Timeout,
    /// The body was larger than the client reads (`Content-Length`, or counted while
    /// streaming; the rest was not read).
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Connect(m) => write!(f, "connection failed: {m}"),
            TransportError::Timeout => f.write_str("timed out"),
            TransportError::TooLarge { limit } => {
                write!(
                    f,
                    "the response body is larger than {limit} bytes (not read)"
                )
            }
        }
    }
}

/// What an upstream request is for, set on it as an `http` extension by whoever builds
/// it, so that the client never has to guess from a path. Only [`Call::Page`] answers may
/// be cached; a request without the extension is treated as uncacheable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// A page of records (cacheable once the adapter accepts it: [`HttpClient::settle`]).
    Page,
    /// A token or login call: carries credentials, never cached.
    Token,
}

impl Call {
    /// The mark on `req`, if any.
    pub fn of<B>(req: &http::Request<B>) -> Option<Call> {
        req.extensions().get::<Call>().copied()
    }
}

/// Set on a request (an `http` extension) to make the client bypass its cache for it
/// (`Cache-Control: no-cache` from a debug key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BypassCache;

/// Set by a caching client on a response (an `http` extension) whose cache write it holds
/// back until [`HttpClient::settle`] says whether the adapter accepted the answer: a 2xx
/// that turns out to be a failure (FNO `statusInfo.status: FAILURE`, a body that does
/// not parse) is never cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Staged(pub u64);

impl std::error::Error for TransportError {}

/// Sends one HTTP request and returns the whole response.
#[allow(async_fn_in_trait)]
pub trait HttpClient {
    /// Sends `req`; a non-2xx status is a response, not an error.
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError>;

    /// Sends `req`, giving up with [`TransportError::Timeout`] after `timeout_ms` (what is
    /// left of the request's deadline). The default only sends (an answer after the
    /// deadline is still refused by the caller); a client that can abort its exchange
    /// (Fetch) or knows the answer's delay (the simulator) overrides it.
    async fn send_within(
        &self,
        req: http::Request<Vec<u8>>,
        timeout_ms: u64,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let _ = timeout_ms;
        self.send(req).await
    }

    /// The verdict on answers this client marked [`Staged`]: `keep` writes them to its
    /// cache, otherwise they are dropped. A client without a cache ignores it.
    fn settle(&self, staged: &[Staged], keep: bool) {
        let _ = (staged, keep);
    }
}

/// Wall-clock time and waiting, provided by the platform (fake time in tests).
#[allow(async_fn_in_trait)]
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Waits `ms` milliseconds.
    async fn sleep_ms(&self, ms: u64);
    /// A random number of milliseconds in `0..=upto`, for jittered back-off. The default
    /// is the midpoint (deterministic); the platform's clock draws it at random, the
    /// tests' fake clock from a seeded sequence.
    fn jitter_ms(&self, upto: u64) -> u64 {
        upto / 2
    }
}

impl<T: HttpClient + ?Sized> HttpClient for &T {
    async fn send(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        (**self).send(req).await
    }

    async fn send_within(
        &self,
        req: http::Request<Vec<u8>>,
        timeout_ms: u64,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        (**self).send_within(req, timeout_ms).await
    }

    fn settle(&self, staged: &[Staged], keep: bool) {
        (**self).settle(staged, keep)
    }
}

impl<T: Clock + ?Sized> Clock for &T {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
    async fn sleep_ms(&self, ms: u64) {
        (**self).sleep_ms(ms).await
    }
    fn jitter_ms(&self, upto: u64) -> u64 {
        (**self).jitter_ms(upto)
    }
}

/// Sends `req` so that the answer counts only if it arrives by the epoch-ms `deadline`:
/// no request starts once the deadline has passed, the client is given what is left of it
/// as its timeout ([`HttpClient::send_within`]: Fetch aborts there, the simulated client
/// advances its fake time at most that far), and an answer delivered after the deadline is
/// a timeout too. Every upstream call goes through here, so one request's calls share one
/// total deadline. (Racing the exchange against [`Clock::sleep_ms`] instead would be
/// lost, on fake time, by any exchange that yields once.)
pub(crate) async fn send_by<C: HttpClient, K: Clock>(
    client: &C,
    clock: &K,
    req: http::Request<Vec<u8>>,
    deadline: i64,
) -> Result<http::Response<Vec<u8>>, TransportError> {
    let left = deadline.saturating_sub(clock.now_ms());
    let Some(left) = u64::try_from(left).ok().filter(|l| *l > 0) else {
        return Err(TransportError::Timeout);
    };
    let answer = client.send_within(req, left).await;
    if clock.now_ms() > deadline {
        return Err(TransportError::Timeout);
    }
    answer
}

/// `s` percent-encoded for use as one path segment (everything but `A–Z a–z 0–9 - . _ *`).
pub(crate) fn path_segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A request an adapter wants to make, before credentials are attached.
///
/// It is what `explain` prints: it never holds a secret (the `Authorization` header is
/// added by [`super::auth`] at send time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeRequest {
    /// `GET` or `POST`.
    pub method: http::Method,
    /// Base URL of the upstream, without a trailing slash.
    pub base: String,
    /// Path, starting with `/`.
    pub path: String,
    /// Query parameters, in order (values unencoded).
    pub query: Vec<(String, String)>,
    /// JSON body, when there is one.
    pub body: Option<String>,
}

impl NativeRequest {
    /// A GET of `path` on `base`.
    pub fn get(base: &str, path: &str) -> Self {
        NativeRequest {
            method: http::Method::GET,
            base: base.trim_end_matches('/').to_owned(),
            path: path.to_owned(),
            query: Vec::new(),
            body: None,
        }
    }

    /// A POST of a JSON body to `path` on `base`.
    pub fn post_json(base: &str, path: &str, body: String) -> Self {
        NativeRequest {
            method: http::Method::POST,
            base: base.trim_end_matches('/').to_owned(),
            path: path.to_owned(),
            query: Vec::new(),
            body: Some(body),
        }
    }

    /// Adds a query parameter.
    pub fn param(mut self, k: &str, v: impl Into<String>) -> Self {
        self.query.push((k.to_owned(), v.into()));
        self
    }

    /// The full URL with a percent-encoded query.
    pub fn url(&self) -> String {
        let mut url = format!("{}{}", self.base, self.path);
        if !self.query.is_empty() {
            let q = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(self.query.iter())
                .finish();
            // `form_urlencoded` writes spaces as `+`; upstreams expect `%20` in filters.
            url.push('?');
            url.push_str(&q.replace('+', "%20"));
        }
        url
    }

    /// One line for `explain`: method, path with the decoded query, and body.
    pub fn describe(&self) -> String {
        let mut s = format!("{} {}", self.method, self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(k);
            s.push('=');
            s.push_str(v);
        }
        if let Some(b) = &self.body {
            s.push(' ');
            s.push_str(b);
        }
        s
    }

    /// Builds the `http` request, marked [`Call::Page`], adding the given extra headers
    /// (credentials).
    pub fn to_http(
        &self,
        headers: &[(http::HeaderName, String)],
    ) -> Result<http::Request<Vec<u8>>, http::Error> {
        let mut b = http::Request::builder()
            .method(self.method.clone())
            .uri(self.url())
            .extension(Call::Page)
            .header(http::header::ACCEPT, "application/json");
        if self.body.is_some() {
            b = b.header(http::header::CONTENT_TYPE, "application/json");
        }
        for (k, v) in headers {
            b = b.header(k, v.as_str());
        }
        b.body(self.body.clone().unwrap_or_default().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("ent-1a2b"), "ent-1a2b");
        assert_eq!(path_segment("a/b c?d"), "a%2Fb%20c%3Fd");
    }

    #[test]
    fn url_encodes_spaces_and_quotes() {
        let r = NativeRequest::get("https://h/", "/flex/v1beta1/orders")
            .param("filter", "customerName eq 'A & B'")
            .param("limit", "100");
        assert_eq!(
            r.url(),
            "https://h/flex/v1beta1/orders?filter=customerName%20eq%20%27A%20%26%20B%27&limit=100"
        );
        assert_eq!(
            r.describe(),
            "GET /flex/v1beta1/orders?filter=customerName eq 'A & B'&limit=100"
        );
    }
}
