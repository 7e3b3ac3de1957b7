//! The one wasm-bindgen export of the benchmark build (`wasm-bindgen --target nodejs`):
//! a [`BenchWorld`] with its replaying client, driven one request per call from JavaScript,
//! which times each call with `performance.now()`.

use wasm_bindgen::prelude::*;

use super::bench::{BenchWorld, Tape};

/// A benchmark world for Node (see the module docs of `testkit::bench`).
#[wasm_bindgen]
pub struct WasmBench {
    world: &'static BenchWorld,
    tape: Tape<'static>,
}

#[wasm_bindgen]
impl WasmBench {
    /// A world with `records` records per source. Leaks the world (one per process).
    #[wasm_bindgen(constructor)]
    pub fn new(records: u32) -> WasmBench {
        let world: &'static BenchWorld = Box::leak(Box::new(BenchWorld::new(records as usize)));
        WasmBench {
            world,
            tape: world.tape(),
        }
    }

    /// Answers `GET path` (path and query): the body length, or minus the HTTP status when
    /// it is not 200, or -1 when the handler did not finish.
    pub fn get(&self, path: &str) -> i64 {
        match self.world.get(&self.tape, path) {
            Some((200, len)) => i64::try_from(len).unwrap_or(i64::MAX),
            Some((status, _)) => -i64::from(status),
            None => -1,
        }
    }

    /// Answers `GET path` (path and query): the status and the body, as
    /// `{"status": …, "body": "…"}` (for the JavaScript twin's equality test).
    pub fn response(&self, path: &str) -> String {
        let (status, body) = self
            .world
            .get_body(&self.tape, path)
            .unwrap_or((0, Vec::new()));
        serde_json::json!({"status": status, "body": String::from_utf8_lossy(&body)}).to_string()
    }

    /// The upstream answers recorded so far, as a JSON array of `{"method", "uri",
    /// "status", "body"}` sorted by method and URI: the vendor pages the JavaScript twin
    /// (`tests/bench/twin.mjs`) starts from.
    pub fn pages(&self) -> String {
        self.tape.recorded_json()
    }

    /// Upstream requests that went to the simulator rather than the tape.
    pub fn misses(&self) -> u64 {
        self.tape.misses()
    }
}
