// The goal report of `make bench` (tests/bench/report.mjs): given recorded figures, it
// writes them to results.json with each goal's bound from the same run's baseline, and
// says MET, NOT MET or MISSING. Run in an empty directory, so no artifact sizes are found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const report = resolve(dirname(fileURLToPath(import.meta.url)), 'report.mjs');

function run(figures) {
  const dir = mkdtempSync(join(tmpdir(), 'flexedge-report-'));
  try {
    const jsonl = join(dir, 'figures.jsonl');
    writeFileSync(jsonl, figures.map((f) => JSON.stringify(f) + '\n').join(''));
    const out = join(dir, 'results.json');
    const stdout = execFileSync(process.execPath, [report, jsonl, out, '1.5 1.2 1.0'], { cwd: dir, encoding: 'utf8' });
    return { stdout, results: JSON.parse(readFileSync(out, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (name, value, baseline = null) => ({ name, value, unit: 'ms', baseline });
const goalOf = (results, figure) => results.goals.filter((g) => g.figure === figure);

test('CPU goals: bounds from the twin and the no-raw time of the same run', () => {
  const { results, stdout } = run([
    ms('wasm_cpu_p50/orders', 1.0, 'twin_cpu_p50/orders'),
    ms('twin_cpu_p50/orders', 3.0),
    ms('wasm_cpu_p50/orders_raw', 2.0, 'twin_cpu_p50/orders_raw'),
    ms('twin_cpu_p50/orders_raw', 3.0),
  ]);
  const [twinDefault] = goalOf(results, 'wasm_cpu_p50/orders');
  assert.equal(twinDefault.bound, 1.5);
  assert.equal(twinDefault.status, 'MET');
  const [twinRaw, rawRatio] = goalOf(results, 'wasm_cpu_p50/orders_raw');
  assert.equal(twinRaw.status, 'NOT MET'); // 2.0 > 0.5 × 3.0
  assert.equal(rawRatio.bound, 1.2);
  assert.equal(rawRatio.status, 'NOT MET'); // 2.0 > 1.2 × 1.0
  assert.ok(Math.abs(rawRatio.ratio - 2.0 / 1.2) < 1e-9);
  assert.deepEqual(results.machine.loadavg_start, [1.5, 1.2, 1.0]);
  assert.equal(results.figures.length, 4);
  assert.match(stdout, /include=raw CPU p50 ≤ 1\.2 × no-raw .* NOT MET/);
});

test('latency and throughput goals per row; a row that did not run is MISSING', () => {
  const { results } = run([
    ms('gateway_p50/latency_c1', 30, 'gateway_goal_p50/latency_c1'),
    ms('gateway_goal_p50/latency_c1', 35),
    ms('gateway_p50/latency_c4', 40, 'gateway_goal_p50/latency_c4'),
    ms('gateway_goal_p50/latency_c4', 35),
    { name: 'gateway_rps/latency_c4', value: 90, unit: 'req/s', baseline: 'floor_rps/latency_c4' },
    { name: 'floor_rps/latency_c4', value: 100, unit: 'req/s', baseline: null },
  ]);
  assert.equal(goalOf(results, 'gateway_p50/latency_c1')[0].status, 'MET');
  assert.equal(goalOf(results, 'gateway_p50/latency_c4')[0].status, 'NOT MET');
  const [rps] = goalOf(results, 'gateway_rps/latency_c4');
  assert.equal(rps.cmp, '≥');
  assert.equal(rps.bound, 80);
  assert.equal(rps.status, 'MET');
  assert.equal(goalOf(results, 'gateway_p50/no_latency_c4')[0].status, 'MISSING');
  assert.equal(goalOf(results, 'size_gzip/worker_wasm')[0].status, 'MISSING');
});
