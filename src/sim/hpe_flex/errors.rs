//! GreenLake's error bodies (upstreams.md §1.5).

use http::Response;
use serde_json::json;

use crate::sim::respond;
use crate::sim::Simulator;

pub(super) fn bad_request(
    sim: &Simulator,
    source: &str,
    subject: &str,
    description: &str,
) -> Response<Vec<u8>> {
    respond::json(
        400,
        &json!({
            "httpStatusCode": 400,
            "errorCode": "HPE_GL_ERROR_BAD_REQUEST",
            "message": "Bad Request.",
            "debugId": sim.next_debug_id(),
            "errorDetails": [{
                "type": "hpe.greenlake.bad_request",
                "issues": [{"source": source, "subject": subject, "description": description}]
            }]
        }),
    )
}

pub(super) fn invalid_filter(sim: &Simulator) -> Response<Vec<u8>> {
    bad_request(
        sim,
        "query.parameter",
        "filter",
        "Invalid filter expression.",
    )
}

pub(super) fn general(
    sim: &Simulator,
    status: u16,
    code: &str,
    message: &str,
    meta_key: &str,
    meta: &str,
) -> Response<Vec<u8>> {
    respond::json(
        status,
        &json!({
            "httpStatusCode": status,
            "errorCode": code,
            "message": message,
            "debugId": sim.next_debug_id(),
            "errorDetails": [{
                "type": "hpe.greenlake.metadata",
                "source": "hpe.greenlake.subscriptionmanagement",
                "metadata": { meta_key: meta }
            }]
        }),
    )
}

/// The documented 401.
pub(crate) fn unauthorized(sim: &Simulator) -> Response<Vec<u8>> {
    general(
        sim,
        401,
        "HPE_GL_ERROR_UNAUTHORIZED",
        "Unauthorized Request",
        "access_token",
        "Token provided is invalid",
    )
}

pub(super) fn forbidden(sim: &Simulator) -> Response<Vec<u8>> {
    general(
        sim,
        403,
        "HPE_GL_ERROR_FORBIDDEN",
        "Forbidden Request",
        "access_token",
        "Permission is denied to perform requested operation.",
    )
}

/// The documented 422 (the simulator never needs it on its own; kept for completeness and
/// reachable through the unknown `Accept` check).
pub(super) fn unprocessable(sim: &Simulator) -> Response<Vec<u8>> {
    general(
        sim,
        422,
        "HPE_GL_UNPROCESSABLE_CONTENT",
        "Unprocessable Content",
        "content",
        "Could not process the content.",
    )
}

/// The documented 429 body (headers are added by the caller).
pub(crate) fn too_many(sim: &Simulator, retry_after_s: u64) -> Response<Vec<u8>> {
    let mut r = general(
        sim,
        429,
        "HPE_GL_ERROR_TOO_MANY_REQUESTS",
        "Too Many Requests",
        "apiRateLimit",
        "Too Many Requests. Rate limit has exceeded a predefined value.",
    );
    respond::set_header(&mut r, "retry-after", &retry_after_s.to_string());
    r
}

/// The documented 500.
pub(crate) fn internal(sim: &Simulator) -> Response<Vec<u8>> {
    respond::json(
        500,
        &json!({
            "httpStatusCode": 500,
            "errorCode": "HPE_GL_ERROR_INTERNAL_SERVER_ERROR",
            "message": "Internal Server Error",
            "debugId": sim.next_debug_id(),
            "errorDetails": [{"type": "hpe.greenlake.retry_info", "retryAfterSeconds": 30}]
        }),
    )
}

pub(super) fn not_found(sim: &Simulator, subject: &str, description: &str) -> Response<Vec<u8>> {
    respond::json(
        404,
        &json!({
            "httpStatusCode": 404,
            "errorCode": "HPE_GL_ERROR_NOT_FOUND",
            "message": "Not Found",
            "debugId": sim.next_debug_id(),
            "errorDetails": [{
                "type": "hpe.greenlake.bad_request",
                "issues": [{"source": "path.parameter", "subject": subject, "description": description}]
            }]
        }),
    )
}

pub(super) fn method_not_allowed(sim: &Simulator) -> Response<Vec<u8>> {
    general(
        sim,
        405,
        "HPE_GL_ERROR_METHOD_NOT_ALLOWED",
        "Method Not Allowed",
        "method",
        "Only GET is supported.",
    )
}
