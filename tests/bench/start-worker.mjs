// Starts a Worker for the gateway benchmark the way `wrangler dev` does (wrangler's own
// `unstable_startWorker`: the same workerd, the same local proxy), but with the DevTools
// inspector off. `wrangler dev` always attaches the inspector, and while a debugger is
// attached V8 runs the wasm as unoptimized debug code: the four-source query measured
// 2-3x slower that way (docs/bench.md).
//
// Usage: node start-worker.mjs CONFIG PORT [NAME:VALUE ...]   (plain-text vars)
// Prints "ready http://127.0.0.1:PORT" once serving; stops on SIGTERM/SIGINT, or by itself
// after BENCH_WORKER_MAX_SECONDS (default 1800), so it never outlives a broken run.
import { unstable_startWorker } from 'wrangler';

const [config, port, ...pairs] = process.argv.slice(2);
if (!config || !port) {
  console.error('usage: node start-worker.mjs CONFIG PORT [NAME:VALUE ...]');
  process.exit(2);
}
const bindings = {};
for (const p of pairs) {
  const i = p.indexOf(':');
  if (i <= 0) {
    console.error(`not NAME:VALUE: ${p}`);
    process.exit(2);
  }
  bindings[p.slice(0, i)] = { type: 'plain_text', value: p.slice(i + 1) };
}

const worker = await unstable_startWorker({
  config,
  bindings,
  dev: {
    server: { hostname: '127.0.0.1', port: Number(port) },
    inspector: false,
    watch: false,
  },
});
await worker.ready;
console.log(`ready ${await worker.url}`);

let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  await worker.dispose().catch(() => {});
  process.exit(code);
};
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
setTimeout(() => stop(0), Number(process.env.BENCH_WORKER_MAX_SECONDS ?? 1800) * 1000).unref();
// Keep the event loop alive until stopped.
setInterval(() => {}, 1 << 30);
