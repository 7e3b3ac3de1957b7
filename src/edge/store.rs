//! The idempotency records of writes in a Durable Object: one object per record (its name
//! is the hash of the client key's identity and the `Idempotency-Key`), so each record has
//! one strongly consistent home wherever the request lands, and concurrent duplicates are
//! serialized by the object's input gate. The object runs the service's pure contract
//! ([`idempotency::begin`] / [`idempotency::finish`]) over its storage and deletes itself
//! with an alarm 24 hours after the first request.
//!
//! Binding `IDEMPOTENCY` (class `IdempotencyRecord`, `wrangler.toml`); without it every
//! write is refused (503) before it is sent. No decision is made here.

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use worker::{
    durable_object, web_sys, DurableObject, Env, ObjectNamespace, Request, Response, Result, State,
};

use crate::service::writes::idempotency::{
    self, Begin, Entry, IdempotencyStore, StoreError, Stored,
};

/// The binding name.
pub const BINDING: &str = "IDEMPOTENCY";

/// The storage key of the one record an object holds.
const ENTRY: &str = "entry";

/// What the Worker asks of an object.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ask {
    request_hash: String,
    #[serde(default)]
    now_ms: i64,
    #[serde(default)]
    answer: Option<Stored>,
}

/// One idempotency record.
#[durable_object]
pub struct IdempotencyRecord {
    state: State,
}

impl IdempotencyRecord {
    async fn load(&self) -> Option<Entry> {
        let text: Option<String> = self.state.storage().get(ENTRY).await.ok().flatten();
        text.and_then(|t| serde_json::from_str(&t).ok())
    }

    async fn save(&self, e: &Entry) -> Result<()> {
        let text = serde_json::to_string(e).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.state.storage().put(ENTRY, text).await
    }
}

impl DurableObject for IdempotencyRecord {
    fn new(state: State, _env: Env) -> Self {
        IdempotencyRecord { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let ask: Ask = req.json().await?;
        let existing = self.load().await;
        match req.path().as_str() {
            "/begin" => {
                let (outcome, store) = idempotency::begin(existing, &ask.request_hash, ask.now_ms);
                if let Some(e) = store {
                    self.save(&e).await?;
                    self.state.storage().set_alarm(idempotency::TTL_MS).await?;
                }
                Response::from_json(&outcome)
            }
            "/finish" => {
                let answer = ask
                    .answer
                    .ok_or_else(|| worker::Error::RustError("no answer".into()))?;
                if let Some(e) = idempotency::finish(existing, &ask.request_hash, answer) {
                    self.save(&e).await?;
                }
                Response::ok("")
            }
            "/release" => {
                if existing
                    .is_some_and(|e| e.request_hash == ask.request_hash && e.answer.is_none())
                {
                    self.state.storage().delete_all().await?;
                }
                Response::ok("")
            }
            _ => Response::error("unknown operation", 404),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.state.storage().delete_all().await?;
        Response::ok("")
    }
}

/// The Worker's side: the [`IdempotencyStore`] over the binding.
pub struct DurableStore {
    ns: Option<ObjectNamespace>,
}

impl DurableStore {
    /// The store of the `IDEMPOTENCY` binding, if the Worker has it.
    pub fn from_env(env: &Env) -> Self {
        DurableStore {
            ns: env.durable_object(BINDING).ok(),
        }
    }

    async fn ask(
        &self,
        name: &str,
        op: &str,
        ask: &Ask,
    ) -> std::result::Result<String, StoreError> {
        let fail = |e: worker::Error| StoreError(e.to_string());
        let ns = self
            .ns
            .as_ref()
            .ok_or_else(|| StoreError(format!("no `{BINDING}` Durable Object binding")))?;
        let stub = ns
            .id_from_name(name)
            .and_then(|id| id.get_stub())
            .map_err(fail)?;
        let body = serde_json::to_string(ask).map_err(|e| StoreError(e.to_string()))?;
        // Built over `web_sys` (as the upstream fetch is): `worker::RequestInit` would bring
        // in its `cf` properties' serializer.
        let js = |e: JsValue| StoreError(super::client::js_error(&e));
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&body));
        let req = web_sys::Request::new_with_str_and_init(
            &format!("https://idempotency.internal/{op}"),
            &init,
        )
        .map_err(js)?;
        let mut res = stub
            .fetch_with_request(Request::from(req))
            .await
            .map_err(fail)?;
        if res.status_code() != 200 {
            return Err(StoreError(format!(
                "the record answered {}",
                res.status_code()
            )));
        }
        res.text().await.map_err(fail)
    }
}

impl IdempotencyStore for DurableStore {
    async fn begin(
        &self,
        name: &str,
        request_hash: &str,
        now_ms: i64,
    ) -> std::result::Result<Begin, StoreError> {
        let ask = Ask {
            request_hash: request_hash.to_owned(),
            now_ms,
            answer: None,
        };
        let text = self.ask(name, "begin", &ask).await?;
        serde_json::from_str(&text).map_err(|e| StoreError(e.to_string()))
    }

    async fn finish(
        &self,
        name: &str,
        request_hash: &str,
        answer: &Stored,
    ) -> std::result::Result<(), StoreError> {
        let ask = Ask {
            request_hash: request_hash.to_owned(),
            now_ms: 0,
            answer: Some(answer.clone()),
        };
        self.ask(name, "finish", &ask).await.map(|_| ())
    }

    async fn release(&self, name: &str, request_hash: &str) -> std::result::Result<(), StoreError> {
        let ask = Ask {
            request_hash: request_hash.to_owned(),
            now_ms: 0,
            answer: None,
        };
        self.ask(name, "release", &ask).await.map(|_| ())
    }
}
