//! OData error answers: `{"error": {code, message, target, details, innererror}}` from
//! flexedge's problems and option errors, with the option as target.

use http::{header, HeaderValue, Response, StatusCode};
use serde_json::{json, Map, Value};

use super::json_answer;
use super::options::{Metadata, OptionError};
use crate::filter;
use crate::service::problem::Problem;

/// An OData error answer.
#[derive(Debug)]
pub(super) struct ODataError {
    status: StatusCode,
    code: String,
    message: String,
    target: Option<String>,
    pub(super) inner: Map<String, Value>,
}

/// The OData option a native parameter stands for.
pub(super) fn option_name(param: &str) -> String {
    match param {
        "filter" => "$filter",
        "sort" => "$orderby",
        "select" => "$select",
        "offset" => "$skip",
        "limit" => "$top",
        "next" => "$skiptoken",
        "group_by" | "group-by" => "$apply",
        other => other,
    }
    .to_owned()
}

impl From<Problem> for ODataError {
    fn from(p: Problem) -> Self {
        let mut inner = Map::new();
        let mut target = None;
        // `filter: unknown field …` → the message without the native parameter's name.
        let mut message = p.detail.clone();
        if let Some(x) = &p.extra {
            if let Some(param) = x.parameter {
                let prefix = format!("{param}: ");
                if let Some(rest) = message.strip_prefix(&prefix) {
                    message = rest.to_owned();
                }
                target = Some(option_name(param));
            }
            if let Some(span) = &x.span {
                inner.insert(
                    "span".into(),
                    serde_json::to_value(span).unwrap_or(Value::Null),
                );
            }
            if let Some(s) = &x.suggestion {
                inner.insert("suggestion".into(), s.clone().into());
            }
            if let Some(c) = &x.caret {
                inner.insert("caret".into(), c.clone().into());
            }
            if let Some(s) = x.source {
                inner.insert("source".into(), s.into());
            }
        }
        ODataError {
            status: StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: p.code.to_owned(),
            message,
            target,
            inner,
        }
    }
}

impl From<OptionError> for ODataError {
    fn from(e: OptionError) -> Self {
        ODataError {
            status: StatusCode::BAD_REQUEST,
            code: e.code.to_owned(),
            message: e.message,
            target: Some(e.option),
            inner: Map::new(),
        }
    }
}

impl ODataError {
    pub(super) fn new(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
        target: Option<&str>,
    ) -> Self {
        ODataError {
            status,
            code: code.to_owned(),
            message: message.into(),
            target: target.map(str::to_owned),
            inner: Map::new(),
        }
    }

    /// A positioned error in an option's text (`$search`, `$apply`).
    pub(super) fn at(code: &str, message: String, option: &str, text: &str, at: usize) -> Self {
        let mut e = ODataError::new(StatusCode::BAD_REQUEST, code, message, Some(option));
        let at = at.min(text.len());
        let u16 = filter::utf16_offset(text, at);
        e.inner.insert(
            "span".into(),
            json!({"start": at, "end": at, "startUtf16": u16, "endUtf16": u16}),
        );
        e
    }

    pub(super) fn response(mut self, request_id: &str) -> Response<Vec<u8>> {
        self.inner.insert("requestId".into(), request_id.into());
        let mut detail = Map::new();
        detail.insert("code".into(), self.code.clone().into());
        let at = self
            .inner
            .get("span")
            .and_then(|s| s.get("start"))
            .and_then(Value::as_u64);
        detail.insert(
            "message".into(),
            match at {
                Some(at) => format!(
                    "at byte {at} of {}",
                    self.target.as_deref().unwrap_or("the request")
                ),
                None => self.message.clone(),
            }
            .into(),
        );
        if let Some(t) = &self.target {
            detail.insert("target".into(), t.clone().into());
        }
        let mut error = Map::new();
        error.insert("code".into(), self.code.into());
        error.insert("message".into(), self.message.into());
        if let Some(t) = self.target {
            error.insert("target".into(), t.into());
        }
        error.insert("details".into(), Value::Array(vec![Value::Object(detail)]));
        error.insert("innererror".into(), Value::Object(self.inner));
        let body = serde_json::to_vec(&json!({ "error": error })).unwrap_or_default();
        let mut res = json_answer(self.status, body, Metadata::Minimal);
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"flexedge\""),
            );
        }
        res
    }
}
