// The end of `make bench` (issue #17): gathers the figures the benchmarks recorded
// ($BENCH_RESULTS_JSONL, one JSON line each, tests/bench/results.mjs), adds the artifacts'
// sizes (gzip level 9, as scripts/test.sh prints them), writes them with the run's machine
// and load average to target/bench/results.json, and prints each goal of issues #17 and #20
// as a row: the figure, its bound from the baseline measured in the same run, the ratio, and
// MET / NOT MET (or MISSING when a benchmark did not run). Asserts nothing about speed: it
// fails only when the figures cannot be read.
//
//   node tests/bench/report.mjs FIGURES.jsonl OUT.json LOADAVG_AT_START
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';

const [jsonl, out, loadStart] = process.argv.slice(2);
const figures = existsSync(jsonl)
  ? readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : [];

// Sizes of the artifacts this run built (the Worker by bench-gateway, the browser module by
// bench-browser).
for (const [name, file] of [['worker_wasm', 'build/index_bg.wasm'], ['browser_wasm', 'pkg/flexedge_bg.wasm']]) {
  if (!existsSync(file)) continue;
  const bytes = readFileSync(file);
  figures.push(
    { name: `size/${name}`, value: statSync(file).size, unit: 'B', baseline: null },
    { name: `size_gzip/${name}`, value: gzipSync(bytes, { level: 9 }).length, unit: 'B', baseline: null },
  );
}

const byName = new Map(figures.map((f) => [f.name, f]));
const value = (name) => byName.get(name)?.value;
const git = (...args) => {
  try { return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return null; }
};
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

// Each goal: a figure, the bound it must stay within (from same-run baselines), which side.
const goals = [];
const goal = (issue, what, name, bound, cmp = '≤') => {
  const v = value(name);
  const b = bound();
  const missing = v === undefined || b === undefined || Number.isNaN(b);
  const met = !missing && (cmp === '≤' ? v <= b : v >= b);
  goals.push({ issue, goal: what, figure: name, value: v ?? null, bound: missing ? null : b, cmp, ratio: missing ? null : v / b, status: missing ? 'MISSING' : met ? 'MET' : 'NOT MET' });
};
const times = (k, name) => () => (value(name) === undefined ? undefined : k * value(name));
for (const key of ['orders', 'orders_raw']) {
  goal(17, `wasm CPU p50 ${key === 'orders' ? 'default query' : 'include=raw'} ≤ 0.5 × the JS twin`, `wasm_cpu_p50/${key}`, times(0.5, `twin_cpu_p50/${key}`));
}
goal(17, 'include=raw CPU p50 ≤ 1.2 × no-raw', 'wasm_cpu_p50/orders_raw', times(1.2, 'wasm_cpu_p50/orders'));
for (const row of ['latency_c1', 'no_latency_c1', 'latency_c4', 'no_latency_c4']) {
  goal(17, `unified p50 ≤ 1.2 × slowest upstream + 5 ms (${row})`, `gateway_p50/${row}`, times(1, `gateway_goal_p50/${row}`));
}
for (const row of ['latency_c4', 'no_latency_c4']) {
  goal(17, `requests/s with 4 clients ≥ 0.8 × the floor (${row})`, `gateway_rps/${row}`, times(0.8, `floor_rps/${row}`), '≥');
}
goal(17, 'Worker ≤ 400 KB gzipped', 'size_gzip/worker_wasm', () => 400_000);
goal(17, 'browser module ≤ 150,000 B gzipped', 'size_gzip/browser_wasm', () => 150_000);
goal(20, 'runQuery on JSON.parse\'d objects ≤ 1.0 × hand-written JS', 'browser_median/wasmFromObjects', times(1.0, 'browser_median/handwritten'));
goal(20, 'runQuery on bytes ≤ 0.6 × hand-written JS', 'browser_median/wasm', times(0.6, 'browser_median/handwritten'));

const results = {
  date: new Date().toISOString(),
  commit: git('rev-parse', 'HEAD'),
  dirty: git('status', '--porcelain') ? true : false,
  machine: { cores: cpus().length, loadavg_start: loadStart ? loadStart.split(' ').map(Number) : null, loadavg_end: loadavg() },
  figures,
  goals,
};
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');

const fmt = (x) => (x === null ? '—' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en') : x.toFixed(x < 10 ? 3 : 1));
console.log(`\n=== goals (${figures.length} figures in ${out}; load average ${results.machine.loadavg_start?.join(' ') ?? '?'} at start, ${results.machine.loadavg_end.join(' ')} at end)`);
for (const g of goals) {
  const unit = byName.get(g.figure)?.unit ?? '';
  console.log(`  #${g.issue} ${g.goal.padEnd(66)} ${fmt(g.value).padStart(9)} ${unit.padEnd(5)} ${g.cmp} ${fmt(g.bound).padStart(9)}  ${g.ratio === null ? '' : `${g.ratio.toFixed(2)}×`.padStart(6)}  ${g.status}`);
}
