// Wasm CPU time per unified request (run by scripts/bench-gateway.sh). workerd freezes
// timers while a request runs, so the Worker cannot time itself; instead the same service
// (src/testkit/bench.rs: four simulated sources, 100 records each, upstream answers
// recorded once and replayed) is built for wasm32 with the release profile, loaded into
// Node, and each synchronous `get` call is timed twice: process CPU time
// (process.cpuUsage, µs; not inflated when other processes share the cores) and wall time
// (performance.now). The call does all the Worker's work for one request except the JS
// Fetch glue.
//
// Beside it, the hand-written JavaScript twin of the same work (tests/bench/twin.mjs:
// JSON.parse of the same vendor pages, per-vendor mapping, the native merge,
// JSON.stringify) on the pages that request made (`bench.pages()`), checked once to return
// flexedge's items. Bounded: 100 interleaved warm-up rounds, then 300 timed calls per path
// and implementation in 10 alternating blocks (see below). Prints the ratio flexedge /
// twin of the CPU p50s (issue #17: ≤ 0.5) and include=raw / no-raw (≤ 1.2). Every figure
// is also recorded (tests/bench/results.mjs) as wasm_cpu_p50/orders, twin_cpu_p50/orders,
// … with the twin's figure as baseline.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { deepStrictEqual } from 'node:assert/strict';

import { record } from './results.mjs';
import { twin } from './twin.mjs';

const require = createRequire(import.meta.url);
const { WasmBench } = require(resolve(process.argv[2]));
const WARMUP = 100;
const RUNS = 300;
const RECORDS = 100;
const PATHS = ['/v1/orders?limit=100', '/v1/orders?limit=100&include=raw'];
// Per path: the figures' name suffix and the twin's options.
const CASES = {
  '/v1/orders?limit=100': { key: 'orders', opts: { limit: 100, includeRaw: false } },
  '/v1/orders?limit=100&include=raw': { key: 'orders_raw', opts: { limit: 100, includeRaw: true } },
};
// The benchmark world's fixed clock (src/testkit/bench.rs, NOW_MS): the twin derives
// statuses at the same instant.
const NOW_MS = 1_767_225_600_000;

const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
};
const pct = (xs, p) => quantile(xs, p).toFixed(3).padStart(7);

const figures = [];
const figure = (name, value, baseline = null) => figures.push({ name, value, unit: 'ms', baseline });
const p50 = {};

const bench = new WasmBench(RECORDS);
// Per path: the response's size, the vendor pages its request made (recorded by the tape),
// and the twin's options; the twin is checked once against flexedge before any timing.
const cases = PATHS.map((path) => {
  const len = Number(bench.get(path));
  if (len < 0) throw new Error(`${path}: status ${-len}`);
  const { key, opts } = CASES[path];
  const pages = JSON.parse(bench.pages());
  const twinOpts = { ...opts, now: NOW_MS };
  const flexedge = JSON.parse(bench.response(path));
  deepStrictEqual(JSON.parse(twin(pages, twinOpts)).items, JSON.parse(flexedge.body).items, `${path}: the twin's items differ from flexedge's`);
  const twinLen = twin(pages, twinOpts).length;
  return { path, key, len, twinLen, run: { flexedge: () => bench.get(path), twin: () => twin(pages, twinOpts) }, cpu: { flexedge: [], twin: [] }, wall: { flexedge: [], twin: [] } };
});
// Warm-up interleaved (every path with both, so V8 has tiered up the wasm and the twin
// before any timing). Then the RUNS timed calls per path and implementation in BLOCKS
// blocks, visited in turn (ABAB…, which goes first alternating), so a slow stretch of the
// shared machine falls on both alike; a full GC before each block, since process.cpuUsage
// counts V8's GC threads too and no block should pay for the garbage of the one before.
// Run with `node --expose-gc`; without it the blocks run unflushed.
const BLOCKS = 10;
const gc = globalThis.gc ?? (() => {});
for (let i = 0; i < WARMUP; i++) for (const c of cases) { c.run.flexedge(); c.run.twin(); }
const misses = bench.misses();
for (let b = 0; b < BLOCKS; b++) {
  for (const c of cases) {
    for (const who of b % 2 ? ['twin', 'flexedge'] : ['flexedge', 'twin']) {
      gc();
      for (let i = 0; i < RUNS / BLOCKS; i++) {
        const u = process.cpuUsage();
        const t = performance.now();
        c.run[who]();
        c.wall[who].push(performance.now() - t);
        const d = process.cpuUsage(u);
        c.cpu[who].push((d.user + d.system) / 1000);
      }
    }
  }
}
if (bench.misses() !== misses) throw new Error('a timed upstream answer was not replayed');

for (const { path, key, len, twinLen, cpu, wall } of cases) {
  const line = (label, xs, ws, bytes) => console.log(`${label.padEnd(19)} ${path.padEnd(36)} p50 ${pct(xs, 0.5)} ms  p99 ${pct(xs, 0.99)} ms  (wall p50 ${pct(ws, 0.5)} ms; ${RUNS} runs, ${RECORDS} records/source, ${(bytes / 1024).toFixed(0)} KiB response)`);
  line('gateway wasm CPU', cpu.flexedge, wall.flexedge, len);
  line('twin JS CPU', cpu.twin, wall.twin, twinLen);
  const [fx, tw] = [quantile(cpu.flexedge, 0.5), quantile(cpu.twin, 0.5)];
  console.log(`flexedge / twin     ${path.padEnd(36)} ${(fx / tw).toFixed(2)}× CPU p50 (${fx.toFixed(3)} ms / ${tw.toFixed(3)} ms)`);
  p50[key] = { flexedge: fx, twin: tw };
  figure(`wasm_cpu_p50/${key}`, fx, `twin_cpu_p50/${key}`);
  figure(`wasm_cpu_p99/${key}`, quantile(cpu.flexedge, 0.99), `twin_cpu_p99/${key}`);
  figure(`wasm_wall_p50/${key}`, quantile(wall.flexedge, 0.5), `twin_wall_p50/${key}`);
  figure(`twin_cpu_p50/${key}`, tw);
  figure(`twin_cpu_p99/${key}`, quantile(cpu.twin, 0.99));
  figure(`twin_wall_p50/${key}`, quantile(wall.twin, 0.5));
}

const raw = (who) => `${(p50.orders_raw[who] / p50.orders[who]).toFixed(2)}× CPU p50 (${p50.orders_raw[who].toFixed(3)} ms / ${p50.orders[who].toFixed(3)} ms)`;
console.log(`flexedge raw/no-raw /v1/orders?limit=100 (&include=raw)   ${raw('flexedge')}`);
console.log(`twin raw/no-raw     /v1/orders?limit=100 (&include=raw)   ${raw('twin')}`);

record(...figures);
