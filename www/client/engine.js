// Which engine the client may use to check a filter before sending it. The package's
// entry (index.js, or node.js under Node) registers its memoized `init` and
// `parseFilter` here when it loads, so client.js never imports the wasm glue itself.
let engine = null;

/** Called once by the entry module. */
export function registerEngine(e) {
  engine = e;
}

/** The registered engine, initialized (the wasm loaded once, on first use). */
export async function readyEngine() {
  if (!engine) return null;
  await engine.init();
  return engine;
}
