//! The one error type of the upstream layer, with a stable dotted code per kind.
//!
//! Messages are built from vendor error codes and texts. Every error that leaves an
//! adapter passes through one [`Redactor`] (`AnyUpstream::fetch`), which removes every
//! configured secret and live token — raw, URL-encoded and JSON-escaped, and any run of 8
//! or more characters of one — *before* the message is cut to [`MESSAGE_CHARS`]
//! characters, so no prefix of a secret survives a cut. The gateway shows only messages
//! that went through it. This module imports no I/O.

use std::collections::HashSet;

use std::fmt;

use crate::model::Source;

use super::http::TransportError;

/// What went wrong with an upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpstreamErrorKind {
    /// The request never got a response (connection, DNS, TLS).
    Transport,
    /// No answer within the deadline.
    Timeout,
    /// The vendor throttled us and the retry deadline ran out.
    RateLimited {
        /// What the vendor asked us to wait, in seconds, when it said.
        retry_after: Option<u64>,
    },
    /// Credentials rejected (after one refresh).
    Auth,
    /// Credentials valid but not allowed to read this resource.
    Forbidden,
    /// The vendor rejected the request we built (400/422): a bug in a dialect.
    BadRequest,
    /// The vendor says the resource does not exist.
    NotFound,
    /// The vendor failed (5xx) and retries ran out.
    Server,
    /// The vendor answered 2xx with a body we cannot read.
    Malformed,
    /// The vendor answered 2xx but reported a failure in the body (FNO `statusInfo`).
    VendorFailure {
        /// The vendor's reason text (redacted).
        reason: String,
    },
    /// The upstream's answer was larger than the edge reads (a body over the byte cap, or
    /// a page with more items than asked).
    TooLarge,
    /// The per-request budget of upstream calls ran out before the answer was complete.
    /// `fetch` itself reports this as `Fetched::exhausted` with a continuation; this kind
    /// is for a caller that must fail instead (e.g. a strict request).
    BudgetExhausted,
}

/// A typed failure of one upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamError {
    /// The upstream that failed.
    pub source: Source,
    /// What went wrong.
    pub kind: UpstreamErrorKind,
    /// The HTTP status the vendor answered, when there was one.
    pub status: Option<u16>,
    /// A human-readable message; shown to clients only once [`Redactor::error`] has
    /// redacted and cut it ([`UpstreamError::is_redacted`]).
    pub message: String,
    /// Whether the message went through a [`Redactor`].
    redacted: bool,
}

/// The longest message shown to a client, in characters (cut after redaction).
pub const MESSAGE_CHARS: usize = 300;

/// The longest message kept before redaction, in characters: far more than
/// [`MESSAGE_CHARS`] plus any secret, so that this first cut never splits a secret that
/// could reach the client.
const RAW_MESSAGE_CHARS: usize = 4096;

fn cut(text: &mut String, chars: usize) {
    if let Some((i, _)) = text.char_indices().nth(chars) {
        text.truncate(i);
        text.push('…');
    }
}

impl UpstreamError {
    /// A new error. The message is kept (up to 4,096 characters) until a [`Redactor`]
    /// redacts and cuts it.
    pub fn new(
        source: Source,
        kind: UpstreamErrorKind,
        status: Option<u16>,
        message: impl Into<String>,
    ) -> Self {
        let mut message: String = message.into();
        cut(&mut message, RAW_MESSAGE_CHARS);
        UpstreamError {
            source,
            kind,
            status,
            message,
            redacted: false,
        }
    }

    /// Whether the message (and a vendor failure's reason) went through a [`Redactor`].
    pub fn is_redacted(&self) -> bool {
        self.redacted
    }

