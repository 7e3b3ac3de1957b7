// The flexedge package: the filter engine (wasm) and the edge API client.
export {
  parseFilter, runQuery, groupBy, compileQuery, CompiledQuery, version,
} from './flexedge.js';
export type {
  QueryOptions, GroupOptions, QueryResult, GroupResult, Records, FlexedgeError,
} from './flexedge.js';
export * from './client.js';

/** What the engine can be loaded from. */
export type EngineSource =
  | RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the wasm engine once (later calls return the same promise). Without an argument
 * it fetches `flexedge_bg.wasm` next to the module (browsers, bundlers that copy
 * `new URL(…, import.meta.url)` assets) or reads it from disk (Node).
 */
export function init(input?: EngineSource | Promise<EngineSource>): Promise<void>;
/** Loads the engine synchronously from its bytes or a compiled module. */
export function initSync(module: BufferSource | WebAssembly.Module): void;
export default init;
