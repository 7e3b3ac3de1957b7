//! Client authentication: `Authorization: Bearer <key>` against the keys in the
//! `FLEXEDGE_API_KEYS` secret, each with a scope (which sources, whether `raw` and the
//! debug switches are allowed, whether it may write, its rate-limit tier).
//!
//! The key list is read strictly (fail closed): a typo such as `"source"` for `"sources"`,
//! a missing `sources`, a duplicate key or a short key makes the whole list invalid, and
//! the service then answers `config.invalid` on `/v1/*` instead of guessing a scope.
//!
//! Keys are compared in constant time (`subtle`), every configured key is compared on every
//! request (so timing does not reveal which key is closest), and no key ever appears in
//! `Debug` output, logs or errors.

use std::fmt;

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::model::Source;

use super::ratelimit::Tier;

/// What a key may see and do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The sources the key may query; `None` means all.
    pub sources: Option<Vec<Source>>,
    /// Whether `include=raw` is allowed.
    pub raw: bool,
    /// Whether the debug switches (`explain`, `pushdown=false`, `Cache-Control:
    /// no-cache`) are honoured.
    pub debug: bool,
    /// Whether the key may write (`"write": true`; the write routes answer 403 otherwise).
    pub write: bool,
    /// The rate-limit tier.
    pub tier: Tier,
    /// A short non-secret name for logs and the rate limiter: the entry's `label`, else
    /// its position in the list (`key#0`).
    pub label: String,
    /// The key's identity, which continuation tokens are bound to.
    pub key_id: KeyId,
    /// The key's identity for records kept across requests (idempotency): SHA-256 of the
    /// key, hex. Stable when the key list is reordered; never the key.
    pub identity: String,
}

/// A client key's identity: the SHA-256 of the key (the key itself is never kept beside
/// its scope, nor put in a token). `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct KeyId(pub [u8; 32]);

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyId(…)")
    }
}

impl Scope {
    /// Whether this scope covers `source`.
    pub fn allows(&self, source: Source) -> bool {
        self.sources.as_ref().is_none_or(|s| s.contains(&source))
    }

    /// A stable string naming the scope, used in cache keys so that answers are never
    /// shared across credential scopes.
    pub fn cache_tag(&self) -> String {
        let sources = match &self.sources {
            None => "*".to_owned(),
            Some(s) => s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+"),
        };
        format!("{sources}|raw={}", self.raw)
    }
}

/// The configured client keys.
#[derive(Clone, Default)]
pub struct ApiKeys {
    keys: Vec<(Vec<u8>, Scope)>,
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeys")
            .field("count", &self.keys.len())
            .finish_non_exhaustive()
    }
}

/// Why authentication failed (the problem detail never names the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    Missing,
    /// A key that is not configured.
    Invalid,
}

/// Why the key list could not be read: names the entry and the member, never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysError(pub String);

impl fmt::Display for KeysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FLEXEDGE_API_KEYS: {}", self.0)
    }
}

/// The shortest client key accepted.
pub const MIN_KEY_LEN: usize = 12;

/// The members a key entry may have.
const ENTRY_MEMBERS: [&str; 7] = [
    "key",
    "sources",
    "raw",
    "debug",
    "write",
    "rateLimit",
    "label",
];

fn bad(msg: impl Into<String>) -> KeysError {
    KeysError(msg.into())
}

/// A member name as it may be shown: short, and only when it looks like a name (a key
/// pasted as a member name is never echoed).
fn shown_member(name: &str) -> String {
    if name.len() <= 24 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("`{name}`")
    } else {
        "a member".to_owned()
    }
}

fn tier_of(v: &Value, at: &str) -> Result<Tier, KeysError> {
    v.as_str().and_then(Tier::from_name).ok_or_else(|| {
        bad(format!(
            "{at}: `rateLimit` must be one of {}",
            Tier::ALL.map(Tier::name).join(", ")
        ))
    })
}

fn boolean(entry: &Map<String, Value>, name: &str, at: &str) -> Result<bool, KeysError> {
    match entry.get(name) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(bad(format!("{at}: `{name}` must be true or false"))),
    }
}

