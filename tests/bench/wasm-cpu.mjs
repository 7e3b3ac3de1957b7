// Wasm CPU time per unified request (run by scripts/bench-gateway.sh). workerd freezes
// timers while a request runs, so the Worker cannot time itself; instead the same service
// (src/testkit/bench.rs: four simulated sources, 100 records each, upstream answers recorded once and
// replayed) is built for wasm32 with the release profile, loaded into Node, and each
// synchronous `get` call is timed twice: process CPU time (process.cpuUsage, µs; not
// inflated when other processes share the cores) and wall time (performance.now). The
// call does all the Worker's
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
  const cpu = [];
  const wall = [];
  for (let i = 0; i < RUNS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    bench.get(path);
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  if (bench.misses() !== misses) throw new Error('a timed upstream answer was not replayed');
  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.round((s.length - 1) * p))].toFixed(3).padStart(7);
  };
  console.log(`gateway wasm CPU    ${path.padEnd(36)} p50 ${pct(cpu, 0.5)} ms  p99 ${pct(cpu, 0.99)} ms  (wall p50 ${pct(wall, 0.5)} ms; ${RUNS} runs, ${RECORDS} records/source, ${(len / 1024).toFixed(0)} KiB response)`);
}