    /// The stable dotted code, e.g. `upstream.rate_limited`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            UpstreamErrorKind::Transport => "upstream.transport",
            UpstreamErrorKind::Timeout => "upstream.timeout",
            UpstreamErrorKind::RateLimited { .. } => "upstream.rate_limited",
            UpstreamErrorKind::Auth => "upstream.auth",
            UpstreamErrorKind::Forbidden => "upstream.forbidden",
            UpstreamErrorKind::BadRequest => "upstream.bad_request",
            UpstreamErrorKind::NotFound => "upstream.not_found",
            UpstreamErrorKind::Server => "upstream.server",
            UpstreamErrorKind::Malformed => "upstream.malformed",
            UpstreamErrorKind::VendorFailure { .. } => "upstream.vendor_failure",
            UpstreamErrorKind::TooLarge => "upstream.too_large",
            UpstreamErrorKind::BudgetExhausted => "upstream.budget_exhausted",
        }
    }

    /// Whether trying again later could succeed (429, 5xx, transport, timeout).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            UpstreamErrorKind::Transport
                | UpstreamErrorKind::Timeout
                | UpstreamErrorKind::RateLimited { .. }
                | UpstreamErrorKind::Server
        )
    }

    /// From a transport failure.
    pub fn transport(source: Source, e: &TransportError) -> Self {
        let kind = match e {
            TransportError::Timeout => UpstreamErrorKind::Timeout,
            TransportError::Connect(_) => UpstreamErrorKind::Transport,
            TransportError::TooLarge { .. } => UpstreamErrorKind::TooLarge,
        };
        UpstreamError::new(source, kind, None, e.to_string())
    }

    /// The generic classification of a non-2xx status; adapters refine it from the body.
    pub fn from_status(
        source: Source,
        status: u16,
        retry_after: Option<u64>,
        message: impl Into<String>,
    ) -> Self {
        let kind = match status {
            // Redirects are not followed (`redirect: manual`): a moved API is a wrong base
            // URL, and following would carry credentials elsewhere.
            300..=399 => UpstreamErrorKind::BadRequest,
            400 | 405 | 409 | 413 | 414 | 415 | 422 => UpstreamErrorKind::BadRequest,
            401 => UpstreamErrorKind::Auth,
            403 => UpstreamErrorKind::Forbidden,
            404 => UpstreamErrorKind::NotFound,
            408 | 504 => UpstreamErrorKind::Timeout,
            429 => UpstreamErrorKind::RateLimited { retry_after },
            _ => UpstreamErrorKind::Server,
        };
        UpstreamError::new(source, kind, Some(status), message)
    }

    /// [`UpstreamError::from_status`] with the message `HTTP {status}: {detail}` (or
    /// `HTTP {status}` without a detail), the form most vendors' error bodies give.
    pub fn from_status_detail(
        source: Source,
        status: u16,
        retry_after: Option<u64>,
        detail: Option<String>,
    ) -> Self {
        let msg = match detail {
            Some(d) => format!("HTTP {status}: {d}"),
            None => format!("HTTP {status}"),
        };
        UpstreamError::from_status(source, status, retry_after, msg)
    }

    /// A 2xx body that does not parse.
    pub fn malformed(source: Source, status: u16, detail: impl fmt::Display) -> Self {
        UpstreamError::new(
            source,
            UpstreamErrorKind::Malformed,
            Some(status),
            format!("unreadable response: {detail}"),
        )
    }
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.source, self.code())?;
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for UpstreamError {}

/// Removes secrets from text: every configured secret and live token, in the forms a
/// vendor or a library may echo them (raw, URL-encoded with `%20` or `+`, JSON-escaped),
/// and any run of [`Redactor::FRAGMENT`] or more characters of one of those forms (a
/// vendor that echoes a cut token). Secrets shorter than 4 characters are not looked
/// for (they would blank ordinary words).
#[derive(Clone, Default)]
pub struct Redactor {
    /// Whole forms of the secrets of 4 to 7 bytes.
    short: Vec<String>,
    /// Every [`Redactor::FRAGMENT`]-byte window of the forms of longer secrets.
    windows: HashSet<[u8; Redactor::FRAGMENT]>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor(***)")
    }
}

impl Redactor {
    /// The shortest run of a secret's characters that is redacted.
    pub const FRAGMENT: usize = 8;

    /// A redactor for these secrets.
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Self {
        let mut r = Redactor::default();
        for s in secrets {
            let s = s.as_ref();
            if s.len() < 4 {
                continue;
            }
            let url: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
            let json = serde_json::to_string(s).unwrap_or_default();
            let json = json
                .strip_prefix('"')
                .and_then(|j| j.strip_suffix('"'))
                .unwrap_or(s);
            for form in [s, url.as_str(), &url.replace('+', "%20"), json] {
                let b = form.as_bytes();
                if b.len() < Self::FRAGMENT {
                    if !r.short.iter().any(|x| x == form) {
                        r.short.push(form.to_owned());
                    }
                    continue;
                }
                for w in b.windows(Self::FRAGMENT) {
                    if let Ok(w) = <[u8; Self::FRAGMENT]>::try_from(w) {
                        r.windows.insert(w);
                    }
                }
            }
        }
        r
    }

