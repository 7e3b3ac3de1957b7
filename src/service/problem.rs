//! RFC 9457 problem details: the one error format of every flexedge response.

use http::{header, HeaderValue, Response, StatusCode};
use serde::Serialize;

use super::gateway::ScanNeed;

/// The methods every route answers (`Allow` of a 405).
pub const ALLOW: &str = "GET, HEAD, OPTIONS";

/// A client-facing error. `code` is stable and dotted; the HTTP status is decided here.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A URI naming the problem type (relative to the service).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short human summary of the type.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// Stable machine code, e.g. `route.not_found`.
    pub code: &'static str,
    /// The request id (also in the `x-request-id` header).
    #[serde(rename = "requestId")]
    pub request_id: String,
    /// Details of query and source errors, and the headers a problem requires.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Box<Extra>>,
}

/// The optional members of a problem (boxed: most problems have none).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Extra {
    /// For query errors: the parameter the error is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<&'static str>,
    /// For query errors: byte offsets into that parameter's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<SpanOut>,
    /// A near-miss suggestion ("did you mean …").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The parameter's text with a caret line under the span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caret: Option<String>,
    /// For a failed source in strict mode: which one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    /// For `query.sort.needs_scan`: the sources a full read of which does not fit.
    #[serde(rename = "needsScan", skip_serializing_if = "Option::is_none")]
    pub needs_scan: Option<Vec<ScanNeed>>,
    /// For `query.sort.needs_scan`: the request's budget of upstream subrequests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<u32>,
    /// For a configuration problem: the setting that is wrong (never its value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<&'static str>,
    /// Response headers the problem requires (`Allow` on a 405, `WWW-Authenticate` on a
    /// 401, `Retry-After` and the `RateLimit` fields on a 429); not in the body.
    #[serde(skip)]
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
    /// For a write body that breaks rules: every violation found (`write.invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<crate::rules::Violation>>,
    /// `true` when there were more violations than listed.
    #[serde(
        rename = "violationsTruncated",
        skip_serializing_if = "Option::is_none"
    )]
    pub violations_truncated: Option<bool>,
    /// For a body that is not JSON: the byte offset where reading stopped
    /// (`write.malformed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
}

/// A span in a problem: byte offsets (UTF-8) and UTF-16 offsets for JavaScript.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SpanOut {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// First UTF-16 code unit.
    #[serde(rename = "startUtf16")]
    pub start_utf16: usize,
    /// One past the last UTF-16 code unit.
    #[serde(rename = "endUtf16")]
    pub end_utf16: usize,
}

impl Problem {
    /// A problem with the given status, code, title and detail.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            type_uri: format!("/problems/{code}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            code,
            request_id: String::new(),
            extra: None,
        }
    }

    /// Adds a response header (a value that is not a valid header value is dropped).
    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.extra
                .get_or_insert_with(Box::default)
                .headers
                .push((name, v));
        }
        self
    }

    /// Whether the problem already carries header `name`.
    pub fn has_header(&self, name: &header::HeaderName) -> bool {
        self.extra
            .as_ref()
            .is_some_and(|e| e.headers.iter().any(|(n, _)| n == name))
    }

    /// 400 for an error in a query parameter, with its span and caret rendering.
    pub fn query(err: &crate::query::QueryError, text: &str) -> Self {
        let (start_utf16, end_utf16) = err.error.utf16_span(text);
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            err.error.code(),
            "Invalid query",
            format!("{}: {}", err.param.as_str(), err.error.message),
        );
        p.extra = Some(Box::new(Extra {
            parameter: Some(err.param.as_str()),
            span: Some(SpanOut {
                start: err.error.span.start,
                end: err.error.span.end,
                start_utf16,
                end_utf16,
            }),
            suggestion: err.error.suggestion.clone(),
            caret: Some(err.error.render(text)),
            ..Extra::default()
        }));
        p
    }

    /// 400 for a parameter that is not valid outside the filter language.
    pub fn bad_parameter(name: &'static str, detail: impl Into<String>) -> Self {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "query.invalid_parameter",
            "Invalid query",
            detail,
        );
        p.extra = Some(Box::new(Extra {
            parameter: Some(name),
            ..Extra::default()
        }));
        p
    }

    /// 401 without a valid client key, with the `WWW-Authenticate` challenge of RFC 6750
    /// (`error="invalid_token"` when a key was sent but is not valid).
    pub fn unauthorized(detail: &str, key_sent: bool) -> Self {
        let challenge = if key_sent {
            r#"Bearer realm="flexedge", error="invalid_token""#
        } else {
            r#"Bearer realm="flexedge""#
        };
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "auth.unauthorized",
            "Unauthorized",
            detail,
        )
        .with_header(header::WWW_AUTHENTICATE, challenge)
    }

    /// 403 for a request outside the key's scope.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::FORBIDDEN, "auth.forbidden", "Forbidden", detail)
    }

    /// 404 for an unknown route.
    pub fn not_found(path: &str) -> Self {
        let shown: String = path.chars().take(200).collect();
        Problem::new(
            StatusCode::NOT_FOUND,
            "route.not_found",
            "Not Found",
            format!("no route for `{shown}`"),
        )
    }

    /// 405 for a known route with the wrong method, with the `Allow` header (RFC 9110
    /// §15.5.6).
    pub fn method_not_allowed() -> Self {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "route.method_not_allowed",
            "Method Not Allowed",
            "this route answers GET, HEAD and OPTIONS only",
        )
        .with_header(header::ALLOW, ALLOW)
    }

    /// 500 for a setting that is not valid: names the setting, never its value.
    pub fn config_invalid(setting: &'static str, detail: impl Into<String>) -> Self {
        let mut p = Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "config.invalid",
            "Server misconfigured",
            detail,
        );
        p.extra = Some(Box::new(Extra {
            setting: Some(setting),
            ..Extra::default()
        }));
        p
    }

    /// Names the source a problem is about.
    pub fn with_source(mut self, source: &'static str) -> Self {
        self.extra.get_or_insert_with(Box::default).source = Some(source);
        self
    }

    /// The problem as an `application/problem+json` response: never stored by a cache
    /// (`Cache-Control: no-store`), never content-sniffed, with the headers it requires.
    pub fn into_response(mut self, request_id: &str) -> Response<Vec<u8>> {
        request_id.clone_into(&mut self.request_id);
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = super::json_response(status, &self);
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if let Some(extra) = self.extra.take() {
            for (name, value) in extra.headers {
                h.append(name, value);
            }
        }
        res
    }
}
