//! Credentials per vendor and the token caches that go with them.
//!
//! * GreenLake: OAuth2 client credentials; the access token is fetched from the token
//!   endpoint, cached until shortly before `expires_in`, and refreshed once on a 401.
//! * FNO: HTTP Basic or a Bearer access token (`rna_…`); nothing to refresh.
//! * TelecomX: `POST /auth/login` gives a token with a sliding expiry
//!   (`expiresInMinutes`, `-1` = persistent); every successful call slides it; it is
//!   fetched again once on a 401 or a 403 (TelecomX answers 403 for invalid tokens).
//!
//! Token refreshes are single-flight: while one request fetches a token, the others
//! that need one wait for its outcome (the token, or its error) instead of each calling
//! the token endpoint. A refresh whose request is dropped half-way wakes the waiters, and
//! one of them fetches. Token calls are marked [`Call::Token`] on the request, so that no
//! client ever caches one.
//!
//! Secrets live in [`Secret`], whose `Debug` prints `***`; [`Authenticator::redactor`]
//! knows every configured secret and the live (and last replaced) tokens. This module
//! talks HTTP only through [`HttpClient`]; it imports no `worker` and no `std::time`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use base64::Engine as _;
use serde::Deserialize;

use crate::model::Source;

use super::budget::Spend;
use super::error::{Redactor, UpstreamError, UpstreamErrorKind};
use super::http::{send_by, Call, Clock, HttpClient};

/// A secret string: `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself, for building a credential header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How to authenticate to one upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials (a test upstream).
    None,
    /// OAuth2 client credentials (GreenLake).
    ClientCredentials {
        /// Full URL of the token endpoint.
        token_url: String,
        /// The API client id.
        client_id: String,
        /// The API client secret.
        client_secret: Secret,
    },
    /// HTTP Basic (FNO).
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: Secret,
    },
    /// A static bearer token (FNO access token).
    Bearer {
        /// The token.
        token: Secret,
    },
    /// TelecomX `POST {base}/auth/login` with a sliding-expiry token.
    Login {
        /// E-mail of the API user.
        username: String,
        /// Password.
        password: Secret,
    },
}

#[derive(Clone)]
struct CachedToken {
    value: Secret,
    /// Epoch ms after which it must not be used; `None` = persistent.
    expires_at: Option<i64>,
    /// Sliding window in ms (TelecomX), renewed on each successful call.
    sliding: Option<i64>,
}

/// The token cache and the refresh in flight.
#[derive(Default)]
struct TokenState {
    token: Option<CachedToken>,
    /// Tokens replaced lately (an answer to a request made with one may still echo it).
    previous: Vec<Secret>,
    /// A refresh is under way.
    refreshing: bool,
    /// Bumped when a refresh ends (with a token, an error, or dropped).
    generation: u64,
    /// The error of the last refresh, for the requests that waited on it.
    last_error: Option<UpstreamError>,
    /// The requests waiting on the refresh.
    waiters: Vec<Waker>,
}

/// How many replaced tokens are still redacted.
const PREVIOUS_TOKENS: usize = 2;

/// Attaches credentials to requests and keeps tokens fresh.
pub struct Authenticator {
    source: Source,
    base: String,
    creds: Credentials,
    cache: Mutex<TokenState>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("source", &self.source)
            .field("creds", &self.creds)
            .finish_non_exhaustive()
    }
}

/// Refresh a cached token this long before it expires.
const SKEW_MS: i64 = 30_000;

#[derive(Deserialize)]
struct OAuthToken {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TxLogin {
    token: String,
    #[serde(default)]
    expires_in_minutes: Option<i64>,
}

impl Authenticator {
    /// Credentials for `source` whose login endpoint (TelecomX) lives under `base`.
    pub fn new(source: Source, base: &str, creds: Credentials) -> Self {
        Authenticator {
            source,
            base: base.trim_end_matches('/').to_owned(),
            creds,
            cache: Mutex::new(TokenState::default()),
        }
    }

    /// A redactor for every secret this authenticator knows.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(self.secrets())
    }

    /// Every secret this authenticator knows: the configured ones (and the Basic header's
    /// base64 form), the live token and the last replaced ones.
    pub fn secrets(&self) -> Vec<String> {
        let mut v = Vec::new();
        match &self.creds {
            Credentials::ClientCredentials { client_secret, .. } => {
                v.push(client_secret.expose().to_owned())
            }
            Credentials::Basic { password, username } => {
                v.push(password.expose().to_owned());
                v.push(basic(username, password));
            }
            Credentials::Bearer { token } => v.push(token.expose().to_owned()),
            Credentials::Login { password, .. } => v.push(password.expose().to_owned()),
            Credentials::None => {}
        }
        if let Ok(st) = self.cache.lock() {
            v.extend(st.token.iter().map(|t| t.value.expose().to_owned()));
            v.extend(st.previous.iter().map(|t| t.expose().to_owned()));
        }
        v
    }

