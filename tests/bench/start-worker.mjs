// Starts a Worker for the gateway benchmark, in one of two ways:
//
//   node start-worker.mjs CONFIG PORT [NAME:VALUE ...]
//     workerd through Miniflare, configured from CONFIG by wrangler itself
//     (`unstable_getMiniflareWorkerOptions`: compatibility date, vars, .dev.vars, the
//     [assets] router), serving on 127.0.0.1:PORT. This is the Worker as the edge runs it:
//     the same runtime, the same configuration, no development server in front.
//   node start-worker.mjs --dev-proxy CONFIG PORT [NAME:VALUE ...]
//     wrangler's own `unstable_startWorker`, i.e. what `wrangler dev` runs: the same
//     workerd behind wrangler's local proxy Worker (which holds requests during reloads).
//     A trivial Worker answers in ~7 ms there against ~2.5 ms without it (docs/bench.md).
//
// Either way the DevTools inspector stays off: `wrangler dev` always attaches it, and while
// a debugger is attached V8 runs the wasm as unoptimized debug code (2-3x slower).
// NAME:VALUE pairs become plain-text vars (over the config's). Prints "ready URL" once
// serving; stops on SIGTERM/SIGINT, or by itself after BENCH_WORKER_MAX_SECONDS (default
// 1800), so it never outlives a broken run.
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions, unstable_startWorker } from 'wrangler';

const args = process.argv.slice(2);
const devProxy = args[0] === '--dev-proxy';
const [config, port, ...pairs] = devProxy ? args.slice(1) : args;
if (!config || !port) {
  console.error('usage: node start-worker.mjs [--dev-proxy] CONFIG PORT [NAME:VALUE ...]');
  process.exit(2);
}
const vars = {};
for (const p of pairs) {
  const i = p.indexOf(':');
  if (i <= 0) {
    console.error(`not NAME:VALUE: ${p}`);
    process.exit(2);
  }
  vars[p.slice(0, i)] = p.slice(i + 1);
}

async function viaMiniflare() {
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(config);
  const mf = new Miniflare({
    ...workerOptions,
    host: '127.0.0.1',
    port: Number(port),
    bindings: { ...workerOptions.bindings, ...vars },
    // The entry is already built (worker-build's ES modules plus the .wasm); wrangler's
    // rules cover the .wasm, and every .js here is an ES module.
    modules: true,
    scriptPath: main,
    modulesRules: [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }, ...workerOptions.modulesRules],
  });
  const url = await mf.ready;
  return { url: url.href, dispose: () => mf.dispose() };
}

async function viaDevProxy() {
  const bindings = {};
  for (const [k, v] of Object.entries(vars)) bindings[k] = { type: 'plain_text', value: v };
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
  return { url: String(await worker.url), dispose: () => worker.dispose() };
}

const worker = await (devProxy ? viaDevProxy() : viaMiniflare());
console.log(`ready ${worker.url}`);

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