impl ApiKeys {
    /// Parses `FLEXEDGE_API_KEYS`, strictly: a JSON list of entries
    /// `{"key": "…", "sources": ["hpe_flex", …] | ["*"], "raw": false, "debug": false,
    /// "write": false, "rateLimit": "standard", "label": "partner-a"}`, or an object
    /// `{"rateLimit": "<default tier>", "keys": [entries]}`. `key` (at least
    /// [`MIN_KEY_LEN`] characters) and a non-empty `sources` are required; an unknown
    /// member, a duplicate key or label, an unknown source or tier is an error. Errors
    /// name the entry and the member, never a value.
    pub fn parse(json: &str) -> Result<ApiKeys, KeysError> {
        let doc: Value = serde_json::from_str(json)
            .map_err(|e| bad(format!("not JSON ({})", e.classify_name())))?;
        let (default_tier, entries) = match doc {
            Value::Array(entries) => (Tier::Standard, entries),
            Value::Object(mut m) => {
                if let Some(k) = m
                    .keys()
                    .find(|k| !matches!(k.as_str(), "keys" | "rateLimit"))
                {
                    return Err(bad(format!(
                        "unknown member {} (the object form has `keys` and `rateLimit`)",
                        shown_member(k)
                    )));
                }
                let tier = match m.get("rateLimit") {
                    Some(t) => tier_of(t, "the default")?,
                    None => Tier::Standard,
                };
                match m.remove("keys") {
                    Some(Value::Array(entries)) => (tier, entries),
                    _ => return Err(bad("`keys` must be a list of key entries")),
                }
            }
            _ => return Err(bad("not a list of key entries")),
        };
        if entries.is_empty() {
            return Err(bad("no key entries"));
        }
        let mut keys: Vec<(Vec<u8>, Scope)> = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let at = format!("entry {i}");
            let Value::Object(entry) = e else {
                return Err(bad(format!("{at}: not an object")));
            };
            if let Some(k) = entry.keys().find(|k| !ENTRY_MEMBERS.contains(&k.as_str())) {
                return Err(bad(format!(
                    "{at}: unknown member {} (known: {})",
                    shown_member(k),
                    ENTRY_MEMBERS.join(", ")
                )));
            }
            let key = match entry.get("key") {
                Some(Value::String(k)) => k,
                Some(_) => return Err(bad(format!("{at}: `key` must be a string"))),
                None => return Err(bad(format!("{at}: `key` is missing"))),
            };
            if key.chars().count() < MIN_KEY_LEN || key.trim() != key {
                return Err(bad(format!(
                    "{at}: `key` is shorter than {MIN_KEY_LEN} characters or has surrounding spaces"
                )));
            }
            let sources = match entry.get("sources") {
                None => {
                    return Err(bad(format!(
                        "{at}: `sources` is missing (name the sources, or [\"*\"] for all)"
                    )))
                }
                Some(Value::Array(list)) if !list.is_empty() => list,
                Some(_) => {
                    return Err(bad(format!(
                        "{at}: `sources` must be a non-empty list of source ids or [\"*\"]"
                    )))
                }
            };
            let mut ids = Vec::with_capacity(sources.len());
            let mut all = false;
            for s in sources {
                match s.as_str() {
                    Some("*") => all = true,
                    Some(id) => match Source::from_id(id) {
                        Some(src) if !ids.contains(&src) => ids.push(src),
                        Some(_) => return Err(bad(format!("{at}: `sources` names `{id}` twice"))),
                        None => {
                            return Err(bad(format!(
                                "{at}: unknown source {} in `sources` (known: {})",
                                shown_member(id),
                                Source::ALL.map(|s| s.as_str()).join(", ")
                            )))
                        }
                    },
                    None => return Err(bad(format!("{at}: `sources` must hold strings"))),
                }
            }
            if all && !ids.is_empty() {
                return Err(bad(format!(
                    "{at}: `sources` has \"*\" and source ids; give one or the other"
                )));
            }
            let tier = match entry.get("rateLimit") {
                Some(t) => tier_of(t, &at)?,
                None => default_tier,
            };
            let label = match entry.get("label") {
                None => format!("key#{i}"),
                Some(Value::String(l))
                    if (1..=40).contains(&l.len())
                        && l.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.#".contains(c)) =>
                {
                    l.clone()
                }
                Some(_) => {
                    return Err(bad(format!(
                        "{at}: `label` must be 1 to 40 letters, digits, `-`, `_`, `.` or `#`"
                    )))
                }
            };
            for (j, (other, scope)) in keys.iter().enumerate() {
                if bool::from(other.as_slice().ct_eq(key.as_bytes())) {
                    return Err(bad(format!("{at}: the same key as entry {j}")));
                }
                if scope.label == label {
                    return Err(bad(format!("{at}: the same label as entry {j}")));
                }
            }
            let scope = Scope {
                sources: (!all).then_some(ids),
                raw: boolean(entry, "raw", &at)?,
                debug: boolean(entry, "debug", &at)?,
                write: boolean(entry, "write", &at)?,
                tier,
                label,
                key_id: KeyId(super::token::key_id(key.as_bytes())),
                identity: super::http_util::sha256_hex(key.as_bytes()),
            };
            keys.push((key.as_bytes().to_vec(), scope));
        }
        Ok(ApiKeys { keys })
    }

    /// The number of configured keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is configured (then every request is refused).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Authenticates an `Authorization` header value.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<&Scope, AuthError> {
        let presented = authorization
            .and_then(|h| {
                let (scheme, rest) = h.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|k| !k.is_empty())
            .ok_or(AuthError::Missing)?;
        let mut found: Option<&Scope> = None;
        for (key, scope) in &self.keys {
            // Compare against every key: no early exit that timing could reveal.
            if bool::from(key.as_slice().ct_eq(presented.as_bytes())) {
                found = Some(scope);
            }
        }
        found.ok_or(AuthError::Invalid)
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "syntax error"
            }
            serde_json::error::Category::Data => "wrong shape",
            serde_json::error::Category::Io => "read error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &str = r#"[
        {"key": "flexedge-dev", "sources": ["*"], "raw": true, "write": true},
        {"key": "partner-key-1", "sources": ["hpe_flex", "fno_orders"]}
    ]"#;

    #[test]
    fn bearer_key_maps_to_its_scope() {
        let keys = ApiKeys::parse(KEYS).unwrap();
        let s = keys.authenticate(Some("Bearer flexedge-dev")).unwrap();
        assert!(s.raw && s.write && s.allows(Source::TelecomxFlexcare));
        assert_eq!(s.identity.len(), 64);
        assert!(!format!("{s:?}").contains("flexedge-dev"));
        let s = keys.authenticate(Some("bearer partner-key-1")).unwrap();
        assert!(!s.raw && !s.write, "write defaults to false");
        assert!(s.allows(Source::HpeFlex) && !s.allows(Source::FnoEntitlements));
    }

    #[test]
    fn missing_and_wrong_keys_are_refused() {
        let keys = ApiKeys::parse(KEYS).unwrap();
        assert_eq!(keys.authenticate(None), Err(AuthError::Missing));
        assert_eq!(
            keys.authenticate(Some("Basic Zm9vOmJhcg==")),
            Err(AuthError::Missing)
        );
        assert_eq!(keys.authenticate(Some("Bearer ")), Err(AuthError::Missing));
        assert_eq!(
            keys.authenticate(Some("Bearer flexedge-de")),
            Err(AuthError::Invalid)
        );
        assert_eq!(
            keys.authenticate(Some("Bearer flexedge-dev2")),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn errors_and_debug_never_show_keys() {
        let keys = ApiKeys::parse(KEYS).unwrap();
        assert!(!format!("{keys:?}").contains("flexedge-dev"));
        let err =
            ApiKeys::parse(r#"[{"key": "secret-value-xyz", "sources": ["nope"]}]"#).unwrap_err();
        assert!(!err.to_string().contains("secret-value-xyz"), "{err}");
        assert!(err.to_string().contains("unknown source `nope`"), "{err}");
        let err = ApiKeys::parse(r#"[{"key": "short", "sources": ["*"]}]"#).unwrap_err();
        assert!(!err.to_string().contains("short\""));
        let err = ApiKeys::parse("{not json secret-value").unwrap_err();
        assert!(!err.to_string().contains("secret-value"), "{err}");
        // A key pasted where a member name goes is not echoed either.
        let err = ApiKeys::parse(
            r#"[{"key": "k-123456789012", "sources": ["*"], "s3cr3t-k3y-value-pasted": 1}]"#,
        )
        .unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    /// The typos of the issue, each fails closed with a message that names what is wrong.
    #[test]
    fn typos_fail_closed_and_name_the_member() {
        let cases = [
            (
                r#"[{"key": "k-123456789012", "source": ["hpe_flex"]}]"#,
                "unknown member `source`",
            ),
            (r#"[{"key": "k-123456789012"}]"#, "`sources` is missing"),
            (
                r#"[{"key": "k-123456789012", "sources": []}]"#,
                "non-empty list",
            ),
            (
                r#"[{"key": "k-123456789012", "sources": "hpe_flex"}]"#,
                "non-empty list",
            ),
            (
                r#"[{"key": "k-123456789012", "sources": ["*"]}, {"key": "k-123456789012", "sources": ["hpe_flex"]}]"#,
                "entry 1: the same key as entry 0",
            ),
            (
                r#"[{"key": "k-1234", "sources": ["*"]}]"#,
                "shorter than 12",
            ),
            (
                r#"[{"key": " k-123456789012", "sources": ["*"]}]"#,
                "surrounding spaces",
            ),
            (
                r#"[{"key": "k-123456789012", "sources": ["*"], "raw": "yes"}]"#,
                "`raw` must be",
            ),
            (
                r#"[{"key": "k-123456789012", "sources": ["*"], "rateLimit": "gold"}]"#,
                "`rateLimit` must be",
            ),
            (
                r#"[{"key": "k-123456789012", "sources": ["*", "hpe_flex"]}]"#,
                "one or the other",
            ),
            (
                r#"[{"key": "k-123456789012", "sources": ["*"], "label": "a"}, {"key": "k-999999999999", "sources": ["*"], "label": "a"}]"#,
                "the same label as entry 0",
            ),
            ("[]", "no key entries"),
            (
                r#"{"keys": [], "rateLimt": "low"}"#,
                "unknown member `rateLimt`",
            ),
            (r#""just a string""#, "not a list"),
        ];
        for (json, want) in cases {
            let err = ApiKeys::parse(json).unwrap_err().to_string();
            assert!(err.contains(want), "{json}: {err}");
            assert!(!err.contains("k-123456789012"), "{json}: {err}");
        }
    }

    #[test]
    fn tiers_debug_and_labels() {
        let keys = ApiKeys::parse(
            r#"{"rateLimit": "low", "keys": [
                {"key": "k-123456789012", "sources": ["*"], "debug": true, "label": "ops"},
                {"key": "k-999999999999", "sources": ["fno_orders"], "rateLimit": "high"}
            ]}"#,
        )
        .unwrap();
        let a = keys.authenticate(Some("Bearer k-123456789012")).unwrap();
        assert_eq!(
            (a.tier, a.debug, a.label.as_str()),
            (Tier::Low, true, "ops")
        );
        let b = keys.authenticate(Some("Bearer k-999999999999")).unwrap();
        assert_eq!(
            (b.tier, b.debug, b.label.as_str()),
            (Tier::High, false, "key#1")
        );
        let c = ApiKeys::parse(KEYS).unwrap();
        assert_eq!(
            c.authenticate(Some("Bearer flexedge-dev")).unwrap().tier,
            Tier::Standard
        );
    }

    #[test]
    fn scope_cache_tags_differ_between_scopes() {
        let keys = ApiKeys::parse(KEYS).unwrap();
        let a = keys
            .authenticate(Some("Bearer flexedge-dev"))
            .unwrap()
            .cache_tag();
        let b = keys
            .authenticate(Some("Bearer partner-key-1"))
            .unwrap()
            .cache_tag();
        assert_ne!(a, b);
    }
}