    fn state(&self) -> std::sync::MutexGuard<'_, TokenState> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a response status means "credentials rejected, refresh and retry once".
    pub fn is_auth_failure(&self, status: u16) -> bool {
        match self.creds {
            Credentials::ClientCredentials { .. } => status == 401,
            Credentials::Login { .. } => status == 401 || status == 403,
            _ => false,
        }
    }

    /// Drops a cached token so the next call fetches a new one, unless a refresh is
    /// already under way (requests that failed with the old token then wait for it
    /// rather than start their own).
    pub fn invalidate(&self) {
        let mut st = self.state();
        if !st.refreshing {
            if let Some(t) = st.token.take() {
                remember(&mut st, t.value);
            }
        }
    }

    /// Slides the TelecomX token window after a successful call at `now`.
    pub fn touch(&self, now: i64) {
        let mut st = self.state();
        if let Some(t) = st.token.as_mut() {
            if let Some(w) = t.sliding {
                t.expires_at = Some(now.saturating_add(w));
            }
        }
    }

    /// A fresh token: the cached one, the outcome of the refresh under way, or a refresh
    /// of its own (single flight). Bounded: a waiter whose refresh was dropped becomes
    /// the refresher at the next turn.
    async fn token<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        spend: Spend<'_>,
    ) -> Result<CachedToken, UpstreamError> {
        for _ in 0..4 {
            let now = clock.now_ms();
            let waiting_on = {
                let mut st = self.state();
                if let Some(t) = st.token.as_ref().filter(|t| is_fresh(t, now)) {
                    return Ok(t.clone());
                }
                if st.refreshing {
                    Some(st.generation)
                } else {
                    st.refreshing = true;
                    None
                }
            };
            let Some(generation) = waiting_on else {
                let mut flight = Flight {
                    auth: self,
                    done: false,
                };
                let r = self.fetch_token(client, clock, spend).await;
                flight.finish(&r);
                return r;
            };
            Wait {
                auth: self,
                generation,
            }
            .await;
            let st = self.state();
            if let Some(t) = st.token.as_ref().filter(|t| is_fresh(t, clock.now_ms())) {
                return Ok(t.clone());
            }
            if let Some(e) = &st.last_error {
                return Err(e.clone());
            }
        }
        Err(UpstreamError::new(
            self.source,
            UpstreamErrorKind::Auth,
            None,
            "no token after repeated refreshes",
        ))
    }

    /// The credential header for a request at `now`, fetching a token when needed. A
    /// token call is paid from `spend` and bounded by its deadline, like any other call.
    pub async fn header<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        spend: Spend<'_>,
    ) -> Result<Option<(http::HeaderName, String)>, UpstreamError> {
        let auth = http::header::AUTHORIZATION;
        match &self.creds {
            Credentials::None => Ok(None),
            Credentials::Basic { username, password } => {
                Ok(Some((auth, format!("Basic {}", basic(username, password)))))
            }
            Credentials::Bearer { token } => Ok(Some((auth, format!("Bearer {}", token.expose())))),
            Credentials::ClientCredentials { .. } | Credentials::Login { .. } => {
                let tok = self.token(client, clock, spend).await?;
                Ok(Some((auth, format!("Bearer {}", tok.value.expose()))))
            }
        }
    }

    async fn fetch_token<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        spend: Spend<'_>,
    ) -> Result<CachedToken, UpstreamError> {
        let now = clock.now_ms();
        let err = |kind, status, msg: &str| UpstreamError::new(self.source, kind, status, msg);
        let (req, is_oauth) = match &self.creds {
            Credentials::ClientCredentials {
                token_url,
                client_id,
                client_secret,
            } => {
                let body = form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "client_credentials")
                    .append_pair("client_id", client_id)
                    .append_pair("client_secret", client_secret.expose())
                    .finish();
                let r = http::Request::builder()
                    .method(http::Method::POST)
                    .extension(Call::Token)
                    .uri(token_url.as_str())
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .header(http::header::ACCEPT, "application/json")
                    .body(body.into_bytes());
                (r, true)
            }
            Credentials::Login { username, password } => {
                #[derive(serde::Serialize)]
                struct Login<'a> {
                    username: &'a str,
                    password: &'a str,
                }
                let body = serde_json::to_vec(&Login {
                    username,
                    password: password.expose(),
                })
                .unwrap_or_default();
                let r = http::Request::builder()
                    .method(http::Method::POST)
                    .extension(Call::Token)
                    .uri(format!("{}/auth/login", self.base))
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .header(http::header::ACCEPT, "application/json")
                    .body(body);
                (r, false)
            }
            _ => return Err(err(UpstreamErrorKind::Auth, None, "no token to fetch")),
        };
        let req = req.map_err(|_| err(UpstreamErrorKind::Auth, None, "invalid token URL"))?;
        spend.take()?;
        let resp = send_by(client, clock, req, spend.deadline_ms())
            .await
            .map_err(|e| UpstreamError::transport(self.source, &e))?;
        let status = resp.status().as_u16();
        if !resp.status().is_success() {
            let kind = match status {
                400 | 401 | 403 => UpstreamErrorKind::Auth,
                429 => UpstreamErrorKind::RateLimited { retry_after: None },
                _ => UpstreamErrorKind::Server,
            };
            return Err(err(
                kind,
                Some(status),
                "the token endpoint refused the credentials",
            ));
        }
        if is_oauth {
            let t: OAuthToken = serde_json::from_slice(resp.body()).map_err(|_| {
                err(
                    UpstreamErrorKind::Malformed,
                    Some(status),
                    "unreadable token response",
                )
            })?;
            Ok(CachedToken {
                value: Secret(t.access_token),
                expires_at: Some(
                    now.saturating_add(t.expires_in.unwrap_or(900).saturating_mul(1000)),
                ),
                sliding: None,
            })
        } else {
            let t: TxLogin = serde_json::from_slice(resp.body()).map_err(|_| {
                err(
                    UpstreamErrorKind::Malformed,
                    Some(status),
                    "unreadable login response",
                )
            })?;
            let mins = t.expires_in_minutes.unwrap_or(15);
            let sliding = (mins >= 0).then(|| mins.saturating_mul(60_000));
            Ok(CachedToken {
                value: Secret(t.token),
                expires_at: sliding.map(|w| now.saturating_add(w)),
                sliding,
            })
        }
    }
}

