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
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// Stable machine code, e.g. `route.not_found`.
    pub code: String,
    /// The request id (also in the `x-request-id` header).
    #[serde(rename = "requestId")]
    pub request_id: String,
}

impl Problem {
    /// A problem with the given status, code, title and detail.
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            type_uri: format!("/problems/{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            request_id: String::new(),
        }
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
