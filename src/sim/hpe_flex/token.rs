//! The client-credentials token endpoint, issued tokens and the per-client rate-limit
//! windows (100 requests per minute per endpoint per API client).

use std::collections::HashMap;

use base64::Engine as _;
use http::{Method, Request, Response};
use serde_json::json;

use crate::sim::respond::{self, query_get};
use crate::sim::rng::Rng;
use crate::sim::{creds, Simulator};

/// GreenLake tokens live 15 minutes (GL-AUTH).
pub(crate) const TOKEN_TTL_MS: i64 = 15 * 60 * 1000;
pub(super) const WINDOW_MS: i64 = 60_000;
/// Most tokens kept at once; expired ones are dropped first when this is reached.
pub(super) const MAX_TOKENS: usize = 10_000;

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) client: String,
    pub(super) permitted: bool,
    pub(super) expires_ms: i64,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub(super) start_ms: i64,
    pub(super) count: u32,
}

/// GreenLake's mutable state: issued tokens and rate-limit windows.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(super) tokens: HashMap<String, Token>,
    pub(super) windows: HashMap<(String, u8), Window>,
    pub(super) issued: u64,
}

pub(super) fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) fn token_endpoint(
    sim: &Simulator,
    req: &Request<Vec<u8>>,
    now_ms: i64,
) -> Response<Vec<u8>> {
    if req.method() != Method::POST {
        return respond::json(
            405,
            &json!({"error": "invalid_request", "error_description": "POST required"}),
        );
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(req.body()).into_owned().collect();
    let grant = query_get(&form, "grant_type");
    if grant != Some("client_credentials") {
        return respond::json(
            400,
            &json!({"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}),
        );
    }
    let (id, secret) = match respond::basic(req) {
        Some(pair) => pair,
        None => (
            query_get(&form, "client_id").unwrap_or("").to_string(),
            query_get(&form, "client_secret").unwrap_or("").to_string(),
        ),
    };
    let permitted = if id == creds::HPE_FLEX_CLIENT_ID && secret == creds::HPE_FLEX_CLIENT_SECRET {
        true
    } else if id == creds::HPE_FLEX_NOPERM_CLIENT_ID
        && secret == creds::HPE_FLEX_NOPERM_CLIENT_SECRET
    {
        false
    } else {
        return respond::json(
            401,
            &json!({"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"}),
        );
    };
    let mut st = sim.lock();
    let gl = &mut st.hpe_flex;
    gl.issued += 1;
    let n = gl.issued;
    if gl.tokens.len() >= MAX_TOKENS {
        gl.tokens.retain(|_, t| t.expires_ms > now_ms);
        if gl.tokens.len() >= MAX_TOKENS {
            gl.tokens.clear();
        }
    }
    let header = b64url(br#"{"alg":"RS256","typ":"JWT","kid":"sim"}"#);
    let claims = json!({
        "sub": id,
        "iss": "https://sso.common.cloud.hpe.com/sim",
        "iat": now_ms / 1000,
        "exp": (now_ms + TOKEN_TTL_MS) / 1000,
        "jti": n,
    });
    let mut r = Rng::for_record(sim.config().seed, 0x7011, n);
    let token = format!(
        "{header}.{}.{}",
        b64url(claims.to_string().as_bytes()),
        r.hex(43)
    );
    gl.tokens.insert(
        token.clone(),
        Token {
            client: id,
            permitted,
            expires_ms: now_ms + TOKEN_TTL_MS,
        },
    );
    drop(st);
    respond::json(
        200,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL_MS / 1000}),
    )
}