fn is_fresh(t: &CachedToken, now: i64) -> bool {
    t.expires_at.is_none_or(|e| now < e.saturating_sub(SKEW_MS))
}

/// Keeps a replaced token for redaction, the last [`PREVIOUS_TOKENS`] of them.
fn remember(st: &mut TokenState, old: Secret) {
    st.previous.push(old);
    if st.previous.len() > PREVIOUS_TOKENS {
        st.previous.remove(0);
    }
}

/// The refresh this request is making. Finishing it stores its outcome; dropping it
/// unfinished (the request was cancelled) still ends the flight, so waiters never hang.
struct Flight<'a> {
    auth: &'a Authenticator,
    done: bool,
}

impl Flight<'_> {
    fn finish(&mut self, r: &Result<CachedToken, UpstreamError>) {
        let mut st = self.auth.state();
        match r {
            Ok(t) => {
                if let Some(old) = st.token.replace(t.clone()) {
                    remember(&mut st, old.value);
                }
                st.last_error = None;
            }
            Err(e) => st.last_error = Some(e.clone()),
        }
        end_flight(&mut st);
        self.done = true;
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if !self.done {
            let mut st = self.auth.state();
            st.last_error = None;
            end_flight(&mut st);
        }
    }
}

fn end_flight(st: &mut TokenState) {
    st.refreshing = false;
    st.generation = st.generation.wrapping_add(1);
    for w in st.waiters.drain(..) {
        w.wake();
    }
}

/// Waits until the refresh of `generation` has ended.
struct Wait<'a> {
    auth: &'a Authenticator,
    generation: u64,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = self.auth.state();
        if st.generation != self.generation || !st.refreshing {
            return Poll::Ready(());
        }
        if !st.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            st.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

fn basic(user: &str, pass: &Secret) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", pass.expose()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let c = Credentials::ClientCredentials {
            token_url: "https://sso/as/token.oauth2".into(),
            client_id: "cid".into(),
            client_secret: Secret::new("s3cr3t-value"),
        };
        let a = Authenticator::new(Source::HpeFlex, "https://x", c);
        let dbg = format!("{a:?}");
        assert!(!dbg.contains("s3cr3t-value"), "{dbg}");
        assert!(dbg.contains("***"));
        let b = Credentials::Basic {
            username: "u".into(),
            password: Secret::new("hunter22"),
        };
        assert!(!format!("{b:?}").contains("hunter22"));
    }
}
