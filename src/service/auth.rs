//! Client authentication: `Authorization: Bearer <key>` against the keys in the
//! `FLEXEDGE_API_KEYS` secret, each with a scope (which sources, whether `raw` is allowed,
//! whether it may write).
//!
//! Keys are compared in constant time (`subtle`), every configured key is compared on every
//! request (so timing does not reveal which key is closest), and no key ever appears in
//! `Debug` output, logs or errors.

use std::fmt;

use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::model::Source;

/// What a key may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The sources the key may query; `None` means all.
    pub sources: Option<Vec<Source>>,
    /// Whether `include=raw` is allowed.
    pub raw: bool,
    /// Whether the key may write (`"write": true`; the write routes answer 403 otherwise).
    pub write: bool,
    /// A short non-secret label for logs (the key's position in the list).
    pub label: String,
    /// The key's identity for records kept across requests (idempotency): SHA-256 of the
    /// key, hex. Stable when the key list is reordered; never the key.
    pub identity: String,
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

#[derive(Deserialize)]
struct KeyEntry {
    key: String,
    #[serde(default)]
    sources: Option<Vec<String>>,
    #[serde(default)]
    raw: bool,
    #[serde(default)]
    write: bool,
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

/// Why the key list could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysError(pub String);

impl fmt::Display for KeysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FLEXEDGE_API_KEYS: {}", self.0)
    }
}

impl ApiKeys {
    /// Parses the JSON list `[{"key": "...", "sources": ["hpe_flex"] | ["*"], "raw": true,
    /// "write": true}]` (`raw` and `write` default to false).
    /// Errors name the entry, never the key.
    pub fn parse(json: &str) -> Result<ApiKeys, KeysError> {
        let entries: Vec<KeyEntry> = serde_json::from_str(json).map_err(|e| {
            KeysError(format!(
                "not a JSON list of key entries ({})",
                e.classify_name()
            ))
        })?;
        let mut keys = Vec::with_capacity(entries.len());
        for (i, e) in entries.into_iter().enumerate() {
            if e.key.len() < 8 {
                return Err(KeysError(format!(
                    "entry {i}: key shorter than 8 characters"
                )));
            }
            let sources = match e.sources {
                None => None,
                Some(list) if list.iter().any(|s| s == "*") => None,
                Some(list) => Some(
                    list.iter()
                        .map(|s| {
                            Source::from_id(s).ok_or_else(|| {
                                KeysError(format!("entry {i}: unknown source `{s}`"))
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            let scope = Scope {
                sources,
                raw: e.raw,
                write: e.write,
                label: format!("key#{i}"),
                identity: super::http_util::sha256_hex(e.key.as_bytes()),
            };
            keys.push((e.key.into_bytes(), scope));
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
        assert!(err.to_string().contains("unknown source `nope`"));
        let err = ApiKeys::parse(r#"[{"key": "short"}]"#).unwrap_err();
        assert!(!err.to_string().contains("short\""));
        let err = ApiKeys::parse("{not json secret-value").unwrap_err();
        assert!(!err.to_string().contains("secret-value"), "{err}");
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
