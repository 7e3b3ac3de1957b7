//! Credentials per vendor and the token caches that go with them.
//!
//! * GreenLake: OAuth2 client credentials; the access token is fetched from the token
//!   endpoint, cached until shortly before `expires_in`, and refreshed once on a 401.
//! * FNO: HTTP Basic or a Bearer access token (`rna_…`); nothing to refresh.
//! * TelecomX: `POST /auth/login` gives a token with a sliding expiry
//!   (`expiresInMinutes`, `-1` = persistent); every successful call slides it; it is
//!   fetched again once on a 401 or a 403 (TelecomX answers 403 for invalid tokens).
//!
//! Secrets live in [`Secret`], whose `Debug` prints `***`. This module talks HTTP only
//! through [`HttpClient`]; it imports no `worker` and no `std::time`.

use std::fmt;
use std::sync::Mutex;

use base64::Engine as _;
use serde::Deserialize;

use crate::model::Source;

use super::error::{UpstreamError, UpstreamErrorKind};
use super::http::{Clock, HttpClient};

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

/// Attaches credentials to requests and keeps tokens fresh.
pub struct Authenticator {
    source: Source,
    base: String,
    creds: Credentials,
    cache: Mutex<Option<CachedToken>>,
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
            cache: Mutex::new(None),
        }
    }

    /// Every secret this authenticator knows, for [`super::error::redact`].
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
        if let Some(t) = self.cached() {
            v.push(t.value.expose().to_owned());
        }
        v
    }

    fn cached(&self) -> Option<CachedToken> {
        self.cache.lock().ok().and_then(|g| g.clone())
    }

    fn store(&self, t: Option<CachedToken>) {
        if let Ok(mut g) = self.cache.lock() {
            *g = t;
        }
    }

    /// Whether a response status means "credentials rejected, refresh and retry once".
    pub fn is_auth_failure(&self, status: u16) -> bool {
        match self.creds {
            Credentials::ClientCredentials { .. } => status == 401,
            Credentials::Login { .. } => status == 401 || status == 403,
            _ => false,
        }
    }

    /// Drops a cached token so the next call fetches a new one.
    pub fn invalidate(&self) {
        self.store(None);
    }

    /// Slides the TelecomX token window after a successful call at `now`.
    pub fn touch(&self, now: i64) {
        if let Ok(mut g) = self.cache.lock() {
            if let Some(t) = g.as_mut() {
                if let Some(w) = t.sliding {
                    t.expires_at = Some(now.saturating_add(w));
                }
            }
        }
    }

    /// The credential header for a request at `now`, fetching a token when needed.
    /// Every HTTP call made here is counted in `calls`.
    pub async fn header<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        calls: &mut u32,
    ) -> Result<Option<(http::HeaderName, String)>, UpstreamError> {
        let auth = http::header::AUTHORIZATION;
        match &self.creds {
            Credentials::None => Ok(None),
            Credentials::Basic { username, password } => {
                Ok(Some((auth, format!("Basic {}", basic(username, password)))))
            }
            Credentials::Bearer { token } => Ok(Some((auth, format!("Bearer {}", token.expose())))),
            Credentials::ClientCredentials { .. } | Credentials::Login { .. } => {
                let now = clock.now_ms();
                let fresh = self
                    .cached()
                    .filter(|t| t.expires_at.is_none_or(|e| now < e.saturating_sub(SKEW_MS)));
                let tok = match fresh {
                    Some(t) => t,
                    None => {
                        let t = self.fetch_token(client, now, calls).await?;
                        self.store(Some(t.clone()));
                        t
                    }
                };
                Ok(Some((auth, format!("Bearer {}", tok.value.expose()))))
            }
        }
    }

    async fn fetch_token<C: HttpClient>(
        &self,
        client: &C,
        now: i64,
        calls: &mut u32,
    ) -> Result<CachedToken, UpstreamError> {
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
                    .uri(format!("{}/auth/login", self.base))
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .header(http::header::ACCEPT, "application/json")
                    .body(body);
                (r, false)
            }
            _ => return Err(err(UpstreamErrorKind::Auth, None, "no token to fetch")),
        };
        let req = req.map_err(|_| err(UpstreamErrorKind::Auth, None, "invalid token URL"))?;
        *calls = calls.saturating_add(1);
        let resp = client
            .send(req)
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
