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

    /// Upstream requests that went to the simulator rather than the tape.
    pub fn misses(&self) -> u64 {
        self.tape.misses()
    }
}
