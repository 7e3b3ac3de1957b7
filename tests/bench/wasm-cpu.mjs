// Wasm CPU time per unified request (run by scripts/bench-gateway.sh). workerd freezes
// timers while a request runs, so the Worker cannot time itself; instead the same service
// (src/benchkit: four simulated sources, 100 records each, upstream answers recorded once and
// replayed) is built for wasm32 with the release profile, loaded into Node, and each
// synchronous `get` call is timed with performance.now(). The call does all the Worker's
// work for one request except the JS Fetch glue. Bounded: 30 warm-up + 300 timed calls.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { WasmBench } = require(resolve(process.argv[2]));
const WARMUP = 30;
const RUNS = 300;
const RECORDS = 100;
const PATHS = ['/v1/orders?limit=100', '/v1/orders?limit=100&include=raw'];

const bench = new WasmBench(RECORDS);
for (const path of PATHS) {
  let len = 0;
  for (let i = 0; i < WARMUP; i++) {
    len = Number(bench.get(path));
    if (len < 0) throw new Error(`${path}: status ${-len}`);
  }
  const misses = bench.misses();
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    bench.get(path);
    ms.push(performance.now() - t);
  }
  if (bench.misses() !== misses) throw new Error('a timed upstream answer was not replayed');
  ms.sort((a, b) => a - b);
  const pct = (p) => ms[Math.min(ms.length - 1, Math.round((ms.length - 1) * p))];
  console.log(`gateway wasm CPU    ${path.padEnd(36)} p50 ${pct(0.5).toFixed(3).padStart(6)} ms  p99 ${pct(0.99).toFixed(3).padStart(6)} ms  (${RUNS} runs, ${RECORDS} records/source, ${(len / 1024).toFixed(0)} KiB response)`);
}
