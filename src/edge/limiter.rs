//! The service's [`RateLimiter`] seam over the Workers Rate Limiting bindings: one
//! `[[ratelimits]]` binding per tier ([`Tier::binding`]), counted by the key's label.

use futures_util::future::LocalBoxFuture;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::Env;

use crate::service::{RateLimiter, Tier, Verdict};

/// The rate-limit bindings of this request's `Env`.
pub struct EdgeLimiter<'a> {
    env: &'a Env,
}

impl<'a> EdgeLimiter<'a> {
    /// The limiter over `env`'s bindings.
    pub fn new(env: &'a Env) -> Self {
        EdgeLimiter { env }
    }
}

impl RateLimiter for EdgeLimiter<'_> {
    fn check<'b>(&'b self, tier: Tier, key: &'b str) -> LocalBoxFuture<'b, Verdict> {
        Box::pin(async move {
            let Ok(binding) = self.env.rate_limiter(tier.binding()) else {
                return Verdict::Missing;
            };
            limit(binding.as_ref(), key).await
        })
    }
}

/// `binding.limit({key})`, read with `js_sys` (`RateLimiter::limit` goes through
/// serde-wasm-bindgen for two one-member objects).
async fn limit(binding: &JsValue, key: &str) -> Verdict {
    let options = js_sys::Object::new();
    if js_sys::Reflect::set(&options, &JsValue::from_str("key"), &JsValue::from_str(key)).is_err() {
        return Verdict::Failed;
    }
    let call = js_sys::Reflect::get(binding, &JsValue::from_str("limit"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(binding, &options).ok());
    let Some(promise) = call else {
        return Verdict::Failed;
    };
    match JsFuture::from(js_sys::Promise::from(promise)).await {
        Ok(outcome) => match js_sys::Reflect::get(&outcome, &JsValue::from_str("success")) {
            Ok(v) if v.is_truthy() => Verdict::Allowed,
            Ok(_) => Verdict::Limited,
            Err(_) => Verdict::Failed,
        },
        Err(_) => Verdict::Failed,
    }
}
