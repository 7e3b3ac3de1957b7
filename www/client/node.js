// flexedge under Node ≥ 20 (the package's `node` entry): the same exports as index.js,
// except that `init()` without an argument reads flexedge_bg.wasm from disk (Node's
// fetch does not read file: URLs).
import { readFile } from 'node:fs/promises';
import { init as initWith, parseFilter } from './index.js';
import { registerEngine } from './engine.js';

export * from './index.js';

/** Loads the wasm engine once (from the package's own file unless `input` is given). */
export function init(input) {
  return initWith(input ?? readFile(new URL('./flexedge_bg.wasm', import.meta.url)));
}

registerEngine({ init: () => init(), parseFilter });

export default init;