    /// `text` with every secret (and every fragment of one) replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let b = text.as_bytes();
        // Mark the bytes covered by a window of a secret, then blank each marked run
        // (widened to whole characters) once.
        let mut marked = vec![false; b.len()];
        if !self.windows.is_empty() {
            for (i, w) in b.windows(Self::FRAGMENT).enumerate() {
                let hit =
                    <[u8; Self::FRAGMENT]>::try_from(w).is_ok_and(|w| self.windows.contains(&w));
                if hit {
                    if let Some(m) = marked.get_mut(i..i + Self::FRAGMENT) {
                        m.fill(true);
                    }
                }
            }
        }
        for s in &self.short {
            for (i, _) in text.match_indices(s.as_str()) {
                if let Some(m) = marked.get_mut(i..i + s.len()) {
                    m.fill(true);
                }
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut in_run = false;
        for (i, c) in text.char_indices() {
            let hit = marked
                .get(i..i + c.len_utf8())
                .is_some_and(|m| m.iter().any(|x| *x));
            if hit {
                if !in_run {
                    out.push_str("***");
                }
                in_run = true;
            } else {
                in_run = false;
                out.push(c);
            }
        }
        out
    }

    /// The error with its message (and a vendor failure's reason) redacted, then cut to
    /// `MESSAGE_CHARS` (300) characters: the one way an upstream error reaches a client.
    pub fn error(&self, mut e: UpstreamError) -> UpstreamError {
        e.message = self.redact(&e.message);
        cut(&mut e.message, MESSAGE_CHARS);
        if let UpstreamErrorKind::VendorFailure { reason } = &mut e.kind {
            *reason = self.redact(reason);
            cut(reason, MESSAGE_CHARS);
        }
        e.redacted = true;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_statuses_classified() {
        let e = UpstreamError::from_status(Source::HpeFlex, 429, Some(3), "slow down");
        assert_eq!(e.code(), "upstream.rate_limited");
        assert_eq!(
            e.kind,
            UpstreamErrorKind::RateLimited {
                retry_after: Some(3)
            }
        );
        assert_eq!(
            UpstreamError::from_status(Source::FnoOrders, 401, None, "").code(),
            "upstream.auth"
        );
        assert_eq!(
            UpstreamError::from_status(Source::FnoOrders, 503, None, "").code(),
            "upstream.server"
        );
        assert!(UpstreamError::from_status(Source::FnoOrders, 503, None, "").is_retryable());
        assert!(!UpstreamError::from_status(Source::FnoOrders, 403, None, "").is_retryable());
    }

    #[test]
    fn redact_hides_secrets_and_truncates() {
        let r = Redactor::new(["abcd1234", "", "ab", "pw!7"]);
        assert_eq!(r.redact("bad token abcd1234 here"), "bad token *** here");
        assert_eq!(r.redact("pw!7 and pw%217 ab"), "*** and *** ab");
        let e = UpstreamError::new(
            Source::HpeFlex,
            UpstreamErrorKind::Server,
            None,
            "x".repeat(5000),
        );
        assert!(!e.is_redacted());
        let e = r.error(e);
        assert!(e.is_redacted());
        assert_eq!(e.message.chars().count(), MESSAGE_CHARS + 1);
    }

    /// A secret at character 280 of a long message: redacted before the cut at 300, so
    /// not even its first characters survive; nor do its URL-encoded, JSON-escaped or
    /// partial forms.
    #[test]
    fn no_fragment_survives_the_cut() {
        let secret = "tok_Zq8\"w/9+Kp x2LmN4vB7cR1sT6yU3";
        let r = Redactor::new([secret]);
        let url: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let json = serde_json::to_string(secret).unwrap();
        for echoed in [
            secret.to_owned(),
            url.clone(),
            url.replace('+', "%20"),
            json.trim_matches('"').to_owned(),
            secret.get(..12).unwrap().to_owned(),
            secret.get(9..20).unwrap().to_owned(),
        ] {
            let text = format!("{}{echoed} tail", "é".repeat(280));
            let e = r.error(UpstreamError::new(
                Source::FnoOrders,
                UpstreamErrorKind::VendorFailure {
                    reason: text.clone(),
                },
                Some(200),
                text,
            ));
            let UpstreamErrorKind::VendorFailure { reason } = &e.kind else {
                unreachable!()
            };
            for shown in [&e.message, reason] {
                for w in secret.as_bytes().windows(Redactor::FRAGMENT) {
                    let w = std::str::from_utf8(w).unwrap();
                    assert!(!shown.contains(w), "{w:?} of the secret in {shown:?}");
                }
                assert!(shown.starts_with(&"é".repeat(280)), "{shown}");
            }
        }
        // Ordinary text is left alone.
        assert_eq!(
            r.redact("HTTP 500: internal error"),
            "HTTP 500: internal error"
        );
    }
}
