//! Writes, sent once: no retry on 429, 5xx or a timeout (a write the vendor may have acted
//! on is never repeated blindly), never cached (`cache-control: no-store` tells the
//! platform's client), credentials attached as for reads, vendor errors classified and
//! redacted as for reads. What a failure means for the client (did the vendor act?) is
//! told by [`WriteFailure::sent`].
//!
//! Talks HTTP only through [`HttpClient`]; imports no `worker`, no wasm, no `std::time`.

use super::budget::Ledger;
use super::error::{UpstreamError, UpstreamErrorKind};
use super::fetch::{retry_after, Adapter, Vendor};
use super::http::{Clock, HttpClient, NativeRequest};

/// A write that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteFailure {
    /// What went wrong.
    pub error: UpstreamError,
    /// Whether the request left the edge. `false`: the vendor never saw it (the deadline
    /// had passed, a token could not be had, the request could not be built).
    pub sent: bool,
}

impl<V: Vendor> Adapter<V> {
    /// Sends `req` once with credentials and `cache-control: no-store`; the 2xx status and
    /// body, or the failure.
    pub(crate) async fn send_once<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        req: &NativeRequest,
        deadline_ms: i64,
    ) -> Result<(u16, Vec<u8>), WriteFailure> {
        let source = self.vendor.source();
        let unsent = |error| WriteFailure { error, sent: false };
        if clock.now_ms() >= deadline_ms {
            return Err(unsent(UpstreamError::new(
                source,
                UpstreamErrorKind::Timeout,
                None,
                "the request deadline passed before the write was sent",
            )));
        }
        let auth = self.authenticator();
        let redactor = auth.redactor();
        // A token call, if one is needed, and the write itself: within the deadline.
        let ledger = Ledger::new(4, deadline_ms, false, &[source]);
        let header = auth
            .header(client, clock, ledger.spend(source))
            .await
            .map_err(|e| unsent(redactor.error(e)))?;
        let mut headers: Vec<_> = header.into_iter().collect();
        headers.push((http::header::CACHE_CONTROL, "no-store".to_owned()));
        let http_req = req.to_http(&headers).map_err(|_| {
            unsent(UpstreamError::new(
                source,
                UpstreamErrorKind::BadRequest,
                None,
                "could not build the upstream request",
            ))
        })?;
        let sent = |error| WriteFailure { error, sent: true };
        let left = u64::try_from(deadline_ms.saturating_sub(clock.now_ms())).unwrap_or(0);
        let resp = client
            .send_within(http_req, left.max(1))
            .await
            .map_err(|e| sent(redactor.error(UpstreamError::transport(source, &e))))?;
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            return Ok((status, resp.into_body()));
        }
        let e = self
            .vendor
            .error(status, resp.body(), retry_after(resp.headers()));
        Err(sent(redactor.error(e)))
    }
}
