//! RFC 9457 problem details: the one error format of every flexedge response.

use http::{header, HeaderValue, Response, StatusCode};
use serde::Serialize;

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
    /// Details of query and source errors.
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

    /// 401 without a valid client key.
    pub fn unauthorized(detail: &str) -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "auth.unauthorized",
            "Unauthorized",
            detail,
        )
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

    /// 405 for a known route with the wrong method.
    pub fn method_not_allowed() -> Self {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "route.method_not_allowed",
            "Method Not Allowed",
            "this route answers GET only",
        )
    }

    /// Names the source a problem is about.
    pub fn with_source(mut self, source: &'static str) -> Self {
        self.extra.get_or_insert_with(Box::default).source = Some(source);
        self
    }

    /// The problem as an `application/problem+json` response.
    pub fn into_response(mut self, request_id: &str) -> Response<Vec<u8>> {
        request_id.clone_into(&mut self.request_id);
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = super::json_response(status, &self);
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}
