//! The hidden test kit (feature `testkit`; the crate's tests and benchmarks turn it on
//! through a dev-dependency on the crate itself): every fake in one place, none of it in
//! the product layers or their docs.
//!
//! - [`SimClient`] and [`FakeClock`]: an in-process [`HttpClient`](crate::upstream::HttpClient)
//!   over the simulator on fake time;
//! - [`FakeLimiter`]: the rate limiter on the same fake time;
//! - [`block_on`]: a tiny executor for futures that never wait on anything external, and
//!   [`yield_once`] to make in-process requests overlap;
//! - the simulator's credentials as flexedge reads them from its configuration
//!   ([`good_creds`]), wrong ones ([`bad_creds`]) and unprivileged ones;
//! - [`bench`]: the gateway measured in process (`make bench`), and `wasm`, its one
//!   wasm-bindgen export (feature `bench-wasm`).
//!
//! Only `tests/` and `benches/` use this module (the layering test checks that no product
//! module imports it).

pub mod bench;
mod limiter;
mod sim_client;
#[cfg(all(feature = "bench-wasm", target_arch = "wasm32"))]
mod wasm;

use std::future::Future;
use std::task::{Context, Poll, Waker};

use crate::model::Source;
use crate::service;
use crate::sim::creds;
use crate::upstream::{Credentials, Secret};

pub use limiter::FakeLimiter;
pub use sim_client::{FakeClock, SimClient};

/// The `FLEXEDGE_TOKEN_SECRET` of the tests and benchmarks (not a secret of anything).
pub const TOKEN_SECRET: &str = "flexedge-test-token-secret-0001";
/// A future that is `Pending` once (waking itself) and then ready: an in-process client
/// awaits it so that requests sent together are all in flight at once.
pub fn yield_once() -> impl Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}

/// Polls a future to completion. The futures of the tests never wait on anything
/// external (the simulator answers synchronously and the clock is fake), so this is
/// bounded: it panics after 1,000 polls.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future did not complete");
}

/// The simulator's credentials for `source`, pointed at a simulator at `base`: what the
/// configuration reader makes of the simulator's own variables
/// ([`creds::config_var`]), so that the tests use the wiring the Worker uses.
pub fn good_creds(source: Source, base: &str) -> Credentials {
    service::credentials(source, &|n| creds::config_var(base, n))
}

/// Wrong credentials for `source` (right user, wrong secret).
pub fn bad_creds(source: Source, base: &str) -> Credentials {
    match good_creds(source, base) {
        Credentials::ClientCredentials {
            token_url,
            client_id,
            ..
        } => Credentials::ClientCredentials {
            token_url,
            client_id,
            client_secret: Secret::new("wrong-secret"),
        },
        Credentials::Basic { username, .. } => Credentials::Basic {
            username,
            password: Secret::new("wrong-password"),
        },
        Credentials::Bearer { .. } => Credentials::Bearer {
            token: Secret::new("rna_0000wrong0000"),
        },
        Credentials::Login { username, .. } => Credentials::Login {
            username,
            password: Secret::new("wrong-password"),
        },
        Credentials::None => Credentials::None,
    }
}

/// Credentials that authenticate but may not read, where the simulator has such a user
/// (GreenLake and TelecomX).
pub fn unprivileged_creds(source: Source, base: &str) -> Option<Credentials> {
    match source {
        Source::HpeFlex => Some(Credentials::ClientCredentials {
            token_url: format!("{base}/as/token.oauth2"),
            client_id: creds::HPE_FLEX_NOPERM_CLIENT_ID.into(),
            client_secret: Secret::new(creds::HPE_FLEX_NOPERM_CLIENT_SECRET),
        }),
        Source::TelecomxFlexcare => Some(Credentials::Login {
            username: creds::TELECOMX_VIEWER_USER.into(),
            password: Secret::new(creds::TELECOMX_VIEWER_PASSWORD),
        }),
        _ => None,
    }
}

/// Every secret of the simulator, to check that none leaks.
pub fn all_secrets() -> Vec<&'static str> {
    vec![
        creds::HPE_FLEX_CLIENT_SECRET,
        creds::HPE_FLEX_NOPERM_CLIENT_SECRET,
        creds::FNO_PASSWORD,
        creds::FNO_TOKEN,
        creds::TELECOMX_ADMIN_PASSWORD,
        creds::TELECOMX_VIEWER_PASSWORD,
    ]
}
