//! The one error type of the upstream layer, with a stable dotted code per kind.
//!
//! Messages are built from vendor error codes and texts that have passed through
//! [`redact`]; they never contain credentials, tokens or URLs with query strings.
//! This module imports no I/O.

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
    /// A human-readable message (never contains secrets).
    pub message: String,
}

impl UpstreamError {
    /// A new error; the message is truncated to 300 characters.
    pub fn new(
        source: Source,
        kind: UpstreamErrorKind,
        status: Option<u16>,
        message: impl Into<String>,
    ) -> Self {
        let mut message: String = message.into();
        if message.chars().count() > 300 {
            message = message.chars().take(300).collect::<String>() + "…";
        }
        UpstreamError {
            source,
            kind,
            status,
            message,
        }
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

/// Replaces every occurrence of any non-empty secret in `text` by `***`.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        if s.len() >= 4 {
            out = out.replace(s, "***");
        }
    }
    out
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
        assert_eq!(
            redact("bad token abcd1234 here", &["abcd1234", ""]),
            "bad token *** here"
        );
        let e = UpstreamError::new(
            Source::HpeFlex,
            UpstreamErrorKind::Server,
            None,
            "x".repeat(400),
        );
        assert!(e.message.chars().count() <= 301);
    }
}
